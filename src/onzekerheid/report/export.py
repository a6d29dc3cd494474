"""Summaries for pasting elsewhere: CSV with plain numbers, Markdown formatted for a memo."""

from __future__ import annotations

import io
import math

from ..analysis.result import Result
from ..scenario.units import is_money
from . import numbers
from .i18n import claim_holds, label_of, number, percent, summary_sentence, text, unit_of


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
            lines.append(summary_sentence(result.scenario, name, lang, result.ci, s,
                                          unit_of(result.scenario, name)))
            lines.append("")
    head = [text("col_output", lang), text("col_median", lang),
            text("col_interval", lang, level=level), text("col_positive", lang),
            text("col_claim", lang), text("col_percentile", lang)]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|---|" + "---:|" * (len(head) - 1))
    for name in result.outputs:
        s = result.summary_of(name)
        unit = unit_of(result.scenario, name)
        row = [label_of(result.scenario, name, lang),
               numbers.estimate(s.median, s.median_mcse, unit, lang),
               numbers.interval(s.low, s.high, unit, lang, (s.low_mcse, s.high_mcse)),
               numbers.percent(s.p_positive, lang),
               numbers.exact(s.claim, unit, lang) if s.claim is not None else "–",
               numbers.percent(s.claim_percentile, lang)]
        lines.append("| " + " | ".join(_md(cell) for cell in row) + " |")
    lines += ["", f"_{number(result.iterations, lang, 0)} {text('iteration_axis', lang)}, "
              f"seed {result.seed}_", ""]
    return "\n".join(lines)


def _md(value: str) -> str:
    """Escape what would break a Markdown table cell or start markup."""
    return "".join("\\" + c if c in "\\|*_`[]<>#" else c for c in value)


def summary_rows(result: Result, lang: str) -> list[dict[str, object]]:
    """One row per output for a workbook: label, unit, mean, median, interval, claim and
    ``p_claim_holds`` (plain numbers, so a spreadsheet can compute with them)."""
    rows: list[dict[str, object]] = []
    for name in result.outputs:
        s = result.summary_of(name)
        output = result.scenario.outputs[name]
        holds = claim_holds(result, name)
        rows.append({"output": name, "label": label_of(result.scenario, name, lang),
                     "unit": output.unit, "mean": _cell(s.mean), "median": _cell(s.median),
                     "low": _cell(s.low), "high": _cell(s.high), "mcse": _cell(s.mcse),
                     "p_positive": _cell(s.p_positive), "claim": s.claim,
                     "p_claim_holds": holds})
    return rows


def _cell(x: float) -> float | None:
    """A number a spreadsheet can hold (no NaN or infinity: an empty cell)."""
    return x if math.isfinite(x) else None


XLSX_HEAD = {"nl": ("Uitkomst", "Naam in het bestand", "Eenheid", "Gemiddelde", "Mediaan",
                    "Ondergrens", "Bovengrens", "MCSE", "Kans > 0", "Gepubliceerd",
                    "Kans dat het cijfer klopt"),
             "en": ("Output", "Name in the file", "Unit", "Mean", "Median", "Low", "High",
                    "MCSE", "P(> 0)", "Published", "P(claim holds)")}
_XLSX_KEYS = ("label", "output", "unit", "mean", "median", "low", "high", "mcse", "p_positive",
              "claim", "p_claim_holds")


def write_xlsx(result: Result, lang: str, path: str) -> None:
    """A workbook with a summary sheet (one row per output) and a sheet about the run.

    Money cells carry a euro number format and shares a percentage format, so the values stay
    numbers. Needs openpyxl (``pip install onzekerheid[spreadsheets]``).
    """
    from openpyxl import Workbook  # optional dependency

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Samenvatting" if lang == "nl" else "Summary"
    sheet.append(list(XLSX_HEAD[lang]))
    for row in summary_rows(result, lang):
        sheet.append([row[k] for k in _XLSX_KEYS])
        money = is_money(str(row["unit"]))
        for col, key in enumerate(_XLSX_KEYS, start=1):
            cell = sheet.cell(row=sheet.max_row, column=col)
            if key in ("p_positive", "p_claim_holds") or (row["unit"] == "share" and key in (
                    "mean", "median", "low", "high", "claim")):
                cell.number_format = "0.0%"
            elif money and key in ("mean", "median", "low", "high", "mcse", "claim"):
                cell.number_format = '"€" #,##0'
    for letter, width in zip("ABCDEFGHIJK", (38, 30, 10, 14, 14, 14, 14, 10, 10, 14, 12),
                             strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    about = book.create_sheet("Run")
    for key, value in (("scenario", result.scenario.title), ("file", result.scenario.file),
                       ("sha256", result.scenario.digest), ("iterations", result.iterations),
                       ("seed", result.seed), ("interval", result.ci)):
        about.append([key, value])
    book.save(path)
