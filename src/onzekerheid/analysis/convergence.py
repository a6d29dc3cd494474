r"""Convergence: run until the reported numbers are precise enough (``run --precision R``).

Precision is judged per output on the mean and on both ends of the interval, with the MCSEs
of :mod:`.mcse` (the same as the run table's):

* MCSE of the mean: ``sd / sqrt(n)`` for independent iterations, batch means over the
  engine's blocks with ``[correlations]``;
* MCSE of a quantile ``q`` (distribution-free, from order statistics): the half-width of the
  range between the order statistics at ranks ``n (q -+ e)``, ``e`` the MCSE of the fraction
  below the quantile (``sqrt(q (1 - q) / n)`` for independent iterations), i.e. one standard
  error of the count below the quantile, mapped to the value scale.

With ``[correlations]`` a batch-means MCSE from few blocks is itself uncertain (``B - 1``
degrees of freedom), so a run is not judged precise before it has ``MIN_BATCHES`` blocks:
otherwise a chance low estimate from two or three blocks would stop it early.

Each is divided by the larger of ``|estimate|`` and the output's sd, so a quantity near zero is
judged on the scale of its spread instead of never converging. The run stops when every
relative MCSE is at most ``R``, or at ``max_iterations``.

Iterations grow in whole blocks of the engine (16,384 rows). Each round predicts the iterations
needed from ``MCSE ~ 1 / sqrt(n)`` (at least 1.5 times more) and simulates them from the
start with the same seed, so the final samples are identical to a plain run with the reached
iteration count and seed (reproducibility contract); the cost is at most about twice that of
the final run because the rounds grow geometrically.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine.runner import BLOCK
from ..errors import argument_error
from .mcse import mean_mcse, quantiles_with_mcse, rows_per_batch

FIRST = 2 * BLOCK
GROWTH = 1.5
MIN_BATCHES = 10  # with correlations: blocks needed before the batch-means MCSE is trusted


@dataclass(frozen=True)
class Precision:
    """Relative MCSEs of one output."""

    mean: float
    low: float
    high: float
    low_mcse: float
    high_mcse: float

    @property
    def worst(self) -> float:
        return max(self.mean, self.low, self.high)


@dataclass(frozen=True)
class Convergence:
    """What ``--precision`` reached."""

    target: float
    reached: bool
    iterations: int
    rounds: int
    max_iterations: int
    outputs: dict[str, Precision]

    def to_json(self) -> dict[str, Any]:
        worst_name = max(self.outputs, key=lambda n: self.outputs[n].worst)
        return {"target": self.target, "reached": self.reached, "iterations": self.iterations,
                "rounds": self.rounds, "max_iterations": self.max_iterations,
                "worst": {"output": worst_name, "relative_mcse": self.outputs[worst_name].worst},
                "outputs": {n: {"mean": _f(p.mean), "low": _f(p.low), "high": _f(p.high),
                                "low_mcse": _f(p.low_mcse), "high_mcse": _f(p.high_mcse)}
                            for n, p in self.outputs.items()}}


def precision_of(values: np.ndarray, ci: float, batch: int = 1) -> Precision:
    """Relative MCSEs of the mean and of the interval ends at level ``ci``.

    ``values`` in run order, ``batch`` rows per batch (see :mod:`.mcse`).
    """
    x = values[np.isfinite(values)]
    if x.size < 2:
        return Precision(math.inf, math.inf, math.inf, math.nan, math.nan)
    sd = float(x.std(ddof=1))
    tail = (1 - ci) / 2
    (low, low_mcse), (high, high_mcse) = quantiles_with_mcse(values, [tail, 1 - tail], batch)

    def relative(error: float, estimate: float) -> float:
        scale = max(abs(estimate), sd)
        if not math.isfinite(error):
            return math.inf
        return 0.0 if scale == 0 else error / scale

    return Precision(relative(mean_mcse(values, batch), float(x.mean())),
                     relative(low_mcse, low), relative(high_mcse, high), low_mcse, high_mcse)


MIN_PRECISION = 1e-6  # relative MCSE; 1/sqrt(n) reaches it at 1e12 iterations, beyond any run


def run_to_precision(simulate: Callable[[int], Any], outputs: tuple[str, ...], target: float,
                     max_iterations: int, ci: float) -> tuple[Any, Convergence]:
    """Call ``simulate(n)`` (a :class:`~onzekerheid.analysis.result.Result`) with growing n.

    Stops when every output's relative MCSEs are at most ``target`` or ``n`` reached
    ``max_iterations``; returns the last result and what was reached.
    """
    if not MIN_PRECISION <= target < 1.0:
        raise argument_error("target", None, f"must lie in {MIN_PRECISION:g}..1 (a relative "
                             f"standard error such as 0.01), got {target}; below "
                             f"{MIN_PRECISION:g} no run fits in memory (MCSE ~ 1/sqrt(n))")
    if max_iterations < 1:
        raise argument_error("max_iterations", None, f"must be at least 1, got {max_iterations}")
    n = min(FIRST, max_iterations)
    rounds = 0
    while True:
        rounds += 1
        result = simulate(n)
        batch = rows_per_batch(result.scenario)
        reached = {name: precision_of(result[name], ci, batch) for name in outputs}
        worst = max(p.worst for p in reached.values())
        done = worst <= target and (batch == 1 or n >= MIN_BATCHES * batch)
        if done or n >= max_iterations:
            return result, Convergence(target, done, n, rounds, max_iterations, reached)
        ratio = min(worst / target, 1e9)  # squared below: never a float overflow
        needed = n * ratio ** 2 if math.isfinite(worst) else n * 4
        if batch > 1:
            needed = max(needed, MIN_BATCHES * batch)
        n = min(max_iterations, _blocks(max(needed, GROWTH * n)))


def _blocks(n: float) -> int:
    return int(math.ceil(n / BLOCK)) * BLOCK


def _f(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None
