"""What research is worth and what the data did, for people: the EVSI and ENBS curves of
``[[studies]]``, one sentence per study, and prior against posterior for ``[[evidence]]``.

Its nl/en words are in :data:`.i18n.WORDS`, with every other sentence of the report; the
report's layout stays in :mod:`.html`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator

from .i18n import number, percent, text
from .numbers import money

BLUE, ORANGE, GREY, GREEN = "#1f5f99", "#e08a1e", "#7f7f7f", "#2e8b57"

def study_sentence(name: str, entry: Mapping[str, Any], lang: str = "en") -> str:
    """"follow_up: following 100 cases costs EUR X and is worth EUR Y to this decision"."""
    i = list(entry["sizes"]).index(entry["optimal_size"])
    kind = "cases" if entry.get("parameter") == "cases" else entry.get("likelihood", "normal")
    verdict = (text("pays", lang, enbs=money(entry["enbs"][i], lang)) if entry["worth_doing"]
               else text("no_pay", lang))
    return text("sentence", lang, name=name, size=number(entry["optimal_size"], lang),
                units=text(f"units_{kind}", lang),
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
    top.plot(sizes, evsi, "o-", color=BLUE, label=text("evsi", lang), gid="evsi")
    top.plot(sizes, entry["cost"], "s--", color=ORANGE, label=text("cost", lang), gid="cost")
    top.legend(loc="best", fontsize=8, frameon=False)
    top.set_title(f"{name}: {entry.get('likelihood', '')} · {entry.get('parameter', '')}",
                  fontsize=10)
    enbs = np.asarray(entry["enbs"])
    bottom.axhline(0.0, color=GREY, linewidth=0.8)
    bottom.plot(sizes, enbs, "o-", color=GREEN, label=text("enbs", lang), gid="enbs")
    best = list(entry["sizes"]).index(entry["optimal_size"])
    bottom.plot([sizes[best]], [enbs[best]], "*", color=GREEN, markersize=14)
    bottom.legend(loc="best", fontsize=8, frameon=False)
    bottom.set_xlabel(text("size", lang))
    for axis in (top, bottom):
        axis.yaxis.set_major_formatter(FuncFormatter(lambda x, _pos: money(x, lang)))
        if sizes.max() / max(sizes.min(), 1.0) > 8:
            axis.set_xscale("log")
            axis.set_xticks(sizes, [number(s, lang) for s in sizes])
            axis.xaxis.set_minor_locator(NullLocator())  # no 3x10^2 beside a size of 320
    return fig


def scale_words(scale: Mapping[str, Any], lang: str) -> str:
    if scale.get("factor", 1.0) == 1.0:
        return text("per_unit", lang)
    return text("scaled", lang, population=number(scale["population"], lang),
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
    return [text("claim_moved", lang, data=data, output=labels.get(name, name),
                 before=percent(before[name], lang), after=percent(after[name], lang))
            for name in after if name in before]
