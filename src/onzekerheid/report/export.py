"""Summaries for pasting elsewhere: CSV with plain numbers, Markdown formatted for a memo."""

from __future__ import annotations

import io

from ..analysis.result import Result
from .i18n import amount, number, output_label, percent, summary_sentence, text


def summary_csv(result: Result) -> str:
    """One row per output with the ``run --json`` keys; numbers unformatted (``.`` decimals)."""
    frame = result.summary()
    frame.insert(0, "output", frame.index)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def summary_markdown(result: Result, lang: str) -> str:
    """The summary sentences of claimed outputs, then a table formatted in ``lang``."""
    level = percent(result.ci, lang)
    lines = [f"**{_md(result.scenario.title)}**", ""]
    for name in result.outputs:
        s = result.summary_of(name)
        if s.claim is not None:
            lines.append(summary_sentence(name, lang, result.ci, s.low, s.high, s.claim,
                                          s.claim_percentile))
            lines.append("")
    head = [text("col_output", lang), text("col_median", lang),
            text("col_interval", lang, level=level), text("col_positive", lang),
            text("col_claim", lang), text("col_percentile", lang)]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|---|" + "---:|" * (len(head) - 1))
    for name in result.outputs:
        s = result.summary_of(name)
        row = [output_label(name, lang), amount(s.median, name, lang),
               f"{amount(s.low, name, lang)} – {amount(s.high, name, lang)}",
               percent(s.p_positive, lang),
               amount(s.claim, name, lang) if s.claim is not None else "-",
               percent(s.claim_percentile, lang)]
        lines.append("| " + " | ".join(_md(cell) for cell in row) + " |")
    lines += ["", f"_{number(result.iterations, lang, 0)} {text('iteration_axis', lang)}, "
              f"seed {result.seed}_", ""]
    return "\n".join(lines)


def _md(value: str) -> str:
    """Escape what would break a Markdown table cell or start markup."""
    return "".join("\\" + c if c in "\\|*_`[]<>#" else c for c in value)
