"""Figures for people (matplotlib, no pyplot): each function returns a ``Figure``.

Figures are built on the Agg canvas directly, so no global state or display is involved and
they are safe to make from threads. Money axes show euros with the report language's thousands
separators; every label comes from :mod:`.i18n`. Lines a reader relies on carry a ``gid``
("claim", "median", "point", "reference") so tests and tools can find them.

>>> fig = distribution(result, "net_benefit", lang="nl")
>>> save(fig, Path("net_benefit.svg"))
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..analysis.result import Result
from ..errors import ScenarioError
from ..scenario.model import Scenario
from ..scenario.units import is_money, parameter_unit
from . import curves, files, numbers
from .guard import Guard
from .i18n import label_of, number, percent, text, unit_of

FORMATS = {".png", ".svg"}
BLUE, ORANGE, RED, GREY, GREEN = "#1f5f99", "#e08a1e", "#c0392b", "#7f7f7f", "#2e8b57"


class ReportFigure(Figure):
    """A matplotlib Figure that shows itself in Jupyter (as a PNG) without pyplot."""

    def _repr_png_(self) -> bytes:
        return to_bytes(self, "png", dpi=100)


def _figure(width: float = 7.5, height: float = 3.6) -> Figure:
    fig = ReportFigure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _value_axis(axis: Any, scenario: Scenario | None, name: str, lang: str) -> None:
    _unit_axis(axis, unit_of(scenario, name) if scenario is not None else "", lang)


def _unit_axis(axis: Any, unit: str, lang: str) -> None:
    """Ticks written in ``unit``; money ticks compact and fewer, so they never overlap."""
    if is_money(unit):
        axis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    axis.set_major_formatter(FuncFormatter(
        lambda x, _pos: numbers.quantity(x, unit if unit in ("EUR", "share") else "", lang)))


def _axis_title(scenario: Scenario | None, name: str, lang: str) -> str:
    """An axis title: the label, with its unit in words when the ticks do not show it."""
    unit = unit_of(scenario, name) if scenario is not None else ""
    word = numbers.unit_word(unit, lang)
    label = label_of(scenario, name, lang)
    label = label[:1].upper() + label[1:]
    return f"{label} ({word})" if word and not is_money(unit) and unit != "share" else label


def _percent_axis(axis: Any, lang: str) -> None:
    axis.set_major_formatter(FuncFormatter(lambda x, _pos: percent(x, lang, 0)))


def distribution(result: Result, output: str, *, lang: str = "en", bins: int = 80) -> Figure:
    """Histogram of ``output`` with the interval shaded, the median and the claim marked.

    The x range covers the 0.5%..99.5% quantiles and the claim, so one extreme iteration does
    not squeeze the picture; iterations outside are not drawn.
    """
    s = result.summary_of(output)
    unit = unit_of(result.scenario, output)
    y = result[output]
    y = y[np.isfinite(y)]
    lo, hi = np.quantile(y, [0.005, 0.995]) if y.size else (0.0, 1.0)
    if s.claim is not None:
        lo, hi = min(lo, s.claim), max(hi, s.claim)
    pad = 0.03 * (hi - lo or 1.0)
    fig = _figure()
    ax = fig.add_subplot()
    ax.hist(y, bins=bins, range=(lo - pad, hi + pad), color=BLUE, alpha=0.75)
    ax.axvspan(s.low, s.high, color=BLUE, alpha=0.12, gid="interval",
               label=f"{text('interval', lang, level=percent(result.ci, lang))}: "
                     f"{numbers.interval(s.low, s.high, unit, lang, (s.low_mcse, s.high_mcse))}")
    ax.axvline(s.median, color="black", linestyle="--", linewidth=1.2, gid="median",
               label=f"{text('median', lang)}: "
                     f"{numbers.estimate(s.median, s.median_mcse, unit, lang)}")
    if s.claim is not None:
        ax.axvline(s.claim, color=RED, linewidth=2.0, gid="claim",
                   label=f"{text('claim', lang)}: {numbers.exact(s.claim, unit, lang)}")
    _value_axis(ax.xaxis, result.scenario, output, lang)
    ax.set_xlabel(_axis_title(result.scenario, output, lang))
    ax.set_ylabel(text("frequency", lang))
    ax.set_yticks([])
    ax.set_ylim(0, ax.get_ylim()[1] * 1.3)  # headroom for the legend
    ax.legend(loc="upper left", fontsize=8, frameon=True, framealpha=0.9)
    return fig


def who_gains(result: Result, base: str, *, lang: str = "en") -> Figure:
    """The interval of ``base.<stakeholder>`` per stakeholder side by side, median and claim."""
    names = [f"{base}.{who}" for who in result.scenario.stakeholders
             if f"{base}.{who}" in result.outputs]
    if not names:
        raise ScenarioError(f"who gains: no outputs named '{base}.<stakeholder>'; stakeholders: "
                            f"{', '.join(result.scenario.stakeholders) or 'none'}")
    fig = _figure(7.5, 0.5 * len(names) + 1.4)
    ax = fig.add_subplot()
    level = text("interval", lang, level=percent(result.ci, lang))
    for i, name in enumerate(names):
        s = result.summary_of(name)
        ax.plot([s.low, s.high], [i, i], color=BLUE, linewidth=6, solid_capstyle="butt",
                label=level if i == 0 else None)
        ax.plot([s.median], [i], "o", color="black", label=text("median", lang) if i == 0 else None)
        if s.claim is not None:
            ax.plot([s.claim], [i], "D", color=RED, gid="claim",
                    label=text("claim", lang) if not any(
                        line.get_gid() == "claim" for line in ax.get_lines()) else None)
    ax.axvline(0, color=GREY, linewidth=0.8)
    ax.set_yticks(range(len(names)), [n.split(".", 1)[1] for n in names])
    ax.invert_yaxis()
    _value_axis(ax.xaxis, result.scenario, names[0], lang)
    ax.set_xlabel(_axis_title(result.scenario, names[0], lang).rsplit(" (", 1)[0])
    ax.legend(loc="best", fontsize=8, frameon=False)
    return fig


def cash_flow(result: Result, *, lang: str = "en") -> Figure:
    """Fan chart of the yearly net cash flow of a ``[horizon]``: the 50% and the report's
    interval per year, shaded, and the median as a line (``cash_flow.yearN``)."""
    domain = result.scenario.domain
    names = list(domain.cash_flow) if domain is not None else []
    if not names:
        raise ScenarioError("cash flow: the scenario has no [horizon]")
    tail = (1.0 - result.ci) / 2.0
    bands = np.array([np.nanquantile(result[n], [tail, 0.25, 0.5, 0.75, 1.0 - tail])
                      for n in names])
    years = np.arange(1, len(names) + 1)
    fig = _figure()
    ax = fig.add_subplot()
    ax.fill_between(years, bands[:, 0], bands[:, 4], color=BLUE, alpha=0.25,
                    label=text("interval", lang, level=percent(result.ci, lang)))
    ax.fill_between(years, bands[:, 1], bands[:, 3], color=BLUE, alpha=0.45, label="50%")
    ax.plot(years, bands[:, 2], color="black", marker="o", label=text("median", lang))
    ax.axhline(0, color=GREY, linewidth=0.8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("jaar" if lang == "nl" else "year")
    ax.set_ylabel("netto kasstroom" if lang == "nl" else "net cash flow")
    _unit_axis(ax.yaxis, "EUR", lang)  # a cash flow is money
    ax.legend(loc="best", fontsize=8, frameon=False)
    return fig


def drivers(rho: Mapping[str, float], output: str, *, lang: str = "en", top: int = 12,
            scenario: Scenario | None = None) -> Figure:
    """Horizontal bars of rank correlations (from :func:`curves.rank_correlations`)."""
    items = list(rho.items())[:top]
    fig = _figure(7.5, 0.35 * len(items) + 1.2)
    ax = fig.add_subplot()
    values = [r for _, r in items]
    ax.barh(range(len(items)), values, color=[BLUE if r >= 0 else ORANGE for r in values])
    ax.set_yticks(range(len(items)), [_wrap(label_of(scenario, n, lang)) for n, _ in items])
    ax.invert_yaxis()
    ax.axvline(0, color=GREY, linewidth=0.8)
    ax.set_xlim(-1, 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: number(x, lang, 2)))
    ax.set_xlabel(text("spearman_axis", lang, output=label_of(scenario, output, lang)))
    return fig


def tornado(parameters: Mapping[str, Mapping[str, float]], output: str, baseline: float, *,
            lang: str = "en", top: int = 12, scenario: Scenario | None = None) -> Figure:
    """Tornado: per parameter the output at its 5th and 95th percentile (the contract's
    ``{"low": y, "high": y, "swing": y}``), widest swing on top, around ``baseline``.

    A legend says which colour is which end; the assumption's own value at each end
    (``input_low``/``input_high``, when given) is written at the end of its bar.
    """
    items = sorted(parameters.items(), key=lambda kv: -abs(kv[1]["swing"] or 0.0))[:top]
    fig = _figure(8.5, 0.42 * len(items) + 1.7)
    ax = fig.add_subplot()
    out_unit = unit_of(scenario, output) if scenario is not None else ""
    ends = []
    for i, (name, row) in enumerate(items):
        ax.barh(i, row["low"] - baseline, left=baseline, color=ORANGE,
                label=text("low_value", lang) if i == 0 else None)
        ax.barh(i, row["high"] - baseline, left=baseline, color=BLUE,
                label=text("high_value", lang) if i == 0 else None)
        unit = _param_unit(scenario, name)
        for key, y in (("input_low", row["low"]), ("input_high", row["high"])):
            if row.get(key) is None:
                continue
            right = y >= baseline
            ax.annotate(numbers.quantity(row[key], unit, lang), (y, i),
                        xytext=(3 if right else -3, 0), textcoords="offset points",
                        ha="left" if right else "right", va="center", fontsize=7.5)
            ends.append(y)
    ax.axvline(baseline, color="black", linewidth=1.0, gid="baseline",
               label=f"{text('base_value', lang)}: {numbers.quantity(baseline, out_unit, lang)}")
    span = (max(ends + [baseline]) - min(ends + [baseline])) or abs(baseline) or 1.0
    ax.set_xlim(min(ends + [baseline]) - 0.22 * span, max(ends + [baseline]) + 0.22 * span)
    ax.set_yticks(range(len(items)), [_wrap(label_of(scenario, n, lang)) for n, _ in items])
    ax.invert_yaxis()
    _unit_axis(ax.xaxis, out_unit, lang)
    ax.set_xlabel(_axis_title(scenario, output, lang))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18 if len(items) > 2 else -0.3),
              ncols=3, fontsize=7.5, frameon=False)
    return fig


def _param_unit(scenario: Scenario | None, name: str) -> str:
    if scenario is None:
        return parameter_unit(name)
    return unit_of(scenario, name)


def _wrap(label: str, width: int = 34) -> str:
    """A long axis label on two lines (at a space near the middle) so it is not cut off."""
    if len(label) <= width:
        return label
    cut = label.rfind(" ", 0, width)
    return label if cut < 0 else label[:cut] + "\n" + label[cut + 1:]


def sobol(parameters: Mapping[str, Mapping[str, float]], output: str, *, lang: str = "en",
          top: int = 12, scenario: Scenario | None = None) -> Figure:
    """First- and total-order Sobol indices with their intervals (the contract's shape)."""
    items = sorted(parameters.items(), key=lambda kv: -kv[1]["total"])[:top]
    fig = _figure(7.5, 0.45 * len(items) + 1.3)
    ax = fig.add_subplot()
    at = np.arange(len(items))
    for shift, key, colour in ((-0.2, "first", BLUE), (0.2, "total", ORANGE)):
        mid = np.array([row[key] for _, row in items])
        err = np.array([[row[key] - row.get(f"{key}_low", row[key]) for _, row in items],
                        [row.get(f"{key}_high", row[key]) - row[key] for _, row in items]])
        ax.barh(at + shift, mid, height=0.4, xerr=np.maximum(err, 0), color=colour,
                label=text(f"{key}_order", lang), error_kw={"linewidth": 1})
    ax.set_yticks(at, [_wrap(label_of(scenario, n, lang)) for n, _ in items])
    ax.invert_yaxis()
    ends = [row.get(k) for _, row in items for k in ("total_high", "first_high", "total")]
    ax.set_xlim(0, max([1.05] + [1.02 * v for v in ends if v is not None and np.isfinite(v)]))
    _percent_axis(ax.xaxis, lang)
    ax.set_xlabel(f"{text('sobol_axis', lang)} ({label_of(scenario, output, lang)})")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return fig


def break_even(curve: curves.BreakEven, *, lang: str = "en",
               scenario: Scenario | None = None) -> Figure:
    """P(output > 0) against a parameter, with a ±2 MCSE band and the claim's value marked."""
    unit = _param_unit(scenario, curve.parameter) if scenario is not None else curve.unit
    out = label_of(scenario, curve.output, lang)
    what = label_of(scenario, curve.parameter, lang)
    fig = _figure()
    ax = fig.add_subplot()
    ax.fill_between(curve.values, curve.probability - 2 * curve.mcse,
                    curve.probability + 2 * curve.mcse, color=BLUE, alpha=0.2)
    ax.plot(curve.values, curve.probability, "o-", color=BLUE, gid="curve",
            label=text("p_positive", lang, output=out))
    ax.axhline(0.5, color=GREY, linewidth=0.8, linestyle=":")
    ax.axvline(curve.point, color=RED, linewidth=1.5, gid="point",
               label=f"{text('point_value', lang)}: {numbers.exact(curve.point, unit, lang)}")
    ax.set_ylim(-0.02, 1.02)
    _percent_axis(ax.yaxis, lang)
    _unit_axis(ax.xaxis, unit, lang)
    ax.set_xlabel(what[:1].upper() + what[1:])
    ax.set_ylabel(_wrap(text("p_positive", lang, output=out), 40))
    ax.set_title(text("break_even_title", lang, output=out, parameter=what), fontsize=10)
    ax.legend(loc="best", fontsize=8, frameon=False)
    return fig


_REGION_COLOURS = {1: "#2e8b57", 2: "#8fbc8f", 3: "#d3d3d3", 4: "#f0c05a", 5: "#e07b6a",
                   6: "#b39ddb"}


def cost_effect(cost: np.ndarray, effect: np.ndarray, *, cost_name: str, effect_name: str,
                lang: str = "en", prices: np.ndarray | None = None,
                reference: float | None = None, share: float = 0.1,
                points: int = 4000) -> Figure:
    """Cost–effect plane with the six regions and an acceptability curve beside it.

    Left: extra effect (x) against extra cost (y) per iteration, coloured by region
    (:func:`curves.regions`, "same" = within ``share`` x the median absolute value), with the
    share of iterations per region in the legend. Right: P(price x effect - cost > 0) against
    the price per unit of effect (:func:`curves.acceptability`), ``reference`` marked.
    """
    cost = np.asarray(cost, dtype=np.float64)
    effect = np.asarray(effect, dtype=np.float64)
    code = curves.regions(cost, effect, curves.tolerance(cost, share),
                          curves.tolerance(effect, share))
    fig = _figure(10, 4.2)
    plane, curve = fig.subplots(1, 2, width_ratios=[1.3, 1])
    shown = np.linspace(0, cost.size - 1, min(points, cost.size)).astype(np.int64)
    finite = code > 0
    for region in range(1, 7):
        picked = shown[code[shown] == region]
        share_in = np.count_nonzero(code == region) / max(1, int(np.count_nonzero(finite)))
        plane.scatter(effect[picked], cost[picked], s=4, color=_REGION_COLOURS[region],
                      label=f"{region}. {text(f'region_{region}', lang)} "
                            f"({percent(share_in, lang, 0)})")
    plane.axhline(0, color=GREY, linewidth=0.8)
    plane.axvline(0, color=GREY, linewidth=0.8)
    _unit_axis(plane.yaxis, "EUR", lang)
    _unit_axis(plane.xaxis, "", lang)
    plane.set_xlabel(text("delta_effect", lang, effect=effect_name))
    plane.set_ylabel(text("delta_cost", lang, cost=cost_name))
    plane.legend(loc="best", fontsize=7, markerscale=3, frameon=True)
    if prices is None:
        top = reference * 3 if reference else _default_price_range(cost, effect)
        prices = np.linspace(0, top, 61)
    curve.plot(prices, curves.acceptability(cost, effect, prices), color=BLUE, gid="curve")
    if reference is not None:
        curve.axvline(reference, color=RED, linewidth=1.5, gid="reference",
                      label=f"{text('reference_price', lang)}: "
                            f"{numbers.quantity(reference, 'EUR', lang)}")
        curve.legend(loc="best", fontsize=8, frameon=False)
    curve.set_ylim(-0.02, 1.02)
    _percent_axis(curve.yaxis, lang)
    _unit_axis(curve.xaxis, "EUR", lang)
    curve.set_xlabel(text("wtp_axis", lang))
    curve.set_ylabel(text("p_worth", lang))
    plane.text(0.02, 0.02, ce_numbers(cost, effect, reference, lang), transform=plane.transAxes,
               fontsize=7.5, va="bottom", ha="left", gid="numbers",
               bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": GREY, "linewidth": 0.5})
    return fig


def ce_numbers(cost: np.ndarray, effect: np.ndarray, reference: float | None, lang: str
               ) -> str:
    """ICER and (at the reference price) INMB with its chance of being positive, as text.

    ICER = E[delta cost] / E[delta effect] (a ratio of means, not a mean of ratios:
    Drummond et al., *Methods for the Economic Evaluation of Health Care Programmes*, 4th ed.,
    2015, ch. 4); INMB(lambda) = lambda E[delta effect] - E[delta cost], and
    P(INMB > 0) the share of iterations with lambda delta effect > delta cost.
    """
    ok = np.isfinite(cost) & np.isfinite(effect)
    c, e = float(np.mean(cost[ok])), float(np.mean(effect[ok]))
    lines = [text("icer", lang, value=numbers.money(c / e, lang) if e != 0 else "–")]
    if reference is not None:
        nmb = reference * effect[ok] - cost[ok]
        lines.append(text("inmb", lang, price=numbers.money(reference, lang),
                          value=numbers.money(float(np.mean(nmb)), lang),
                          p=numbers.percent(float(np.mean(nmb > 0)), lang)))
    return "\n".join(lines)


def spider(doc: Mapping[str, Any], *, lang: str = "en", top: int = 6,
           scenario: Scenario | None = None) -> Figure:
    """Spider plot: the output with one assumption moved through its percentiles.

    ``doc``: ``{"output", "base", "percentiles": [...], "parameters": {name: {"outputs":
    [...], "inputs": [...]}}}`` (the others at their medians); the steepest lines matter most.
    """
    output = str(doc["output"])
    percentiles = np.asarray(doc["percentiles"], dtype=float)
    rows = sorted(doc["parameters"].items(),
                  key=lambda kv: -float(np.ptp(np.asarray(kv[1]["outputs"], dtype=float))))
    fig = _figure(8.0, 4.4)
    ax = fig.add_subplot()
    for i, (name, row) in enumerate(rows[:top]):
        ax.plot(100 * percentiles, row["outputs"], marker="o", markersize=3,
                color=f"C{i}", label=_wrap(label_of(scenario, name, lang), 40))
    ax.axhline(float(doc["base"]), color=GREY, linewidth=0.8, linestyle=":", gid="baseline")
    ax.set_xlabel(text("spider_axis", lang))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:.0f}"))
    _value_axis(ax.yaxis, scenario, output, lang)
    ax.set_ylabel(_wrap(_axis_title(scenario, output, lang), 40))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5, frameon=False)
    return fig


def _default_price_range(cost: np.ndarray, effect: np.ndarray) -> float:
    ratio = np.abs(np.nanmedian(cost)) / max(np.abs(np.nanmedian(effect)), 1e-12)
    return float(3 * ratio) if np.isfinite(ratio) and ratio > 0 else 1.0


def convergence(result: Result, output: str, *, lang: str = "en") -> Figure:
    """Running mean of ``output`` over the iterations with a ±2 MCSE band (log x axis)."""
    trace = curves.convergence(result[output])
    fig = _figure()
    ax = fig.add_subplot()
    ax.fill_between(trace.n, trace.mean - 2 * trace.mcse, trace.mean + 2 * trace.mcse,
                    color=BLUE, alpha=0.2, label=text("mcse_band", lang))
    ax.plot(trace.n, trace.mean, color=BLUE, gid="mean", label=text("running_mean", lang))
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: number(x, lang, 0)))
    _value_axis(ax.yaxis, result.scenario, output, lang)
    ax.set_xlabel(text("iteration_axis", lang))
    ax.set_ylabel(_wrap(_axis_title(result.scenario, output, lang), 40))
    ax.legend(loc="best", fontsize=8, frameon=False)
    return fig


def s_curve(result: Result, output: str, *, lang: str = "en") -> Figure:
    """The cumulative distribution (S-curve) of ``output``: P(output <= x) against x.

    The published claim is a red vertical line with the share of iterations below it; the
    median and the interval ends are marked, so the chart reads on its own.
    """
    s = result.summary_of(output)
    unit = unit_of(result.scenario, output)
    y = np.sort(result[output][np.isfinite(result[output])])
    fig = _figure()
    ax = fig.add_subplot()
    if y.size:
        shown = np.linspace(0, y.size - 1, min(2000, y.size)).astype(np.int64)
        ax.plot(y[shown], (shown + 1) / y.size, color=BLUE, linewidth=2, gid="curve",
                label=text("cumulative", lang))
        lo, hi = np.quantile(y, [0.005, 0.995])
        if s.claim is not None:
            lo, hi = min(lo, s.claim), max(hi, s.claim)
        pad = 0.03 * (hi - lo or 1.0)
        ax.set_xlim(lo - pad, hi + pad)
    ax.axvline(s.median, color="black", linestyle="--", linewidth=1.0, gid="median",
               label=f"{text('median', lang)}: "
                     f"{numbers.estimate(s.median, s.median_mcse, unit, lang)}")
    if s.claim is not None:
        below = s.claim_percentile if s.claim_percentile is not None else np.nan
        ax.axvline(s.claim, color=RED, linewidth=2.0, gid="claim",
                   label=f"{text('claim', lang)}: {numbers.exact(s.claim, unit, lang)} "
                         f"({numbers.percent(below, lang)} {text('cumulative', lang)})")
    ax.set_ylim(0, 1.02)
    _percent_axis(ax.yaxis, lang)
    _value_axis(ax.xaxis, result.scenario, output, lang)
    ax.set_xlabel(_axis_title(result.scenario, output, lang))
    ax.set_ylabel(_wrap(text("cumulative", lang), 30))
    ax.legend(loc="lower right", fontsize=8, frameon=True, framealpha=0.9)
    return fig


def voi_bars(voi: Mapping[str, Any], *, lang: str = "en", top: int = 10,
             scenario: Scenario | None = None) -> Figure:
    """EVPPI per assumption as bars, EVPI as a dashed line (the ``voi --json`` document)."""
    output = str(voi.get("output", ""))
    unit = unit_of(scenario, output) if scenario is not None and output else "EUR"
    rows = sorted(voi.get("parameters", {}).items(),
                  key=lambda kv: -(kv[1].get("evppi") or 0.0))[:top]
    fig = _figure(7.5, 0.38 * len(rows) + 1.6)
    ax = fig.add_subplot()
    values = [row.get("evppi") or 0.0 for _, row in rows]
    ax.barh(range(len(rows)), values, color=BLUE, label=text("col_evppi", lang))
    for i, v in enumerate(values):
        ax.annotate(numbers.quantity(v, unit, lang), (v, i), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=7.5)
    evpi = voi.get("evpi")
    if evpi is not None and np.isfinite(evpi):
        ax.axvline(evpi, color=RED, linestyle="--", linewidth=1.2, gid="evpi",
                   label=f"EVPI: {numbers.quantity(evpi, unit, lang)}")
    right = max(values + [evpi or 0.0, 1e-12])
    ax.set_xlim(0, right * 1.25)
    ax.set_yticks(range(len(rows)), [_wrap(label_of(scenario, n, lang)) for n, _ in rows])
    ax.invert_yaxis()
    _unit_axis(ax.xaxis, unit, lang)
    ax.set_xlabel(text("evppi_axis", lang))
    ax.legend(loc="lower right", fontsize=8, frameon=True, framealpha=0.9)
    return fig


def to_bytes(fig: Figure, kind: str = "png", dpi: int = 110) -> bytes:
    """The figure as PNG or SVG bytes (SVG without a date, so files are reproducible)."""
    buffer = io.BytesIO()
    metadata = {"Date": None} if kind == "svg" else {"Software": None}
    fig.savefig(buffer, format=kind, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def save(fig: Figure, path: Path, dpi: int = 150, *, guard: Guard | None = None,
         name: str = "path") -> None:
    """Write ``fig`` to a .png or .svg file, atomically (``guard``: the command's, see
    :mod:`.files`; ``name``: what the caller calls the path, for messages)."""
    files.check_target(path, FORMATS, name, guard)
    kind = path.suffix.lower().lstrip(".")
    data = to_bytes(fig, kind, dpi)
    files.write_atomic(path, lambda p: p.write_bytes(data), guard)
