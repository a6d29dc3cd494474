"""The numbers behind the report's figures: rank correlations, acceptability curves,
cost–effect regions and convergence traces. Plots draw these; nothing here draws, and nothing
here simulates (the break-even curve is run by :mod:`onzekerheid.analysis.curves`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis.curves import BreakEven
from ..analysis.result import Result
from ..errors import ScenarioError
from ..scenario import units
from ..scenario.model import Parameter, Scenario


def parameter_unit(param: Parameter) -> str:
    """The unit of a parameter's values (:func:`onzekerheid.scenario.units.parameter_unit`):
    its own ``unit``, else what the domain model's key or its support says; never its name."""
    support = param.dist.support() if param.dist is not None else None
    return units.parameter_unit(param.name, param.unit, support)


def rank_correlations(result: Result, output: str) -> dict[str, float]:
    """Spearman rank correlation of every stored, varying parameter with ``output``.

    ``rho = corr(rank(x), rank(y))`` over the iterations where the output is finite; sorted by
    ``|rho|``, largest first. A monotone measure of what drives the output (Saltelli et al.,
    *Global Sensitivity Analysis: The Primer*, 2008, §1.2.4). Only random parameters take
    part (expression parameters are functions of them). Needs ``store="all"``.
    """
    from scipy import stats  # lazy (tests/test_architecture.py LAZY): start-up of every command

    y = result[output]
    finite = np.isfinite(y)
    rho: dict[str, float] = {}
    for name in result.columns:
        param = result.scenario.parameters.get(name)
        if name in result.outputs or param is None or param.kind != "random":
            continue
        x = result[name][finite]
        if x.size < 3 or np.ptp(x) == 0:
            continue
        r = float(stats.spearmanr(x, y[finite]).statistic)
        if np.isfinite(r):
            rho[name] = r
    return dict(sorted(rho.items(), key=lambda kv: -abs(kv[1])))


def acceptability(cost: np.ndarray, effect: np.ndarray, prices: np.ndarray) -> np.ndarray:
    """Cost-effectiveness acceptability curve: ``P(price * effect - cost > 0)`` per price.

    The net monetary benefit at a price ``lambda`` per unit of effect is
    ``lambda * effect - cost`` (Fenwick, Claxton & Sculpher, Health Econ. 10:779, 2001).
    ``cost`` and ``effect`` are per-iteration increments; iterations with a non-finite value
    are left out.
    """
    cost = np.asarray(cost, dtype=np.float64)
    effect = np.asarray(effect, dtype=np.float64)
    finite = np.isfinite(cost) & np.isfinite(effect)
    c, e = cost[finite], effect[finite]
    if c.size == 0:
        return np.full(np.size(prices), np.nan)
    return np.array([np.count_nonzero(p * e - c > 0) / c.size for p in np.atleast_1d(prices)])


def tolerance(values: np.ndarray, share: float = 0.1) -> float:
    """What counts as "about the same": ``share`` times the median absolute value."""
    finite = np.abs(values[np.isfinite(values)])
    return float(share * np.median(finite)) if finite.size else 0.0


def regions(cost: np.ndarray, effect: np.ndarray, cost_tol: float, effect_tol: float
            ) -> np.ndarray:
    """The six regions of the cost–effect plane (after the Utrecht Effectencalculator figure).

    With "same" meaning within the tolerance of zero, each iteration falls in exactly one of
    1 more effect, no higher cost; 2 same effect, lower cost; 3 comparable; 4 more effect at
    higher cost; 5 same or less effect at higher cost; 6 less effect, no higher cost.
    Non-finite iterations get 0.
    """
    more = effect > effect_tol
    less = effect < -effect_tol
    same = ~more & ~less
    dearer = cost > cost_tol
    cheaper = cost < -cost_tol
    code = np.zeros(np.shape(cost), dtype=np.int64)
    code[more & ~dearer] = 1
    code[same & cheaper] = 2
    code[same & ~cheaper & ~dearer] = 3
    code[more & dearer] = 4
    code[~more & dearer] = 5
    code[less & ~dearer] = 6
    code[~(np.isfinite(cost) & np.isfinite(effect))] = 0
    return code


@dataclass(frozen=True)
class Trace:
    """Running mean of an output after ``n[i]`` iterations, and its Monte Carlo standard error."""

    n: np.ndarray
    mean: np.ndarray
    mcse: np.ndarray


def convergence(values: np.ndarray, points: int = 200) -> Trace:
    """Running mean ``m_k = (1/k) sum_{i<=k} y_i`` and ``mcse_k = s_k / sqrt(k)`` at ``points``
    log-spaced ``k`` (non-finite iterations left out)."""
    y = np.asarray(values, dtype=np.float64)
    y = y[np.isfinite(y)]
    if y.size < 2:
        raise ScenarioError("convergence: need at least 2 finite iterations")
    n = np.unique(np.geomspace(2, y.size, points).astype(np.int64))
    s1 = np.cumsum(y)[n - 1]
    s2 = np.cumsum((y - y.mean()) ** 2)  # centred to keep the variance accurate
    c1 = np.cumsum(y - y.mean())[n - 1]
    mean = s1 / n
    var = (s2[n - 1] - c1 ** 2 / n) / (n - 1)
    return Trace(n, mean, np.sqrt(np.maximum(var, 0.0) / n))


def break_even_parameter(scenario: Scenario, rho: dict[str, float]) -> str | None:
    """The strongest driver (by ``|rho|``) that a break-even curve can vary, if any."""
    for name in rho:
        param = scenario.parameters.get(name)
        if param is not None and param.kind != "expression" and not param.internal:
            return name
    return None


__all__ = ["BreakEven", "acceptability", "break_even_parameter", "convergence", "parameter_unit",
           "rank_correlations", "regions", "tolerance"]
