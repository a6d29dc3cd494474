"""What research is worth and what the data did, for people: the EVSI and ENBS curves of
``[[studies]]``, one sentence per study, and prior against posterior for ``[[evidence]]``.

Self-contained (its own nl/en words) so that the report's layout stays in :mod:`.html`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator

from .i18n import number, percent
from .numbers import money

BLUE, ORANGE, GREY, GREEN = "#1f5f99", "#e08a1e", "#7f7f7f", "#2e8b57"

WORDS: dict[str, dict[str, str]] = {
    "h_studies": {"en": "Which research is worth doing",
                  "nl": "Welk onderzoek de moeite waard is"},
    "studies_intro": {
        "en": "Expected value of sample information (EVSI) of each study in [[studies]] for the "
              "decision 'go ahead when the expected {output} is positive', {scale}; the "
              "expected net benefit of sampling (ENBS) subtracts the study's cost.",
        "nl": "Verwachte waarde van steekproefinformatie (EVSI) van elk onderzoek in "
              "[[studies]] voor de beslissing 'doorgaan als de verwachte {output} positief "
              "is', {scale}; de verwachte netto opbrengst (ENBS) trekt de kosten van het "
              "onderzoek eraf."},
    "per_unit": {"en": "per decision unit", "nl": "per beslissingseenheid"},
    "scaled": {"en": "for {population} units over {years} year(s)",
               "nl": "voor {population} eenheden over {years} jaar"},
    "sentence": {"en": "{name} with {size} {units} costs {cost} and is worth {value} to this "
                       "decision{verdict}.",
                 "nl": "{name} met {size} {units} kost {cost} en is {value} waard voor deze "
                       "beslissing{verdict}."},
    "units_binomial": {"en": "followed cases", "nl": "gevolgde casussen"},
    "units_normal": {"en": "observations", "nl": "waarnemingen"},
    "units_cases": {"en": "more cases measured", "nl": "extra gemeten casussen"},
    "pays": {"en": " (net {enbs}: the best size listed)",
             "nl": " (netto {enbs}: de beste omvang in de lijst)"},
    "no_pay": {"en": "; no size listed pays for itself",
               "nl": "; geen van de genoemde omvangen betaalt zichzelf terug"},
    "size": {"en": "study size", "nl": "omvang van het onderzoek"},
    "evsi": {"en": "EVSI (± 2 MCSE)", "nl": "EVSI (± 2 MCSE)"},
    "cost": {"en": "cost of the study", "nl": "kosten van het onderzoek"},
    "enbs": {"en": "ENBS = EVSI − cost", "nl": "ENBS = EVSI − kosten"},
    "h_evidence": {"en": "What the data changed", "nl": "Wat de gegevens veranderden"},
    "evidence_intro": {
        "en": "The scenario is updated with [[evidence]] (Bayes' rule); prior and posterior "
              "side by side (the prior is the same run without the data).",
        "nl": "Het scenario is bijgewerkt met [[evidence]] (regel van Bayes); a-priori en "
              "a-posteriori naast elkaar (a-priori is dezelfde run zonder de gegevens)."},
    "col_parameter": {"en": "parameter", "nl": "parameter"},
    "col_data": {"en": "data", "nl": "gegevens"},
    "col_prior": {"en": "prior mean", "nl": "gemiddelde vooraf"},
    "col_posterior": {"en": "posterior mean (sd)", "nl": "gemiddelde achteraf (sd)"},
    "col_method": {"en": "method (effective sample size)",
                   "nl": "methode (effectieve steekproefgrootte)"},
    "claim_moved": {"en": "With the data ({data}) the chance that {output} reaches the claim "
                          "went from {before} to {after}.",
                    "nl": "Met de gegevens ({data}) ging de kans dat {output} de claim haalt "
                          "van {before} naar {after}."},
}


def word(key: str, lang: str, **values: Any) -> str:
    """The text ``key`` in ``lang`` (nl or en) with ``values`` filled in."""
    return WORDS[key]["nl" if lang == "nl" else "en"].format(**values)


def study_sentence(name: str, entry: Mapping[str, Any], lang: str = "en") -> str:
    """"follow_up: following 100 cases costs EUR X and is worth EUR Y to this decision"."""
    i = list(entry["sizes"]).index(entry["optimal_size"])
    kind = "cases" if entry.get("parameter") == "cases" else entry.get("likelihood", "normal")
    verdict = (word("pays", lang, enbs=money(entry["enbs"][i], lang)) if entry["worth_doing"]
               else word("no_pay", lang))
    return word("sentence", lang, name=name, size=number(entry["optimal_size"], lang),
                units=word(f"units_{kind}", lang),
                cost=money(entry["cost"][i], lang), value=money(entry["evsi"][i], lang),
                verdict=verdict)


def study_figure(name: str, entry: Mapping[str, Any], lang: str = "en") -> Figure:
    """EVSI (with a ±2 MCSE band) and the study's cost against size, and ENBS below."""
    fig = Figure(figsize=(7.5, 4.6), layout="constrained")
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    sizes = np.asarray(entry["sizes"], dtype=float)
    evsi, mcse = np.asarray(entry["evsi"]), np.asarray(entry["evsi_mcse"])
    top.fill_between(sizes, evsi - 2 * mcse, evsi + 2 * mcse, color=BLUE, alpha=0.2)
    top.plot(sizes, evsi, "o-", color=BLUE, label=word("evsi", lang), gid="evsi")
    top.plot(sizes, entry["cost"], "s--", color=ORANGE, label=word("cost", lang), gid="cost")
    top.legend(loc="best", fontsize=8, frameon=False)
    top.set_title(f"{name}: {entry.get('likelihood', '')} · {entry.get('parameter', '')}",
                  fontsize=10)
    enbs = np.asarray(entry["enbs"])
    bottom.axhline(0.0, color=GREY, linewidth=0.8)
    bottom.plot(sizes, enbs, "o-", color=GREEN, label=word("enbs", lang), gid="enbs")
    best = list(entry["sizes"]).index(entry["optimal_size"])
    bottom.plot([sizes[best]], [enbs[best]], "*", color=GREEN, markersize=14)
    bottom.legend(loc="best", fontsize=8, frameon=False)
    bottom.set_xlabel(word("size", lang))
    for axis in (top, bottom):
        axis.yaxis.set_major_formatter(FuncFormatter(lambda x, _pos: money(x, lang)))
        if sizes.max() / max(sizes.min(), 1.0) > 8:
            axis.set_xscale("log")
            axis.set_xticks(sizes, [number(s, lang) for s in sizes])
            axis.xaxis.set_minor_locator(NullLocator())  # no 3x10^2 beside a size of 320
    return fig


def scale_words(scale: Mapping[str, Any], lang: str) -> str:
    if scale.get("factor", 1.0) == 1.0:
        return word("per_unit", lang)
    return word("scaled", lang, population=number(scale["population"], lang),
                years=scale["years"])


def evidence_rows(evidence: Mapping[str, Mapping[str, Any]], lang: str) -> list[list[str]]:
    """One table row per parameter with evidence: data, prior mean, posterior, method."""
    rows = []
    for name, entry in evidence.items():
        posterior = (f"{number(entry['posterior_mean'], lang)} "
                     f"({number(entry['posterior_sd'], lang)})"
                     if entry["posterior_mean"] is not None else "-")
        ess = entry["effective_sample_size"]
        method = entry["method"] + (f" ({number(ess, lang)})" if ess is not None else "")
        rows.append([name, "; ".join(entry["data"]), number(entry["prior_mean"], lang),
                     posterior, method])
    return rows


def claim_sentences(before: Mapping[str, float], after: Mapping[str, float],
                    evidence: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str],
                    lang: str) -> Sequence[str]:
    """"With the data (41 of 50) the chance that X reaches the claim went from 4% to 19%" per
    output in ``after`` (chances as ``1 - claim percentile``: the share of iterations at or
    above the claim)."""
    data = "; ".join(d for entry in evidence.values() for d in entry["data"])
    return [word("claim_moved", lang, data=data, output=labels.get(name, name),
                 before=percent(before[name], lang), after=percent(after[name], lang))
            for name in after if name in before]
