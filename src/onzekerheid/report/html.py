"""The HTML report: one self-contained file a council member can read in five minutes.

A one-page "bestuurlijke samenvatting" first (the decision output, its chance of being
positive, where each published figure falls said as a chance, the two assumptions that matter
most with their switching values, what the figure leaves out), then the details: the published
claims against the simulated range, who gains, what drives the result, what is worth
researching, the method, an appendix with every assumption (the only place code names appear)
and a footer with the command that reproduces the numbers. Figures are inlined as base64 PNG
with alt text; a Content Security Policy forbids scripts and network fetches, and every text
from the scenario is escaped, so a hostile title cannot run. Printed, the summary is page 1 of
an A4 document; on a 390 px phone, tables become one block per row.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from babel import dates

from .._version import version
from ..analysis import distribution
from ..analysis.decisions import decision_outputs, main_of
from ..analysis.result import PointResult, Result
from . import curves, numbers, plots, studies
from .i18n import (
    claim_holds,
    label_of,
    number,
    ordinal,
    output_label,
    percent,
    text,
    unit_of,
)
from .layers import judgements_section, stated

_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;
 max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45;overflow-wrap:anywhere}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;
 border-bottom:2px solid #1f5f99;padding-bottom:.2rem}h3{font-size:1.05rem;margin:1rem 0 .3rem}
.source{color:#555;margin-top:0}
#samenvatting{background:#eef4fa;border-left:4px solid #1f5f99;padding:.2rem 1rem .6rem}
#samenvatting h2{margin-top:.6rem}#samenvatting .lead{font-size:1.15rem;font-weight:600}
#samenvatting p,#samenvatting li{margin:.3rem 0}#samenvatting ul{padding-left:1.2rem}
.date{color:#555;font-size:.9rem}
table{border-collapse:collapse;width:100%;font-size:.92rem;margin:.6rem 0}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right}th.n{text-align:right}th{background:#f4f4f4}
.nb{white-space:nowrap}
figure{margin:1rem 0}figure img{max-width:100%;height:auto}
figcaption{color:#555;font-size:.9rem}footer{margin-top:2.5rem;color:#555;font-size:.85rem;
 border-top:1px solid #ccc;padding-top:.6rem}
code{word-break:break-all}
@media (max-width:40rem){body{margin:1rem auto;padding:0 .6rem}
 table.r thead{display:none}table.r,table.r tbody,table.r tr{display:block;width:100%}
 table.r tr{border-bottom:1px solid #bbb;padding:.3rem 0}
 table.r td{display:flex;justify-content:space-between;gap:.6rem;border:0;padding:.1rem 0;
  text-align:right}
 table.r td::before{content:attr(data-label);font-weight:600;text-align:left;color:#333}}
@page{size:A4;margin:16mm 15mm}
@media print{body{margin:0;max-width:none;font-size:10pt;line-height:1.35}
 #samenvatting{break-after:page;border:0;background:none;padding:0}
 h2{break-after:avoid}figure,tr{break-inside:avoid}figure img{max-height:9cm}}
"""

# No scripts, no network: only inline styles and images from data: URLs.
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"



@dataclass(frozen=True)
class Extras:
    """Analyses computed elsewhere, shown when present.

    ``tornado``/``sobol``: the contract's ``sensitivity --json`` documents (the tornado's
    ``base``, the output with every parameter at its median, is the bars' origin); ``voi``:
    the ``voi --json`` document; ``switching``: the ``switching --json`` document of the
    assumptions that matter most; ``sets``: the ``--set`` options used; ``command``: the
    command line that reproduces the report (the footer prints it).
    """

    tornado: Mapping[str, Any] | None = None
    sobol: Mapping[str, Any] | None = None
    voi: Mapping[str, Any] | None = None
    break_even: curves.BreakEven | None = None
    variants: Mapping[str, Any] | None = None  # the `compare --json` document of the variants
    studies: Mapping[str, Any] | None = None  # `voi --json` with [[studies]] (report/studies.py)
    prior_chances: Mapping[str, float] | None = None  # claimed output -> chance under --prior
    sets: Sequence[str] = field(default_factory=tuple)
    switching: Mapping[str, Any] | None = None
    command: str = ""
    spider: Mapping[str, Any] | None = None  # output per percentile of the main assumptions


def main_output(result: Result) -> str:
    """The decision output the report leads with (see :func:`main_of`)."""
    return main_of(result.scenario, result.outputs)


def _is_net(name: str) -> bool:
    return name.split(".", 1)[0] in ("net_benefit", "npv")


def wants_break_even(result: Result, output: str) -> bool:
    """A break-even curve says something for a net benefit whose sign is uncertain.

    An output that is positive (or negative) in more than 99% of the iterations gives a flat
    line at 100% (or 0%): nothing to read, so no curve.
    """
    p = result.summary_of(output).p_positive
    return 0.01 <= p <= 0.99


def headline_outputs(result: Result, most: int = 6) -> list[str]:
    """Outputs with a published claim, the decision output first (it when none is claimed)."""
    return decision_outputs(result.scenario, result.outputs, most)


def render(result: Result, *, lang: str = "nl", point: PointResult | None = None,
           extras: Extras | None = None) -> str:
    """The complete report as one HTML document (a string).

    ``result`` must hold the parameters (``simulate(..., store="all")``) for the drivers
    section; ``point`` adds the published arithmetic to the claims table.
    """
    extras = extras or Extras()
    scenario = result.scenario
    main = main_output(result)
    rho = _rank_correlations(result, main)
    body = [
        f"<h1>{_e(scenario.title)}</h1>",
        f'<p class="source">{_e(text("report_of", lang))}'
        + (f" · {_e(text('source', lang))}: {_e(scenario.source)}" if scenario.source else "")
        + "</p>",
        _decision(result, main, lang, extras, rho),
        _claims(result, main, lang, point),
        judgements_section(result, lang),
        _who_gains(result, lang),
        _distribution(result, lang),
        _variants(result, extras.variants, main, lang),
        _cost_effect(result, lang),
        _drivers(result, main, lang, extras, rho),
        _voi(result, extras.voi, lang),
        _studies(extras.studies, lang),
        _evidence(result, extras.prior_chances, lang),
        _method(result, main, lang),
        _assumptions(result, lang),
        _footer(result, lang, version(), extras),
    ]
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(scenario.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(part for part in body if part) + "\n</body>\n</html>\n")


def today(lang: str) -> str:
    """The date the report was made, in words (``1 december 2026``).

    ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) fixes it, so a report can be
    made byte for byte again.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    day = (dt.datetime.fromtimestamp(int(epoch), dt.UTC).date() if epoch.isdigit()
           else dt.date.today())
    return dates.format_date(day, format="long", locale="nl_NL" if lang == "nl" else "en_US")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _figure(fig: Any, alt: str, caption: str = "") -> str:
    """An inlined PNG with alt text (always) and a caption (when given)."""
    data = base64.b64encode(plots.to_bytes(fig, "png", dpi=110)).decode("ascii")
    fig.clear()
    cap = f"<figcaption>{_e(caption)}</figcaption>" if caption else ""
    return f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{data}">{cap}</figure>'


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> str:
    """A table that becomes one block per row on a narrow screen (``data-label`` per cell)."""
    def cell(tag: str, i: int, value: str) -> str:
        label = f' data-label="{_e(head[i])}"' if tag == "td" else ""
        kind = ' class="n"' if i in numeric else ""
        return f"<{tag}{kind}{label}>{value}</{tag}>"

    top = "".join(cell("th", i, _e(h)) for i, h in enumerate(head))
    lines = ["<tr>" + "".join(cell("td", i, _e(v)) for i, v in enumerate(row)) + "</tr>"
             for row in rows]
    return (f'<table class="r"><thead><tr>{top}</tr></thead>'
            f"<tbody>{''.join(lines)}</tbody></table>")


def _rank_correlations(result: Result, main: str) -> dict[str, float]:
    try:
        return curves.rank_correlations(result, main)
    except KeyError:  # parameters were not stored
        return {}


def _value(result: Result, name: str, x: float | None, lang: str) -> str:
    return numbers.quantity(x, unit_of(result.scenario, name), lang)


def _exact(result: Result, name: str, x: float | None, lang: str) -> str:
    return numbers.exact(x, unit_of(result.scenario, name), lang)


def _range(result: Result, name: str, lang: str) -> tuple[str, str, str]:
    """Median and interval ends of ``name``, each rounded by its own standard error."""
    s = result.summary_of(name)
    unit = unit_of(result.scenario, name)
    return (numbers.estimate(s.median, s.median_mcse, unit, lang),
            numbers.estimate(s.low, s.low_mcse, unit, lang),
            numbers.estimate(s.high, s.high_mcse, unit, lang))


# -- page 1: the summary for decision-makers ------------------------------------------------


def _decision(result: Result, main: str, lang: str, extras: Extras,
              rho: Mapping[str, float]) -> str:
    scenario = result.scenario
    s = result.summary_of(main)
    median, low, high = _range(result, main, lang)
    lead = text("lead", lang, output=label_of(scenario, main, lang),
                median=median, level=percent(result.ci, lang), low=low, high=high)
    parts = [f'<section id="samenvatting"><h2>{_e(text("h_decision", lang))}</h2>',
             f'<p class="date">{_e(text("made_on", lang, date=today(lang)))}</p>',
             f'<p class="lead">{_e(_capital(lead))}</p>']
    if _is_net(main) or 0.0 < s.p_positive < 1.0:
        near = 0.9 < s.p_positive < 1.0  # "1 op 50 negatief" says more than "98 op 100"
        parts.append("<p>" + _e(text(
            "lead_positive_high" if near else "lead_positive", lang,
            p=numbers.percent(s.p_positive, lang),
            chance=numbers.chance(1 - s.p_positive if near else s.p_positive, lang))) + "</p>")
    published = _published(result, lang)
    if published:
        parts.append(f"<h3>{_e(text('h_published', lang))}</h3><ul>{published}</ul>")
    matters = _matters(result, main, lang, extras, rho)
    if matters:
        parts.append(f"<h3>{_e(text('h_matters', lang))}</h3>{matters}")
    unpriced = _unpriced(result, lang)
    if unpriced:
        parts.append(f"<h3>{_e(text('h_unpriced', lang))}</h3>{unpriced}")
    parts.append("</section>")
    return "".join(parts)


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _published(result: Result, lang: str) -> str:
    items = []
    for name in headline_outputs(result):
        s = result.summary_of(name)
        holds = claim_holds(result, name)
        if holds is None or s.claim is None:
            continue
        items.append("<li>" + _e(_capital(text(
            "published_holds", lang, output=label_of(result.scenario, name, lang),
            claim=_stated(result, name, lang), chance=numbers.chance(holds, lang),
            p=numbers.percent(holds, lang)))) + "</li>")
    return "".join(items)


def _stated(result: Result, name: str, lang: str) -> str:
    """The published figure as the scenario states it ("≥ 2,00", "1,40 – 2,00", "43% (± 0,5%)")."""
    unit = unit_of(result.scenario, name)
    claim = result.scenario.claim_forms.get(name)  # a bare figure is written as published
    if claim is None:
        return numbers.exact(result.summary_of(name).claim, unit, lang)
    return stated(claim, unit, lang)


def _top_two(extras: Extras, rho: Mapping[str, float]) -> list[str]:
    """The two assumptions that matter most: widest tornado swing, else strongest |rho|."""
    if extras.tornado and extras.tornado.get("parameters"):
        ranked = sorted(extras.tornado["parameters"].items(),
                        key=lambda kv: -abs(kv[1].get("swing") or 0.0))
        return [name for name, _ in ranked[:2]]
    return list(rho)[:2]


def _matters(result: Result, main: str, lang: str, extras: Extras,
             rho: Mapping[str, float]) -> str:
    scenario = result.scenario
    top = [n for n in _top_two(extras, rho) if n in scenario.parameters]
    if not top:
        return ""
    labels = [label_of(scenario, n, lang) for n in top]
    intro = (text("matters_two", lang, a=labels[0], b=labels[1]) if len(labels) == 2
             else text("matters_one", lang, a=labels[0]))
    switches = (extras.switching or {}).get("parameters", {})
    target = (extras.switching or {}).get("target", 0.0)
    items = []
    for name, label in zip(top, labels, strict=True):
        unit = unit_of(scenario, name)
        point = numbers.exact(scenario.parameters[name].point, unit, lang)
        row = switches.get(name)
        if row is None:
            sentence = text("point_only", lang, name=label, point=point)
        elif row.get("value") is not None:
            sentence = text("switch_at", lang, name=label, point=point,
                            value=numbers.quantity(row["value"], unit, lang),
                            output=label_of(scenario, main, lang),
                            target=text("zero", lang) if not target
                            else _value(result, main, target, lang))
        else:
            ends = row.get("range") or [None, None]
            sentence = text("switch_none", lang, name=label, point=point,
                            low=numbers.quantity(ends[0], unit, lang),
                            high=numbers.quantity(ends[1], unit, lang))
        items.append(f"<li>{_e(_capital(sentence))}</li>")
    return f"<p>{_e(intro)}</p><ul>{''.join(items)}</ul>"


def _unpriced(result: Result, lang: str) -> str:
    """The ``[[unpriced]]`` effects (and their stakeholder), named on the summary page."""
    domain = result.scenario.domain
    named = [str(u["name"]) + (f" ({u['stakeholder']})" if u.get("stakeholder") else "")
             for u in (domain.unpriced if domain is not None else ())]
    if not named:
        return ""
    items = "".join(f"<li>{_e(x)}</li>" for x in named)
    return f"<p>{_e(text('unpriced_intro', lang))}</p><ul>{items}</ul>"


# -- the details ------------------------------------------------------------------------------


def _claims(result: Result, main: str, lang: str, point: PointResult | None) -> str:
    level = percent(result.ci, lang)
    head = [text("col_output", lang), text("col_claim", lang), text("col_point", lang),
            text("col_median", lang), text("col_interval", lang, level=level),
            text("col_holds", lang)]
    rows = []
    for name in headline_outputs(result, most=len(result.outputs)):
        s = result.summary_of(name)
        median, low, high = _range(result, name, lang)
        published = point.values.get(name) if point is not None else None
        holds = claim_holds(result, name)
        rows.append([_capital(label_of(result.scenario, name, lang)),
                     _exact(result, name, s.claim, lang) if s.claim is not None else "–",
                     _exact(result, name, published, lang) if published is not None else "–",
                     median, f"{low} – {high}", numbers.percent(holds, lang)])
    parts = [f'<h2>{_e(text("h_claims", lang))}</h2>',
             _table(head, rows, numeric={1, 2, 3, 4, 5})]
    if not result.scenario.claims:
        parts.append(f"<p>{_e(text('no_claims', lang))}</p>")
    label = label_of(result.scenario, main, lang)
    parts.append(_figure(plots.distribution(result, main, lang=lang),
                         text("figure_distribution", lang, output=label),
                         text("figure_distribution", lang, output=label)))
    caption = text("figure_scurve", lang, output=label)
    parts.append(_figure(plots.s_curve(result, main, lang=lang), caption, caption))
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
            median, low, high = _range(result, name, lang)
            rows.append([who, median, f"{low} – {high}",
                         _exact(result, name, s.claim, lang) if s.claim is not None else "–"])
        label = label_of(result.scenario, base, lang)
        parts.append(f"<h3>{_e(_capital(label))}</h3>")
        parts.append(_table([text("col_stakeholder", lang), text("col_median", lang),
                             text("col_interval", lang, level=level), text("col_claim", lang)],
                            rows, numeric={1, 2, 3}))
        caption = _capital(text("figure_who", lang, output=label, level=level))
        parts.append(_figure(plots.who_gains(result, base, lang=lang), caption))
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
                cells.append(_value(result, base, v["median"], lang) if v else "–")
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
        rows = [[str(y), numbers.money(m, lang), numbers.interval(lo, hi, "EUR", lang)]
                for y, m, lo, hi in zip(flow["years"], flow["median"], flow["low"],
                                        flow["high"], strict=True)]
        parts.append(f"<h3>{_e(w['flow'])}</h3>")
        parts.append(_figure(plots.cash_flow(result, lang=lang), w["flow"]))
        parts.append(_table([w["year"], text("col_median", lang),
                             text("col_interval", lang, level=percent(result.ci, lang))],
                            rows, numeric={1, 2}))
    return "".join(parts) if len(parts) > 1 else ""


def _drivers(result: Result, main: str, lang: str, extras: Extras,
             rho: Mapping[str, float]) -> str:
    scenario = result.scenario
    label = label_of(scenario, main, lang, article=True)
    parts = [f'<h2>{_e(text("h_drivers", lang))}</h2>']
    if rho:
        top = label_of(scenario, next(iter(rho)), lang)
        parts.append(f"<p>{_e(text('drivers_intro', lang, output=label))} "
                     f"{_e(text('top_driver', lang, name=top))}</p>")
        rows = [[_capital(label_of(scenario, name, lang)), number(r, lang, 2),
                 text("up" if r >= 0 else "down", lang, output=label_of(scenario, main, lang))]
                for name, r in rho.items()]
        parts.append(_table([text("col_label", lang), text("col_rho", lang),
                             text("col_direction", lang)], rows, numeric={1}))
        parts.append(_figure(plots.drivers(rho, main, lang=lang, scenario=scenario),
                             text("figure_drivers", lang, output=label)))
    if extras.tornado:
        baseline = extras.tornado.get("base", result.summary_of(main).median)
        caption = text("figure_tornado", lang, output=label)
        parts.append(_figure(plots.tornado(extras.tornado["parameters"],
                                           extras.tornado.get("output", main), baseline,
                                           lang=lang, scenario=scenario), caption, caption))
    if extras.spider and extras.spider.get("parameters"):
        caption = text("figure_spider", lang, output=label)
        parts.append(_figure(plots.spider(extras.spider, lang=lang, scenario=scenario),
                             caption, caption))
    if extras.sobol:
        parts.append(f"<p>{_e(text('sobol_intro', lang, output=label))}</p>")
        parts.append(_figure(plots.sobol(extras.sobol["parameters"],
                                         extras.sobol.get("output", main), lang=lang,
                                         scenario=scenario),
                             text("figure_sobol", lang, output=label)))
    if extras.break_even is not None:
        curve = extras.break_even
        what = label_of(scenario, curve.parameter, lang)
        out = label_of(scenario, curve.output, lang)
        intro = text("break_even_intro", lang, parameter=what, output=out)
        parts.append(f"<p>{_e(intro)}</p>")
        parts.append(_figure(plots.break_even(curve, lang=lang, scenario=scenario),
                             text("figure_break_even", lang, output=out, parameter=what)))
    return "".join(parts) if len(parts) > 1 else ""


def cost_and_effect(result: Result) -> tuple[str, str] | None:
    """A cost output and an effect output, when the scenario has both.

    The effect: the first output counted in a unit of its own (not money, ratio, share, hours
    or years) with ``better = "higher"``. The cost: ``costs_pv`` or ``costs_per_year``, else the
    first money output with ``better = "lower"``.
    """
    outputs = result.scenario.outputs
    effects = [n for n, o in outputs.items() if o.better == "higher" and o.unit and o.unit
               not in ("EUR", "ratio", "share", "hours", "years")]
    costs = [n for n in ("costs_pv", "costs_per_year") if n in outputs] + [
        n for n, o in outputs.items() if o.unit == "EUR" and o.better == "lower"]
    return (costs[0], effects[0]) if effects and costs else None


def _cost_effect(result: Result, lang: str) -> str:
    pair = cost_and_effect(result)
    if pair is None:
        return ""
    cost, effect = pair
    scenario = result.scenario
    caption = text("figure_ce", lang, cost=label_of(scenario, cost, lang),
                   effect=label_of(scenario, effect, lang))
    figure = plots.cost_effect(result[cost], result[effect],
                               cost_name=label_of(scenario, cost, lang),
                               effect_name=label_of(scenario, effect, lang), lang=lang)
    return f'<h2>{_e(text("h_ce", lang))}</h2>' + _figure(figure, caption, caption)


def _variants(result: Result, doc: Mapping[str, Any] | None, main: str, lang: str) -> str:
    """Per variant: the main output's median and interval, and the paired difference."""
    if not doc or not doc.get("outputs"):
        return ""
    name = main if main in doc["outputs"] else next(iter(doc["outputs"]))
    base = doc["baseline"]
    level = percent(doc.get("ci", 0.9), lang)
    rows = []
    for label, s in doc["outputs"][name].items():
        d = doc["differences"][name].get(label)
        rows.append([label, _value(result, name, s["median"], lang),
                     f"{_value(result, name, s['low'], lang)} – "
                     f"{_value(result, name, s['high'], lang)}",
                     _value(result, name, d["median"], lang) if d else "–",
                     numbers.percent(d["p_positive"], lang) if d else "–"])
    table = _table([text("col_variant", lang), text("col_median", lang),
                    text("col_interval", lang, level=level), text("col_difference", lang),
                    text("col_higher", lang)], rows, numeric={1, 2, 3, 4})
    heading = _capital(label_of(result.scenario, name, lang))
    return (f'<h2>{_e(text("h_variants", lang))}</h2><h3>{_e(heading)}</h3>'
            f'<p>{_e(text("variants_intro", lang, base=base))}</p>{table}')


def _voi(result: Result, voi: Mapping[str, Any] | None, lang: str) -> str:
    if not voi:
        return ""
    output = voi.get("output", "")
    scenario = result.scenario
    rows = sorted(voi.get("parameters", {}).items(), key=lambda kv: -(kv[1].get("evppi") or 0))
    intro = text("voi_intro", lang, output=label_of(scenario, output, lang),
                 evpi=_value(result, output, voi.get("evpi"), lang))
    table = _table([text("col_label", lang), text("col_evppi", lang)],
                   [[_capital(label_of(scenario, name, lang)),
                     _value(result, output, row.get("evppi"), lang)] for name, row in rows],
                   numeric={1})
    figure = _figure(plots.voi_bars(voi, lang=lang, scenario=scenario),
                     text("figure_voi", lang)) if rows else ""
    return f'<h2>{_e(text("h_voi", lang))}</h2><p>{_e(intro)}</p>{table}{figure}'


def _studies(doc: Mapping[str, Any] | None, lang: str) -> str:
    if not doc or not doc.get("studies"):
        return ""
    intro = text("studies_intro", lang, output=output_label(doc["output"], lang),
                         scale=studies.scale_words(doc["scale"], lang))
    parts = [f'<h2>{_e(text("h_studies", lang))}</h2><p>{_e(intro)}</p>']
    for name, entry in doc["studies"].items():
        sentence = studies.study_sentence(name, entry, lang)
        parts.append(f'<p class="sentence">{_e(sentence)}</p>')
        parts.append(_figure(studies.study_figure(name, entry, lang), sentence,
                             entry.get("note", "")))
    return "".join(parts)


def _evidence(result: Result, before: Mapping[str, float] | None, lang: str) -> str:
    found = result.evidence
    if not found or not any(entry["applied"] for entry in found.values()):
        return ""
    head = [text(k, lang) for k in ("col_parameter", "col_data", "col_prior",
                                              "col_posterior", "col_method")]
    parts = [f'<h2>{_e(text("h_evidence", lang))}</h2>'
             f'<p>{_e(text("evidence_intro", lang))}</p>',
             _table(head, studies.evidence_rows(found, lang), numeric={2, 3})]
    if before:
        after = {n: 1.0 - p for n in before if "." not in n  # totals, not each stakeholder
                 if (p := result.summary_of(n).claim_percentile) is not None}
        labels = {n: label_of(result.scenario, n, lang) for n in before}
        parts += [f'<p class="sentence">{_e(x)}</p>'
                  for x in studies.claim_sentences(before, after, found, labels, lang)]
    return "".join(parts)


def _assumptions(result: Result, lang: str) -> str:
    """The appendix: every assumption with its label, code name, value and source."""
    rows = []
    internal = 0
    scenario = result.scenario
    for name, p in scenario.parameters.items():
        if p.internal:
            internal += 1
            continue
        unit = unit_of(scenario, name)
        written = p.written or p.expression or (numbers.quantity(p.value, unit, lang)
                                                if p.kind == "fixed" else "")
        rows.append([_capital(label_of(scenario, name, lang)), name, written,
                     numbers.exact(p.point, unit, lang), p.source, p.note])
    parts = [f'<h2>{_e(text("h_appendix", lang))}</h2>',
             _table([text("col_label", lang), text("col_code", lang), text("col_written", lang),
                     text("col_point_value", lang), text("col_source", lang),
                     text("col_note", lang)], rows, numeric={3})]
    if internal:
        parts.append(f"<p>{_e(text('internal_count', lang, count=internal))}</p>")
    return "".join(parts)


def _method(result: Result, main: str, lang: str) -> str:
    tail = (1 - result.ci) / 2
    paragraph = text("method", lang, iterations=number(result.iterations, lang, 0),
                     level=percent(result.ci, lang),
                     low=ordinal(round(100 * tail), lang),
                     high=ordinal(round(100 * (1 - tail)), lang))
    label = label_of(result.scenario, main, lang, True)
    convergence = text("convergence_intro", lang, output=label)
    return (f'<h2>{_e(text("h_method", lang))}</h2><p>{_e(paragraph)}</p>'
            f"<p>{_e(convergence)}</p>"
            + _figure(plots.convergence(result, main, lang=lang),
                      text("figure_convergence", lang, output=label)))


def reproduce_command(result: Result, sets: Sequence[str] = (), *, lang: str = "nl",
                      variant: str | None = None, output_file: str = "rapport.html",
                      sensitivity: bool = True, prior: bool = False, population: float = 1.0,
                      years: int = 1) -> str:
    """The ``onzekerheid report`` command line that makes this report again, shell-quoted
    (``population`` and ``years``: the scale of the studies' EVSI, written when not 1)."""
    scenario = result.scenario
    words = ["onzekerheid", "report", scenario.file, "--seed", str(result.seed),
             "-n", str(result.iterations)]
    if result.ci != 0.9:
        words += ["--ci", f"{result.ci:g}"]
    if variant:
        words += ["--variant", variant]
    for item in sets:
        words += ["--set", item]
    if lang != "nl":
        words += ["--lang", lang]
    if not sensitivity:
        words.append("--no-sensitivity")
    if prior:
        words.append("--prior")
    if population != 1.0:
        words += ["--population", str(int(population)) if float(population).is_integer()
                  else repr(float(population))]
    if years != 1:
        words += ["--years", str(years)]
    words += ["-o", output_file]
    return " ".join(shlex.quote(w) for w in words)


def _footer(result: Result, lang: str, version: str, extras: Extras) -> str:
    scenario = result.scenario
    command = extras.command or reproduce_command(result, extras.sets, lang=lang)
    line = text("footer", lang, version=version, seed=result.seed,
                iterations=number(result.iterations, lang, 0),
                level=percent(result.ci, lang), file=scenario.file,
                digest=scenario.digest or "-")
    return (f'<footer><h2>{_e(text("h_reproduce", lang))}</h2>'
            f'<p>{_e(line)}</p><p><code id="reproduce">{_e(command)}</code></p></footer>')
