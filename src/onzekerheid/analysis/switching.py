"""Switching values: what a parameter would have to be for the conclusion to change.

For each random parameter, the value at which the chosen statistic of the output (its median,
equivalently the value where ``P(output > target) = 1/2``, or its mean) equals the target
(0, or the published claim), the other parameters still uncertain. The statistic is computed
on ``iterations`` rows with the parameter held at a constant and the same seed at every
evaluation (common random numbers), so it is a smooth function of the value; roots are
bracketed on a grid over the plausible range (the parameter's 1st to 99th percentile) and
refined with Brent's method. Without a sign change on that range: "no switch within the
plausible range".

With ``[correlations]``, the parameter held constant drops out of the correlation structure;
its partners keep their marginal distributions (not their conditional ones).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize

from ..errors import ScenarioError
from .display import TableView
from .model import Model, evaluate

STATISTICS = ("median", "mean")
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

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "quantile": self.quantile, "values": list(self.roots),
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

    def to_json(self) -> dict[str, Any]:
        return {"output": self.output, "statistic": self.statistic, "target": self.target,
                "target_is": self.target_label, "iterations": self.iterations,
                "seed": self.seed, "plausible_range": list(PLAUSIBLE),
                "parameters": {s.name: s.as_dict() for s in self.switches},
                "warnings": list(self.warnings)}


def switching_values(model: Model, output: str, *, target: float = 0.0,
                     target_label: str = "zero", statistic: str = "median",
                     iterations: int = 2**14, seed: int = 0, threads: int | None = None
                     ) -> SwitchingResult:
    """Per random parameter, the value where ``statistic(output) == target`` (see module)."""
    if statistic not in STATISTICS:
        raise ScenarioError(f"--statistic {statistic!r}: use one of {', '.join(STATISTICS)}")
    if iterations < 100:
        raise ScenarioError(f"--iterations must be at least 100, got {iterations}")
    if not model.names:
        raise ScenarioError(f"{model.scenario.file}: no random parameters to analyse")
    reduce = np.median if statistic == "median" else np.mean

    def level(name: str, value: float) -> float:
        y = evaluate(model, [output], {name: np.full(iterations, value)}, iterations, seed,
                     threads=threads)[:, 0]
        y = y[np.isfinite(y)]
        return float(reduce(y)) - target if y.size else math.nan

    switches = []
    for name, dist in zip(model.names, model.dists, strict=True):
        grid = np.unique(dist.ppf(np.linspace(*PLAUSIBLE, GRID)).astype(float))
        values = np.array([level(name, x) for x in grid])
        roots = _roots(lambda x, n=name: level(n, x), grid, values)
        median = float(dist.ppf(0.5))
        best = min(roots, key=lambda r: abs(r - median)) if roots else None
        quantile = None if best is None else float(_cdf(dist, best))
        switches.append(Switch(name, best, quantile, tuple(roots),
                               model.scenario.parameters[name].point,
                               (float(grid[0]), float(grid[-1])),
                               (values[0] + target, values[-1] + target)))
    warnings = ([] if not model.correlated else
                ["with [correlations], a parameter held constant leaves its partners at their "
                 "marginal distributions"])
    return SwitchingResult(output, statistic, target, target_label, iterations, seed,
                           tuple(switches), tuple(warnings))


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
