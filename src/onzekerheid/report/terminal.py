"""Terminal rendering with rich: tables of summaries, point values, checks and problems."""

from __future__ import annotations

import math

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..analysis.checks import CheckOutcome
from ..analysis.judgements import claim_direction, switching_sentence
from ..analysis.result import PointResult, Result
from . import numbers
from .i18n import label_of, unit_of

# C0 controls but the newline, DEL, C1 controls, and the bidirectional overrides and isolates
# that reorder what a terminal shows ("Trojan source")
_CONTROLS = {c: f"\\x{c:02x}" for c in [*range(0x00, 0x0A), *range(0x0B, 0x20), *range(0x7F, 0xA0)]}
_CONTROLS |= {c: f"\\u{c:04x}" for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
_CONTROLS[0x09] = " "


def clean(text: object) -> str:
    """Text from a scenario, an option or a message, safe to print on a terminal with rich.

    Every terminal renderer passes scenario text (titles, keys, names, notes, messages that
    quote them) through this one function: control characters (ESC, OSC sequences, BEL, CR,
    C1 controls, bidirectional overrides) become visible ``\\x1b``-style text, so nothing in a
    file can move the cursor, retitle the window or hide text; then rich markup is escaped, so
    ``[/]`` or ``[bold]`` in a title prints as written instead of failing or styling.
    """
    return escape(visible(text))


def visible(text: object) -> str:
    """:func:`clean` without the markup escaping: for text printed as it is (not by rich)."""
    return str(text).translate(_CONTROLS)


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


WORDS = {
    "en": {"output": "output", "mean": "mean", "median": "median", "interval": "interval",
           "claim": "claim", "pct": "pct", "value": "value",
           "point": "published arithmetic (every point value)",
           "legend": "{n} iterations, seed {seed}, interval {ci} (equal-tailed); MCSE = Monte "
                     "Carlo standard error of the mean; pct = share of iterations below the "
                     "published claim; figures rounded to what the MCSE allows (at most three "
                     "significant digits). --json gives every number in full.",
           "nonfinite": "{name} was not a finite number in {bad} of {n} iterations; the "
                        "summary leaves them out"},
    "nl": {"output": "uitkomst", "mean": "gem.", "median": "mediaan",
           "interval": "interval", "claim": "claim", "pct": "pct", "value": "waarde",
           "point": "gepubliceerde berekening (elke puntwaarde)",
           "legend": "{n} iteraties, seed {seed}, {ci}-interval (gelijkstaartig); MCSE = Monte "
                     "Carlo-standaardfout van het gemiddelde; pct = aandeel iteraties onder de "
                     "gepubliceerde claim; afgerond op wat de MCSE toelaat (hooguit drie "
                     "significante cijfers). --json geeft elk getal volledig.",
           "nonfinite": "{name} was in {bad} van {n} iteraties geen eindig getal; de "
                        "samenvatting laat die weg"},
}
LANGUAGES = tuple(WORDS)
# [correlations] with one engine block: no batch-means MCSE (see analysis/mcse.py)
FEW_BLOCKS = {
    "en": "with [correlations] iterations depend on each other within blocks of {block} "
          "(Iman-Conover), so the MCSE comes from comparing blocks and needs at least two: "
          "use -n {need} or more",
    "nl": "met [correlations] hangen iteraties samen binnen blokken van {block} "
          "(Iman-Conover); de MCSE vergelijkt blokken en vraagt er minstens twee: gebruik "
          "-n {need} of meer",
}


def local(text: str, lang: str) -> str:
    """Dutch number notation (8.336,5) for a formatted English number (8,336.5)."""
    if lang != "nl":
        return text
    return text.translate(str.maketrans(",.", ".,"))


def result_table(result: Result, lang: str = "en", *, names: list[str] | None = None) -> Table:
    """One row per output: its label, mean, median, interval, MCSE, claim and percentile.

    Every value is written in the output's unit (no euro sign without ``unit = "EUR"``) and
    rounded to what its Monte Carlo standard error justifies (:mod:`.numbers`).
    """
    words = WORDS[lang]
    level = f"{result.ci:.0%}"
    table = Table(title=clean(result.scenario.title), title_justify="left", expand=False,
                  box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, collapse_padding=True)
    shown = names if names is not None else list(result.outputs)
    labels = {n: label_of(result.scenario, n, lang) for n in shown}
    longest = max((len(label) for label in labels.values()), default=6)
    table.add_column(words["output"], overflow="fold", min_width=min(longest, 20))
    table.add_column(words["mean"], justify="right", no_wrap=True)
    table.add_column(words["median"], justify="right", no_wrap=True)
    table.add_column(f"{level} {words['interval']}", justify="right", no_wrap=True)
    table.add_column("MCSE", justify="right", no_wrap=True)
    table.add_column(words["claim"], justify="right", no_wrap=True)
    table.add_column(words["pct"], justify="right", no_wrap=True)
    summaries = result.summarize_all()
    for name in shown:
        s = summaries[name]
        unit = unit_of(result.scenario, name)
        cells = [numbers.estimate(s.mean, s.mcse, unit, lang),
                 numbers.estimate(s.median, s.median_mcse, unit, lang),
                 numbers.interval(s.low, s.high, unit, lang, (s.low_mcse, s.high_mcse)),
                 numbers.standard_error(s.mcse, s.mean, lang),
                 numbers.exact(s.claim, unit, lang) if s.claim is not None else "-",
                 numbers.percent(s.claim_percentile, lang) if s.claim is not None else "-"]
        table.add_row(clean(labels[name]), *(clean(cell) for cell in cells))
    return table


def render_result(result: Result, console: Console, lang: str = "en") -> None:
    """The summary table, its legend, non-finite warnings and one sentence per claim."""
    words = WORDS[lang]
    console.print(result_table(result, lang))
    console.print(words["legend"].format(n=local(f"{result.iterations:,}", lang), seed=result.seed,
                                         ci=f"{result.ci:.0%}"), style="dim")
    for name in result.outputs:
        s = result.summary_of(name)
        if s.nonfinite:
            console.print("[yellow]warning:[/] " + clean(words["nonfinite"].format(
                name=name, bad=local(f"{s.nonfinite:,}", lang),
                n=local(f"{result.iterations:,}", lang))))
    domain = result.scenario.domain
    for message in domain.warnings if domain is not None else ():  # stacked counterfactuals
        console.print("[yellow]warning:[/] " + clean(message))
    for effect in domain.unpriced if domain is not None else ():  # what the figure leaves out
        console.print("[dim]unpriced:[/] " + clean(f"{effect['name']} ({effect['direction']})"))
    if result.batch > 1 and result.iterations <= result.batch:
        console.print("[yellow]note:[/] " + clean(FEW_BLOCKS[lang].format(
            block=local(f"{result.batch:,}", lang), need=2 * result.batch)))
    for name in result.outputs:  # the claim audit, one sentence per claim
        audit = result.audit_of(name)
        if audit is not None:
            console.print(clean(audit.sentence_nl if lang == "nl" else audit.sentence_en))
    render_judgements(result, console, lang)


def render_judgements(result: Result, console: Console, lang: str = "en") -> None:
    """The second layer: each claim without the judgements, and where each judgement turns it."""
    layer = result.judgements()
    if layer is None or not any(n in result.scenario.claims for n in result.outputs):
        return
    dutch = lang == "nl"
    held = ", ".join(layer.points) or "-"
    console.print(("Zonder oordelen (waarden zonder bron op hun punt: " if dutch else
                   "Without judgements (values without a source held at their point: ")
                  + clean(held) + "):", style="bold")
    for name in result.outputs:
        audit = result.audit_of(name)
        if audit is None:
            continue
        alone = layer.without[name]
        p = alone.get("p_claim_holds")
        console.print(clean(local(
            f"  {name}: median {compact(alone['median'])} "
            f"({'met oordelen' if dutch else 'with judgements'} "
            f"{compact(result.summary_of(name).median)}); P(claim) {percent(p)} "
            f"({'met oordelen' if dutch else 'with judgements'} "
            f"{percent(audit.p_claim_holds)})", lang)))
        direction = claim_direction(result, name)
        for judgement, crossing in layer.crossings[name].items():
            text = switching_sentence(name, judgement, crossing, direction,
                                      layer.points[judgement], dutch)
            if text:
                console.print("  " + clean(text))
    if layer.kept:
        console.print(("  blijven onzeker (per geval getrokken): " if dutch else
                       "  kept uncertain (drawn per case): ") + clean(", ".join(layer.kept)),
                      style="dim")


def render_point(point: PointResult, console: Console, lang: str = "en") -> None:
    words = WORDS[lang]
    title = clean(point.scenario.title) + " — " + words["point"]
    table = Table(title=title, title_justify="left")
    table.add_column(words["output"])
    table.add_column(words["value"], justify="right")
    table.add_column(words["claim"], justify="right")
    for name in point.outputs:
        unit = unit_of(point.scenario, name)
        claim = point.scenario.claims.get(name)
        table.add_row(clean(label_of(point.scenario, name, lang)),
                      clean(numbers.quantity(point.values[name], unit, lang, 6)),
                      clean(numbers.quantity(claim, unit, lang, 6)) if claim is not None
                      else "-")
    console.print(table)


def render_checks(file: str, outcomes: list[CheckOutcome], console: Console) -> None:
    """One row per check: the value with its Monte Carlo standard error, pass or FAIL.

    A check whose value lies within 2 MCSE of its threshold is marked "(within noise)": more
    iterations could turn it round.
    """
    table = Table(title=clean(file), title_justify="left")
    table.add_column("check")
    table.add_column("value", justify="right")
    table.add_column("MCSE", justify="right")
    table.add_column("result")
    for outcome in outcomes:
        mark = "[green]pass[/]" if outcome.passed else "[red]FAIL[/]"
        threshold = _threshold(outcome.expect)
        if (threshold is not None and math.isfinite(outcome.mcse) and outcome.mcse > 0
                and abs(outcome.value - threshold) < 2 * outcome.mcse):
            mark += " (within noise)"
        digits = numbers.digits_for(outcome.value, outcome.mcse) if math.isfinite(
            outcome.value) else 3
        table.add_row(clean(outcome.expect), numbers.plain(outcome.value, "en", digits),
                      numbers.standard_error(outcome.mcse, outcome.value, "en"), mark)
    console.print(table)


def _threshold(expect: str) -> float | None:
    """The number a check's value is compared with (the last number of the expectation)."""
    tail = expect.replace(" ", "").rsplit("=", 1)[-1].rsplit(">", 1)[-1].rsplit("<", 1)[-1]
    try:
        return float(tail)
    except ValueError:
        return None
