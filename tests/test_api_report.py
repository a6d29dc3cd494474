"""The report's workflow through the Python API: the same document as the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from onzekerheid import api
from onzekerheid.cli import app
from onzekerheid.errors import ScenarioError
from onzekerheid.scenario.loader import loads, with_prior, with_variant

SCENARIOS = Path(__file__).parent.parent / "scenarios"
N = 1000  # the least EVSI takes; only the two ways agreeing is under test, not the numbers


def test_the_api_builds_the_same_report_as_the_command_line(tmp_path: Path) -> None:
    target = tmp_path / "out.html"
    file = str(SCENARIOS / "schiedam.toml")
    run = CliRunner().invoke(app, ["report", file, "-n", str(N), "--no-sensitivity",
                                   "--lang", "en", "-q", "-o", str(target)])
    assert run.exit_code == 0, run.output
    made = api.report(api.load(file), N, sensitivity=False)
    assert made.extras.studies  # schiedam.toml's [[studies]], valued in the API
    assert not made.left_out
    assert made.html("en", str(target)) == target.read_text(encoding="utf-8")


def test_report_arguments_are_named_as_python_names_them() -> None:
    scenario = loads("[scenario]\ntitle = 't'\n[parameters]\nx = 1\n[outputs]\ny = 'x'\n")
    with pytest.raises(ScenarioError, match=r"^population must be a finite number > 0"):
        api.report(scenario, 10, population=float("nan"))
    with pytest.raises(ScenarioError, match=r"^years 0: must lie in 1\.\.1000"):
        api.report(scenario, 10, years=0)


EVIDENCE = """
[scenario]
title = "t"
[parameters]
rate = { dist = "beta", alpha = 2, beta = 2 }
cases = 100
[outputs]
y = "rate * cases"
[[evidence]]
parameter = "rate"
likelihood = "binomial"
successes = 7
trials = 10
[variants.high]
cases = 250
"""


def test_the_prior_keeps_the_variant_and_leaves_the_evidence_out() -> None:
    high = with_variant(loads(EVIDENCE), "high")
    before = with_prior(high)
    assert (before.variant, before.prior, high.prior) == ("high", True, False)
    assert high.parameters["rate"].dist.args == (9.0, 5.0)  # Beta(2 + 7, 2 + 3)
    assert before.parameters["rate"].dist.args == (2.0, 2.0)  # the prior
    assert api.point(before).values["cases"] == api.point(high).values["cases"] == 250


def test_a_figure_is_drawn_from_python_and_its_errors_name_python_arguments() -> None:
    scenario = api.load(SCENARIOS / "school_jeugdzorg.toml")
    figure = api.figure(scenario, "distribution", iterations=2000, lang="en")
    assert figure.axes  # a matplotlib figure, as the CLI saves it
    for kwargs, message in (({"kind": "pie"}, r"^kind 'pie': unknown"),
                            ({"kind": "cost-effect", "cost": "nope"}, r"^cost nope: not an out"),
                            ({"kind": "evsi"}, r"^kind evsi: .* has no \[\[studies\]\]")):
        with pytest.raises(ScenarioError, match=message):
            api.figure(scenario, iterations=2000, **kwargs)
