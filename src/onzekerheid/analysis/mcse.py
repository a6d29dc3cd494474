r"""Monte Carlo standard errors: the one estimator behind every standard error reported.

Rows of a run are independent unless the scenario has ``[correlations]``: Iman–Conover then
reorders the draws *within* each block of the engine (:data:`~onzekerheid.engine.runner.BLOCK`
rows), so rows of one block depend on each other while blocks stay independent (each has its
own streams). ``sd / sqrt(n)`` is then wrong (with savings and costs correlated at 0.8 it
understates the error of the mean of their difference about 2.2-fold: the block's mean of
``savings - costs`` does not change when its rows are reordered, so it varies like the mean
of independent draws, whose difference has the larger variance).

Importance resampling for ``[[evidence]]`` makes rows depend on each other too (repeated
rows); see :func:`rows_per_batch`.

Every function here takes the samples **in run order** and ``batch``, the number of rows per
batch: 1 for independent rows, ``BLOCK`` otherwise (:func:`rows_per_batch`). Batch
``b`` holds rows ``b * batch .. (b + 1) * batch - 1``; non-finite rows are left out of every
statistic but keep their place, so the batches stay the engine's blocks.

Batch means (cluster-robust variance with the batches as clusters). For a statistic that is
(to first order) a mean :math:`\bar z = \frac1n\sum_i z_i` of per-row values, with batch
sums :math:`Z_b` and sizes :math:`n_b` over :math:`B` non-empty batches,

.. math::

    \widehat{\operatorname{Var}}(\bar z) = \frac{B}{B - 1}\,\frac{1}{n^2}
        \sum_b \bigl(Z_b - n_b \bar z\bigr)^2 ,

which with ``batch = 1`` is exactly ``var(z, ddof=1) / n``. It needs ``B >= 2`` (else
``nan``); with few batches the MCSE is itself uncertain (``B - 1`` degrees of freedom).

* mean: ``z = x``;
* probability ``P(x in A)``: ``z = 1[x in A]``; at an estimate of exactly 0 or 1 the
  variance is 0, so the MCSE reported is half the **rule of three** bound ``3 / n``
  (Hanley & Lippman-Hand 1983; the one-sided 95% upper bound on a probability never seen in
  ``n`` independent trials), so that the usual ``± 2 MCSE`` band reaches that bound;
* sd (delta method with the fourth moment): ``z = (x - mean)^2`` gives the MCSE of the
  variance ``s^2``, and ``MCSE(s) = MCSE(s^2) / (2 s)``; for independent rows this is
  :math:`\sqrt{(m_4 - s^4) / n} / (2 s)`, which normal theory's ``s / sqrt(2 (n - 1))``
  understates for heavy tails;
* quantile ``q`` (distribution-free, order statistics): with ``e`` the MCSE of the fraction
  of rows at or below the estimated quantile (the probability rule above, so batch means
  with correlations; ``sqrt(q (1 - q) / n)`` for independent rows), the MCSE is half the
  distance between the order statistics of ranks ``n (q -+ e)``: one standard error of the
  count below the quantile mapped to the value scale (the method of the Stan reference
  manual; Vehtari et al. 2021 use the same with an effective sample size).

References
----------
Flegal, J. M. and Jones, G. L. (2010), Batch means and spectral variance estimators in Markov
chain Monte Carlo, Annals of Statistics 38, 1034–1070. Hanley, J. A. and Lippman-Hand, A.
(1983), If nothing goes wrong, is everything all right?, JAMA 249, 1743–1745. Vehtari, A. et
al. (2021), Rank-normalization, folding, and localization: an improved R-hat, Bayesian
Analysis 16, 667–718.
"""

from __future__ import annotations

import math

import numpy as np

from ..engine.runner import BLOCK
from ..scenario.model import Scenario

RULE_OF_THREE = 3.0


def rows_per_batch(scenario: Scenario) -> int:
    """``BLOCK`` when rows of a run depend on each other, else 1.

    They do with ``[correlations]`` (within a block) and when ``[[evidence]]`` is applied by
    importance resampling (:mod:`.posterior`): systematic resampling repeats heavy rows next
    to each other and keeps the run's order, so contiguous batches of ``BLOCK`` rows are
    nearly independent while single rows are not (``sd / sqrt(n)`` would ignore the
    effective sample size: 0.78 of the true error in a beta-binomial example).
    """
    if scenario.correlations is not None:
        return BLOCK
    resampled = any(u.applied and u.weighted for u in scenario.evidence)
    return BLOCK if resampled else 1


def batch_ids(values: np.ndarray, batch: int) -> tuple[np.ndarray, np.ndarray | None]:
    """The finite values (run order kept) and their batch numbers (None when ``batch`` is 1)."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    if batch <= 1:
        return (values if finite.all() else values[finite]), None
    ids = np.arange(values.size, dtype=np.int64) // batch
    if finite.all():
        return values, ids
    return values[finite], ids[finite]


def variance_of_mean(z: np.ndarray, ids: np.ndarray | None) -> float:
    """Batch-means variance of ``mean(z)`` (module docstring); ``ids`` None: independent rows."""
    n = z.size
    if ids is None:
        return float(np.var(z, ddof=1)) / n if n > 1 else math.nan
    counts = np.bincount(ids)
    sums = np.bincount(ids, weights=z)
    used = counts > 0
    b = int(np.count_nonzero(used))
    if b < 2:
        return math.nan
    resid = sums[used] - counts[used] * float(z.mean())
    return b / (b - 1) * float(np.dot(resid, resid)) / n**2


def mean_mcse(values: np.ndarray, batch: int = 1) -> float:
    """MCSE of the mean of the finite ``values`` (batch means; module docstring)."""
    x, ids = batch_ids(values, batch)
    return math.sqrt(variance_of_mean(x, ids)) if x.size > 1 else math.nan


def fraction_mcse(hits: np.ndarray, ids: np.ndarray | None) -> float:
    """MCSE of the fraction of True in ``hits`` (finite rows, with their batch numbers).

    At 0 or 1: half the rule-of-three bound ``3 / n`` (module docstring).
    """
    n = hits.size
    if n == 0:
        return math.nan
    count = int(np.count_nonzero(hits))
    if count in (0, n):
        return RULE_OF_THREE / (2.0 * n)
    if ids is None:  # the binomial formula, sqrt(p (1 - p) / n)
        p = count / n
        return math.sqrt(p * (1.0 - p) / n)
    return math.sqrt(max(variance_of_mean(hits.astype(np.float64), ids), 0.0))


def probability_mcse(values: np.ndarray, hits: np.ndarray, batch: int = 1) -> float:
    """MCSE of ``P(event)``: ``hits`` marks the rows of ``values`` (run order) where it holds.

    Non-finite rows of ``values`` are left out of both.
    """
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    hits = np.asarray(hits, dtype=bool)
    ids = None if batch <= 1 else np.arange(values.size, dtype=np.int64) // batch
    if not finite.all():
        hits = hits[finite]
        ids = None if ids is None else ids[finite]
    return fraction_mcse(hits, ids)


def sd_mcse(values: np.ndarray, batch: int = 1) -> float:
    """MCSE of the sample sd (delta method with the fourth moment, batch means)."""
    x, ids = batch_ids(values, batch)
    n = x.size
    if n < 3:
        return math.nan
    z = (x - x.mean()) ** 2
    s2 = float(z.sum()) / (n - 1)
    if s2 == 0.0:
        return 0.0
    var_s2 = variance_of_mean(z, ids) * (n / (n - 1)) ** 2
    return math.sqrt(max(var_s2, 0.0)) / (2.0 * math.sqrt(s2))


def _rank_bounds(n: int, q: float, e: float) -> tuple[int, int]:
    lo = min(max(int(math.floor(n * (q - e))), 0), n - 1)
    hi = min(max(int(math.ceil(n * (q + e))), 0), n - 1)
    return lo, hi


def quantiles_with_mcse(values: np.ndarray, qs: list[float], batch: int = 1
                        ) -> list[tuple[float, float]]:
    """Quantiles (numpy's default linear method) of the finite ``values`` and their MCSEs.

    See the module docstring for the MCSE; independent rows need one partial sort only.
    """
    x, ids = batch_ids(values, batch)
    n = x.size
    if n == 0:
        return [(math.nan, math.nan) for _ in qs]
    positions = []
    wanted: set[int] = set()
    for q in qs:
        position = (n - 1) * q
        floor = int(math.floor(position))
        positions.append((position - floor, floor, min(floor + 1, n - 1)))
        wanted.update(positions[-1][1:])
    if ids is None:  # independent rows: the ranks are known before sorting, one partition
        errors = [math.sqrt(q * (1.0 - q) / n) for q in qs]
        bounds = [_rank_bounds(n, q, e) for q, e in zip(qs, errors, strict=True)]
        part = np.partition(x, sorted(wanted | {r for pair in bounds for r in pair}))
        quantiles = [float(part[f] + (part[c] - part[f]) * frac) for frac, f, c in positions]
    else:
        part = np.partition(x, sorted(wanted))
        quantiles = [float(part[f] + (part[c] - part[f]) * frac) for frac, f, c in positions]
        errors = [fraction_mcse(x <= value, ids) for value in quantiles]
        bounds = [_rank_bounds(n, q, e if math.isfinite(e) else 0.0)
                  for q, e in zip(qs, errors, strict=True)]
        part = np.partition(part, sorted({r for pair in bounds for r in pair}))
    return [(value, float(part[hi] - part[lo]) / 2.0 if n >= 10 and math.isfinite(e)
             else math.nan)
            for value, e, (lo, hi) in zip(quantiles, errors, bounds, strict=True)]


def quantile_mcse(values: np.ndarray, q: float, batch: int = 1) -> float:
    """MCSE of the q-quantile of the finite ``values`` (see :func:`quantiles_with_mcse`)."""
    return quantiles_with_mcse(values, [q], batch)[0][1]
