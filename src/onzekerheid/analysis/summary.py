"""Summaries of one output's samples: location, spread, interval, Monte Carlo error, claim."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np

from .mcse import (
    batch_ids,
    count_fraction_mcse,
    fraction_mcse,
    quantile_mcse,
    quantiles_with_mcse,
    sorted_quantiles_with_mcse,
    variance_of_mean,
)

__all__ = ["Summary", "quantile_mcse", "quantiles_with_mcse", "summarize", "summarize_ordered"]


@dataclass(frozen=True)
class Summary:
    """What ``run`` reports per output: the contract's keys, each number with its MCSE.

    ``mcse`` is the Monte Carlo standard error of the mean, ``sd / sqrt(n)`` for independent
    iterations and by batch means over the engine's blocks with ``[correlations]``.
    ``low``/``high`` bound the equal-tailed interval at level ``ci``;
    ``claim_percentile`` is the fraction of iterations below the claimed value. The ``*_mcse``
    fields are the MCSEs of the median, the interval ends (order statistics) and of the two
    fractions (``sqrt(p (1 - p) / n)`` for independent iterations; half the rule-of-three bound
    at 0 or 1). Every MCSE comes from :mod:`.mcse`, which says how.
    ``nonfinite`` counts iterations where the output was not a finite number; they are left
    out of every statistic and reported, never dropped silently.
    """

    mean: float
    sd: float
    mcse: float
    median: float
    low: float
    high: float
    p_positive: float
    claim: float | None
    claim_percentile: float | None
    nonfinite: int
    median_mcse: float = math.nan
    low_mcse: float = math.nan
    high_mcse: float = math.nan
    p_positive_mcse: float = math.nan
    claim_percentile_mcse: float | None = None

    def as_dict(self) -> dict[str, float | int | None]:
        return {k: _clean(v) for k, v in asdict(self).items()}


def _clean(value: float | int | None) -> float | int | None:
    if value is None or isinstance(value, int):
        return value
    return None if not math.isfinite(value) else float(value)


def summarize(values: np.ndarray, ci: float = 0.90, claim: float | None = None,
              batch: int = 1, *, keep_inf: bool = False) -> Summary:
    """Summarise the samples of one output (non-finite iterations are counted, then left out).

    ``values`` in run order; ``batch``: rows per batch for the MCSEs (1 for independent rows,
    :func:`~.mcse.rows_per_batch` of the scenario in general). With ``keep_inf``, +inf is a
    value that sorts above every other (a ``payback_year`` that never comes), -inf one below
    every other (a difference of payback years where only the baseline never pays back): they
    enter the quantiles (which are infinite where they reach them) and make the mean infinite
    (nan with both). Use ``keep_inf=name in INFINITE_OK``.
    """
    return summarize_ordered(values, ci, claim, batch, keep_inf=keep_inf)[0]


def summarize_ordered(values: np.ndarray, ci: float = 0.90, claim: float | None = None,
                      batch: int = 1, *, keep_inf: bool = False
                      ) -> tuple[Summary, np.ndarray | None]:
    """:func:`summarize`, and for independent rows (``batch`` 1) every value sorted ascending
    (nan last, the infinities kept), from which a claim audit counts without another pass
    (:func:`~.audit.sorted_claim_counts`); None otherwise.

    Independent rows take one copy and one sort: the mean and sd on the copy in run order,
    then every quantile, its MCSE and both fractions from the sorted copy (a count below a
    value is a binary search). The numbers are those of the run-order formulas.
    """
    values = np.asarray(values, dtype=np.float64)
    if keep_inf and np.isinf(values).any():
        clipped = summarize_ordered(np.clip(values, -_NEVER, _NEVER), ci, claim, batch)[0]
        return _with_inf(clipped, *(bool(f(values).any())
                                    for f in (np.isposinf, np.isneginf))), None
    if batch > 1:
        return _summarize_batched(values, ci, claim, batch), None
    ordered = np.array(values, dtype=np.float64)  # an own copy, sorted in place below
    finite = np.isfinite(ordered)
    x = ordered if finite.all() else ordered[finite]
    n = x.size
    if n == 0:
        nan = math.nan
        return Summary(nan, nan, nan, nan, nan, nan, nan, claim, None, values.size), ordered
    mean, sd, mcse = _moments(x)
    ordered.sort()
    first = int(np.searchsorted(ordered, -math.inf, side="right"))  # after the -inf
    finite_sorted = ordered[first:first + n]
    tail = (1.0 - ci) / 2.0
    (low, low_mcse), (median, median_mcse), (high, high_mcse) = sorted_quantiles_with_mcse(
        finite_sorted, [tail, 0.5, 1.0 - tail])
    positive = n - int(np.searchsorted(finite_sorted, 0.0, side="right"))
    below = None
    if claim is not None:
        below = 0 if math.isnan(claim) else int(np.searchsorted(finite_sorted, claim))
    return Summary(
        mean=mean, sd=sd, mcse=mcse, median=median, low=low, high=high,
        p_positive=float(positive / n), claim=claim,
        claim_percentile=None if below is None else float(below / n),
        nonfinite=int(values.size - n), median_mcse=median_mcse, low_mcse=low_mcse,
        high_mcse=high_mcse, p_positive_mcse=count_fraction_mcse(positive, n),
        claim_percentile_mcse=None if below is None else count_fraction_mcse(below, n),
    ), ordered


def _moments(x: np.ndarray) -> tuple[float, float, float]:
    """Mean, sample sd and MCSE of the mean of independent finite ``x``, from one variance
    (``sd = sqrt(var)``, ``mcse = sqrt(var / n)``, as numpy's std and :func:`.mcse.
    variance_of_mean` compute them); the scaled forms when a sum or a square overflows."""
    n = x.size
    with np.errstate(over="ignore", invalid="ignore"):
        mean = float(x.mean())
        var = float(x.var(ddof=1)) if n > 1 else 0.0
    if not (math.isfinite(mean) and math.isfinite(var)):
        mean, sd = _mean_sd(x)
        return mean, sd, _mcse(x, None) if n > 1 else math.nan
    return mean, math.sqrt(var), math.sqrt(var / n) if n > 1 else math.nan


def _summarize_batched(values: np.ndarray, ci: float, claim: float | None,
                       batch: int) -> Summary:
    """:func:`summarize` for rows that depend on each other within batches (batch means)."""
    x, ids = batch_ids(values, batch)
    nonfinite = int(values.size - x.size)
    n = x.size
    if n == 0:
        nan = math.nan
        return Summary(nan, nan, nan, nan, nan, nan, nan, claim, None, nonfinite)
    mean, sd = _mean_sd(x)
    tail = (1.0 - ci) / 2.0
    (low, low_mcse), (median, median_mcse), (high, high_mcse) = quantiles_with_mcse(
        values, [tail, 0.5, 1.0 - tail], batch)
    positive = x > 0
    p_positive = float(np.count_nonzero(positive) / n)
    below = None if claim is None else x < claim
    percentile = None if below is None else float(np.count_nonzero(below) / n)
    return Summary(
        mean=mean,
        sd=sd,
        mcse=_mcse(x, ids) if n > 1 else math.nan,
        median=median,
        low=low,
        high=high,
        p_positive=p_positive,
        claim=claim,
        claim_percentile=percentile,
        nonfinite=nonfinite,
        median_mcse=median_mcse,
        low_mcse=low_mcse,
        high_mcse=high_mcse,
        p_positive_mcse=fraction_mcse(positive, ids),
        claim_percentile_mcse=None if below is None else fraction_mcse(below, ids),
    )


def _mean_sd(values: np.ndarray) -> tuple[float, float]:
    """Mean and sample sd; for values near the float limit (1e300) the sum or the squared
    deviations overflow, so they are then taken on ``values / max|values|`` and scaled back."""
    with np.errstate(over="ignore"):
        mean = float(values.mean())
        sd = float(values.std(ddof=1)) if values.size > 1 else 0.0
    if math.isinf(mean) or math.isinf(sd):
        scale = float(np.max(np.abs(values)))
        scaled = values / scale
        mean = float(scaled.mean()) * scale
        sd = float(scaled.std(ddof=1)) * scale if values.size > 1 else 0.0
    return mean, sd


def _mcse(x: np.ndarray, ids: np.ndarray | None) -> float:
    """MCSE of the mean, on ``x / max|x|`` scaled back when the squares overflow (1e160)."""
    with np.errstate(over="ignore", invalid="ignore"):
        mcse = math.sqrt(variance_of_mean(x, ids))
    if math.isfinite(mcse):
        return mcse
    scale = float(np.max(np.abs(x)))
    with np.errstate(over="ignore", invalid="ignore"):
        return math.sqrt(variance_of_mean(x / scale, ids)) * scale


# Outputs whose +inf is a value, not a failure: the payback year of a programme that never
# pays back sorts above every year (DESIGN.md, "Social-domain model, second version").
INFINITE_OK = frozenset({"payback_year"})

# +-inf stand in as the largest floats while summarising; anything interpolated towards them
# (beyond _HUGE) is infinite again, and the spread and MCSEs built on it are undefined.
_NEVER = float(np.finfo(np.float64).max)
_HUGE = 1e300


def _with_inf(s: Summary, above: bool = True, below: bool = False) -> Summary:
    def back(x: float) -> float:
        return math.copysign(math.inf, x) if abs(x) > _HUGE else x

    def error(value: float, mcse: float) -> float:
        return math.nan if abs(value) > _HUGE or mcse > _HUGE else mcse

    mean = math.nan if above and below else math.inf if above else -math.inf
    return replace(s, mean=mean, sd=math.nan, mcse=math.nan, median=back(s.median),
                   low=back(s.low), high=back(s.high),
                   median_mcse=error(s.median, s.median_mcse),
                   low_mcse=error(s.low, s.low_mcse), high_mcse=error(s.high, s.high_mcse))

