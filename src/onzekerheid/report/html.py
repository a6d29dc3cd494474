"""The HTML report: one self-contained file a council member can read in five minutes.

Plain-language summary first, then the published claim against the simulated range per output,
who gains, what drives the result, what is worth researching (when a value-of-information
analysis is given), every assumption with its source, the method in brief and a footer with
what it takes to reproduce the numbers. Figures are inlined as base64 PNG; a Content Security
Policy forbids scripts and network fetches, and every text from the scenario is escaped, so a
hostile title cannot run.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..analysis import distribution
from ..analysis.result import PointResult, Result
from . import curves, plots, studies
from .i18n import amount, formatted, number, ordinal, output_label, percent, summary_sentence, text
from .layers import judgements_section

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;
 max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;
 border-bottom:2px solid #1f5f99;padding-bottom:.2rem}
.source{color:#555;margin-top:0}.summary{background:#eef4fa;border-left:4px solid #1f5f99;
 padding:.6rem 1rem;font-size:1.08rem}.summary p{margin:.4rem 0}
table{border-collapse:collapse;width:100%;font-size:.92rem;margin:.6rem 0}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;white-space:nowrap}th.n{text-align:right}th{background:#f4f4f4}
figure{margin:1rem 0}figure img{max-width:100%;height:auto}
figcaption{color:#555;font-size:.9rem}footer{margin-top:2.5rem;color:#555;font-size:.85rem;
 border-top:1px solid #ccc;padding-top:.6rem;word-break:break-all}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}
 figure,tr,.summary{break-inside:avoid}}
"""

# No scripts, no network: only inline styles and images from data: URLs.
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


@dataclass(frozen=True)
class Extras:
    """Analyses computed elsewhere, shown when present.

    ``tornado``/``sobol``: the contract's ``sensitivity --json`` documents (the tornado's
    ``base``, the output with every parameter at its median, is the bars' origin); ``voi``:
    the ``voi --json`` document; ``sets``: the ``--set`` options used, repeated in the
    footer's command.
    """

    tornado: Mapping[str, Any] | None = None
    sobol: Mapping[str, Any] | None = None
    voi: Mapping[str, Any] | None = None
    break_even: curves.BreakEven | None = None
    variants: Mapping[str, Any] | None = None  # the `compare --json` document of the variants
    studies: Mapping[str, Any] | None = None  # `voi --json` with [[studies]] (report/studies.py)
    prior_chances: Mapping[str, float] | None = None  # claimed output -> chance under --prior
    sets: Sequence[str] = field(default_factory=tuple)


def main_output(result: Result) -> str:
    """The output the report leads with: ``net_benefit``, else the first claimed, else first."""
    names = result.outputs
    for name in names:
        if name == "net_benefit" or name.startswith("net_benefit."):
            return name
    claimed = [n for n in names if n in result.scenario.claims]
    return claimed[0] if claimed else names[0]


def _is_net(name: str) -> bool:
    return name.split(".", 1)[0] == "net_benefit"


def wants_break_even(result: Result, output: str) -> bool:
    """A break-even curve says something for a net benefit, or when the sign is uncertain."""
    p = result.summary_of(output).p_positive
    return _is_net(output) or 0.01 <= p <= 0.99


def headline_outputs(result: Result, most: int = 6) -> list[str]:
    """Outputs with a published claim (or the main output when none has one)."""
    claimed = [n for n in result.outputs if n in result.scenario.claims]
    return claimed[:most] if claimed else [main_output(result)]


def render(result: Result, *, lang: str = "nl", point: PointResult | None = None,
           extras: Extras | None = None) -> str:
    """The complete report as one HTML document (a string).

    ``result`` must hold the parameters (``simulate(..., store="all")``) for the drivers
    section; ``point`` adds the published arithmetic to the claims table.
    """
    from .. import __version__

    extras = extras or Extras()
    scenario = result.scenario
    main = main_output(result)
    body = [
        f"<h1>{_e(scenario.title)}</h1>",
        f'<p class="source">{_e(text("report_of", lang))}'
        + (f" · {_e(text('source', lang))}: {_e(scenario.source)}" if scenario.source else "")
        + "</p>",
        _summary(result, lang),
        _claims(result, lang, point),
        judgements_section(result, lang),
        _who_gains(result, lang),
        _distribution(result, lang),
        _variants(extras.variants, main, lang),
        _drivers(result, main, lang, extras),
        _voi(extras.voi, lang),
        _studies(extras.studies, lang),
        _evidence(result, extras.prior_chances, lang),
        _assumptions(result, lang),
        _method(result, main, lang),
        _footer(result, lang, __version__, extras.sets),
    ]
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(scenario.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(part for part in body if part) + "\n</body>\n</html>\n")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _figure(fig: Any, caption: str = "") -> str:
    data = base64.b64encode(plots.to_bytes(fig, "png", dpi=110)).decode("ascii")
    fig.clear()
    cap = f"<figcaption>{_e(caption)}</figcaption>" if caption else ""
    return f'<figure><img alt="{_e(caption)}" src="data:image/png;base64,{data}">{cap}</figure>'


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> str:
    def cell(tag: str, i: int, value: str) -> str:
        return f'<{tag} class="n">{value}</{tag}>' if i in numeric else f"<{tag}>{value}</{tag}>"

    top = "".join(cell("th", i, _e(h)) for i, h in enumerate(head))
    lines = ["<tr>" + "".join(cell("td", i, _e(v)) for i, v in enumerate(row)) + "</tr>"
             for row in rows]
    return f"<table><thead><tr>{top}</tr></thead><tbody>{''.join(lines)}</tbody></table>"


def _summary(result: Result, lang: str) -> str:
    sentences = []
    for name in headline_outputs(result, most=3):
        s = result.summary_of(name)
        sentences.append(summary_sentence(name, lang, result.ci, s.low, s.high, s.claim,
                                          s.claim_percentile))
    main = main_output(result)
    s = result.summary_of(main)
    if _is_net(main) or 0.0 < s.p_positive < 1.0:
        sentences.append(text("sentence_positive", lang, output=output_label(main, lang, True),
                              p=percent(s.p_positive, lang)))
    paragraphs = "".join(f'<p class="sentence">{_e(x)}</p>' for x in sentences)
    return f'<h2>{_e(text("h_summary", lang))}</h2><div class="summary">{paragraphs}</div>'


def _claims(result: Result, lang: str, point: PointResult | None) -> str:
    level = percent(result.ci, lang)
    head = [text("col_output", lang), text("col_claim", lang), text("col_point", lang),
            text("col_median", lang), text("col_interval", lang, level=level),
            text("col_positive", lang), text("col_percentile", lang)]
    rows = []
    for name in result.outputs:
        if "." in name and name.split(".", 1)[1] in result.scenario.stakeholders \
                and name not in result.scenario.claims:
            continue  # per-stakeholder rows are in "who gains"
        s = result.summary_of(name)
        published = point.values.get(name) if point is not None else None
        rows.append([name, amount(s.claim, name, lang) if s.claim is not None else "-",
                     amount(published, name, lang) if published is not None else "-",
                     amount(s.median, name, lang),
                     f"{amount(s.low, name, lang)} – {amount(s.high, name, lang)}",
                     percent(s.p_positive, lang), percent(s.claim_percentile, lang)])
    parts = [f'<h2>{_e(text("h_claims", lang))}</h2>',
             _table(head, rows, numeric={1, 2, 3, 4, 5, 6})]
    if not result.scenario.claims:
        parts.append(f"<p>{_e(text('no_claims', lang))}</p>")
    for name in headline_outputs(result):
        parts.append(_figure(plots.distribution(result, name, lang=lang),
                             text("figure_distribution", lang, output=output_label(name, lang))))
    return "".join(parts)


def _who_gains(result: Result, lang: str) -> str:
    stakeholders = result.scenario.stakeholders
    if not stakeholders:
        return ""
    bases = list(dict.fromkeys(
        n.split(".", 1)[0] for n in result.outputs
        if "." in n and n.split(".", 1)[1] in stakeholders))
    if not bases:
        return ""
    level = percent(result.ci, lang)
    parts = [f'<h2>{_e(text("h_who", lang))}</h2>']
    for base in bases:
        rows = []
        for who in stakeholders:
            name = f"{base}.{who}"
            if name not in result.outputs:
                continue
            s = result.summary_of(name)
            rows.append([who, amount(s.median, name, lang),
                         f"{amount(s.low, name, lang)} – {amount(s.high, name, lang)}",
                         amount(s.claim, name, lang) if s.claim is not None else "-"])
        parts.append(f"<h3>{_e(output_label(base, lang))}</h3>")
        parts.append(_table([text("col_stakeholder", lang), text("col_median", lang),
                             text("col_interval", lang, level=level), text("col_claim", lang)],
                            rows, numeric={1, 2, 3}))
        parts.append(_figure(plots.who_gains(result, base, lang=lang)))
    return "".join(parts)


_DOMAIN_WORDS = {
    "h": {"nl": "Verdelingseffecten", "en": "Who gains and who pays"},
    "gains": {"nl": "baten", "en": "gains"}, "pays": {"nl": "betaalt", "en": "pays"},
    "net": {"nl": "saldo", "en": "net"}, "societal": {"nl": "maatschappij", "en": "society"},
    "unpriced": {"nl": "Niet in geld uitgedrukt (PM-posten)",
                 "en": "Effects left unpriced (not in the figure)"},
    "warnings": {"nl": "Let op", "en": "Watch out"},
    "flow": {"nl": "Netto kasstroom per jaar (mediaan, interval)",
             "en": "Net cash flow per year (median, interval)"},
    "year": {"nl": "jaar", "en": "year"},
}


def _distribution(result: Result, lang: str) -> str:
    """Societal balance beside each stakeholder's (transfers included), the unpriced effects,
    the load-time warnings and the yearly cash flow of a horizon."""
    domain = result.scenario.domain
    if domain is None:
        return ""
    w = {k: v.get(lang, v["en"]) for k, v in _DOMAIN_WORDS.items()}
    parts = [f"<h2>{_e(w['h'])}</h2>"]
    doc = distribution.balance(result)
    if doc:
        names = doc["outputs"]
        rows = []
        for who, values in doc["rows"].items():
            cells = [w["societal"] if who == "societal" else who]
            for base in names:
                v = values.get(base)
                cells.append(amount(v["median"], base, lang) if v else "-")
            rows.append(cells)
        head = [""] + [w[k] for k in ("gains", "pays", "net")][:len(names)]
        parts.append(_table(head, rows, numeric=set(range(1, len(names) + 1))))
    if domain.unpriced:
        parts.append(f"<h3>{_e(w['unpriced'])}</h3><ul>" + "".join(
            f"<li>{_e(u['name'])} ({_e(u['direction'])}"
            + (f", {_e(u['stakeholder'])}" if u["stakeholder"] else "") + ")"
            + (f": {_e(u['note'])}" if u["note"] else "") + "</li>"
            for u in domain.unpriced) + "</ul>")
    if domain.warnings:
        parts.append(f"<h3>{_e(w['warnings'])}</h3><ul>"
                     + "".join(f"<li>{_e(m)}</li>" for m in domain.warnings) + "</ul>")
    flow = distribution.cash_flow(result)
    if flow:
        rows = [[str(y), amount(m, "cash_flow", lang),
                 f"{amount(lo, 'cash_flow', lang)} – {amount(hi, 'cash_flow', lang)}"]
                for y, m, lo, hi in zip(flow["years"], flow["median"], flow["low"],
                                        flow["high"], strict=True)]
        parts.append(f"<h3>{_e(w['flow'])}</h3>")
        parts.append(_figure(plots.cash_flow(result, lang=lang)))
        parts.append(_table([w["year"], text("col_median", lang),
                             text("col_interval", lang, level=percent(result.ci, lang))],
                            rows, numeric={1, 2}))
    return "".join(parts) if len(parts) > 1 else ""


def _drivers(result: Result, main: str, lang: str, extras: Extras) -> str:
    label = output_label(main, lang, article=True)
    parts = [f'<h2>{_e(text("h_drivers", lang))}</h2>']
    try:
        rho = curves.rank_correlations(result, main)
    except KeyError:  # parameters were not stored
        rho = {}
    if rho:
        top = next(iter(rho))
        parts.append(f"<p>{_e(text('drivers_intro', lang, output=label))} "
                     f"{_e(text('top_driver', lang, name=top))}</p>")
        rows = [[name, number(r, lang, 2),
                 text("up" if r >= 0 else "down", lang, output=output_label(main, lang))]
                for name, r in rho.items()]
        parts.append(_table([text("col_name", lang), text("col_rho", lang),
                             text("col_direction", lang)], rows, numeric={1}))
        parts.append(_figure(plots.drivers(rho, main, lang=lang)))
    if extras.tornado:
        baseline = extras.tornado.get("base", result.summary_of(main).median)
        parts.append(f"<p>{_e(text('tornado_intro', lang, output=label))}</p>")
        parts.append(_figure(plots.tornado(extras.tornado["parameters"],
                                           extras.tornado.get("output", main), baseline,
                                           lang=lang)))
    if extras.sobol:
        parts.append(f"<p>{_e(text('sobol_intro', lang, output=label))}</p>")
        parts.append(_figure(plots.sobol(extras.sobol["parameters"],
                                         extras.sobol.get("output", main), lang=lang)))
    if extras.break_even is not None:
        curve = extras.break_even
        intro = text("break_even_intro", lang, parameter=curve.parameter,
                     output=output_label(curve.output, lang))
        parts.append(f"<p>{_e(intro)}</p>")
        parts.append(_figure(plots.break_even(curve, lang=lang)))
    return "".join(parts) if len(parts) > 1 else ""


def _variants(doc: Mapping[str, Any] | None, main: str, lang: str) -> str:
    """Per variant: the main output's median and interval, and the paired difference."""
    if not doc or not doc.get("outputs"):
        return ""
    name = main if main in doc["outputs"] else next(iter(doc["outputs"]))
    base = doc["baseline"]
    level = percent(doc.get("ci", 0.9), lang)
    rows = []
    for label, s in doc["outputs"][name].items():
        d = doc["differences"][name].get(label)
        rows.append([label, amount(s["median"], name, lang),
                     f"{amount(s['low'], name, lang)} – {amount(s['high'], name, lang)}",
                     amount(d["median"], name, lang) if d else "-",
                     percent(d["p_positive"], lang) if d else "-"])
    table = _table([text("col_variant", lang), text("col_median", lang),
                    text("col_interval", lang, level=level), text("col_difference", lang),
                    text("col_higher", lang)], rows, numeric={1, 2, 3, 4})
    return (f'<h2>{_e(text("h_variants", lang))}</h2><h3>{_e(output_label(name, lang))}</h3>'
            f'<p>{_e(text("variants_intro", lang, base=base))}</p>{table}')


def _voi(voi: Mapping[str, Any] | None, lang: str) -> str:
    if not voi:
        return ""
    output = voi.get("output", "")
    rows = sorted(voi.get("parameters", {}).items(), key=lambda kv: -(kv[1].get("evppi") or 0))
    intro = text("voi_intro", lang, output=output_label(output, lang),
                 evpi=amount(voi.get("evpi"), output, lang))
    table = _table([text("col_name", lang), text("col_evppi", lang)],
                   [[name, amount(row.get("evppi"), output, lang)] for name, row in rows],
                   numeric={1})
    return f'<h2>{_e(text("h_voi", lang))}</h2><p>{_e(intro)}</p>{table}'


def _studies(doc: Mapping[str, Any] | None, lang: str) -> str:
    if not doc or not doc.get("studies"):
        return ""
    intro = studies.word("studies_intro", lang, output=output_label(doc["output"], lang),
                         scale=studies.scale_words(doc["scale"], lang))
    parts = [f'<h2>{_e(studies.word("h_studies", lang))}</h2><p>{_e(intro)}</p>']
    for name, entry in doc["studies"].items():
        parts.append(f'<p class="sentence">{_e(studies.study_sentence(name, entry, lang))}</p>')
        parts.append(_figure(studies.study_figure(name, entry, lang), entry.get("note", "")))
    return "".join(parts)


def _evidence(result: Result, before: Mapping[str, float] | None, lang: str) -> str:
    found = result.evidence
    if not found or not any(entry["applied"] for entry in found.values()):
        return ""
    head = [studies.word(k, lang) for k in ("col_parameter", "col_data", "col_prior",
                                              "col_posterior", "col_method")]
    parts = [f'<h2>{_e(studies.word("h_evidence", lang))}</h2>'
             f'<p>{_e(studies.word("evidence_intro", lang))}</p>',
             _table(head, studies.evidence_rows(found, lang), numeric={2, 3})]
    if before:
        after = {n: 1.0 - p for n in before if "." not in n  # totals, not each stakeholder
                 if (p := result.summary_of(n).claim_percentile) is not None}
        labels = {n: output_label(n, lang) for n in before}
        parts += [f'<p class="sentence">{_e(x)}</p>'
                  for x in studies.claim_sentences(before, after, found, labels, lang)]
    return "".join(parts)


def _assumptions(result: Result, lang: str) -> str:
    rows = []
    internal = 0
    for name, p in result.scenario.parameters.items():
        if p.internal:
            internal += 1
            continue
        written = p.written or p.expression or (number(p.value, lang) if p.kind == "fixed" else "")
        rows.append([name, written, formatted(p.point, curves.parameter_unit(p), lang),
                     p.source, p.note])
    parts = [f'<h2>{_e(text("h_assumptions", lang))}</h2>',
             _table([text("col_name", lang), text("col_written", lang),
                     text("col_point_value", lang), text("col_source", lang),
                     text("col_note", lang)], rows, numeric={2})]
    if internal:
        parts.append(f"<p>{_e(text('internal_count', lang, count=internal))}</p>")
    return "".join(parts)


def _method(result: Result, main: str, lang: str) -> str:
    tail = (1 - result.ci) / 2
    paragraph = text("method", lang, iterations=number(result.iterations, lang, 0),
                     level=percent(result.ci, lang),
                     low=ordinal(round(100 * tail), lang),
                     high=ordinal(round(100 * (1 - tail)), lang))
    convergence = text("convergence_intro", lang, output=output_label(main, lang, True))
    return (f'<h2>{_e(text("h_method", lang))}</h2><p>{_e(paragraph)}</p>'
            f"<p>{_e(convergence)}</p>" + _figure(plots.convergence(result, main, lang=lang)))


def _footer(result: Result, lang: str, version: str, sets: Sequence[str]) -> str:
    scenario = result.scenario
    options = "".join(f" --set '{s}'" for s in sets)
    if result.ci != 0.9:
        options += f" --ci {result.ci:g}"
    line = text("footer", lang, version=version, seed=result.seed,
                iterations=number(result.iterations, lang, 0), n=result.iterations,
                level=percent(result.ci, lang), file=Path(scenario.file).name or scenario.file,
                digest=scenario.digest or "-", sets=options)
    return (f'<footer><h2>{_e(text("h_reproduce", lang))}</h2>'
            f'<p id="reproduce">{_e(line)}</p></footer>')
