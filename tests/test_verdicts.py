"""Claims as stated, verdicts with direction and noise, judgements kept apart, goal seek.

Tolerances: a share of n independent iterations has MCSE sqrt(p (1 - p) / n); equalities
that hold sample by sample are checked exactly; a found value is checked against its closed
form within 4 of its own (delta-method) MCSEs.
"""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid.analysis.audit import audit_claim, claim_holds, within_noise
from onzekerheid.analysis.model import model_of
from onzekerheid.analysis.sweep import Axis, sweep
from onzekerheid.analysis.switching import switching_values
from onzekerheid.cli import app
from onzekerheid.errors import ScenarioError
from onzekerheid.scenario import loads

MODEL = """
[scenario]
title = "verdicts"
[parameters]
x = { dist = "normal", mean = 100, sd = 20 }
bias = { dist = "lognormal", median = 0.8, sigma = 0.25, point = 1, judgement = true }
[outputs]
benefit = "x * bias"
cost = { expr = "150 - x", better = "lower" }
share = { expr = "x / 200", unit = "share" }
"""


def _run(claims: str, n: int = 20_000, seed: int = 3) -> oz.Result:
    return oz.simulate(loads(MODEL + "[claim]\n" + claims), n, seed=seed)


def test_a_cost_claim_below_the_simulated_range_is_optimistic() -> None:
    result = _run("cost = 1\n")  # cost is 150 - x: about 50 +- 20, never 1 in practice
    doc = result.to_json()["outputs"]["cost"]
    assert doc["claim_stated"] == {"at_most": 1.0}
    assert doc["p_claim_holds"] < 0.01 and doc["verdict"] != "conservative"
    assert doc["verdict"] in ("very optimistic", "implausible")
    assert "at most this high" in doc["sentence"]["en"]


@pytest.mark.parametrize("claim", [
    "benefit = 70\n", "benefit = { at_least = 70 }\n", "cost = { at_most = 45 }\n",
    "share = { between = [0.45, 0.55] }\n", "share = { value = 0.5, rounded = 0.01 }\n",
    "cost = 45\n"])
def test_each_form_is_the_share_of_samples_that_satisfy_it(claim: str) -> None:
    result = oz.simulate(loads(MODEL + "[claim]\n" + claim), 5000, seed=1, store="all")
    name = claim.split(" ")[0]
    y = result[name]
    stated = result.scenario.claim_of(name)
    assert stated is not None
    expected = {"at_least": y >= stated.low, "at_most": y <= stated.high}.get(
        stated.form, (y >= stated.low) & (y <= stated.high))
    doc = result.to_json()["outputs"][name]
    assert doc["p_claim_holds"] == pytest.approx(expected.mean(), abs=1e-12)
    p = expected.mean()
    assert doc["p_claim_holds_mcse"] == pytest.approx(math.sqrt(p * (1 - p) / y.size))
    assert "claim_percentile" in doc and "p_claim_or_more" in doc  # older fields stay


def test_rounded_value_holds_within_half_a_step() -> None:
    scenario = loads(MODEL + "[claim]\nshare = { value = 0.43, rounded = 0.01 }\n")
    claim = scenario.claim_of("share")
    assert claim is not None and (claim.low, claim.high) == pytest.approx((0.425, 0.435))
    assert list(claim.holds(np.array([0.4249, 0.425, 0.43, 0.435, 0.4351]))) == [
        False, True, True, True, False]


@pytest.mark.parametrize("seed", [0, 1, 2, 7, 11])
def test_a_claim_at_the_exact_median_is_within_noise(seed: int) -> None:
    values = np.random.default_rng(seed).lognormal(10, 1, 4001)
    audit = audit_claim("net_benefit", values, float(np.median(values)))
    assert audit.verdict == "within Monte Carlo noise" and audit.within_noise
    assert "cannot be told from 50%" in audit.sentence_en
    assert within_noise(audit.p_claim_holds, audit.p_claim_holds_mcse)


def test_never_conservative_below_even_odds() -> None:
    values = np.arange(10_000.0)
    for claim in np.linspace(0, 10_000, 41):
        audit = audit_claim("net_benefit", values, float(claim))
        if audit.p_claim_holds < 0.5:
            assert audit.verdict != "conservative"


def test_two_sided_claims_use_neutral_words() -> None:
    values = np.linspace(0, 1, 1001)
    audit = audit_claim("share", values, oz.scenario.claims.Claim("between", 0.0, 0.95, 0.475),
                        unit="share")
    assert audit.verdict == "well supported"
    assert audit.p_claim_holds == pytest.approx(np.mean(values <= 0.95))


@pytest.mark.parametrize(("text", "message"), [
    ("benefit = { at_least = 1, at_most = 2 }", "exactly one of"),
    ("benefit = { between = [2, 1] }", "must be below"),
    ("benefit = { value = 1, rounded = -1 }", "rounded must be a positive number"),
    ("benefit = { atleast = 1 }", "unknown key 'atleast'"),
    ("benefit = \"many\"", "must be a number, got 'many'"),
])
def test_bad_claims_are_named(text: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message) as info:
        loads(MODEL + "[claim]\n" + text + "\n")
    assert "claim.benefit" in str(info.value)


def test_a_bare_number_needs_a_direction() -> None:
    text = MODEL.replace('unit = "share" }', 'unit = "share", better = "none" }')
    with pytest.raises(ScenarioError, match="better = \"none\""):
        loads(text + "[claim]\nshare = 0.5\n")


def test_claims_in_a_dotted_group_still_work() -> None:
    text = """
[scenario]
title = "groups"
[parameters]
a = "1 to 2"
[outputs]
net_benefit = { gemeente = "a", client = "2 * a" }
[claim]
net_benefit.gemeente = 1.2
net_benefit.client = { at_least = 2 }
"""
    scenario = loads(text)
    assert scenario.claims == {"net_benefit.gemeente": 1.2, "net_benefit.client": 2.0}
    assert scenario.claim_of("net_benefit.client").form == "at_least"  # type: ignore[union-attr]


def test_a_variant_carries_its_own_claim(tmp_path) -> None:
    path = tmp_path / "v.toml"
    path.write_text(MODEL + "[claim]\nbenefit = 90\ncost = 60\n"
                    "[variants.low]\nx = 60\n[variants.low.claim]\nbenefit = 40\n")
    assert oz.load(path).claims["benefit"] == 90
    low = oz.load(path, variant="low")
    assert low.claims == {"benefit": 40.0, "cost": 60.0}
    path.write_text(MODEL + "[variants.low.claim]\nnope = 40\nbenefit = { atmost = 1 }\n")
    with pytest.raises(ScenarioError, match="variants.low.claim.benefit.atmost"):
        oz.load(path)  # a form is checked on every load
    path.write_text(MODEL + "[variants.low.claim]\nnope = 40\n")
    with pytest.raises(ScenarioError, match="variants.low.claim.nope"):
        oz.load(path, variant="low")  # a name when the variant is used


def test_without_judgements_equals_a_run_with_the_judgement_at_its_point() -> None:
    scenario = loads(MODEL + "[claim]\nbenefit = 90\n")
    result = oz.simulate(scenario, 4000, seed=5)
    layer = result.to_json()["outputs"]["benefit"]["without_judgements"]
    fixed = oz.simulate(loads(MODEL.replace(
        'bias = { dist = "lognormal", median = 0.8, sigma = 0.25, point = 1, judgement = true }',
        "bias = 1") + "[claim]\nbenefit = 90\n"), 4000, seed=5).to_json()["outputs"]["benefit"]
    for key in ("mean", "median", "low", "high", "p_positive", "p_claim_holds"):
        assert layer[key] == fixed[key]


def test_a_judgements_switching_value_is_where_a_sweep_crosses_the_claim() -> None:
    scenario = loads(MODEL + "[claim]\nbenefit = 90\n")
    result = oz.simulate(scenario, 8192, seed=2)
    doc = result.to_json()["outputs"]["benefit"]
    value, mcse = doc["switching"]["bias"], doc["switching_mcse"]["bias"]
    grid = np.linspace(0.8, 1.0, 21)
    swept = sweep(scenario, [Axis("bias", tuple(grid))], 8192, seed=2)
    medians = swept.statistic("benefit", "median")
    crossing = float(np.interp(90.0, medians, grid))
    # the sweep's linear interpolation is exact to O(step^2); the rest is Monte Carlo error
    assert value == pytest.approx(crossing, abs=4 * mcse + 1e-3)
    unclaimed = result.to_json()["outputs"]["share"]["switching"]
    assert unclaimed == {"bias": None}  # share = x / 200 does not depend on bias


def test_goal_seek_matches_the_closed_form_of_a_linear_model() -> None:
    text = """
[scenario]
title = "linear"
[parameters]
rate = { dist = "uniform", min = 0, max = 10 }
noise = { dist = "normal", mean = 0, sd = 10 }
[outputs]
net_benefit = "5 * rate - 20 + noise"
"""
    model = model_of(loads(text))
    for p in (0.9, 0.5, 0.25):
        found = switching_values(model, "net_benefit", statistic="quantile", quantile=1 - p,
                                 iterations=2**14, seed=4)
        rate = next(s for s in found.switches if s.name == "rate")
        exact = (20 - 10 * stats.norm.ppf(1 - p)) / 5  # 5 r - 20 + 10 z_{1-p} = 0
        assert rate.value is not None and rate.mcse is not None and rate.mcse > 0
        assert rate.value == pytest.approx(exact, abs=4 * rate.mcse)
        assert found.to_json()["target_probability"] == pytest.approx(p)


def test_cli_goal_seek_and_refusals(tmp_path) -> None:
    path = tmp_path / "m.toml"
    path.write_text(MODEL + "[claim]\ncost = 45\n")
    runner = CliRunner()
    ok = runner.invoke(app, ["switching", str(path), "--output", "benefit",
                             "--target", "60", "--target-probability", "0.9", "-n", "2000",
                             "--json"])
    assert ok.exit_code == 0, ok.output
    doc = json.loads(ok.stdout)
    assert doc["statistic"] == "quantile" and doc["target_quantile"] == pytest.approx(0.1)
    assert "mcse" in doc["parameters"]["x"]
    both = runner.invoke(app, ["switching", str(path), "--target-probability", "0.9",
                               "--target-quantile", "0.1"])
    assert both.exit_code == 2 and "give one of them" in both.output
    refused = runner.invoke(app, ["voi", str(path), "--output", "cost", "-n", "2000"])
    assert refused.exit_code == 2 and "is a cost" in refused.output
    warned = runner.invoke(app, ["switching", str(path), "--output", "cost", "-n", "500",
                                 "--json"])
    assert warned.exit_code == 0 and "is a cost" in json.loads(warned.stdout)["warnings"][0]


def test_claim_holds_leaves_out_nan_and_counts_never() -> None:
    claim = oz.scenario.claims.Claim("at_most", -math.inf, 5.0, 5.0)  # pays back by year 5
    p, mcse, n = claim_holds(np.array([3.0, 7.0, np.nan, np.inf]), claim)
    assert (p, n) == (1 / 3, 3) and mcse == pytest.approx(math.sqrt(2 / 9 / 3))


SHIPPED = sorted((Path(__file__).parent.parent / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_prior_without_a_source_is_a_judgement(path: Path) -> None:
    scenario = oz.load(path)
    for name, parameter in scenario.parameters.items():
        if parameter.kind == "random" and not parameter.internal and not parameter.source:
            assert parameter.judgement, f"{path.name}: {name} has no source but is no judgement"
    raw_bias = tomllib.loads(path.read_text(encoding="utf-8")).get("bias", {})  # the file
    if "per_case" in raw_bias:
        assert "bias.per_case" in scenario.case_judgements


def test_den_haag_without_immaterial_is_judged_against_its_own_claim() -> None:
    path = Path(__file__).parent.parent / "scenarios" / "den_haag.toml"
    assert oz.load(path).claims["net_benefit"] == 1.8e6
    assert oz.load(path, variant="zonder_immaterieel").claims["net_benefit"] == 0.6e6


def test_terminal_and_report_show_both_layers() -> None:
    from rich.console import Console

    from onzekerheid.report.layers import judgements_section
    from onzekerheid.report.terminal import render_judgements

    result = _run("benefit = 90\n", n=4000)
    console = Console(record=True, width=200)
    render_judgements(result, console)
    text = console.export_text()
    assert "Without judgements" in text and "The claim on benefit holds as long as bias" in text
    html = judgements_section(result, "nl")
    assert "zonder oordelen" in html and "De claim over benefit houdt stand" in html
    assert judgements_section(oz.simulate(loads(MODEL), 1000, seed=1), "en") == ""


@pytest.mark.parametrize(("file", "output", "words"), [
    ("utrecht.toml", "cost_effect_ratio", "is a ratio"),
    ("school_jeugdzorg.toml", "bcr", "is a ratio"),
    ("den_haag.toml", "costs_per_year", "is a cost"),
])
def test_voi_refuses_outputs_that_are_not_decisions(file: str, output: str, words: str) -> None:
    path = Path(__file__).parent.parent / "scenarios" / file
    outcome = CliRunner().invoke(app, ["voi", str(path), "--output", output, "-n", "1000"])
    assert outcome.exit_code == 2 and words in outcome.output, outcome.output
    assert "--output" in outcome.output or "net benefit" in outcome.output


def test_voi_warns_when_no_decision_is_at_stake() -> None:
    path = Path(__file__).parent.parent / "scenarios" / "schiedam.toml"
    outcome = CliRunner().invoke(app, ["voi", str(path), "--output", "savings_per_case", "-n",
                                       "2000", "--json"])
    assert outcome.exit_code == 0, outcome.output
    doc = json.loads(outcome.stdout)
    text = " ".join(doc["warnings"])
    assert "not a net benefit" in text
    assert doc["evpi"] == 0 and "no decision is at stake" in text  # never below 0 there


def test_the_noise_rule_is_a_two_sigma_test_at_the_true_median() -> None:
    # a claim at the true median of N(0, 1): |p - 1/2| < 2 MCSE should hold in P(|Z| < 2) =
    # 95.4% of runs; over 400 runs the share has sd sqrt(.954 * .046 / 400) = 0.0105, so
    # 0.954 +- 4 sd is accepted
    rng = np.random.default_rng(12)
    hits = [audit_claim("net_benefit", rng.standard_normal(2000), 0.0).within_noise
            for _ in range(400)]
    assert abs(np.mean(hits) - 0.954) < 4 * 0.0105


def test_p_claim_holds_uses_batch_means_when_rows_depend_on_each_other() -> None:
    from onzekerheid.analysis.mcse import probability_mcse
    from onzekerheid.engine.runner import BLOCK

    text = MODEL + '[correlations]\npairs = [["x", "bias", 0.8]]\n[claim]\nbenefit = 80\n'
    result = oz.simulate(loads(text), 8 * BLOCK, seed=1, store="all")
    doc = result.to_json()["outputs"]["benefit"]
    y = result["benefit"]
    assert doc["p_claim_holds_mcse"] == pytest.approx(probability_mcse(y, y >= 80, BLOCK))
