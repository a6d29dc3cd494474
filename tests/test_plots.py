"""Figures: the things a reader relies on (claim at the right x, labels in the chosen language),
and the numbers behind them (break-even with common random numbers, regions, convergence)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import onzekerheid as oz
from onzekerheid.errors import ScenarioError
from onzekerheid.report import curves, plots

SCENARIOS = Path(__file__).parent.parent / "scenarios"
N = 20_000


@pytest.fixture(scope="module")
def school() -> oz.Result:
    return oz.simulate(oz.load(SCENARIOS / "school_jeugdzorg.toml"), N, seed=7)


def _lines(fig, gid):
    return [line for ax in fig.axes for line in ax.get_lines() if line.get_gid() == gid]


def _ticks(fig, axis="x"):
    fig.canvas.draw()
    ax = fig.axes[0]
    labels = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
    return [t.get_text() for t in labels]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_distribution_marks_claim_and_median_at_their_values(school, lang):
    fig = plots.distribution(school, "net_benefit", lang=lang)
    (claim,) = _lines(fig, "claim")
    assert list(claim.get_xdata()) == [285_000, 285_000]
    (median,) = _lines(fig, "median")
    assert median.get_xdata()[0] == pytest.approx(school.summary_of("net_benefit").median)


def test_distribution_labels_follow_the_language(school):
    nl = plots.distribution(school, "net_benefit", lang="nl")
    en = plots.distribution(school, "net_benefit", lang="en")
    assert nl.axes[0].get_xlabel() == "Netto opbrengst"  # the scenario's label, as written
    assert en.axes[0].get_xlabel() == "Netto opbrengst"
    nl_legend = [t.get_text() for t in nl.axes[0].get_legend().get_texts()]
    en_legend = [t.get_text() for t in en.axes[0].get_legend().get_texts()]
    assert "gepubliceerd: €\u00a0285.000" in nl_legend
    assert "published: €285,000" in en_legend
    nl_ticks = [t for t in _ticks(nl) if t != "€\u00a00"]
    en_ticks = [t for t in _ticks(en) if t != "€0"]
    assert nl_ticks and all(re.fullmatch(r"€\u00a0-?\d{1,3}(\.\d{3})+", t) for t in nl_ticks)
    assert en_ticks and all(re.fullmatch(r"-?€\d{1,3}(,\d{3})+", t) for t in en_ticks)


def test_distribution_range_includes_a_claim_far_outside_the_samples(school):
    scenario = replace(school.scenario, claims={"net_benefit": 5e6})
    far = oz.Result(scenario, school.iterations, school.seed, school.ci, school.data,
                    school.columns, school.outputs)
    ax = plots.distribution(far, "net_benefit").axes[0]
    assert ax.get_xlim()[1] >= 5e6


def test_who_gains_puts_each_claim_on_its_stakeholders_row():
    scenario = oz.load(SCENARIOS / "schiedam.toml")
    result = oz.simulate(scenario, 2_000, seed=1, store="outputs")
    fig = plots.who_gains(result, "savings_per_case", lang="nl")
    claims = {int(line.get_ydata()[0]): line.get_xdata()[0] for line in _lines(fig, "claim")}
    assert claims == {0: 3563, 1: 2694, 2: 2079}
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["gemeente", "client", "derden"]
    assert fig.axes[0].get_xlabel() == "Besparing per casus"
    with pytest.raises(ScenarioError, match="no outputs named 'bcr.<stakeholder>'"):
        plots.who_gains(result, "bcr")


def test_tornado_orders_by_swing_around_the_base():
    data = {"a": {"low": 90.0, "high": 110.0, "swing": 20.0},
            "b": {"low": 50.0, "high": 160.0, "swing": 110.0}}
    fig = plots.tornado(data, "net_benefit", 100.0, lang="en")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "a"]
    (base,) = _lines(fig, "baseline")
    assert base.get_xdata()[0] == 100.0
    lefts = sorted((p.get_x(), p.get_x() + p.get_width()) for p in ax.patches)
    assert lefts[0] == (100.0, 50.0)  # 'b' low bar runs from the base to 50


def test_sobol_bars_and_legend_in_dutch():
    data = {"x": {"first": 0.6, "first_low": 0.55, "first_high": 0.65, "total": 0.7,
                  "total_low": 0.65, "total_high": 0.75},
            "y": {"first": 0.2, "first_low": 0.1, "first_high": 0.3, "total": 0.3,
                  "total_low": 0.2, "total_high": 0.4}}
    fig = plots.sobol(data, "net_benefit", lang="nl")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["eerste orde (alleen)", "totaal (met interacties)"]
    widths = sorted(round(p.get_width(), 6) for p in fig.axes[0].patches)
    assert widths == [0.2, 0.3, 0.6, 0.7]


def test_break_even_uses_common_random_numbers():
    """A grid point equals a full run with the parameter fixed by an override, same seed."""
    scenario = oz.load(SCENARIOS / "school_jeugdzorg.toml")
    curve = oz.api.break_even_curve(scenario, "net_benefit", "report_cost",
                                    values=np.array([6000.0, 15000.0]), iterations=N, seed=3)
    fixed = oz.simulate(oz.load(SCENARIOS / "school_jeugdzorg.toml", {"report_cost": 15000}),
                        N, seed=3, store="outputs")
    assert curve.probability[1] == np.count_nonzero(fixed["net_benefit"] > 0) / N
    assert curve.probability[0] < curve.probability[1]
    fig = plots.break_even(curve, lang="en")
    (point,) = _lines(fig, "point")
    assert point.get_xdata()[0] == 15000
    assert fig.axes[0].get_ylabel() == "probability that net benefit > 0"
    assert "€10,000" in _ticks(fig)


def test_break_even_refuses_an_expression_or_unknown_parameter():
    scenario = oz.load(SCENARIOS / "school_jeugdzorg.toml")
    with pytest.raises(ScenarioError, match="'saving' is not a number or distribution"):
        oz.api.break_even_curve(scenario, "net_benefit", "saving")
    with pytest.raises(ScenarioError, match="'nope' is not an output"):
        oz.api.break_even_curve(scenario, "nope", "report_cost")


def test_regions_partition_the_plane():
    effect = np.array([2.0, 0.0, 0.0, 2.0, 0.0, -2.0, 2.0, -2.0, np.nan])
    cost = np.array([-2.0, -2.0, 0.0, 2.0, 2.0, 0.0, 0.0, 2.0, 1.0])
    code = curves.regions(cost, effect, cost_tol=1.0, effect_tol=1.0)
    assert code.tolist() == [1, 2, 3, 4, 5, 6, 1, 5, 0]


def test_acceptability_curve():
    cost = np.array([100.0, 100.0, -50.0, 300.0])
    effect = np.array([1.0, 2.0, 0.0, 1.0])
    # price 0: only the cheaper iteration pays; price 150: also effect 1 and 2 at cost 100.
    assert curves.acceptability(cost, effect, np.array([0.0, 150.0, 1000.0])).tolist() == [
        0.25, 0.75, 1.0]


def test_cost_effect_plane_has_six_regions_and_a_reference_price(school):
    fig = plots.cost_effect(school["worker_cost"] - school["saving"], school["bcr"],
                            cost_name="net cost", effect_name="bcr", lang="nl",
                            reference=20_000)
    plane, curve = fig.axes
    labels = [t.get_text() for t in plane.get_legend().get_texts()]
    assert len(labels) == 6 and labels[0].startswith("1. meer effect, niet duurder")
    (ref,) = _lines(fig, "reference")
    assert ref.get_xdata()[0] == 20_000
    assert curve.get_xlabel() == "prijs per eenheid effect"


def test_convergence_ends_at_the_sample_mean_and_mcse(school):
    trace = curves.convergence(school["net_benefit"])
    s = school.summary_of("net_benefit")
    assert trace.n[-1] == N
    assert trace.mean[-1] == pytest.approx(s.mean, rel=1e-12)
    assert trace.mcse[-1] == pytest.approx(s.mcse, rel=1e-9)
    head = school["net_benefit"][:50]
    at = int(np.searchsorted(trace.n, 50))
    if trace.n[at] == 50:
        assert trace.mcse[at] == pytest.approx(head.std(ddof=1) / np.sqrt(50), rel=1e-9)
    fig = plots.convergence(school, "net_benefit", lang="nl")
    assert fig.axes[0].get_xlabel() == "iteraties"


def test_rank_correlations_find_the_drivers(school):
    rho = curves.rank_correlations(school, "net_benefit")
    assert set(rho) == set(oz.load(SCENARIOS / "school_jeugdzorg.toml").random_parameters)
    assert rho["report_cost"] > 0.3 and rho["still_referred"] < -0.2
    assert abs(rho["worker_cost"]) < 0.2
    assert list(rho) == sorted(rho, key=lambda n: -abs(rho[n]))


def test_save_writes_png_and_svg_and_refuses_other_types(school, tmp_path):
    fig = plots.distribution(school, "bcr", lang="en")
    plots.save(fig, tmp_path / "a.png")
    plots.save(fig, tmp_path / "a.svg")
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in (tmp_path / "a.svg").read_text()
    with pytest.raises(ScenarioError, match="unknown file type '.jpg'"):
        plots.save(fig, tmp_path / "a.jpg")
