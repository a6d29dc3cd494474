"""Break-even curves: the probability of a positive result as one parameter varies.

The curve is a set of runs with common random numbers (:mod:`onzekerheid.engine.runner`), so it
lives here, in the analysis layer; the report only draws it (:mod:`onzekerheid.report.plots`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import runner
from ..errors import ScenarioError
from ..plan import build_plan
from ..scenario.model import Scenario
from .mcse import probability_mcse


@dataclass(frozen=True)
class BreakEven:
    """``probability[i]`` = P(output > threshold) with ``parameter`` fixed at ``values[i]``.

    ``mcse`` is the standard error of :func:`~onzekerheid.analysis.mcse.probability_mcse`
    (``sqrt(p (1 - p) / iterations)``, batch means with ``[correlations]``, the rule of three
    at 0 or 1); ``point`` is the
    parameter's value in the published claim; ``unit`` how to write the parameter's values.
    """

    output: str
    parameter: str
    values: np.ndarray
    probability: np.ndarray
    mcse: np.ndarray
    point: float
    threshold: float
    iterations: int
    unit: str = "number"


def break_even_curve(scenario: Scenario, output: str, parameter: str,
                     values: np.ndarray | None = None, *, iterations: int = 20_000,
                     seed: int = runner.DEFAULT_SEED, threshold: float = 0.0,
                     threads: int | None = None, unit: str = "number") -> BreakEven:
    """P(output > threshold) as a function of one parameter, with common random numbers.

    Every grid value is a run with the same seed in which ``parameter`` is replaced by a
    constant column; the other parameters' draws are identical across the grid (the engine
    ties streams to parameter and block), so the curve is smooth and differences between grid
    points are not sampling noise. Default grid: 13 quantiles (1%..99%) of the parameter's
    distribution, or 50%..150% of a fixed value. ``unit`` (how to write the parameter's values,
    decided by the report's wording rules) is carried along for the plot.
    """
    if output not in scenario.outputs:
        raise ScenarioError(f"break-even: '{output}' is not an output; outputs: "
                            f"{', '.join(scenario.outputs)}")
    param = scenario.parameters.get(parameter)
    if param is None or param.kind == "expression" or param.internal:
        usable = [n for n, p in scenario.parameters.items()
                  if p.kind != "expression" and not p.internal]
        raise ScenarioError(f"break-even: '{parameter}' is not a number or distribution "
                            f"parameter; use one of {', '.join(usable)}")
    if values is None:
        if param.dist is not None:
            values = np.unique(param.dist.ppf(np.linspace(0.01, 0.99, 13)))
        else:
            values = param.value * np.linspace(0.5, 1.5, 11)
    values = np.asarray(values, dtype=np.float64)
    plan = build_plan(scenario)
    col = plan.names.index(parameter)
    keep = [plan.names.index(output)]
    probability, mcse = np.empty(values.size), np.empty(values.size)
    batch = runner.BLOCK if plan.correlations is not None else 1  # see analysis/mcse.py
    for i, value in enumerate(values):
        column = np.full(iterations, value)
        y = runner.run(plan, iterations, seed, keep, threads=threads, inputs={col: column})[:, 0]
        probability[i] = np.count_nonzero(y > threshold) / iterations
        mcse[i] = probability_mcse(y, y > threshold, batch)
    return BreakEven(output, parameter, values, probability, mcse, float(param.point),
                     threshold, iterations, unit)
