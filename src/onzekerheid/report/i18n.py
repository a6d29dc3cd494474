"""Words and number formatting for reports, in Dutch (``nl``) and English (``en``).

Dutch writes ``€ 8.336`` and ``4,5%`` (point for thousands, comma for decimals, a space after
the euro sign); English writes ``€8,336`` and ``4.5%``. Everything a report says to its reader
goes through :func:`text`, so a sentence exists in both languages or in neither.
"""

from __future__ import annotations

import math

from ..analysis.result import Result
from ..analysis.summary import Summary
from ..errors import argument_error
from ..scenario.model import Scenario
from ..scenario.units import is_money, parameter_unit
from . import numbers

LANGS = ("nl", "en")

WORDS: dict[str, dict[str, str]] = {
    "claim": {"nl": "gepubliceerd", "en": "published"},
    "median": {"nl": "mediaan", "en": "median"},
    "interval": {"nl": "{level} interval", "en": "{level} interval"},
    "frequency": {"nl": "aantal iteraties", "en": "iterations"},
    "output": {"nl": "uitkomst", "en": "output"},
    "stakeholder": {"nl": "belanghebbende", "en": "stakeholder"},
    "parameter": {"nl": "aanname", "en": "assumption"},
    "swing": {"nl": "uitkomst bij 5e en 95e percentiel van de aanname",
              "en": "output at the assumption's 5th and 95th percentile"},
    "first_order": {"nl": "eerste orde (alleen)", "en": "first order (alone)"},
    "total_order": {"nl": "totaal (met interacties)", "en": "total (with interactions)"},
    "sobol_axis": {"nl": "aandeel in de variantie", "en": "share of the variance"},
    "spearman_axis": {"nl": "rangcorrelatie met {output}", "en": "rank correlation with {output}"},
    "p_positive": {"nl": "kans dat {output} > 0", "en": "probability that {output} > 0"},
    "break_even_title": {"nl": "Wanneer loont het? {output} tegen {parameter}",
                         "en": "When does it pay? {output} against {parameter}"},
    "point_value": {"nl": "waarde in de claim", "en": "value in the claim"},
    "running_mean": {"nl": "lopend gemiddelde", "en": "running mean"},
    "mcse_band": {"nl": "± 2 × Monte-Carlo-standaardfout",
                  "en": "± 2 × Monte Carlo standard error"},
    "iteration_axis": {"nl": "iteraties", "en": "iterations"},
    "delta_effect": {"nl": "extra effect ({effect})", "en": "extra effect ({effect})"},
    "delta_cost": {"nl": "extra kosten ({cost})", "en": "extra cost ({cost})"},
    "wtp_axis": {"nl": "prijs per eenheid effect", "en": "price per unit of effect"},
    "p_worth": {"nl": "kans dat het de prijs waard is", "en": "probability it is worth it"},
    "region_1": {"nl": "meer effect, niet duurder", "en": "more effect, no higher cost"},
    "region_2": {"nl": "zelfde effect, goedkoper", "en": "same effect, lower cost"},
    "region_3": {"nl": "kosten en effect vergelijkbaar", "en": "cost and effect comparable"},
    "region_4": {"nl": "meer effect, hogere kosten", "en": "more effect at higher cost"},
    "region_5": {"nl": "zelfde of minder effect, hogere kosten",
                 "en": "same or less effect at higher cost"},
    "region_6": {"nl": "minder effect, niet duurder", "en": "less effect, no higher cost"},
    "reference_price": {"nl": "referentieprijs", "en": "reference price"},
    # Summary sentences.
    "sentence_range": {
        "nl": "Met {level} zekerheid {phrase} tussen {low} en {high}",
        "en": "With {level} certainty, {phrase} between {low} and {high}"},
    "sentence_claim": {
        "nl": "; het gepubliceerde {what} van {claim} ligt op het {rank} percentiel.",
        "en": "; the published {what} of {claim} is at the {rank} percentile."},
    "sentence_claim_above": {
        "nl": "; het gepubliceerde {what} van {claim} ligt boven elke gesimuleerde uitkomst.",
        "en": "; the published {what} of {claim} lies above every simulated outcome."},
    "sentence_claim_below": {
        "nl": "; het gepubliceerde {what} van {claim} ligt onder elke gesimuleerde uitkomst.",
        "en": "; the published {what} of {claim} lies below every simulated outcome."},
    "sentence_positive": {
        "nl": "De kans dat {output} positief is, is {p}.",
        "en": "The probability that {output} is positive is {p}."},
    "phrase_savings_per_case": {"nl": "levert een casus {who} {range} op",
                                "en": "one case is worth {range} to {who}"},
    "phrase_generic": {"nl": "ligt {output} {range}", "en": "{output} lies {range}"},
    # The HTML report.
    "report_of": {"nl": "Onzekerheidsanalyse", "en": "Uncertainty analysis"},
    "source": {"nl": "Bron", "en": "Source"},
    "h_summary": {"nl": "In het kort", "en": "In brief"},
    "h_claims": {"nl": "Gepubliceerd cijfer tegen gesimuleerde bandbreedte",
                 "en": "Published figure against the simulated range"},
    "h_who": {"nl": "Wie heeft er baat bij?", "en": "Who gains?"},
    "h_drivers": {"nl": "Wat bepaalt de uitkomst?", "en": "What drives the result?"},
    "h_variants": {"nl": "Varianten naast elkaar", "en": "Variants side by side"},
    "variants_intro": {
        "nl": "Elke variant van het scenario is met dezelfde toevalsgetallen doorgerekend, "
              "zodat verschillen geen ruis zijn. Verschil: per iteratie ten opzichte van "
              "'{base}'.",
        "en": "Every variant of the scenario was simulated with the same random numbers, so "
              "differences are not noise. Difference: per iteration, against '{base}'."},
    "col_variant": {"nl": "Variant", "en": "Variant"},
    "col_difference": {"nl": "Verschil (mediaan)", "en": "Difference (median)"},
    "col_higher": {"nl": "P(hoger)", "en": "P(higher)"},
    "h_voi": {"nl": "Wat is het waard om uit te zoeken?", "en": "What is worth researching?"},
    "h_assumptions": {"nl": "Alle aannames", "en": "Every assumption"},
    "h_method": {"nl": "Werkwijze in het kort", "en": "Method in brief"},
    "h_reproduce": {"nl": "Reproduceerbaarheid", "en": "Reproducibility"},
    "col_output": {"nl": "Uitkomst", "en": "Output"},
    "col_claim": {"nl": "Gepubliceerd", "en": "Published"},
    "col_point": {"nl": "Rekensom van de claim", "en": "Claim's arithmetic"},
    "col_median": {"nl": "Mediaan", "en": "Median"},
    "col_interval": {"nl": "{level} interval", "en": "{level} interval"},
    "col_positive": {"nl": "Kans > 0", "en": "Probability > 0"},
    "col_percentile": {"nl": "Percentiel van de claim", "en": "Percentile of the claim"},
    "col_stakeholder": {"nl": "Belanghebbende", "en": "Stakeholder"},
    "col_name": {"nl": "Naam", "en": "Name"},
    "col_written": {"nl": "Zoals opgegeven", "en": "As written"},
    "col_point_value": {"nl": "Waarde in de claim", "en": "Value in the claim"},
    "col_source": {"nl": "Bron", "en": "Source"},
    "col_note": {"nl": "Toelichting", "en": "Note"},
    "col_rho": {"nl": "Rangcorrelatie", "en": "Rank correlation"},
    "col_direction": {"nl": "Richting", "en": "Direction"},
    "col_evppi": {"nl": "Waarde van perfecte informatie", "en": "Value of perfect information"},
    "up": {"nl": "hoger → {output} hoger", "en": "higher → {output} higher"},
    "down": {"nl": "hoger → {output} lager", "en": "higher → {output} lower"},
    "drivers_intro": {
        "nl": "Hoe sterk hangt {output} samen met elke aanname? Een rangcorrelatie dicht bij 1 "
              "of -1 betekent: deze aanname bepaalt de uitkomst; dicht bij 0: nauwelijks.",
        "en": "How strongly does {output} move with each assumption? A rank correlation near "
              "1 or -1 means the assumption drives the result; near 0, it hardly matters."},
    "top_driver": {"nl": "De belangrijkste aanname is {name}.",
                   "en": "The assumption that matters most is {name}."},
    "tornado_intro": {
        "nl": "Tornado: {output} met één aanname op haar 5e en 95e percentiel en de andere op "
              "hun mediaan.",
        "en": "Tornado: {output} with one assumption at its 5th and 95th percentile and the "
              "others at their medians."},
    "sobol_intro": {
        "nl": "Sobol-indices: welk deel van de spreiding in {output} komt door elke aanname "
              "(eerste orde: alleen; totaal: inclusief samenspel met andere).",
        "en": "Sobol indices: the share of the spread in {output} due to each assumption (first "
              "order: alone; total: including interactions with others)."},
    "break_even_intro": {
        "nl": "Hoe hangt de kans op een positieve {output} af van {parameter}? Elk punt is een "
              "simulatie met {parameter} vast op die waarde (dezelfde trekkingen voor de rest).",
        "en": "How does the probability of a positive {output} depend on {parameter}? Each "
              "point is a simulation with {parameter} fixed at that value (the same draws for "
              "everything else)."},
    "voi_intro": {
        "nl": "Verwachte waarde van perfecte informatie (EVPI): wat het hooguit waard is om alle "
              "onzekerheid weg te nemen voordat besloten wordt, bij de beslissing 'doorgaan "
              "als de verwachte {output} positief is': {evpi}. Per aanname (EVPPI):",
        "en": "Expected value of perfect information (EVPI): the most it is worth to remove all "
              "uncertainty before deciding, for the decision 'go ahead when the expected "
              "{output} is positive': {evpi}. Per assumption (EVPPI):"},
    "no_claims": {"nl": "Dit scenario noemt geen gepubliceerde cijfers.",
                  "en": "This scenario states no published figures."},
    "internal_count": {
        "nl": "Daarnaast zijn er {count} afgeleide grootheden van het domeinmodel.",
        "en": "Besides these, the domain model derives {count} quantities."},
    "method": {
        "nl": "Elke aanname is een kansverdeling in plaats van één getal. De rekensom van de "
              "claim is {iterations} keer uitgevoerd (Monte Carlo), telkens met een nieuwe "
              "trekking van alle aannames. Het {level} interval loopt van het {low} tot het "
              "{high} percentiel van die uitkomsten; de Monte-Carlo-standaardfout geeft aan "
              "hoe nauwkeurig het gemiddelde is bij dit aantal herhalingen. Het percentiel van "
              "de claim is het aandeel uitkomsten onder het gepubliceerde cijfer. Wat de "
              "uitkomst bepaalt is gemeten met rangcorrelaties (Spearman) over dezelfde "
              "trekkingen.",
        "en": "Every assumption is a probability distribution instead of one number. The "
              "claim's arithmetic was run {iterations} times (Monte Carlo), each time with a new "
              "draw of every assumption. The {level} interval runs from the {low} to the {high} "
              "percentile of those outcomes; the Monte Carlo standard error says how precise "
              "the mean is at this number of iterations. The claim's percentile is the share "
              "of outcomes below the published figure. What drives the result is measured with "
              "rank correlations (Spearman) over the same draws."},
    "convergence_intro": {
        "nl": "Het lopende gemiddelde van {output} stabiliseert naarmate er meer iteraties zijn:",
        "en": "The running mean of {output} settles as iterations accumulate:"},
    "footer": {
        "nl": "Gemaakt met onzekerheid {version} · seed {seed} · {iterations} iteraties · "
              "interval {level} · scenariobestand {file}, sha256 {digest}. Dezelfde versie, "
              "hetzelfde bestand, dezelfde seed en hetzelfde aantal iteraties geven exact "
              "dezelfde cijfers. Opnieuw maken:",
        "en": "Made with onzekerheid {version} · seed {seed} · {iterations} iterations · "
              "interval {level} · scenario file {file}, sha256 {digest}. The same version, "
              "file, seed and iterations give exactly the same figures. To make it again:"},
    "figure_distribution": {"nl": "Verdeling van {output}", "en": "Distribution of {output}"},
    "price_of": {"nl": "prijs: {what}", "en": "price: {what}"},
    # The one-page summary for decision-makers.
    "h_decision": {"nl": "Bestuurlijke samenvatting", "en": "Summary for decision-makers"},
    "made_on": {"nl": "Opgesteld op {date}", "en": "Prepared on {date}"},
    "lead": {"nl": "{output}: naar schatting {median} (mediaan), met {level} zekerheid tussen "
                   "{low} en {high}.",
             "en": "{output}: about {median} (median); with {level} certainty between {low} "
                   "and {high}."},
    "lead_positive": {
        "nl": "Kans op een positieve uitkomst: {p} (ongeveer {chance}).",
        "en": "Chance of a positive result: {p} (about {chance})."},
    "lead_positive_high": {
        "nl": "Kans op een positieve uitkomst: {p}; de kans dat het negatief uitvalt, is "
              "ongeveer {chance}.",
        "en": "Chance of a positive result: {p}; the chance that it comes out negative is "
              "about {chance}."},
    "h_published": {"nl": "Hoe waarschijnlijk zijn de gepubliceerde cijfers?",
                    "en": "How likely are the published figures?"},
    "published_holds": {
        "nl": "{output}: gepubliceerd {claim}. Kans dat dit klopt: {chance} ({p}).",
        "en": "{output}: published {claim}. Chance that this holds: {chance} ({p})."},
    "h_matters": {"nl": "Welke aannames doen ertoe?", "en": "Which assumptions matter?"},
    "matters_two": {"nl": "De uitkomst hangt het meest af van {a} en {b}.",
                    "en": "The result depends most on {a} and {b}."},
    "matters_one": {"nl": "De uitkomst hangt het meest af van {a}.",
                    "en": "The result depends most on {a}."},
    "switch_at": {
        "nl": "{name}: in de claim {point}; bij {value} komt de uitkomst (mediaan) op "
              "{target}.",
        "en": "{name}: {point} in the claim; at {value} the result (median) reaches "
              "{target}."},
    "switch_none": {
        "nl": "{name}: in de claim {point}; binnen het aannemelijke bereik ({low} tot {high}) "
              "slaat de uitkomst niet om.",
        "en": "{name}: {point} in the claim; within its plausible range ({low} to {high}) the "
              "result does not switch."},
    "point_only": {"nl": "{name}: in de claim {point}.", "en": "{name}: {point} in the claim."},
    "h_unpriced": {"nl": "Wat het cijfer niet meeneemt", "en": "What the figure leaves out"},
    "unpriced_intro": {"nl": "Niet in geld uitgedrukt en dus niet in de cijfers:",
                       "en": "Not valued in money, so not in the figures:"},
    "not_counted": {"nl": "{name} (welzijnseffect, in deze berekening niet meegeteld)",
                    "en": "{name} (well-being effect, not counted in this calculation)"},
    "zero": {"nl": "nul", "en": "zero"},
    "h_appendix": {"nl": "Bijlage: alle aannames", "en": "Appendix: every assumption"},
    "col_code": {"nl": "Naam in het bestand", "en": "Name in the file"},
    "col_label": {"nl": "Aanname", "en": "Assumption"},
    "col_holds": {"nl": "Kans dat het cijfer klopt", "en": "Chance the figure holds"},
    "figure_scurve": {
        "nl": "Cumulatieve verdeling (S-curve) van {output}: bij elke waarde de kans dat de "
              "uitkomst lager uitvalt; de rode lijn is het gepubliceerde cijfer.",
        "en": "Cumulative distribution (S-curve) of {output}: at each value the chance that "
              "the result comes out lower; the red line is the published figure."},
    "figure_who": {"nl": "{output} per belanghebbende: mediaan en {level} interval",
                   "en": "{output} per stakeholder: median and {level} interval"},
    "figure_drivers": {"nl": "Rangcorrelatie van elke aanname met {output}",
                       "en": "Rank correlation of each assumption with {output}"},
    "figure_tornado": {
        "nl": "Tornadodiagram: {output} met één aanname op haar 5e en 95e percentiel, de andere "
              "op hun mediaan; getallen aan de balkuiteinden zijn de waarden van de aanname.",
        "en": "Tornado diagram: {output} with one assumption at its 5th and 95th percentile, "
              "the others at their medians; numbers at the bar ends are the assumption's "
              "values."},
    "figure_sobol": {"nl": "Sobol-indices: aandeel van elke aanname in de spreiding van {output}",
                     "en": "Sobol indices: each assumption's share of the spread in {output}"},
    "figure_break_even": {"nl": "Kans op een positieve {output} bij verschillende waarden van "
                                "{parameter}",
                          "en": "Chance of a positive {output} at different values of "
                                "{parameter}"},
    "figure_voi": {"nl": "Waarde van perfecte informatie per aanname (EVPPI)",
                   "en": "Value of perfect information per assumption (EVPPI)"},
    "figure_convergence": {"nl": "Lopend gemiddelde van {output} met ± 2 standaardfouten",
                           "en": "Running mean of {output} with ± 2 standard errors"},
    "low_value": {"nl": "aanname op 5e percentiel", "en": "assumption at 5th percentile"},
    "high_value": {"nl": "aanname op 95e percentiel", "en": "assumption at 95th percentile"},
    "base_value": {"nl": "alle aannames op hun mediaan", "en": "every assumption at its median"},
    "cumulative": {"nl": "kans dat de uitkomst lager is", "en": "chance the result is lower"},
    "icer": {"nl": "ICER (extra kosten per extra eenheid effect): {value}",
             "en": "ICER (extra cost per extra unit of effect): {value}"},
    "inmb": {"nl": "INMB bij {price} per eenheid: {value}; kans > 0: {p}",
             "en": "INMB at {price} per unit: {value}; chance > 0: {p}"},
    "spider_axis": {"nl": "percentiel van de aanname (de andere op hun mediaan)",
                    "en": "percentile of the assumption (the others at their medians)"},
    "figure_spider": {
        "nl": "Spindiagram: {output} als één aanname door haar verdeling loopt; hoe steiler de "
              "lijn, hoe meer de aanname ertoe doet.",
        "en": "Spider plot: {output} as one assumption moves through its distribution; the "
              "steeper the line, the more the assumption matters."},
    "figure_ce": {"nl": "Kosten-effectvlak en acceptatiecurve: {cost} tegen {effect}",
                  "en": "Cost-effect plane and acceptability curve: {cost} against {effect}"},
    "h_ce": {"nl": "Kosten en effect", "en": "Cost and effect"},
    "evppi_axis": {"nl": "waarde van perfecte informatie", "en": "value of perfect information"},
    # research worth doing and what the data changed (report/studies.py)
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

OUTPUT_NAMES: dict[str, dict[str, str]] = {
    "net_benefit": {"nl": "de netto opbrengst", "en": "the net benefit"},
    "bcr": {"nl": "de baten-kostenverhouding", "en": "the benefit–cost ratio"},
    "saving": {"nl": "de besparing", "en": "the saving"},
    "savings_per_case": {"nl": "de besparing per casus", "en": "the savings per case"},
    "savings_per_year": {"nl": "de besparing per jaar", "en": "the savings per year"},
    "costs_per_year": {"nl": "de kosten per jaar", "en": "the costs per year"},
    "break_even_hours": {"nl": "het break-evenaantal uren", "en": "the break-even hours"},
    "benefits_pv": {"nl": "de contante waarde van de baten",
                    "en": "the present value of the benefits"},
    "costs_pv": {"nl": "de contante waarde van de kosten", "en": "the present value of the costs"},
    "npv": {"nl": "de netto contante waarde", "en": "the net present value"},
    "payback_year": {"nl": "het terugverdienjaar", "en": "the payback year"},
}

# Suffixes of the built-in outputs that are not stakeholders.
KINDS: dict[str, dict[str, str]] = {
    "material": {"nl": "in geld", "en": "financial"},
    "immaterial": {"nl": "welzijn, in geld uitgedrukt", "en": "well-being, valued in money"},
}

# Parameters the social-domain model makes from its sections (full name, or the last part of
# an item's, cost's or risk's name).
DOMAIN_NAMES: dict[str, dict[str, str]] = {
    "success.rate": {"nl": "slagingskans", "en": "success rate"},
    "success.dropout": {"nl": "uitval", "en": "dropout"},
    "success.failure_yield": {"nl": "opbrengst bij mislukken", "en": "yield when it fails"},
    "bias.systematic": {"nl": "systematische schattingsfout (gerealiseerd ÷ geschat)",
                        "en": "systematic estimation bias (realised ÷ estimated)"},
    "bias.per_case": {"nl": "schattingsfout per casus", "en": "estimation error per case"},
    "costs.cost_per_fte": {"nl": "kosten per fte", "en": "cost per FTE"},
    "costs.hourly_rate": {"nl": "uurtarief", "en": "hourly rate"},
    "costs.hours": {"nl": "uren per casus", "en": "hours per case"},
    "costs.fte": {"nl": "formatie (fte)", "en": "staff (FTE)"},
    "extrapolation.cases_per_year": {"nl": "casussen per jaar", "en": "cases per year"},
    "extrapolation.damping": {"nl": "demping", "en": "damping"},
    "extrapolation.safety_margin": {"nl": "veiligheidsmarge", "en": "safety margin"},
    "attribution": {"nl": "toerekening aan de aanpak", "en": "attribution to the intervention"},
    "probability": {"nl": "kans dat het zonder hulp was gebeurd",
                    "en": "probability it would have happened without help"},
    "deadweight": {"nl": "zou ook zonder aanpak zijn bereikt", "en": "deadweight"},
    "displacement": {"nl": "verplaatsing", "en": "displacement"},
    "overlap": {"nl": "overlap met ander aanbod", "en": "overlap with other help"},
    "quantity": {"nl": "hoeveelheid", "en": "quantity"},
    "amount": {"nl": "bedrag per casus", "en": "amount per case"},
    "price_factor": {"nl": "prijsfactor", "en": "price factor"},
    "unit_cost": {"nl": "kosten per eenheid", "en": "unit cost"},
    "dropoff": {"nl": "afname per jaar", "en": "drop-off per year"},
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported report language, else raise a ScenarioError."""
    if lang not in LANGS:
        raise argument_error("lang", repr(lang), f"unknown language; use one of "
                             f"{', '.join(LANGS)}")
    return lang


def text(key: str, lang: str, **values: object) -> str:
    """The sentence or label ``key`` in ``lang``, with ``{placeholders}`` filled in."""
    return WORDS[key][check_lang(lang)].format(**values)


def number(x: float | None, lang: str, decimals: int | None = None) -> str:
    """A number with the language's separators: ``12.345,6`` (nl) or ``12,345.6`` (en).

    Without ``decimals``: whole numbers from 100 up, else three significant digits (trailing
    zeros dropped: ``4,8``).
    """
    if x is None or not math.isfinite(x):
        return "-" if x is None or math.isnan(x) else ("∞" if x > 0 else "-∞")
    trim = decimals is None
    if decimals is None:
        decimals = 0 if abs(x) >= 100 or x == round(x) else max(0, 2 - math.floor(math.log10(
            abs(x))))
    written = f"{x:,.{decimals}f}"
    if trim and "." in written:
        written = written.rstrip("0").rstrip(".")
    if written.startswith("-") and float(written.replace(",", "")) == 0:
        written = written[1:]
    return written.translate(_SWAP) if check_lang(lang) == "nl" else written


_SWAP = str.maketrans({",": ".", ".": ","})


def percent(p: float | None, lang: str, decimals: int = 1) -> str:
    """A fraction as a percentage: 0.045 -> ``4,5%`` (nl) or ``4.5%`` (en); ``97%`` if whole."""
    if p is None or not math.isfinite(p):
        return "-"
    written = number(100.0 * p, lang, decimals)
    if decimals and written[-decimals:] == "0" * decimals:
        written = written[: -decimals - 1]
    return f"{written}%"


def ordinal(n: int, lang: str) -> str:
    """``78e`` (nl) or ``78th`` / ``1st`` / ``22nd`` (en)."""
    if check_lang(lang) == "nl":
        return f"{n}e"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def unit_of(scenario: Scenario, name: str) -> str:
    """The unit of output or parameter ``name`` (see :mod:`onzekerheid.scenario.units`)."""
    output = scenario.outputs.get(name)
    if output is not None:
        return output.unit
    param = scenario.parameters.get(name)
    if param is None:
        return ""
    support = param.dist.support() if param.dist is not None else None
    return parameter_unit(name, param.unit, support)


def label_of(scenario: Scenario | None, name: str, lang: str, article: bool = False) -> str:
    """How a reader calls an output or parameter: its ``label``, else words for a built-in
    name (``de besparing per casus (gemeente)``), else the name with spaces for underscores.

    ``article`` keeps the leading article ("de", "the") of translated built-in names.
    """
    thing = None if scenario is None else (scenario.outputs.get(name)
                                           or scenario.parameters.get(name))
    if thing is not None and thing.label:
        return thing.label
    base, _, who = name.partition(".")
    known = OUTPUT_NAMES.get(base, {}).get(check_lang(lang))
    if known is not None:
        label = known if article else known.split(" ", 1)[1]
        return f"{label} ({KINDS.get(who, {}).get(lang, who)})" if who else label
    domain = _domain_label(name, lang)
    return domain if domain else name.replace("_", " ")


def output_label(name: str, lang: str, article: bool = False) -> str:
    """:func:`label_of` without a scenario: words for built-in names only."""
    return label_of(None, name, lang, article)


def _domain_label(name: str, lang: str) -> str:
    """Words for the parameters the social-domain model makes from its sections."""
    parts = name.split(".")
    if name in DOMAIN_NAMES:
        return DOMAIN_NAMES[name][lang]
    if len(parts) == 2 and parts[0] == "prices":
        return text("price_of", lang, what=parts[1].replace("_", " "))
    if len(parts) >= 3 and parts[-1] in DOMAIN_NAMES:
        return f"{DOMAIN_NAMES[parts[-1]][lang]}: {parts[-2].replace('_', ' ')}"
    return ""


def p_claim_holds(s: Summary, better: str) -> float | None:
    """The probability that the published figure, read as "at least this good", holds.

    ``1 - claim_percentile`` when higher is better, ``claim_percentile`` when lower is
    better; None without a claim or direction.
    """
    if s.claim is None or s.claim_percentile is None or better == "none":
        return None
    return s.claim_percentile if better == "lower" else 1.0 - s.claim_percentile


def claim_holds(result: Result, name: str) -> float | None:
    """The chance that the published figure of ``name`` holds as stated: the claim audit's
    ``p_claim_holds`` (which knows "between", "at least" and rounded claims), else
    :func:`p_claim_holds` from the percentile; None without a claim."""
    audit = result.audit_of(name)
    p = getattr(audit, "p_claim_holds", math.nan) if audit is not None else math.nan
    if isinstance(p, float) and math.isfinite(p):
        return p
    output = result.scenario.outputs.get(name)
    return p_claim_holds(result.summary_of(name), output.better if output is not None
                         else "higher")


def output_phrase(scenario: Scenario | None, name: str, lang: str, range_: str) -> str:
    """The verb phrase of a summary sentence for ``name``, around the words ``range_``."""
    base, _, who = name.partition(".")
    own = scenario is not None and name in scenario.outputs and scenario.outputs[name].label
    if base == "savings_per_case" and who and who not in KINDS and not own:
        return text("phrase_savings_per_case", lang, who=_stakeholder(who, lang), range=range_)
    return text("phrase_generic", lang, output=label_of(scenario, name, lang, article=True),
                range=range_)


def _stakeholder(who: str, lang: str) -> str:
    return f"de {who}" if lang == "nl" else f"the {who}"


def summary_sentence(scenario: Scenario | None, name: str, lang: str, level: float,
                     s: Summary, unit: str) -> str:
    """One plain-language sentence: the interval, and where the published figure falls.

    ``Met 90% zekerheid levert een casus de gemeente tussen € 1.200 en € 3.900 op; het
    gepubliceerde bedrag van € 3.560 ligt op het 78e percentiel.`` Each end is rounded to what
    its Monte Carlo standard error justifies (:func:`.numbers.estimate`).
    """
    phrase = output_phrase(scenario, name, lang, "\0")
    head, _, tail = phrase.partition("\0")
    sentence = text("sentence_range", lang, level=percent(level, lang), phrase=head.rstrip(),
                    low=numbers.estimate(s.low, s.low_mcse, unit, lang),
                    high=numbers.estimate(s.high, s.high_mcse, unit, lang))
    if tail.strip():
        sentence += " " + tail.strip()
    if s.claim is None or s.claim_percentile is None:
        return sentence + "."
    written = numbers.exact(s.claim, unit, lang)
    what = ("bedrag" if is_money(unit) else "cijfer") if lang == "nl" else "figure"
    if s.claim_percentile >= 1.0:
        return sentence + text("sentence_claim_above", lang, claim=written, what=what)
    if s.claim_percentile <= 0.0:
        return sentence + text("sentence_claim_below", lang, claim=written, what=what)
    rank = min(99, max(1, round(100 * s.claim_percentile)))
    return sentence + text("sentence_claim", lang, claim=written, rank=ordinal(rank, lang),
                           what=what)
