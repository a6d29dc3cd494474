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
from . import curves, files
from .i18n import amount, formatted, is_money, number, output_label, percent, text

FORMATS = {".png", ".svg"}
BLUE, ORANGE, RED, GREY, GREEN = "#1f5f99", "#e08a1e", "#c0392b", "#7f7f7f", "#2e8b57"


def _figure(width: float = 7.5, height: float = 3.6) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _value_axis(axis: Any, name: str, lang: str) -> None:
    _unit_axis(axis, "money" if is_money(name) else "number", lang)


def _unit_axis(axis: Any, unit: str, lang: str) -> None:
    if unit == "money":  # long labels: fewer ticks
        axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    axis.set_major_formatter(FuncFormatter(lambda x, _pos: formatted(x, unit, lang)))


def _percent_axis(axis: Any, lang: str) -> None:
    axis.set_major_formatter(FuncFormatter(lambda x, _pos: percent(x, lang, 0)))


def distribution(result: Result, output: str, *, lang: str = "en", bins: int = 80) -> Figure:
    """Histogram of ``output`` with the interval shaded, the median and the claim marked.

    The x range covers the 0.5%..99.5% quantiles and the claim, so one extreme iteration does
    not squeeze the picture; iterations outside are not drawn.
    """
    s = result.summary_of(output)
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
                     f"{amount(s.low, output, lang)} – {amount(s.high, output, lang)}")
    ax.axvline(s.median, color="black", linestyle="--", linewidth=1.2, gid="median",
               label=f"{text('median', lang)}: {amount(s.median, output, lang)}")
    if s.claim is not None:
        ax.axvline(s.claim, color=RED, linewidth=2.0, gid="claim",
                   label=f"{text('claim', lang)}: {amount(s.claim, output, lang)}")
    _value_axis(ax.xaxis, output, lang)
    ax.set_xlabel(output_label(output, lang))
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
    _value_axis(ax.xaxis, base, lang)
    ax.set_xlabel(output_label(base, lang))
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
    _value_axis(ax.yaxis, "cash_flow", lang)
    ax.legend(loc="best", fontsize=8, frameon=False)
    return fig


def drivers(rho: Mapping[str, float], output: str, *, lang: str = "en", top: int = 12) -> Figure:
    """Horizontal bars of rank correlations (from :func:`curves.rank_correlations`)."""
    items = list(rho.items())[:top]
    fig = _figure(7.5, 0.35 * len(items) + 1.2)
    ax = fig.add_subplot()
    values = [r for _, r in items]
    ax.barh(range(len(items)), values, color=[BLUE if r >= 0 else ORANGE for r in values])
    ax.set_yticks(range(len(items)), [n for n, _ in items])
    ax.invert_yaxis()
    ax.axvline(0, color=GREY, linewidth=0.8)
    ax.set_xlim(-1, 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: number(x, lang, 2)))
    ax.set_xlabel(text("spearman_axis", lang, output=output_label(output, lang)))
    return fig


def tornado(parameters: Mapping[str, Mapping[str, float]], output: str, baseline: float, *,
            lang: str = "en", top: int = 12) -> Figure:
    """Tornado: per parameter the output at its 5th and 95th percentile (the contract's
    ``{"low": y, "high": y, "swing": y}``), widest swing on top, around ``baseline``."""
    items = sorted(parameters.items(), key=lambda kv: -abs(kv[1]["swing"]))[:top]
    fig = _figure(7.5, 0.35 * len(items) + 1.3)
    ax = fig.add_subplot()
    for i, (_, row) in enumerate(items):
        ax.barh(i, row["low"] - baseline, left=baseline, color=ORANGE)
        ax.barh(i, row["high"] - baseline, left=baseline, color=BLUE)
    ax.axvline(baseline, color="black", linewidth=1.0, gid="baseline")
    ax.set_yticks(range(len(items)), [n for n, _ in items])
    ax.invert_yaxis()
    _value_axis(ax.xaxis, output, lang)
    ax.set_xlabel(f"{output_label(output, lang)}: {text('swing', lang)}")
    return fig


def sobol(parameters: Mapping[str, Mapping[str, float]], output: str, *, lang: str = "en",
          top: int = 12) -> Figure:
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
    ax.set_yticks(at, [n for n, _ in items])
    ax.invert_yaxis()
    ends = [row.get(k) for _, row in items for k in ("total_high", "first_high", "total")]
    ax.set_xlim(0, max([1.05] + [1.02 * v for v in ends if v is not None and np.isfinite(v)]))
    _percent_axis(ax.xaxis, lang)
    ax.set_xlabel(f"{text('sobol_axis', lang)} ({output_label(output, lang)})")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return fig


def break_even(curve: curves.BreakEven, *, lang: str = "en") -> Figure:
    """P(output > 0) against a parameter, with a ±2 MCSE band and the claim's value marked."""
    fig = _figure()
    ax = fig.add_subplot()
    ax.fill_between(curve.values, curve.probability - 2 * curve.mcse,
                    curve.probability + 2 * curve.mcse, color=BLUE, alpha=0.2)
    ax.plot(curve.values, curve.probability, "o-", color=BLUE, gid="curve",
            label=text("p_positive", lang, output=output_label(curve.output, lang)))
    ax.axhline(0.5, color=GREY, linewidth=0.8, linestyle=":")
    ax.axvline(curve.point, color=RED, linewidth=1.5, gid="point",
               label=f"{text('point_value', lang)}: {formatted(curve.point, curve.unit, lang)}")
    ax.set_ylim(-0.02, 1.02)
    _percent_axis(ax.yaxis, lang)
    _unit_axis(ax.xaxis, curve.unit, lang)
    ax.set_xlabel(curve.parameter)
    ax.set_ylabel(text("p_positive", lang, output=output_label(curve.output, lang)))
    ax.set_title(text("break_even_title", lang, output=output_label(curve.output, lang),
                      parameter=curve.parameter), fontsize=10)
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
    _unit_axis(plane.yaxis, "money", lang)
    _unit_axis(plane.xaxis, "number", lang)
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
                            f"{formatted(reference, 'money', lang)}")
        curve.legend(loc="best", fontsize=8, frameon=False)
    curve.set_ylim(-0.02, 1.02)
    _percent_axis(curve.yaxis, lang)
    _unit_axis(curve.xaxis, "money", lang)
    curve.set_xlabel(text("wtp_axis", lang))
    curve.set_ylabel(text("p_worth", lang))
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
    _value_axis(ax.yaxis, output, lang)
    ax.set_xlabel(text("iteration_axis", lang))
    ax.set_ylabel(output_label(output, lang))
    ax.legend(loc="best", fontsize=8, frameon=False)
    return fig


def to_bytes(fig: Figure, kind: str = "png", dpi: int = 110) -> bytes:
    """The figure as PNG or SVG bytes (SVG without a date, so files are reproducible)."""
    buffer = io.BytesIO()
    metadata = {"Date": None} if kind == "svg" else {"Software": None}
    fig.savefig(buffer, format=kind, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def save(fig: Figure, path: Path, dpi: int = 150) -> None:
    """Write ``fig`` to a .png or .svg file, atomically."""
    files.check_target(path, FORMATS, "-o")
    kind = path.suffix.lower().lstrip(".")
    data = to_bytes(fig, kind, dpi)
    files.write_atomic(path, lambda p: p.write_bytes(data))
