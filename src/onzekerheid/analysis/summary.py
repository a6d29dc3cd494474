"""Summaries of one output's samples: location, spread, interval, Monte Carlo error, claim."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Summary:
    """What ``run`` reports per output: the contract's keys, each number with its MCSE.

    ``mcse`` is the Monte Carlo standard error of the mean, ``sd / sqrt(n)`` for independent
    iterations. ``low``/``high`` bound the equal-tailed interval at level ``ci``;
    ``claim_percentile`` is the fraction of iterations below the claimed value. The ``*_mcse``
    fields are the MCSEs of the median, the interval ends (order-statistic method, see
    :func:`quantile_mcse`) and of the two fractions (binomial, ``sqrt(p (1 - p) / n)``).
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


def _rank_bounds(n: int, q: float) -> tuple[int, int]:
    spread = math.sqrt(n * q * (1.0 - q))
    lo = min(max(int(math.floor(n * q - spread)), 0), n - 1)
    hi = min(max(int(math.ceil(n * q + spread)), 0), n - 1)
    return lo, hi


def quantiles_with_mcse(values: np.ndarray, qs: list[float]) -> list[tuple[float, float]]:
    """Quantiles (numpy's default linear method) and their MCSEs from one partial sort.

    The MCSE of the q-quantile is half the distance between the order statistics of ranks
    ``n q -+ sqrt(n q (1 - q))``, the normal approximation to the binomial distribution of the
    number of draws below the true quantile (distribution-free; see e.g. Hyndman & Fan 1996
    and the Stan reference manual's quantile MCSE).
    """
    n = values.size
    wanted: set[int] = set()
    plan = []
    for q in qs:
        position = (n - 1) * q
        floor = int(math.floor(position))
        ceil = min(floor + 1, n - 1)
        lo, hi = _rank_bounds(n, q)
        wanted.update((floor, ceil, lo, hi))
        plan.append((position - floor, floor, ceil, lo, hi))
    part = np.partition(values, sorted(wanted))
    out = []
    for frac, floor, ceil, lo, hi in plan:
        quantile = part[floor] + (part[ceil] - part[floor]) * frac
        mcse = (part[hi] - part[lo]) / 2.0 if n >= 10 else math.nan
        out.append((float(quantile), float(mcse)))
    return out


def quantile_mcse(values: np.ndarray, q: float) -> float:
    """MCSE of the q-quantile of the finite ``values`` (see :func:`quantiles_with_mcse`)."""
    x = values[np.isfinite(values)]
    if x.size < 2:
        return math.nan
    return quantiles_with_mcse(x, [q])[0][1]


def summarize(values: np.ndarray, ci: float = 0.90, claim: float | None = None) -> Summary:
    """Summarise the samples of one output (non-finite iterations are counted, then left out)."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    nonfinite = int(values.size - np.count_nonzero(finite))
    if nonfinite:
        values = values[finite]
    n = values.size
    if n == 0:
        nan = math.nan
        return Summary(nan, nan, nan, nan, nan, nan, nan, claim, None, nonfinite)
    mean, sd = _mean_sd(values)
    tail = (1.0 - ci) / 2.0
    (low, low_mcse), (median, median_mcse), (high, high_mcse) = quantiles_with_mcse(
        values, [tail, 0.5, 1.0 - tail]
    )
    p_positive = float(np.count_nonzero(values > 0) / n)
    percentile = None if claim is None else float(np.count_nonzero(values < claim) / n)
    return Summary(
        mean=mean,
        sd=sd,
        mcse=sd / math.sqrt(n),
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
        p_positive_mcse=math.sqrt(p_positive * (1.0 - p_positive) / n),
        claim_percentile_mcse=None if percentile is None
        else math.sqrt(percentile * (1.0 - percentile) / n),
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
