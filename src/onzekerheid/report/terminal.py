"""Terminal rendering with rich: tables of summaries, point values, checks and problems."""

from __future__ import annotations

import math

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..analysis.checks import CheckOutcome
from ..analysis.result import PointResult, Result


def number(x: float | None, digits: int = 4) -> str:
    """A number for people: thousands separators for large values, a few significant digits."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if abs(x) >= 10 ** (digits - 1):
        return f"{x:,.0f}"
    if x == 0:
        return "0"
    return f"{x:,.{digits}g}"


def compact(x: float | None) -> str:
    """Three significant digits with k / M / bn for large values (terminal tables)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return number(x)
    for threshold, size, suffix in ((1e9, 1e9, "bn"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if abs(x) >= threshold:
            return f"{x / size:.3g}{suffix}"
    return number(x, 3)


def percent(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def result_table(result: Result) -> Table:
    level = f"{result.ci:.0%}"
    table = Table(title=escape(result.scenario.title), title_justify="left", expand=False,
                  box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, collapse_padding=True)
    longest = max((len(name) for name in result.outputs), default=6)
    table.add_column("output", overflow="fold", min_width=min(longest, 22))
    table.add_column("mean", justify="right", no_wrap=True)
    table.add_column("median", justify="right", no_wrap=True)
    table.add_column(f"{level} interval", justify="right", no_wrap=True)
    table.add_column("MCSE", justify="right", no_wrap=True)
    table.add_column("claim", justify="right", no_wrap=True)
    table.add_column("pct", justify="right", no_wrap=True)
    for name, s in result.summarize_all().items():
        table.add_row(
            escape(name), compact(s.mean), compact(s.median),
            f"{compact(s.low)} – {compact(s.high)}", number(s.mcse, 2), compact(s.claim),
            percent(s.claim_percentile),
        )
    return table


def render_result(result: Result, console: Console) -> None:
    console.print(result_table(result))
    console.print(
        f"{result.iterations:,} iterations, seed {result.seed}, interval {result.ci:.0%} "
        "(equal-tailed); MCSE = Monte Carlo standard error of the mean; pct = share of "
        "iterations below the published claim; k = thousand, M = million. --json gives every "
        "number in full.", style="dim",
    )
    for name in result.outputs:
        s = result.summary_of(name)
        if s.nonfinite:
            console.print(f"[yellow]warning:[/] {name} was not a finite number in "
                          f"{s.nonfinite:,} of {result.iterations:,} iterations; the summary "
                          "leaves them out")


def render_point(point: PointResult, console: Console) -> None:
    title = escape(point.scenario.title) + " — published arithmetic (every point value)"
    table = Table(title=title, title_justify="left")
    table.add_column("output")
    table.add_column("value", justify="right")
    table.add_column("claim", justify="right")
    for name in point.outputs:
        table.add_row(name, number(point.values[name], 6),
                      number(point.scenario.claims.get(name), 6))
    console.print(table)


def render_checks(file: str, outcomes: list[CheckOutcome], console: Console) -> None:
    table = Table(title=escape(file), title_justify="left")
    table.add_column("check")
    table.add_column("value", justify="right")
    table.add_column("result")
    for outcome in outcomes:
        mark = "[green]pass[/]" if outcome.passed else "[red]FAIL[/]"
        table.add_row(outcome.expect, number(outcome.value), mark)
    console.print(table)
