"""Which parameters drive an output: tornado, rank correlations, Sobol' indices, regional.

* :func:`tornado` — one parameter at a time at its 5th and 95th percentile, the others at
  their medians (one-at-a-time, local).
* :func:`rank` — Spearman and partial rank correlation (PRCC) on a plain Monte Carlo sample:
  global, monotone relations, free.
* :func:`sobol` — first- and total-order variance-based indices (global, any relation).
* :func:`regional` — which parameters separate iterations below a threshold from the rest
  (Kolmogorov–Smirnov distance between the two conditional distributions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats
from scipy.stats import qmc

from ..errors import ScenarioError, SimulationError
from .display import TableView
from .model import Model, evaluate, sample

CASES = "cases"  # the name of the per-case randomness as a Sobol' group
DEFAULT_BASE = 2**14
DEFAULT_RESAMPLES = 500
TORNADO_LOW, TORNADO_HIGH = 0.05, 0.95
TORNADO_CASE_ITERATIONS = 2**12
CORRELATION_WARNING = ("the scenario has [correlations]; Sobol' indices assume independent "
                       "parameters and are computed without them")


@dataclass(frozen=True)
class SobolResult(TableView):
    """First- and total-order indices with bootstrap percentile intervals at ``level``."""

    output: str
    base: int
    evaluations: int
    level: float
    resamples: int
    names: tuple[str, ...]
    first: np.ndarray
    first_ci: np.ndarray  # (k, 2)
    total: np.ndarray
    total_ci: np.ndarray
    groups: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "output": self.output, "method": "sobol", "iterations": self.base,
            "evaluations": self.evaluations,
            "estimator": "first order: Saltelli et al. (2010); total: Jansen (1999); "
                         f"{self.level:.0%} bootstrap percentile intervals "
                         f"({self.resamples} resamples)",
            "parameters": {
                name: {"first": _f(self.first[i]), "first_low": _f(self.first_ci[i, 0]),
                       "first_high": _f(self.first_ci[i, 1]), "total": _f(self.total[i]),
                       "total_low": _f(self.total_ci[i, 0]),
                       "total_high": _f(self.total_ci[i, 1])}
                for i, name in enumerate(self.names)},
            "groups": list(self.groups), "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class TornadoResult(TableView):
    """Output with each parameter at its low and high percentile, the others at medians."""

    output: str
    base: float
    names: tuple[str, ...]
    low: np.ndarray
    high: np.ndarray
    inputs: np.ndarray  # (k, 2) parameter values used
    iterations: int  # rows averaged per setting (1 without per-case randomness)
    warnings: tuple[str, ...] = ()

    @property
    def swing(self) -> np.ndarray:
        return np.abs(self.high - self.low)

    def to_json(self) -> dict[str, Any]:
        order = np.argsort(-np.nan_to_num(self.swing, nan=-1.0), kind="stable")
        return {
            "output": self.output, "method": "tornado", "iterations": self.iterations,
            "base": _f(self.base), "percentiles": [TORNADO_LOW, TORNADO_HIGH],
            "parameters": {
                self.names[i]: {"low": _f(self.low[i]), "high": _f(self.high[i]),
                                "swing": _f(self.swing[i]),
                                "input_low": _f(self.inputs[i, 0]),
                                "input_high": _f(self.inputs[i, 1])}
                for i in order},
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class RankResult(TableView):
    """Spearman and partial rank correlations of each parameter with the output."""

    output: str
    iterations: int
    names: tuple[str, ...]
    spearman: np.ndarray
    prcc: np.ndarray
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        se = math.sqrt(1.06 / max(self.iterations - 3, 1))  # Fieller et al. (1957), z scale
        order = np.argsort(-np.abs(np.nan_to_num(self.spearman)), kind="stable")
        return {
            "output": self.output, "method": "rank", "iterations": self.iterations,
            "parameters": {
                self.names[i]: {"spearman": _f(self.spearman[i]),
                                "spearman_se": _f(se * (1 - self.spearman[i] ** 2)),
                                "prcc": _f(self.prcc[i])}
                for i in order},
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class RegionalResult(TableView):
    """KS distance between each parameter's distribution below and at/above the threshold."""

    output: str
    iterations: int
    threshold: float
    share_below: float
    names: tuple[str, ...]
    ks: np.ndarray
    p_value: np.ndarray
    median_below: np.ndarray
    median_above: np.ndarray
    warnings: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        order = np.argsort(-self.ks, kind="stable")
        return {
            "output": self.output, "method": "regional", "iterations": self.iterations,
            "threshold": self.threshold, "share_below": self.share_below,
            "parameters": {
                self.names[i]: {"ks": _f(self.ks[i]), "p_value": _f(self.p_value[i]),
                                "median_below": _f(self.median_below[i]),
                                "median_above": _f(self.median_above[i])}
                for i in order},
            "warnings": list(self.warnings),
        }


# --------------------------------------------------------------------------------------------


def sobol(model: Model, output: str, *, base: int = DEFAULT_BASE, seed: int = 0,
          resamples: int = DEFAULT_RESAMPLES, level: float = 0.95,
          threads: int | None = None) -> SobolResult:
    r"""First- and total-order Sobol' indices of ``output``.

    A scrambled Sobol' design of ``2k`` dimensions and ``base`` points (a power of two, as the
    design's balance properties need) gives matrices ``A`` and ``B`` (uniforms mapped through
    each parameter's quantile function); ``AB_i`` is ``A`` with column ``i`` from ``B``. The
    per-case randomness of the social-domain model is one more input group, ``cases``: its
    draws follow a key per row (``A`` rows key ``j``, ``B`` rows key ``N + j``), so ``AB_cases``
    is ``A``'s parameters with ``B``'s cases. ``N (k + 2)`` (plus ``N`` with cases)
    evaluations in one engine run. With ``V = Var(f(A), f(B))``:

    .. math::

        S_i = \frac{1}{N V} \sum_j f(B)_j \,(f(AB_i)_j - f(A)_j)   \quad\text{(Saltelli 2010)}

        S_{Ti} = \frac{1}{2 N V} \sum_j (f(A)_j - f(AB_i)_j)^2     \quad\text{(Jansen 1999)}

    Intervals: percentiles of ``resamples`` bootstrap resamples of the ``N`` rows.

    These are the estimators of ``scipy.stats.sobol_indices``; we do not call it because its
    function sees only a parameter matrix, not the per-case key that makes the case randomness
    a group, and because one engine run over all matrices is faster than its callback.

    References
    ----------
    Saltelli, A. et al. (2010), Variance based sensitivity analysis of model output, Computer
    Physics Communications 181, 259–270. Jansen, M. J. W. (1999), Analysis of variance designs
    for model output, Computer Physics Communications 117, 35–43.
    """
    if base < 2 or base & (base - 1):
        raise ScenarioError(f"Sobol' base sample size must be a power of two >= 2, got {base} "
                            f"(e.g. {2 ** max(1, round(math.log2(max(base, 2))))})")
    k = len(model.names)
    if k == 0 and not model.has_cases:
        raise ScenarioError(f"{model.scenario.file}: no random parameters to analyse")
    groups = k + int(model.has_cases)
    n = base
    design = qmc.Sobol(d=max(2 * k, 1), scramble=True, seed=seed).random_base2(
        int(math.log2(n)))
    a = _ppf(model, design[:, :k])
    b = _ppf(model, design[:, k:2 * k])
    blocks = 2 + groups
    values = {}
    for i, name in enumerate(model.names):
        column = np.tile(a[:, i], blocks)
        column[n:2 * n] = b[:, i]
        column[(2 + i) * n:(3 + i) * n] = b[:, i]
        values[name] = column
    keys = None
    if model.has_cases:
        own = np.arange(n, dtype=np.int64)
        keys = np.tile(own, blocks)
        keys[n:2 * n] = own + n
        keys[(blocks - 1) * n:] = own + n
    f = evaluate(model, [output], values, n * blocks, seed, case_keys=keys,
                 threads=threads)[:, 0].reshape(blocks, n)
    warnings = [CORRELATION_WARNING] if model.correlated else []
    finite = np.all(np.isfinite(f), axis=0)
    if not finite.all():
        warnings.append(f"{output} was not finite in {np.count_nonzero(~finite)} of {n} design "
                        "rows; those rows were left out")
        f = f[:, finite]
    if f.shape[1] < 2 or np.var(np.concatenate([f[0], f[1]])) == 0:
        raise SimulationError(f"{output} does not vary; Sobol' indices are undefined")
    names = model.names + ((CASES,) if model.has_cases else ())
    first, total = indices(f[0], f[1], f[2:])
    first_ci, total_ci = bootstrap(f[0], f[1], f[2:], resamples, level, seed)
    return SobolResult(output, n, n * blocks, level, resamples, names, first, first_ci, total,
                       total_ci, (CASES,) if model.has_cases else (), tuple(warnings))


def indices(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Saltelli (2010) first-order and Jansen (1999) total indices; ``f_ab`` is (k, N)."""
    variance = np.var(np.concatenate([f_a, f_b]))
    first = np.mean(f_b * (f_ab - f_a), axis=1) / variance
    total = 0.5 * np.mean((f_a - f_ab) ** 2, axis=1) / variance
    return first, total


def bootstrap(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray, resamples: int, level: float,
              seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Percentile intervals of both indices over bootstrap resamples of the design rows."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x50B01,)))
    n = f_a.size
    firsts, totals = [], []
    for start in range(0, resamples, 50):
        for _ in range(min(50, resamples - start)):
            pick = rng.integers(0, n, n)
            first, total = indices(f_a[pick], f_b[pick], f_ab[:, pick])
            firsts.append(first)
            totals.append(total)
    tail = (1 - level) / 2
    q = [tail, 1 - tail]
    return (np.quantile(np.array(firsts), q, axis=0).T, np.quantile(np.array(totals), q, axis=0).T)


def tornado(model: Model, output: str, *, seed: int = 0,
            case_iterations: int = TORNADO_CASE_ITERATIONS,
            threads: int | None = None) -> TornadoResult:
    """Output with each random parameter at its 5th / 95th percentile, the others at medians.

    Without randomness left at fixed inputs each setting is one evaluation. With it (per-case
    draws, or parameters drawn from uncertain arguments), each setting is the
    mean over ``case_iterations`` rows whose case draws are the same in every setting (row
    ``j`` has case key ``j`` under ``seed``): a common-random-numbers average of the per-case
    model at fixed parameters.
    """
    k = len(model.names)
    if k == 0:
        raise ScenarioError(f"{model.scenario.file}: no random parameters to analyse")
    medians = np.array([float(d.ppf(0.5)) for d in model.dists])
    ends = np.array([[float(d.ppf(TORNADO_LOW)), float(d.ppf(TORNADO_HIGH))]
                     for d in model.dists])
    settings = np.tile(medians, (1 + 2 * k, 1))
    for i in range(k):
        settings[1 + 2 * i, i] = ends[i, 0]
        settings[2 + 2 * i, i] = ends[i, 1]
    m = case_iterations if model.stochastic else 1
    rows = np.repeat(settings, m, axis=0)
    keys = np.tile(np.arange(m, dtype=np.int64), len(settings)) if model.has_cases else None
    f = evaluate(model, [output], {n: rows[:, i] for i, n in enumerate(model.names)},
                 len(rows), seed, case_keys=keys, threads=threads)[:, 0]
    means = f.reshape(len(settings), m).mean(axis=1)
    low, high = means[1::2], means[2::2]
    warnings = _ratio_warning(model, output, seed, np.concatenate([[means[0]], low, high]))
    return TornadoResult(output, float(means[0]), model.names, low, high, ends, m,
                         tuple(warnings))


def rank(model: Model, output: str, *, iterations: int = 100_000, seed: int = 0,
         threads: int | None = None) -> RankResult:
    r"""Spearman correlation and partial rank correlation (PRCC) of each parameter with ``output``.

    PRCC of parameter ``i``: the correlation of the ranks of ``x_i`` and ``y`` after removing
    the linear effect of the other parameters' ranks, computed from the inverse ``P`` of the
    rank correlation matrix as ``-P_iy / sqrt(P_ii P_yy)`` (Marino et al. 2008, J. Theor. Biol.
    254, 178–196). Parameters that do not vary in the sample get null.
    """
    x, y = sample(model, output, iterations, seed, threads)
    names, spearman, prcc = _rank_correlations(model.names, x, y)
    return RankResult(output, len(y), names, spearman, prcc)


def _rank_correlations(names: tuple[str, ...], x: np.ndarray, y: np.ndarray
                       ) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    ranks = stats.rankdata(np.column_stack([x, y]), axis=0)
    varies = np.ptp(ranks, axis=0) > 0
    if not varies[-1]:
        raise SimulationError("the output does not vary; rank correlations are undefined")
    spearman = np.full(len(names), np.nan)
    prcc = np.full(len(names), np.nan)
    use = np.flatnonzero(varies[:-1])
    corr = np.corrcoef(ranks[:, list(use) + [len(names)]], rowvar=False)
    spearman[use] = corr[:-1, -1]
    precision = np.linalg.pinv(corr)
    prcc[use] = -precision[:-1, -1] / np.sqrt(precision[:-1, :-1].diagonal() * precision[-1, -1])
    return names, spearman, np.clip(prcc, -1, 1)


def regional(model: Model, output: str, threshold: float = 0.0, *, iterations: int = 100_000,
             seed: int = 0, threads: int | None = None) -> RegionalResult:
    """Regional sensitivity: which parameters push ``output`` below ``threshold``.

    Splits the iterations into ``output < threshold`` and the rest and reports, per
    parameter, the two-sample Kolmogorov–Smirnov distance between its distributions in the
    two groups (0: no influence, 1: fully separated; Spear & Hornberger 1980, Water Res. 14,
    43–49). With many iterations every p-value is tiny; rank by the distance.
    """
    x, y = sample(model, output, iterations, seed, threads)
    below = y < threshold
    count = int(np.count_nonzero(below))
    if count == 0 or count == len(y):
        side = "never" if count == 0 else "always"
        raise SimulationError(f"{output} is {side} below {threshold:g} in {len(y):,} "
                              "iterations; choose a threshold inside its range (--threshold)")
    k = len(model.names)
    ks, p = np.zeros(k), np.zeros(k)
    for i in range(k):
        test = stats.ks_2samp(x[below, i], x[~below, i])
        ks[i], p[i] = test.statistic, test.pvalue
    return RegionalResult(output, len(y), threshold, count / len(y), model.names, ks, p,
                          np.median(x[below], axis=0), np.median(x[~below], axis=0))


def _ppf(model: Model, u: np.ndarray) -> np.ndarray:
    out = np.empty_like(u)
    for i, dist in enumerate(model.dists):
        out[:, i] = dist.ppf(u[:, i])
    return out


def _ratio_warning(model: Model, output: str, seed: int, values: np.ndarray) -> list[str]:
    node = model.scenario.outputs[output].node
    if not (node.kind == "binop" and node.name == "/"):
        return []
    y = evaluate(model, [output], {}, 2**13, seed)[:, 0]
    y = y[np.isfinite(y)]
    share = float(np.mean(y < 0)) if y.size else 0.0
    if 0.0 < share < 1.0 or (values.min() < 0 < values.max()):
        return [f"{output} is a ratio whose sign can flip (negative in {share:.1%} of "
                "iterations): near a zero denominator its tornado swing is not monotone and "
                "can mislead; analyse the difference (e.g. net_benefit) instead"]
    return []


def _f(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None
