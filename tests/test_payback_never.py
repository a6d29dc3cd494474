"""A payback year that never comes (+inf) is a value in every workflow, not a failure (#11).

``run`` keeps +inf for ``payback_year`` (it sorts above every year, JSON shows null, the share
that never pays back is reported); ``sweep``, ``compare`` and the claim audit must agree with
it. Every comparison here is exact: the same seed gives the same draws in every workflow.
"""

from __future__ import annotations

import json
import math
import textwrap

import numpy as np
import pytest
from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid import api
from onzekerheid.analysis.audit import audit_claim
from onzekerheid.analysis.summary import INFINITE_OK, summarize
from onzekerheid.cli import app

# a start-up cost of 1000 to 4000 against 1000 a year of net savings over three years: some
# iterations pay back in year 2 or 3, about half never do
TEXT = textwrap.dedent("""
    [scenario]
    title = "t"
    [cases]
    stakeholders = ["gemeente"]
    [[items]]
    name = "a"
    amount = 100
    duration = 2
    [extrapolation]
    cases_per_year = 10
    [costs]
    fte = 1
    cost_per_fte = 1000
    [[costs.one_off]]
    name = "opstart"
    amount = "1000 to 4000"
    year = 0
    [horizon]
    years = 3
    discount_rate = 0.1
    [claim]
    payback_year = 3
    [variants.dear]
    "costs.cost_per_fte" = 1100
    [variants.cheap]
    "costs.cost_per_fte" = 900
""")
N, SEED = 4000, 3


@pytest.fixture(scope="module")
def path(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("payback")
    (folder / "s.toml").write_text(TEXT)
    return folder / "s.toml"


def test_the_scenario_has_both_kinds_of_iteration(path):
    years = oz.simulate(oz.load(path), N, seed=SEED)["payback_year"]
    never = np.isposinf(years).mean()
    assert 0.2 < never < 0.8 and np.isfinite(years).any()


def test_a_sweep_point_summarises_payback_as_run_does(path):
    scenario = oz.load(path)
    swept = api.sweep(scenario, {"costs.fte": [0.9, 1.0]}, N, SEED)
    for values, summaries, never in zip(swept.points, swept.summaries, swept.never, strict=True):
        alone = oz.simulate(oz.load(path, overrides=values), N, seed=SEED)
        assert summaries["payback_year"] == alone.summary_of("payback_year")
        assert summaries["payback_year"].nonfinite == 0
        assert summaries["payback_year"].mean == math.inf
        assert never == {"payback_year": float(np.isposinf(alone["payback_year"]).mean())}
        assert never["payback_year"] == alone.to_json()["domain"]["cash_flow"]["never_pays_back"]
    doc = json.loads(json.dumps(swept.to_json()))
    assert [g["never_pays_back"] for g in doc["grid"]] == [n["payback_year"] for n in swept.never]
    assert doc["grid"][0]["outputs"]["payback_year"]["mean"] is None  # +inf as null


def test_compare_keeps_never_in_outputs_and_differences(path):
    scenario = oz.load(path)
    variants = {n: api.with_variant(scenario, n) for n in ("dear", "cheap")}
    result = api.compare(variants, N, SEED)
    dear, cheap = result.results["dear"]["payback_year"], result.results["cheap"]["payback_year"]
    assert result.never() == {"dear": float(np.isposinf(dear).mean()),
                              "cheap": float(np.isposinf(cheap).mean())}
    difference = result.difference("cheap", "payback_year")
    both = np.isposinf(dear) & np.isposinf(cheap)
    only_cheap_pays = np.isposinf(dear) & np.isfinite(cheap)
    assert both.any() and only_cheap_pays.any()
    assert np.all(difference[both] == 0.0)  # never against never: no change
    assert np.all(np.isneginf(difference[only_cheap_pays]))  # sorts below every year
    finite = np.isfinite(dear) & np.isfinite(cheap)
    np.testing.assert_array_equal(difference[finite], cheap[finite] - dear[finite])
    summary = result.difference_summary("cheap", "payback_year")
    assert summary.nonfinite == 0 and summary.low == -math.inf and summary.mean == -math.inf
    assert summary.p_positive == np.mean(difference > 0)
    doc = result.to_json()
    assert doc["never_pays_back"] == result.never()
    assert doc["differences"]["payback_year"]["cheap"]["nonfinite"] == 0


def test_the_claim_audit_judges_a_payback_year_that_never_comes(path):
    result = oz.simulate(oz.load(path), N, seed=SEED)
    audit = result.audit_of("payback_year")
    years = result["payback_year"]
    # "payback in year 3" is an 'at most' claim (lower is better): +inf fails it
    assert audit.verdict != "unknown" and audit.p_claim_holds == np.mean(years <= 3)
    assert "∞" in audit.sentence_en and "could not be simulated" not in audit.sentence_en
    alone = audit_claim("payback_year", years, 3)
    assert (alone.p_claim_holds, alone.verdict) == (audit.p_claim_holds, audit.verdict)
    assert "∞" in alone.sentence_en


def test_the_command_line_reports_the_share_that_never_pays_back(path):
    runner = CliRunner()
    swept = runner.invoke(app, ["sweep", str(path), "--vary", "costs.fte=0.9,1", "-n", "2000",
                                "--output-name", "payback_year"])
    compared = runner.invoke(app, ["compare", str(path), "-n", "2000",
                                   "--output-name", "payback_year"])
    ran = runner.invoke(app, ["run", str(path), "-n", "2000"])
    for result in (swept, compared, ran):
        assert result.exit_code == 0, result.output
        assert "RuntimeWarning" not in result.output
    assert "never pays" in swept.output and "never pays" in compared.output  # (may wrap)
    assert "could not be simulated" not in ran.output


def test_keep_inf_on_both_sides():
    # -inf sorts below every value, +inf above; with both the mean is undefined
    values = np.array([-np.inf, 1.0, 2.0, 3.0, np.inf])
    s = summarize(values, 0.5, keep_inf=True)
    assert math.isnan(s.mean) and s.median == 2.0 and s.nonfinite == 0
    low = summarize(np.array([-np.inf] * 3 + [1.0]), 0.5, keep_inf=True)
    assert low.mean == -math.inf and low.median == -math.inf and low.nonfinite == 0
    assert summarize(values, 0.5).nonfinite == 2  # without keep_inf: left out and counted
    assert {"payback_year"} == INFINITE_OK
