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

from ..engine.runner import check_memory
from ..errors import ScenarioError, SimulationError
from .display import TableView
from .model import DEFAULT_SEED, Model, evaluate, sample

CASES = "cases"  # the name of the per-case randomness as a Sobol' group
DEFAULT_BASE = 2**14
DEFAULT_REPLICATES = 16  # independently scrambled designs behind each interval
TORNADO_LOW, TORNADO_HIGH = 0.05, 0.95
TORNADO_CASE_ITERATIONS = 2**12
CORRELATION_WARNING = ("the scenario has [correlations]; Sobol' indices assume independent "
                       "parameters and are computed without them")
TORNADO_CORRELATION_WARNING = ("the scenario has [correlations]; the tornado moves one "
                               "parameter at a time with the others at their medians, so it "
                               "ignores them")


@dataclass(frozen=True)
class SobolResult(TableView):
    """First- and total-order indices with t-intervals at ``level`` over ``replicates``
    independently scrambled designs (:func:`replicate_indices`)."""

    output: str
    base: int
    evaluations: int
    level: float
    replicates: int
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
            "evaluations": self.evaluations, "replicates": self.replicates,
            "estimator": "first order: Saltelli et al. (2010), centred; total: Jansen (1999); "
                         f"{self.level:.0%} t-intervals over {self.replicates} independently "
                         "scrambled Sobol' designs",
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


def sobol(model: Model, output: str, *, base: int = DEFAULT_BASE, seed: int = DEFAULT_SEED,
          replicates: int = DEFAULT_REPLICATES, level: float = 0.95,
          threads: int | None = None) -> SobolResult:
    r"""First- and total-order Sobol' indices of ``output``, with replicate intervals.

    The ``base`` points are ``R`` independently scrambled Sobol' designs (``replicates``; at
    most ``base / 4``) of ``m = base / R`` points each, of ``2k`` dimensions (``m`` a power of
    two, as the designs' balance needs). Each gives matrices ``A`` and ``B`` (uniforms mapped
    through each parameter's quantile function); ``AB_i`` is ``A`` with column ``i`` from ``B``.
    The per-case randomness of the social-domain model is one more input group, ``cases``: its
    draws follow a key per row (``A`` rows key ``j``, ``B`` rows key ``N + j``), so ``AB_cases``
    is ``A``'s parameters with ``B``'s cases. ``N (k + 2)`` (plus ``N`` with cases)
    evaluations in one engine run. See :func:`replicate_indices` for the estimators (centred
    as ``scipy.stats.sobol_indices`` and SALib do) and the t-intervals over replicates.

    We do not call ``scipy.stats.sobol_indices``: its function sees only a parameter matrix,
    not the per-case key that makes the case randomness a group, and one engine run over all
    matrices is faster than its callback (``benchmarks/sobol_peers.py`` compares the numbers).
    Indices assume independent parameters: with ``[correlations]`` they are computed without
    them, and a warning says so.
    """
    _check_sobol(model, base, replicates)
    k = len(model.names)
    groups = k + int(model.has_cases)
    n = base
    # the design (2k columns), k input columns over n (k + 2) rows, the keys and the output
    check_memory(8 * n * (2 * k + (2 + groups) * (k + 2)), f"a Sobol' design of base {n:,} "
                 f"for {k} parameters", "use a smaller base sample (fewer iterations), e.g. 16384")
    r = min(replicates, base // 4)
    u_a, u_b = design(k, n, r, seed)
    blocks = 2 + groups
    values, keys = _sobol_rows(model, _ppf(model, u_a), _ppf(model, u_b), n, blocks)
    f = evaluate(model, [output], values, n * blocks, seed, case_keys=keys,
                 threads=threads)[:, 0].reshape(blocks, r, n // r)
    warnings = [CORRELATION_WARNING] if model.correlated else []
    finite = np.isfinite(f).all(axis=0)
    if not finite.all():
        warnings.append(f"{output} was not finite in {np.count_nonzero(~finite)} of {n} design "
                        "rows; those rows were left out")
    if finite.sum() < 2 * r or np.var(f[:2][:, finite]) == 0:
        raise SimulationError(f"{output} does not vary; Sobol' indices are undefined")
    names = model.names + ((CASES,) if model.has_cases else ())
    first, first_ci, total, total_ci = replicate_indices(f, finite, level)
    return SobolResult(output, n, n * blocks, level, r, names, first, first_ci, total,
                       total_ci, (CASES,) if model.has_cases else (), tuple(warnings))


def _check_sobol(model: Model, base: int, replicates: int) -> None:
    """Refuse a base or a number of replicates the design cannot have, or nothing to vary."""
    if base < 2 or base & (base - 1):
        raise ScenarioError(f"Sobol' base sample size must be a power of two >= 2, got {base} "
                            f"(e.g. {2 ** max(1, round(math.log2(max(base, 2))))})")
    if base < 8:
        raise ScenarioError(f"Sobol' base sample size must be at least 8 (two replicates of 4 "
                            f"points), got {base}")
    if replicates < 2 or replicates & (replicates - 1):
        raise ScenarioError(f"Sobol' replicates must be a power of two >= 2, got {replicates}")
    if not model.names and not model.has_cases:
        raise ScenarioError(f"{model.scenario.file}: no random parameters to analyse")


def _sobol_rows(model: Model, a: np.ndarray, b: np.ndarray, n: int, blocks: int
                ) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """The rows of ``A``, ``B`` and each ``AB_i`` stacked (``blocks`` blocks of ``n`` rows):
    each parameter's column, and the per-case keys (``A`` rows key ``j``, ``B`` rows and
    ``AB_cases`` key ``n + j``) when the model has per-case randomness."""
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
    return values, keys


def design(k: int, base: int, replicates: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniform ``A`` and ``B`` matrices, each (base, k): ``replicates`` independently scrambled
    Sobol' designs (``scipy.stats.qmc.Sobol``) of ``base / replicates`` points, one after
    another; replicate ``r`` scrambles with the ``r``-th child of ``SeedSequence(seed)``."""
    m = base // replicates
    children = np.random.SeedSequence(seed).spawn(replicates)
    points = np.concatenate([
        qmc.Sobol(d=max(2 * k, 1), scramble=True, seed=np.random.default_rng(child))
        .random_base2(int(math.log2(m))) for child in children])
    return points[:, :k], points[:, k:2 * k]


def indices(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First- and total-order indices of one design (centred; see :func:`replicate_parts`)."""
    first, total, variance = replicate_parts(f_a, f_b, f_ab)
    return first / variance, total / variance


def replicate_parts(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, float]:
    r"""Numerators of both indices and the variance of one design; ``f_ab`` is (k, m).

    Centred as ``scipy.stats.sobol_indices`` and SALib: with ``c`` the mean of ``f(A)`` and
    ``f(B)``, every evaluation is replaced by ``f - c`` (Sobol' & Levitan 1999), then

    .. math::

        V_i = rac1m \sum_j f(B)_j \,(f(AB_i)_j - f(A)_j)   \quad	ext{(Saltelli 2010)}

        V_{Ti} = rac{1}{2m} \sum_j (f(A)_j - f(AB_i)_j)^2   \quad	ext{(Jansen 1999)}

    and ``V = Var(f(A), f(B))``. Without the centring the first-order estimator's noise grows
    with ``(mean / sd)^2`` of the output.
    """
    centre = (f_a.mean() + f_b.mean()) / 2.0
    a, b, ab = f_a - centre, f_b - centre, f_ab - centre
    variance = float(np.var(np.concatenate([a, b])))
    return np.mean(b * (ab - a), axis=1), 0.5 * np.mean((a - ab) ** 2, axis=1), variance


def replicate_indices(f: np.ndarray, finite: np.ndarray, level: float
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""Indices and t-intervals from ``R`` independently scrambled designs.

    ``f`` is (2 + k, R, m): ``f(A)``, ``f(B)`` and ``f(AB_i)`` per replicate; ``finite`` (R, m)
    marks the rows used. Each replicate ``r`` gives numerators ``V_r`` and a variance ``D_r``
    (:func:`replicate_parts`); the index is the ratio of their means, ``S = mean(V_r) /
    mean(D_r)``, and its standard error the delta method over the independent replicates,
    ``sd(V_r - S D_r) / (sqrt(R) mean(D_r))``; the interval is ``S -+ t_{R-1} se``
    (randomised quasi-Monte Carlo: Owen 1997, L'Ecuyer & Lemieux 2002). Unlike a bootstrap of
    the design's rows, which treats quasi-random points as independent and so overstates the
    error many times, independent scramblings are truly independent, and the interval covers
    at its nominal level.

    References
    ----------
    Saltelli, A. et al. (2010), Variance based sensitivity analysis of model output, Computer
    Physics Communications 181, 259–270. Jansen, M. J. W. (1999), Analysis of variance designs
    for model output, Computer Physics Communications 117, 35–43. Sobol', I. M. and Levitan,
    Yu. L. (1999), Computer Physics Communications 117, 52–61. Owen, A. B. (1997), Scrambled
    net variance for integrals of smooth functions, Annals of Statistics 25, 1541–1562.
    """
    parts = [replicate_parts(f[0, r, ok], f[1, r, ok], f[2:, r][:, ok])
             for r, ok in enumerate(finite)]
    firsts = np.array([p[0] for p in parts])  # (R, k)
    totals = np.array([p[1] for p in parts])
    variances = np.array([p[2] for p in parts])
    t = float(stats.t.ppf(0.5 + level / 2.0, len(parts) - 1))
    out = []
    for numerators in (firsts, totals):
        estimate = numerators.mean(axis=0) / variances.mean()
        spread = (numerators - np.outer(variances, estimate)).std(axis=0, ddof=1)
        half = t * spread / (math.sqrt(len(parts)) * variances.mean())
        out += [estimate, np.column_stack([estimate - half, estimate + half])]
    return out[0], out[1], out[2], out[3]


def tornado(model: Model, output: str, *, seed: int = DEFAULT_SEED,
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
    check_memory(8 * (1 + 2 * k) * m * (2 * k + 2), f"a tornado of {k} parameters with {m:,} "
                 "rows per setting", "use fewer iterations (rows per setting)")
    rows = np.repeat(settings, m, axis=0)
    keys = np.tile(np.arange(m, dtype=np.int64), len(settings)) if model.has_cases else None
    f = evaluate(model, [output], {n: rows[:, i] for i, n in enumerate(model.names)},
                 len(rows), seed, case_keys=keys, threads=threads)[:, 0]
    means = f.reshape(len(settings), m).mean(axis=1)
    low, high = means[1::2], means[2::2]
    warnings = [TORNADO_CORRELATION_WARNING] if model.correlated else []
    warnings += _ratio_warning(model, output, seed, np.concatenate([[means[0]], low, high]))
    return TornadoResult(output, float(means[0]), model.names, low, high, ends, m,
                         tuple(warnings))


def rank(model: Model, output: str, *, iterations: int = 100_000, seed: int = DEFAULT_SEED,
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
             seed: int = DEFAULT_SEED, threads: int | None = None) -> RegionalResult:
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
                              "iterations; choose a threshold inside its range",
                              argument="threshold", value=f"{threshold:g}")
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
