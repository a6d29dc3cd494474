"""Summaries of one output's samples: location, spread, interval, Monte Carlo error, claim."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Summary:
    """What ``run`` reports per output (JSON keys of the contract, plus ``nonfinite``).

    ``mcse`` is the Monte Carlo standard error of the mean, ``sd / sqrt(n)`` for independent
    iterations. ``low``/``high`` bound the equal-tailed interval at level ``ci``;
    ``claim_percentile`` is the fraction of iterations below the claimed value.
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

    def as_dict(self) -> dict[str, float | int | None]:
        return {k: _clean(v) for k, v in asdict(self).items()}


def _clean(value: float | int | None) -> float | int | None:
    if value is None or isinstance(value, int):
        return value
    return None if not math.isfinite(value) else float(value)


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
    mean = float(values.mean())
    sd = float(values.std(ddof=1)) if n > 1 else 0.0
    tail = (1.0 - ci) / 2.0
    low, median, high = np.quantile(values, [tail, 0.5, 1.0 - tail])
    percentile = None if claim is None else float(np.count_nonzero(values < claim) / n)
    return Summary(
        mean=mean,
        sd=sd,
        mcse=sd / math.sqrt(n),
        median=float(median),
        low=float(low),
        high=float(high),
        p_positive=float(np.count_nonzero(values > 0) / n),
        claim=claim,
        claim_percentile=percentile,
        nonfinite=nonfinite,
    )
