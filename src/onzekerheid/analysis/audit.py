"""Claim audit: how plausible is a published figure, in numbers and in one plain sentence.

For an output with a ``[claim]``: the claim's percentile in the simulated distribution (the
share of iterations below it), ``P(true value >= claim)`` with its Monte Carlo standard error
``sqrt(p (1 - p) / n)``, a verdict, and one sentence in English and Dutch that a policymaker
can read without statistics.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from .summary import Summary, summarize

# (lowest P(true >= claim), verdict in English, in Dutch), from the top down
VERDICTS = (
    (0.9, "conservative", "voorzichtig"),
    (0.5, "plausible", "aannemelijk"),
    (0.2, "optimistic", "optimistisch"),
    (0.02, "very optimistic", "zeer optimistisch"),
    (0.0, "implausible", "onwaarschijnlijk"),
)
NOT_MONEY = ("bcr", "ratio", "hours", "share", "rate", "count", "percent")


@dataclass(frozen=True)
class Audit:
    """The audit of one claim (see the module docstring)."""

    output: str
    claim: float
    percentile: float  # share of iterations below the claim
    p_claim_or_more: float
    p_claim_or_more_mcse: float
    verdict: str
    sentence_en: str
    sentence_nl: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def audit_claim(output: str, values: np.ndarray, claim: float, *, ci: float = 0.90,
                currency: str = "EUR") -> Audit:
    """Audit ``claim`` against the samples ``values`` of ``output`` (non-finite left out)."""
    return audit_summary(output, summarize(values, ci, claim), ci=ci, currency=currency)


def audit_summary(output: str, summary: Summary, *, ci: float = 0.90,
                  currency: str = "EUR") -> Audit:
    """Audit the claim of a :class:`Summary` (its claim percentile, MCSE and interval)."""
    claim = summary.claim
    assert claim is not None
    if summary.claim_percentile is None or not math.isfinite(summary.mean):
        nan = math.nan
        return Audit(output, claim, nan, nan, nan, "unknown",
                     f"{output} could not be simulated, so its claim cannot be judged.",
                     f"{output} kon niet worden gesimuleerd; de claim is niet te beoordelen.")
    below = summary.claim_percentile
    p = 1.0 - below
    mcse = float(summary.claim_percentile_mcse or 0.0)
    low, high = summary.low, summary.high
    verdict_en, verdict_nl = next((en, nl) for limit, en, nl in VERDICTS if p >= limit)
    money = not any(word in output.lower() for word in NOT_MONEY)
    fmt_en = _formatter(money, currency, dutch=False)
    fmt_nl = _formatter(money, currency, dutch=True)
    chance_en = _chance(p, dutch=False)
    chance_nl = _chance(p, dutch=True)
    en = (f"The published {output} of {fmt_en(claim)} is {verdict_en}: the chance that the "
          f"true value is at least this high is {chance_en}; the simulation puts it between "
          f"{fmt_en(low)} and {fmt_en(high)} ({ci:.0%} interval).")
    nl = (f"De gepubliceerde {output} van {fmt_nl(claim)} is {verdict_nl}: de kans dat de "
          f"werkelijke waarde minstens zo hoog is, is {chance_nl}; de simulatie plaatst haar "
          f"tussen {fmt_nl(low)} en {fmt_nl(high)} ({_pct(ci, True)}-interval).")
    return Audit(output, float(claim), below, p, mcse, verdict_en, en, nl)


def _chance(p: float, dutch: bool) -> str:
    if p < 0.001:
        return "minder dan 0,1%" if dutch else "less than 0.1%"
    if p > 0.999:
        return "meer dan 99,9%" if dutch else "more than 99.9%"
    text = _pct(p, dutch)
    if p < 0.5:
        one_in = round(1 / p)
        text += f" ({'1 op de' if dutch else '1 in'} {one_in})"
    return text


def _pct(p: float, dutch: bool) -> str:
    digits = 1 if p < 0.1 or p > 0.9 else 0
    text = f"{100 * p:.{digits}f}%"
    return text.replace(".", ",") if dutch else text


def _formatter(money: bool, currency: str, dutch: bool) -> Callable[[float], str]:
    symbol = {"EUR": "€", "USD": "$", "GBP": "£"}.get(currency, currency + " ")

    def fmt(x: float) -> str:
        text = f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.3g}"
        if dutch:
            text = text.replace(",", "_").replace(".", ",").replace("_", ".")
        if not money:
            return text
        sign = "-" if text.startswith("-") else ""
        return f"{sign}{symbol}{' ' if dutch else ''}{text.lstrip('-')}"

    return fmt
