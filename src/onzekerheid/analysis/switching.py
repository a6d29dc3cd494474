"""Switching values and goal seek: what a parameter would have to be for the conclusion to change.

For each random parameter, the value at which the chosen statistic of the output (its median,
equivalently the value where ``P(output > target) = 1/2``, or its mean) equals the target
(0, or the published claim), the other parameters still uncertain. Goal seek asks for another
quantile: ``--target-quantile q`` finds where the q-quantile of the output equals the target,
and ``--target-probability P`` where ``P(output >= target) = P``, which is the same question
for ``q = 1 - P`` (the share above the target is P exactly when the target is the
(1 - P)-quantile). The statistic is computed
on ``iterations`` rows with the parameter held at a constant and the same seed at every
evaluation (common random numbers), so it is a smooth function of the value; roots are
bracketed on a grid over the plausible range (the parameter's 1st to 99th percentile) and
refined with Brent's method. Without a sign change on that range: "no switch within the
plausible range".

Every value found carries its Monte Carlo standard error by the delta method: the statistic
``S(x)`` is estimated with error ``MCSE(S)`` (the order-statistic MCSE of a quantile or the
MCSE of a mean, batch means where rows depend on each other: :mod:`.mcse`), so its
root ``x*`` is off by about ``MCSE(S(x*)) / |S'(x*)|``; the slope ``S'`` is a central
difference with common random numbers (Glasserman 2003, *Monte Carlo Methods in Financial
Engineering*, sec. 7.1).

With ``[correlations]``, the parameter held constant drops out of the correlation structure;
its partners keep their marginal distributions (not their conditional ones).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize

from ..engine.runner import check_memory
from ..errors import ScenarioError, argument_error
from .display import TableView
from .mcse import mean_mcse, quantile_mcse, rows_per_batch
from .model import DEFAULT_SEED, Model, evaluate

STATISTICS = ("median", "mean", "quantile")
PLAUSIBLE = (0.01, 0.99)
GRID = 9
NO_SWITCH = "no switch within the plausible range"


@dataclass(frozen=True)
class Switch:
    """The switching value of one parameter (``value`` None when there is none)."""

    name: str
    value: float | None
    quantile: float | None
    roots: tuple[float, ...]
    point: float
    plausible: tuple[float, float]
    at_ends: tuple[float, float]  # statistic at the two ends of the plausible range
    mcse: float | None = None  # Monte Carlo standard error of ``value`` (delta method)

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "mcse": self.mcse, "quantile": self.quantile,
                "values": list(self.roots),
                "point": _f(self.point), "range": list(self.plausible),
                "statistic_at_range": [_f(v) for v in self.at_ends],
                "message": (f"switches at {self.value:.6g} (percentile {100 * self.quantile:.0f})"
                            if self.value is not None and self.quantile is not None
                            else NO_SWITCH)}


@dataclass(frozen=True)
class SwitchingResult(TableView):
    output: str
    statistic: str
    target: float
    target_label: str
    iterations: int
    seed: int
    switches: tuple[Switch, ...]
    warnings: tuple[str, ...] = ()
    level: float = 0.5  # the quantile sought (statistic "median" or "quantile")

    def to_json(self) -> dict[str, Any]:
        goal = {} if self.statistic == "mean" else {
            "target_quantile": self.level, "target_probability": 1.0 - self.level,
            "condition": f"P({self.output} >= {self.target:g}) = {1.0 - self.level:g}"}
        return {"output": self.output, "statistic": self.statistic, "target": self.target,
                **goal,
                "target_is": self.target_label, "iterations": self.iterations,
                "seed": self.seed, "plausible_range": list(PLAUSIBLE),
                "parameters": {s.name: s.as_dict() for s in self.switches},
                "warnings": list(self.warnings)}


def switching_values(model: Model, output: str, *, target: float = 0.0,
                     target_label: str = "zero", statistic: str = "median",
                     iterations: int = 2**14, seed: int = DEFAULT_SEED, threads: int | None = None,
                     quantile: float = 0.5, warnings: tuple[str, ...] = ()
                     ) -> SwitchingResult:
    """Per random parameter, the value where ``statistic(output) == target`` (see module).

    ``statistic`` is ``median``, ``mean`` or ``quantile`` (the ``quantile``-quantile; goal
    seek). Each value found comes with its MCSE.
    """
    _check_arguments(model, statistic, quantile, iterations)
    seek = _Seek(model, output, target, statistic, 0.5 if statistic == "median" else quantile,
                 iterations, seed, threads)
    switches = [_switch(seek, name, dist) for name, dist in zip(model.names, model.dists,
                                                                 strict=True)]
    notes = list(warnings) + ([] if not model.correlated else
                              ["with [correlations], a parameter held constant leaves its "
                               "partners at their marginal distributions"])
    return SwitchingResult(output, statistic, target, target_label, iterations, seed,
                           tuple(switches), tuple(notes), seek.q)


def _check_arguments(model: Model, statistic: str, quantile: float, iterations: int) -> None:
    if statistic not in STATISTICS:
        raise argument_error("statistic", repr(statistic), f"use one of {', '.join(STATISTICS)}")
    if not 0.0 < quantile < 1.0:
        raise ScenarioError(f"the quantile sought must lie strictly between 0 and 1, got "
                            f"{quantile:g}")
    if iterations < 100:
        raise argument_error("iterations", None, f"must be at least 100, got {iterations}")
    if not model.names:
        raise ScenarioError(f"{model.scenario.file}: no random parameters to analyse")
    check_memory(8 * iterations * 4, f"{iterations:,} iterations per "
                 "evaluation", "use fewer iterations")


@dataclass(frozen=True)
class _Seek:
    """The output's statistic less the target, as a function of one parameter held fixed."""

    model: Model
    output: str
    target: float
    statistic: str
    q: float
    iterations: int
    seed: int
    threads: int | None

    def sample(self, name: str, value: float, finite: bool = True) -> np.ndarray:
        y = evaluate(self.model, [self.output], {name: np.full(self.iterations, value)},
                     self.iterations, self.seed, threads=self.threads)[:, 0]
        return y[np.isfinite(y)] if finite else y

    def level(self, name: str, value: float) -> float:
        y = self.sample(name, value)
        if not y.size:
            return math.nan
        stat = float(np.mean(y)) if self.statistic == "mean" else float(np.quantile(y, self.q))
        return stat - self.target

    def error(self, name: str, root: float, width: float) -> float | None:
        """MCSE of the root: the statistic's MCSE at the root over the slope there."""
        y = self.sample(name, root, finite=False)  # run order: batches are the engine's blocks
        if np.count_nonzero(np.isfinite(y)) < 10:
            return None
        batch = rows_per_batch(self.model.scenario)
        se = (mean_mcse(y, batch) if self.statistic == "mean"
              else quantile_mcse(y, self.q, batch))
        h = 1e-3 * width
        slope = (self.level(name, root + h) - self.level(name, root - h)) / (2.0 * h)
        return abs(se / slope) if slope != 0.0 and math.isfinite(se / slope) else None


def _switch(seek: _Seek, name: str, dist: Any) -> Switch:
    """One parameter's switching value: the root nearest its median, on a grid of its
    plausible range, with its MCSE."""
    grid = np.unique(dist.ppf(np.linspace(*PLAUSIBLE, GRID)).astype(float))
    values = np.array([seek.level(name, x) for x in grid])
    roots = _roots(lambda x: seek.level(name, x), grid, values)
    median = float(dist.ppf(0.5))
    best = min(roots, key=lambda r: abs(r - median)) if roots else None
    at = None if best is None else float(_cdf(dist, best))
    width = float(grid[-1] - grid[0])
    mcse = None if best is None or width <= 0 else seek.error(name, best, width)
    return Switch(name, best, at, tuple(roots), seek.model.scenario.parameters[name].point,
                  (float(grid[0]), float(grid[-1])),
                  (values[0] + seek.target, values[-1] + seek.target), mcse)


def _roots(func: Any, grid: np.ndarray, values: np.ndarray) -> list[float]:
    roots: list[float] = []
    for j in range(len(grid)):
        if values[j] == 0.0:
            roots.append(float(grid[j]))
        elif j + 1 < len(grid) and values[j] * values[j + 1] < 0:
            tol = 1e-9 * max(abs(grid[j]), abs(grid[j + 1]), 1e-12)
            roots.append(float(optimize.brentq(func, grid[j], grid[j + 1], xtol=tol,
                                               maxiter=60)))
    return roots


def _cdf(dist: Any, x: float) -> float:
    # the distribution's own cdf: truncation, zero-inflation and mixtures included
    return 0.5 if dist.family == "fixed" else float(dist.cdf(x))


def _f(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None
