"""Every kind of figure stands alone: its words are there and nothing is cut off.

For each plot kind the figure is drawn (Agg) and checked: an axis title and tick labels are
present, the scenario's labels (not code names) name the assumptions, and the tight bounding
box of every visible text lies inside the canvas (a cut-off axis title or legend would stick
out by more than a pixel); matplotlib's tight bounding box covers only what is drawn.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import onzekerheid as oz
from onzekerheid.report import curves, plots

SCENARIOS = Path(__file__).parent.parent / "scenarios"


@pytest.fixture(scope="module")
def school() -> oz.Result:
    return oz.simulate(oz.load(SCENARIOS / "school_jeugdzorg.toml"), 5_000, seed=3)


@pytest.fixture(scope="module")
def schiedam() -> oz.Result:
    return oz.simulate(oz.load(SCENARIOS / "schiedam.toml"), 2_000, seed=3, store="outputs")


def _tornado(school):
    return {name: {"low": 80_000.0 + 1000 * i, "high": 180_000.0 - 1000 * i,
                   "swing": 100_000.0 - 2000 * i, "input_low": 1.0, "input_high": 2.0}
            for i, name in enumerate(school.scenario.random_parameters)}


HORIZON = """
[scenario]
title = "horizon"
[cases]
stakeholders = ["gemeente"]
[[items]]
name = "a"
amount = "50 to 150"
duration = 2
[extrapolation]
cases_per_year = 10
[costs]
fte = 1
cost_per_fte = 1000
[[costs.one_off]]
name = "opstart"
amount = 1500
year = 0
[horizon]
years = 3
discount_rate = 0.1
"""


def figures(school, schiedam, load_toml):
    scenario = school.scenario
    names = scenario.random_parameters
    rho = curves.rank_correlations(school, "net_benefit")
    spider = {"output": "net_benefit", "base": 130_000.0, "percentiles": [0.05, 0.5, 0.95],
              "parameters": {n: {"inputs": [1, 2, 3], "outputs": [1e5 - i, 1.3e5, 1.6e5 + i]}
                             for i, n in enumerate(names)}}
    sobol = {n: {"first": 0.2, "first_low": 0.1, "first_high": 0.3, "total": 0.3,
                 "total_low": 0.2, "total_high": 0.4} for n in names}
    voi = {"output": "net_benefit", "evpi": 900.0,
           "parameters": {n: {"evppi": 100.0 * (i + 1)} for i, n in enumerate(names)}}
    curve = curves.BreakEven("net_benefit", "report_cost", np.linspace(5e3, 25e3, 6),
                             np.linspace(0.2, 1.0, 6), np.full(6, 0.01), 15_000.0, 0.0, 5_000,
                             "EUR")
    return {
        "distribution": plots.distribution(school, "net_benefit", lang="nl"),
        "s-curve": plots.s_curve(school, "net_benefit", lang="nl"),
        "who-gains": plots.who_gains(schiedam, "savings_per_case", lang="nl"),
        "drivers": plots.drivers(rho, "net_benefit", lang="nl", scenario=scenario),
        "tornado": plots.tornado(_tornado(school), "net_benefit", 130_000.0, lang="nl",
                                 scenario=scenario),
        "spider": plots.spider(spider, lang="nl", scenario=scenario),
        "sobol": plots.sobol(sobol, "net_benefit", lang="nl", scenario=scenario),
        "voi": plots.voi_bars(voi, lang="nl", scenario=scenario),
        "break-even": plots.break_even(curve, lang="nl", scenario=scenario),
        "cost-effect": plots.cost_effect(school["worker_cost"], school["reports_before"],
                                         cost_name="kosten", effect_name="meldingen",
                                         lang="nl", reference=5_000.0),
        "convergence": plots.convergence(school, "net_benefit", lang="nl"),
        "cash-flow": plots.cash_flow(oz.simulate(load_toml(HORIZON), 2_000, seed=1), lang="nl"),
    }


def test_every_kind_has_words_and_nothing_cut_off(school, schiedam, load_toml):
    made = figures(school, schiedam, load_toml)
    assert set(made) >= {"distribution", "s-curve", "tornado", "spider", "voi", "cost-effect"}
    for kind, fig in made.items():
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        canvas = fig.bbox
        for ax in fig.axes:
            assert ax.get_xlabel() or ax.get_ylabel(), kind
            assert any(t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()), kind
        # what is drawn (ticks outside the view are not), in inches like the canvas
        tight = fig.get_tightbbox(renderer)
        size = canvas.width / fig.dpi, canvas.height / fig.dpi
        pixel = 1 / fig.dpi
        assert tight.x0 >= -pixel and tight.y0 >= -pixel, (kind, tight)
        assert tight.x1 <= size[0] + pixel and tight.y1 <= size[1] + pixel, (kind, tight, size)
        words = " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
        if kind in ("tornado", "spider", "sobol", "voi", "drivers"):
            assert "kosten per melding" in words and "report_cost" not in words, kind
        if kind == "tornado":
            assert "aanname op 5e percentiel" in words
            assert "alle aannames op hun mediaan: €\u00a0130.000" in words
        if kind == "cost-effect":
            assert "ICER" in words and "INMB" in words
        if kind == "cash-flow":
            assert "netto kasstroom" in words and "€" in words
        if kind == "s-curve":
            assert "gepubliceerd: €\u00a0285.000" in words


def test_the_bounding_box_check_catches_a_cut_off_text(school):
    fig = plots.distribution(school, "net_benefit")
    fig.axes[0].text(1.3, 0.5, "sticks out", transform=fig.axes[0].transAxes)
    fig.canvas.draw()
    tight = fig.get_tightbbox(fig.canvas.get_renderer())
    assert tight.x1 > fig.bbox.width / fig.dpi + 1 / fig.dpi


def test_figures_show_themselves_in_jupyter(school):
    png = plots.distribution(school, "net_benefit")._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
