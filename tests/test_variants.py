"""[variants.NAME] overrides: loading, errors, run --variant, compare, check over variants."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid.analysis.compare import compare
from onzekerheid.cli import app
from onzekerheid.errors import ScenarioError
from onzekerheid.scenario import with_overrides, with_variant
from onzekerheid.scenario.variants import flatten

cli = CliRunner()

TEXT = """
    [scenario]
    title = "Worker in a school"
    [parameters]
    reports = { dist = "poisson", mean = 24 }
    report_cost = { dist = "lognormal", ci = [10000, 20000], point = 15000 }
    still_referred = { dist = "beta", ci = [0.1, 0.5], point = 0 }
    worker_cost = 75000
    group = { share = 1.0 }
    [outputs]
    net_benefit = "reports * report_cost * (1 - still_referred) * group.share - worker_cost"
    [claim]
    net_benefit = 285000
    [[checks]]
    expect = "P(net_benefit > 0) >= 0.9"

    [variants.as_published]

    [variants.sceptic]
    report_cost = "5000 to 12000"
    worker_cost = 95000

    [variants.optimistic]
    still_referred = 0
    group.share = 1.0
    """


@pytest.fixture
def path(write_toml):
    return write_toml(TEXT)


def test_variant_overrides_are_applied_and_set_wins(path):
    plain = oz.load(path)
    assert list(plain.variants) == ["as_published", "sceptic", "optimistic"]
    assert plain.variants["optimistic"] == {"still_referred": 0, "group.share": 1.0}
    assert plain.parameters["worker_cost"].value == 75000
    sceptic = oz.load(path, variant="sceptic")
    assert sceptic.parameters["worker_cost"].value == 95000
    assert sceptic.parameters["report_cost"].written == "5000 to 12000"
    optimistic = oz.load(path, variant="optimistic")
    assert optimistic.parameters["still_referred"].kind == "fixed"
    assert optimistic.parameters["group.share"].value == 1.0  # dotted via a nested table
    both = oz.load(path, overrides={"worker_cost": 1}, variant="sceptic")
    assert both.parameters["worker_cost"].value == 1
    assert both.parameters["report_cost"].written == "5000 to 12000"
    assert (both.variant, both.overrides) == ("sceptic", {"worker_cost": 1})


def test_variants_and_overrides_derive_from_the_typed_scenario(path):
    """with_variant / with_overrides equal loading the file with them, without reading it."""
    sets = {"worker_cost": 1}
    base = oz.load(path, overrides=sets)
    path.write_text("not toml any more")  # derived scenarios do not read the file again
    derived = with_variant(base, "sceptic")
    assert derived.parameters["worker_cost"].value == 1  # the explicit override still wins
    assert derived.parameters["report_cost"].written == "5000 to 12000"
    more = with_overrides(derived, {"report_cost": 7000})
    assert (more.variant, more.overrides) == ("sceptic", {"worker_cost": 1, "report_cost": 7000})
    assert with_variant(more, None).parameters["report_cost"].value == 7000


def test_empty_variant_is_the_file_as_written(path):
    a = oz.simulate(oz.load(path), 5_000, seed=2, store="outputs")
    b = oz.simulate(oz.load(path, variant="as_published"), 5_000, seed=2, store="outputs")
    np.testing.assert_array_equal(a.data, b.data)


def test_unknown_variant_lists_the_ones_there_are(path):
    with pytest.raises(ScenarioError, match="no variant called 'sceptik'.*did you mean 'sceptic'"):
        oz.load(path, variant="sceptik")
    with pytest.raises(ScenarioError, match="variants here: as_published, sceptic, optimistic"):
        oz.load(path, variant="zzz")


def test_unknown_override_name_fails_at_load_with_its_path(write_toml):
    path = write_toml(TEXT + '\n    [variants.bad]\n    report_kost = 1\n    "nope.x" = 2\n')
    with pytest.raises(ScenarioError) as info:
        oz.load(path)
    paths = [p.path for p in info.value.problems]
    assert paths == ["variants.bad.report_kost", "variants.bad.nope.x"]
    assert "did you mean 'report_cost'" in info.value.problems[0].hint
    assert info.value.problems[0].line is not None


def test_a_variant_must_be_a_table(write_toml):
    path = write_toml(TEXT.replace("[variants.as_published]", "[variants]\nx = 1\n"))
    with pytest.raises(ScenarioError, match="variants.x.*must be a table"):
        oz.load(path)


def test_flatten_keeps_distribution_tables():
    assert flatten({"a": {"b": 1, "c": {"dist": "normal", "mean": 0, "sd": 1}}}) == {
        "a.b": 1, "a.c": {"dist": "normal", "mean": 0, "sd": 1}}


def test_compare_pairs_iterations_with_common_random_numbers(path):
    # The sceptic also changes report_cost, so only worker_cost's effect is pinned exactly by
    # comparing with a variant that changes nothing else: a fixed 20,000 more costs.
    scenarios = {"as_published": oz.load(path, variant="as_published"),
                 "dearer": oz.load(path, overrides={"worker_cost": 95000})}
    result = compare(scenarios, 8_000, seed=3)
    diff = result.difference("dearer", "net_benefit")
    np.testing.assert_array_equal(diff, -20_000.0)
    summary = result.difference_summary("dearer", "net_benefit")
    assert summary.sd == 0.0 and summary.p_positive == 0.0


def test_cli_run_variant_json(path):
    res = cli.invoke(app, ["run", str(path), "--variant", "sceptic", "-n", "3000", "--json"])
    assert res.exit_code == 0, res.output
    sceptic = json.loads(res.stdout)["outputs"]["net_benefit"]["mean"]
    res = cli.invoke(app, ["run", str(path), "-n", "3000", "--json"])
    assert json.loads(res.stdout)["outputs"]["net_benefit"]["mean"] > sceptic
    res = cli.invoke(app, ["run", str(path), "--variant", "nope", "-n", "10"])
    assert res.exit_code == 2 and "no variant called 'nope'" in res.stderr


def test_cli_compare_all_variants_json(path):
    res = cli.invoke(app, ["compare", str(path), "-n", "4000", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["baseline"] == "as_published"
    assert list(doc["outputs"]["net_benefit"]) == ["as_published", "sceptic", "optimistic"]
    differences = doc["differences"]["net_benefit"]
    assert set(differences) == {"sceptic", "optimistic"}
    assert differences["sceptic"]["mean"] < 0 < differences["optimistic"]["mean"]
    assert differences["optimistic"]["p_positive"] == 1.0  # still_referred 0 never lowers it
    res = cli.invoke(app, ["compare", str(path), "-n", "2000", "--baseline", "sceptic"])
    assert res.exit_code == 0, res.output
    assert "scenario − sceptic" in res.stdout and "P(higher)" in res.stdout


def test_cli_compare_two_files(path, write_toml):
    other = write_toml(TEXT.replace("worker_cost = 75000", "worker_cost = 80000"), "other.toml")
    res = cli.invoke(app, ["compare", str(path), str(other), "-n", "2000", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["baseline"] == "scenario"
    assert doc["differences"]["net_benefit"]["other"]["mean"] == pytest.approx(-5000.0)
    assert doc["differences"]["net_benefit"]["other"]["sd"] == pytest.approx(0.0, abs=1e-6)


def test_cli_compare_needs_two(write_toml):
    lone = write_toml(TEXT.split("[variants.as_published]")[0], "lone.toml")
    res = cli.invoke(app, ["compare", str(lone), "-n", "100"])
    assert res.exit_code == 2 and "needs two or more variants" in res.stderr


def test_cli_check_all_variants(path):
    res = cli.invoke(app, ["check", str(path), "--all-variants", "-n", "4000", "--json"])
    assert res.exit_code == 1, res.output  # the sceptic's view fails P(net_benefit > 0) >= 0.9
    doc = json.loads(res.stdout)
    assert [d["variant"] for d in doc["files"]] == ["as_published", "sceptic", "optimistic"]
    assert [d["passed"] for d in doc["files"]] == [True, False, True]
    res = cli.invoke(app, ["check", str(path), "--variant", "optimistic", "-n", "4000", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["variant"] == "optimistic"
