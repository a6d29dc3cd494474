"""Claim audit: how plausible is a published figure, in numbers and in one plain sentence.

For an output with a ``[claim]`` (see :mod:`onzekerheid.scenario.claims`):

* ``p_claim_holds``: the share of iterations in which the claim *as stated* is true (at least
  this good, at most this high, inside the range, equal to the figure as rounded), with its
  Monte Carlo standard error: ``sqrt(p (1 - p) / n)`` for independent iterations (the count
  where the claim holds is binomial), batch means when rows depend on each other (see
  :mod:`.mcse`);
* the older fields: the claim figure's percentile (share of iterations below it) and
  ``P(true value >= figure)`` with its MCSE;
* a verdict and one sentence in English and Dutch that a policymaker can read.

The verdict follows ``p_claim_holds``. When the simulation cannot tell it from even odds,
``|p - 1/2| < 2 MCSE`` (a two-sided test of p = 1/2 at about the 5% level), the verdict is
"within Monte Carlo noise", whatever the side p fell on. Otherwise, for a claim stated in the
output's good direction (at least a saving, at most a cost): conservative (p >= 0.9), plausible
(>= 0.5), optimistic (>= 0.2), very optimistic (>= 0.02), implausible; a claim that is
two-sided or stated against the good direction is well supported, plausible, doubtful,
unlikely or implausible on the same steps. A claim is therefore never called conservative
when p < 0.5.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from ..scenario import units
from ..scenario.claims import Claim, at_least_as_good
from .mcse import count_fraction_mcse, fraction_mcse
from .summary import INFINITE_OK, Summary, summarize

# (lowest p_claim_holds, verdict in English, in Dutch), from the top down
VERDICTS = (
    (0.9, "conservative", "voorzichtig"),
    (0.5, "plausible", "aannemelijk"),
    (0.2, "optimistic", "optimistisch"),
    (0.02, "very optimistic", "zeer optimistisch"),
    (0.0, "implausible", "onwaarschijnlijk"),
)
NEUTRAL_VERDICTS = (  # two-sided claims, or claims against the good direction
    (0.9, "well supported", "goed onderbouwd"),
    (0.5, "plausible", "aannemelijk"),
    (0.2, "doubtful", "twijfelachtig"),
    (0.02, "unlikely", "weinig waarschijnlijk"),
    (0.0, "implausible", "onwaarschijnlijk"),
)
NOISE = ("within Monte Carlo noise", "binnen de Monte Carlo-ruis")
NOISE_WIDTH = 2.0  # |p - 1/2| below this many MCSEs: within Monte Carlo noise


@dataclass(frozen=True)
class Audit:
    """The audit of one claim (see the module docstring)."""

    output: str
    claim: float
    percentile: float  # share of iterations below the claim's figure
    p_claim_or_more: float
    p_claim_or_more_mcse: float
    verdict: str
    sentence_en: str
    sentence_nl: str
    p_claim_holds: float = math.nan
    p_claim_holds_mcse: float = math.nan
    within_noise: bool = False
    stated: Claim | None = None
    verdict_nl: str = ""

    def as_dict(self) -> dict[str, object]:
        doc = asdict(self)
        doc["stated"] = None if self.stated is None else self.stated.as_dict()
        return doc


def claim_holds(values: np.ndarray, claim: Claim, batch: int = 1
                ) -> tuple[float, float, int]:
    """``(p, mcse, n)``: the share of the ``values`` (nan left out) for which ``claim`` holds.

    ``values`` in run order; the MCSE is :func:`~.mcse.fraction_mcse`: binomial,
    ``sqrt(p (1 - p) / n)``, for independent iterations (``batch`` 1), batch means over the
    engine's blocks when rows depend on each other (``[correlations]``, importance
    resampling: :func:`~.mcse.rows_per_batch`), half the rule-of-three bound at p = 0 or 1.
    ``p`` is nan when every value is nan. Infinite values count: a ``payback_year`` of +inf
    (never pays back) fails "at most year 5".
    """
    x = np.asarray(values, dtype=np.float64)
    keep = ~np.isnan(x)
    ids = None if batch <= 1 else (np.arange(x.size, dtype=np.int64) // batch)[keep]
    x = x[keep]
    if x.size == 0:
        return math.nan, math.nan, 0
    hits = claim.holds(x)
    return float(np.count_nonzero(hits) / x.size), fraction_mcse(hits, ids), int(x.size)


def claim_sides(values: np.ndarray, claim: Claim) -> tuple[float, float]:
    """Shares of the values (nan left out) below the claim's low end and above its high end."""
    x = np.asarray(values, dtype=np.float64)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return math.nan, math.nan
    return (float(np.count_nonzero(x < claim.low) / x.size),
            float(np.count_nonzero(x > claim.high) / x.size))


def sorted_claim_counts(ordered: np.ndarray, claim: Claim
                        ) -> tuple[tuple[float, float, int], tuple[float, float]]:
    """:func:`claim_holds` and :func:`claim_sides` of independent rows from their values sorted
    ascending with nan last (:func:`~.summary.summarize_ordered`): each count is a binary
    search, ``#{low <= x <= high}`` the difference of two."""
    kept = ordered[:int(np.searchsorted(ordered, math.nan))]  # nan sorts (and searches) last
    m = kept.size
    if m == 0:
        return (math.nan, math.nan, 0), (math.nan, math.nan)
    below = int(np.searchsorted(kept, claim.low, side="left"))
    above = m - int(np.searchsorted(kept, claim.high, side="right"))
    hits = max(m - below - above, 0)
    return ((hits / m, count_fraction_mcse(hits, m), m), (below / m, above / m))


def within_noise(p: float, mcse: float) -> bool:
    """Whether ``p`` cannot be told from 1/2: ``|p - 1/2| < 2 mcse`` (see the module)."""
    return abs(p - 0.5) < NOISE_WIDTH * mcse


def verdict_of(p: float, mcse: float, claim: Claim, better: str) -> tuple[str, str]:
    """The verdict (English, Dutch) for ``p_claim_holds`` with its MCSE (see the module)."""
    if within_noise(p, mcse):
        return NOISE
    directional = claim.direction != "none" and claim.direction == better
    scale = VERDICTS if directional else NEUTRAL_VERDICTS
    return next((en, nl) for limit, en, nl in scale if p >= limit)


def audit_claim(output: str, values: np.ndarray, claim: float | Claim, *, ci: float = 0.90,
                currency: str = "EUR", unit: str | None = None, better: str | None = None
                ) -> Audit:
    """Audit ``claim`` against the samples ``values`` of ``output`` (non-finite left out, but
    the +inf of an output in ``summary.INFINITE_OK``: a payback year that never comes).

    A bare number is "at least this good" following ``better`` (by default the built-in
    direction of the output's name); ``unit`` decides whether numbers are shown as money
    (by default the built-in unit of the output's name; a custom name has none).
    """
    better = better or units.builtin_better(output)
    stated = claim if isinstance(claim, Claim) else at_least_as_good(float(claim), better)
    summary = summarize(values, ci, stated.figure, keep_inf=output in INFINITE_OK)
    return audit_summary(output, summary, ci=ci, currency=currency,
                         stated=stated, holds=claim_holds(values, stated)[:2], unit=unit,
                         better=better, sides=claim_sides(values, stated))


def audit_summary(output: str, summary: Summary, *, ci: float = 0.90, currency: str = "EUR",
                  stated: Claim | None = None, holds: tuple[float, float] | None = None,
                  unit: str | None = None, better: str = "higher",
                  sides: tuple[float, float] | None = None) -> Audit:
    """Audit the claim of a :class:`Summary`; ``holds`` is ``(p_claim_holds, mcse)`` from
    :func:`claim_holds` (without it, only a one-sided claim can be judged from the summary);
    ``sides`` (from :func:`claim_sides`) says on which side a two-sided claim fails."""
    claim = summary.claim
    assert claim is not None
    stated = stated or at_least_as_good(claim, better)
    if summary.claim_percentile is None or math.isnan(summary.mean):  # +inf: never pays back
        nan = math.nan
        return Audit(output, claim, nan, nan, nan, "unknown",
                     f"{output} could not be simulated, so its claim cannot be judged.",
                     f"{output} kon niet worden gesimuleerd; de claim is niet te beoordelen.",
                     stated=stated, verdict_nl="onbekend")
    below = summary.claim_percentile
    p_more = 1.0 - below
    mcse_more = float(summary.claim_percentile_mcse or 0.0)
    if holds is None:
        if stated.form != "at_least":
            raise ValueError("audit_summary needs holds= for a claim that is not 'at least'")
        holds = (p_more, mcse_more)
    p, mcse = holds
    verdict_en, verdict_nl = verdict_of(p, mcse, stated, better)
    money = units.is_money(unit if unit is not None else units.unit_by_name(output))
    fmt_en = _formatter(money, currency, dutch=False)
    fmt_nl = _formatter(money, currency, dutch=True)
    noise = verdict_en == NOISE[0]
    en = (f"The published {output} of {_stated(stated, fmt_en, False)} is {verdict_en}: "
          f"the chance that {_condition(stated, fmt_en, False)} is "
          f"{_chance(p, mcse, noise, False)}{_sides(stated, sides, False)}; the simulation "
          f"puts it between {fmt_en(summary.low)} and {fmt_en(summary.high)} ({ci:.0%} interval).")
    nl = (f"De gepubliceerde {output} van {_stated(stated, fmt_nl, True)} is {verdict_nl}: "
          f"de kans dat {_condition(stated, fmt_nl, True)}, is "
          f"{_chance(p, mcse, noise, True)}{_sides(stated, sides, True)}; de simulatie "
          f"plaatst haar tussen {fmt_nl(summary.low)} en {fmt_nl(summary.high)} "
          f"({_pct(ci, True)}-interval).")
    return Audit(output, float(claim), below, p_more, mcse_more, verdict_en, en, nl, p, mcse,
                 noise, stated, verdict_nl)


def _stated(claim: Claim, fmt: Callable[[float], str], dutch: bool) -> str:
    if claim.form == "between":
        return f"{fmt(claim.low)} {'tot' if dutch else 'to'} {fmt(claim.high)}"
    if claim.form == "value":
        return (f"{fmt(claim.figure)} ({'afgerond op' if dutch else 'rounded to'} "
                f"{fmt(claim.rounded)})")
    return fmt(claim.figure)


def _condition(claim: Claim, fmt: Callable[[float], str], dutch: bool) -> str:
    if claim.form == "at_least":
        return ("de werkelijke waarde minstens zo hoog is" if dutch
                else "the true value is at least this high")
    if claim.form == "at_most":
        return ("de werkelijke waarde hoogstens zo hoog is" if dutch
                else "the true value is at most this high")
    if claim.form == "between":
        return ("de werkelijke waarde in dit bereik ligt" if dutch
                else "the true value lies in this range")
    return (f"de werkelijke waarde tussen {fmt(claim.low)} en {fmt(claim.high)} ligt" if dutch
            else f"the true value lies between {fmt(claim.low)} and {fmt(claim.high)}")


def _sides(claim: Claim, sides: tuple[float, float] | None, dutch: bool) -> str:
    if claim.direction != "none" or sides is None or not all(map(math.isfinite, sides)):
        return ""
    below, above = (_pct(v, dutch, 1) for v in sides)
    return (f" (eronder {below}, erboven {above})" if dutch
            else f" ({below} below it, {above} above)")


def _chance(p: float, mcse: float, noise: bool, dutch: bool) -> str:
    if noise:
        pm = f"{_pct(p, dutch)} ± {_pct(mcse, dutch)}"
        return (f"{pm}, niet te onderscheiden van 50% (meer iteraties kunnen dat beslechten)"
                if dutch else f"{pm}, which cannot be told from 50% (more iterations can "
                "settle it)")
    if p < 0.001:
        return "minder dan 0,1%" if dutch else "less than 0.1%"
    if p > 0.999:
        return "meer dan 99,9%" if dutch else "more than 99.9%"
    text = _pct(p, dutch, 1 if p <= 0.1 or p >= 0.9 else 0)
    if p < 0.5:
        one_in = round(1 / p)
        text += f" ({'1 op de' if dutch else '1 in'} {one_in})"
    return text


def _pct(p: float, dutch: bool, digits: int | None = None) -> str:
    if digits is None:
        digits = 1 if p < 0.1 or p > 0.9 else 0
    text = f"{100 * p:.{digits}f}%"
    return text.replace(".", ",") if dutch else text


def _formatter(money: bool, currency: str, dutch: bool) -> Callable[[float], str]:
    symbol = {"EUR": "€", "USD": "$", "GBP": "£"}.get(currency, currency + " ")

    def fmt(x: float) -> str:
        if math.isinf(x):  # a payback year that never comes (summary.INFINITE_OK)
            return "-∞" if x < 0 else "∞"
        text = f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.3g}"
        if dutch:
            text = text.replace(",", "_").replace(".", ",").replace("_", ".")
        if not money:
            return text
        sign = "-" if text.startswith("-") else ""
        return f"{sign}{symbol}{' ' if dutch else ''}{text.lstrip('-')}"

    return fmt
