"""The report's two layers: each claim judged with and without the values that rest on opinion.

One self-contained HTML section (:func:`judgements_section`): per claimed output the claim as
stated, the probability that it holds with its MCSE and the verdict; the same probability with
every ``judgement = true`` value at its point (the claim's own arithmetic with only the
measurable uncertainty); and the sentence a reviewer needs, "the claim holds as long as ...",
from each judgement's switching value (see :mod:`onzekerheid.analysis.judgements`).
"""

from __future__ import annotations

import html
import re
from typing import Any

from ..analysis.judgements import claim_direction, switching_sentence
from ..analysis.result import Result
from ..scenario.claims import Claim
from . import numbers
from .i18n import label_of, percent, unit_of

WORDS: dict[str, dict[str, Any]] = {
    "en": {"title": "What rests on evidence, and what on judgement",
           "intro": "Values without a source are marked as judgements: {names}. The second "
                    "column judges each claim with them, the third with every judgement at the "
                    "value the claim assumed, leaving only the measurable uncertainty.",
           "kept": "Drawn per case and therefore kept uncertain in both columns: {names}.",
           "head": ("output", "claim as stated", "P(claim holds), with judgements",
                    "without judgements", "verdict"),
           "none": "Judgements do not move any claimed median across its claim within their "
                   "plausible ranges."},
    "nl": {"title": "Wat op bewijs rust, en wat op oordeel",
           "intro": "Waarden zonder bron zijn gemarkeerd als oordeel: {names}. De tweede "
                    "kolom beoordeelt elke claim met die oordelen, de derde met elk oordeel op "
                    "de waarde die de claim aannam, zodat alleen de meetbare onzekerheid blijft.",
           "kept": "Per geval getrokken en daarom in beide kolommen onzeker: {names}.",
           "head": ("uitkomst", "claim zoals gesteld", "P(claim klopt), met oordelen",
                    "zonder oordelen", "oordeel"),
           "none": "Geen oordeel brengt binnen zijn aannemelijke bereik een geclaimde mediaan "
                   "over de claim heen."},
}


def judgements_section(result: Result, lang: str) -> str:
    """The section as HTML ('' when the scenario marks no judgements or has no claims)."""
    layer = result.judgements()
    claimed = [n for n in result.outputs if result.scenario.claim_of(n) is not None]
    if layer is None or not claimed:
        return ""
    words = WORDS["nl" if lang == "nl" else "en"]
    rows, sentences = [], []
    for name in claimed:
        audit = result.audit_of(name)
        claim = result.scenario.claim_of(name)
        assert audit is not None and claim is not None
        without = layer.without[name].get("p_claim_holds")
        rows.append([label_of(result.scenario, name, lang),
                     stated(claim, unit_of(result.scenario, name), lang),
                     f"{percent(audit.p_claim_holds, lang)} ± "
                     f"{percent(audit.p_claim_holds_mcse, lang, 2)}",
                     percent(without, lang),
                     audit.verdict_nl if lang == "nl" else audit.verdict])
        for judgement, crossing in layer.crossings[name].items():
            sentence = switching_sentence(name, judgement, crossing,
                                          claim_direction(result, name),
                                          layer.points[judgement], lang == "nl")
            if sentence:
                sentences.append(_worded(sentence, result, lang))
    parts = [f"<h2>{_e(words['title'])}</h2>",
             f"<p>{_e(words['intro'].format(names=_labels(layer.points, result, lang)))}</p>"]
    if layer.kept:
        parts.append(f"<p>{_e(words['kept'].format(names=_labels(layer.kept, result, lang)))}</p>")
    head = "".join(f"<th>{_e(h)}</th>" for h in words["head"])
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    items = "".join(f"<li>{_e(s)}</li>" for s in sentences)
    parts.append(f"<ul>{items}</ul>" if items else f"<p>{_e(words['none'])}</p>")
    return "".join(parts)


def stated(claim: Claim, unit: str, lang: str) -> str:
    """The claim as stated, in the output's unit (see :mod:`.numbers`)."""
    def value(x: float, digits: int = numbers.MAX_DIGITS) -> str:
        return numbers.quantity(x, unit, lang, digits)

    if claim.form == "between":
        return f"{value(claim.low)} – {value(claim.high)}"
    if claim.form == "value":
        return f"{value(claim.figure, 6)} (± {value(claim.rounded / 2, 6)})"
    sign = "≥" if claim.form == "at_least" else "≤"
    return f"{sign} {value(claim.figure, 6)}"


def _labels(names: Any, result: Result, lang: str) -> str:
    return ", ".join(label_of(result.scenario, n, lang) for n in names) or "-"


def _worded(sentence: str, result: Result, lang: str) -> str:
    """A sentence from the analysis with each output and parameter name replaced by its label
    (longest names first, whole names only: ``net_benefit.material`` before ``net_benefit``)."""
    scenario = result.scenario
    names = sorted([*scenario.outputs, *scenario.parameters], key=len, reverse=True)
    pattern = re.compile(r"(?<![\w.])(" + "|".join(re.escape(n) for n in names) + r")(?!\w|\.\w)")
    return pattern.sub(lambda m: label_of(scenario, m.group(1), lang), sentence)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)
