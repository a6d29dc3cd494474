"""How results and scenarios show in Jupyter: HTML tables and a small inline plot.

``Result._repr_html_``, ``PointResult._repr_html_`` and ``Scenario._repr_html_`` call the
functions here through :mod:`onzekerheid._display`, where this module registers them when it
is imported (so no lower layer imports a renderer). Every piece of text from a scenario is
HTML-escaped; the plot is a PNG built on matplotlib's Agg canvas (no pyplot, no display needed)
and embedded as base64, so a saved notebook shows it without onzekerheid installed.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .. import _display
from ..analysis.display import TableView
from ..analysis.result import PointResult, Result
from ..scenario.model import Scenario
from . import numbers
from .i18n import label_of, unit_of
from .terminal import number

MAX_PLOTS = 3  # small multiples: more panels would be too small to read in a cell
PANEL_WIDTH, PANEL_HEIGHT = 2.7, 1.9  # inches per panel
BINS = 50


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], *,
           numbers: Sequence[int] | None = None) -> str:
    """An HTML table; cells are escaped here; ``numbers`` (default all but the first column)
    are right-aligned."""
    right = set(range(1, len(header)) if numbers is None else numbers)

    def align(i: int) -> str:
        return f'style="text-align:{"right" if i in right else "left"}"'

    head = "".join(f"<th {align(i)}>{_e(h)}</th>" for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(f"<td {align(i)}>{_e(cell)}</td>"
                                    for i, cell in enumerate(row)) + "</tr>" for row in rows)
    return f'<table class="onzekerheid"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def plotted_outputs(result: Result, limit: int = MAX_PLOTS) -> list[str]:
    """The outputs worth a picture: claimed ones first, then net_benefit, then the first."""
    claimed = [n for n in result.outputs if n in result.scenario.claims]
    preferred = [n for n in ("net_benefit",) if n in result.outputs]
    chosen: list[str] = []
    for name in [*claimed, *preferred, *result.outputs]:
        if name not in chosen:
            chosen.append(name)
    return chosen[:limit]


def inline_png(result: Result, names: Sequence[str]) -> str:
    """An ``<img>`` with one small histogram per output: interval shaded, median, claim.

    The x range of each panel covers the 0.5%..99.5% quantiles and the claim, as in
    :func:`onzekerheid.report.plots.distribution`; non-finite iterations are left out.
    """
    from .plots import BLUE, RED, _figure, to_bytes

    fig = _figure(PANEL_WIDTH * max(len(names), 1), PANEL_HEIGHT)
    for k, name in enumerate(names):
        ax = fig.add_subplot(1, len(names), k + 1)
        s = result.summary_of(name)
        y = result[name]
        y = y[np.isfinite(y)]
        if y.size:
            lo, hi = (float(v) for v in np.quantile(y, [0.005, 0.995]))
            if s.claim is not None:
                lo, hi = min(lo, s.claim), max(hi, s.claim)
            pad = 0.03 * (hi - lo or 1.0)
            ax.hist(y, bins=BINS, range=(lo - pad, hi + pad), color=BLUE, alpha=0.75)
            ax.axvspan(s.low, s.high, color=BLUE, alpha=0.12)
            ax.axvline(s.median, color="black", linestyle="--", linewidth=1.0)
        if s.claim is not None:
            ax.axvline(s.claim, color=RED, linewidth=1.8)
        ax.set_title(name, fontsize=8)
        ax.set_yticks([])
        ax.tick_params(axis="x", labelsize=7)
        ax.xaxis.set_major_formatter(_compact_ticks())
    data = base64.b64encode(to_bytes(fig, "png", dpi=96)).decode("ascii")
    alt = "histograms of " + ", ".join(names)
    return (f'<img src="data:image/png;base64,{data}" alt="{_e(alt)}" '
            f'style="max-width:100%"><p style="font-size:smaller">shaded: the '
            f"{_e(f'{result.ci:.0%}')} interval; dashed: median; red: the published claim</p>")


def _compact_ticks() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: _tick(float(x)))


def _tick(x: float) -> str:
    """Axis labels in one style: 500, 2k, 1.5M."""
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:g}{suffix}"
    return f"{x:g}"


def result_html(result: Result, *, plots: int = MAX_PLOTS) -> str:
    """A Result in a notebook: a heading, the summary table and (optionally) small plots."""
    level = f"{result.ci:.0%}"
    rows = []
    for name in result.outputs:
        s = result.summary_of(name)
        unit = unit_of(result.scenario, name)
        rows.append([label_of(result.scenario, name, "en"),
                     numbers.estimate(s.mean, s.mcse, unit, "en"),
                     numbers.estimate(s.median, s.median_mcse, unit, "en"),
                     numbers.interval(s.low, s.high, unit, "en", (s.low_mcse, s.high_mcse)),
                     numbers.standard_error(s.mcse, s.mean, "en"),
                     numbers.percent(s.p_positive, "en"),
                     numbers.exact(s.claim, unit, "en") if s.claim is not None else "-",
                     numbers.percent(s.claim_percentile, "en")])
    heading = (f"<p><b>{_e(result.scenario.title)}</b>: {result.iterations:,} iterations, "
               f"seed {result.seed}, {_e(level)} interval. MCSE: Monte Carlo standard error "
               "of the mean; claim pct: share of iterations below the claim.</p>")
    table = _table(["output", "mean", "median", f"{level} interval", "MCSE", "P(> 0)", "claim",
                    "claim pct"], rows)
    picture = inline_png(result, plotted_outputs(result, plots)) if plots > 0 else ""
    return f'<div class="onzekerheid-result">{heading}{table}{picture}</div>'


def point_html(point: PointResult) -> str:
    """A PointResult: each output's value at the point values beside the published claim."""
    rows = []
    for name in point.outputs:
        value = point.values[name]
        claim = point.scenario.claims.get(name)
        ratio = "" if claim is None or claim == 0 or not math.isfinite(value) else \
            f"{value / claim:.3g}"
        rows.append([name, number(value), number(claim), ratio])
    heading = (f"<p><b>{_e(point.scenario.title)}</b>: published arithmetic (every parameter "
               "at its point value)</p>")
    return heading + _table(["output", "value", "claim", "value / claim"], rows)


def scenario_html(scenario: Scenario) -> str:
    """A Scenario: its parameters (how written, point, source), outputs and claims."""
    parts = [f"<p><b>{_e(scenario.title)}</b>"]
    if scenario.source:
        parts.append(f" — {_e(scenario.source)}")
    if scenario.file:
        parts.append(f" <code>{_e(scenario.file)}</code>")
    parts.append("</p>")
    rows = []
    for name in scenario.user_parameters:
        p = scenario.parameters[name]
        written = p.written or p.expression or (p.dist.family if p.dist is not None else "")
        if p.kind == "fixed" and not written:
            written = number(p.value)
        rows.append([name, p.kind, written, number(p.point), p.source or p.note])
    parts.append(_table(["parameter", "kind", "as written", "point", "source / note"], rows,
                        numbers=[3]))
    if scenario.cases is not None:
        c = scenario.cases
        table = f", a case table of {len(c.table)} rows" if len(c.table) > 1 else ""
        who = ", ".join(scenario.stakeholders) or "-"
        parts.append(f"<p>{c.count:,} cases per iteration{_e(table)}; stakeholders: "
                     f"{_e(who)}</p>")
    own = [(n, o.expression) for n, o in scenario.outputs.items() if not o.builtin]
    builtin = sum(o.builtin for o in scenario.outputs.values())
    if own:
        parts.append(_table(["output", "expression"], own, numbers=[]))
    if builtin:
        parts.append(f"<p>{builtin} built-in outputs of the social-domain model.</p>")
    if scenario.claims:
        parts.append(_table(["claimed output", "published"],
                            [(n, number(v)) for n, v in scenario.claims.items()]))
    return '<div class="onzekerheid-scenario">' + "".join(parts) + "</div>"


# the column each analysis is sorted by (largest first, by absolute value) and its columns
_ANALYSIS_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sobol": ("total", ("first", "first_low", "first_high", "total", "total_low",
                        "total_high")),
    "tornado": ("swing", ("input_low", "input_high", "low", "high", "swing")),
    "rank": ("spearman", ("spearman", "prcc")),
    "regional": ("ks", ("ks", "median_below", "median_above")),
    "voi": ("evppi", ("evppi",)),
    "switching": ("", ("point", "value", "quantile")),
}


def analysis_html(doc: dict[str, Any]) -> str:
    """A sensitivity, VOI or switching document as a heading and a sorted table."""
    kind = ("voi" if "evpi" in doc else "switching" if "statistic" in doc
            else str(doc.get("method", "")))
    key, columns = _ANALYSIS_COLUMNS.get(kind, ("", ()))
    rows = list(doc.get("parameters", {}).items())
    if key:
        rows.sort(key=lambda kv: -abs(kv[1].get(key) or 0.0))
    else:  # switching: most fragile first (a switch near the median), no switch last
        rows.sort(key=lambda kv: (kv[1].get("quantile") is None,
                                  abs((kv[1].get("quantile") or 0.0) - 0.5)))
    columns = tuple(c for c in columns if any(c in row for _, row in rows))
    table = _table(["parameter", *columns],
                   [[name, *(_cell(row.get(c)) for c in columns)] for name, row in rows])
    extra = f", EVPI {_cell(doc['evpi'])}" if "evpi" in doc else ""
    heading = f"<p><b>{_e(kind)}</b> of <code>{_e(doc.get('output', ''))}</code>{_e(extra)}</p>"
    return f'<div class="onzekerheid-analysis">{heading}{table}</div>'


def _cell(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return numbers.plain(float(value), "en", 3)
    return "-" if value is None else str(value)


_display.register(TableView, lambda found: analysis_html(found.to_json()))
_display.register(Result, result_html)
_display.register(PointResult, point_html)
_display.register(Scenario, scenario_html)
