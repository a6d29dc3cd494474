"""The scenario as a function: outputs evaluated at chosen parameter values.

Every analysis that sets parameters to chosen values (tornado, Sobol', switching values) goes
through :func:`evaluate`, which hands the values to the engine as given columns
(``runner.run(..., inputs=...)``): other parameters keep their own draws (common random
numbers), expression parameters and outputs are computed as in a run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine import distributed, runner
from ..errors import SimulationError, argument_error, did_you_mean
from ..plan import Plan, build_plan
from ..scenario.distributions import Distribution
from ..scenario.model import Scenario
from .posterior import refuse_weighted

DEFAULT_SEED = runner.DEFAULT_SEED  # the analyses default to the command line's seed


@dataclass(frozen=True)
class Model:
    """A scenario compiled once, with its random parameters and their distributions."""

    scenario: Scenario
    plan: Plan
    names: tuple[str, ...]  # random parameters with fixed arguments, in file order
    dists: tuple[Distribution, ...]
    # None: in-process threads; a distributed.Client (or "local:N", an address): dask tasks,
    # bitwise the same numbers (see onzekerheid.engine.distributed)
    scheduler: Any = field(default=None, compare=False)

    @property
    def has_cases(self) -> bool:
        return self.plan.cases is not None

    @property
    def stochastic(self) -> bool:
        """Whether fixed inputs still leave randomness per row (cases, hierarchical draws)."""
        return self.has_cases or any(
            p.uncertain is not None for p in self.scenario.parameters.values())

    @property
    def correlated(self) -> bool:
        return self.plan.correlations is not None

    def column(self, name: str) -> int:
        return self.plan.names.index(name)


def model_of(scenario: Scenario, scheduler: Any = None) -> Model:
    """Compile ``scenario`` for repeated evaluation (on ``scheduler``: see :class:`Model`)."""
    refuse_weighted(scenario, "this analysis")
    plan = build_plan(scenario)
    # A parameter with uncertain arguments is drawn from its parents in every row; setting it
    # directly would cut that link (its parents would show no effect), so the analyses vary
    # the parents and leave it to follow them.
    names = tuple(n for n in scenario.random_parameters
                  if scenario.parameters[n].uncertain is None)
    dists = []
    for name in names:
        dist = scenario.parameters[name].dist
        assert dist is not None
        dists.append(dist)
    return Model(scenario, plan, names, tuple(dists), scheduler)


@dataclass(frozen=True)
class CaseSample:
    """The case sample: the resampled ``[cases]`` table's amounts, whose mean over each
    iteration's cases the engine records (:class:`onzekerheid.plan.CasePlan` ``mean_cols``).

    ``only_successes``: the failure yield is 0 and no column is an extra cost, so an
    iteration draws rows for its successful cases only and the mean is over those.
    """

    labels: tuple[str, ...]  # the amounts, as the table's columns ("cost_saving > 0", ...)
    cols: tuple[int, ...]  # their work-matrix columns
    amounts: np.ndarray  # (table rows, len(cols)): the table's amounts in those columns
    count: int  # cases per iteration
    only_successes: bool

    @property
    def rows(self) -> int:
        return int(self.amounts.shape[0])


def case_sample(model: Model) -> CaseSample | None:
    """The model's case sample, or None when it has none to learn about (see
    :func:`onzekerheid.scenario.studies.case_sample_problem` for why)."""
    cases = model.plan.cases
    if cases is None or not cases.mean_names:
        return None
    recorded = np.flatnonzero(cases.mean_cols >= 0)
    block = model.scenario.cases
    assert block is not None
    return CaseSample(cases.mean_names, tuple(int(c) for c in cases.mean_cols[recorded]),
                      cases.table[:, recorded], cases.count,
                      bool(cases.weighted.all()) and _fixed(model, block.failure_yield, 0.0)
                      and not _fixed(model, block.success, 1.0))


def _fixed(model: Model, name: str, value: float) -> bool:
    """Whether parameter ``name`` is fixed at ``value``."""
    parameter = model.scenario.parameters[name]
    return parameter.kind == "fixed" and parameter.value == value


def check_output(scenario: Scenario, output: str | None) -> str:
    """The output to analyse: the one named, else ``net_benefit`` if present, else the first."""
    if output is None:
        return "net_benefit" if "net_benefit" in scenario.outputs else next(iter(scenario.outputs))
    if output not in scenario.outputs:
        raise argument_error("output", output, f"not an output of {scenario.file}; "
                             + (did_you_mean(output, scenario.outputs)
                                or "outputs: " + ", ".join(scenario.outputs)))
    return output


def evaluate(model: Model, outputs: Sequence[str], values: Mapping[str, np.ndarray], rows: int,
             seed: int, *, case_keys: np.ndarray | None = None, threads: int | None = None
             ) -> np.ndarray:
    """Outputs, shape (rows, len(outputs)), with the parameters in ``values`` set per row.

    Parameters not in ``values`` are drawn from their own streams of ``seed``.
    """
    inputs = {model.column(n): np.ascontiguousarray(v, dtype=np.float64)
              for n, v in values.items()}
    keep = [model.column(n) for n in outputs]
    if model.scheduler is not None:
        return distributed.run(model.plan, rows, seed, keep, scheduler=model.scheduler,
                               inputs=inputs, case_keys=case_keys)
    return runner.run(model.plan, rows, seed, keep, inputs=inputs, case_keys=case_keys,
                      threads=threads)


def sample(model: Model, output: str, iterations: int, seed: int,
           threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A plain Monte Carlo sample: random parameters (iterations, k) and the output (iterations,).

    Rows whose output is not finite are left out.
    """
    x, y, _ = sample_rows(model, output, iterations, seed, threads)
    return x, y


def sample_rows(model: Model, output: str, iterations: int, seed: int,
                threads: int | None = None, extra: Sequence[int] = ()
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`sample` and the run's row number of each row kept (for batch-means MCSEs);
    the work-matrix columns ``extra`` (the case sample's means) follow the parameters."""
    keep = [model.column(n) for n in model.names] + list(extra) + [model.column(output)]
    if model.scheduler is not None:
        data = distributed.run(model.plan, iterations, seed, keep, scheduler=model.scheduler)
    else:
        data = runner.run(model.plan, iterations, seed, keep, threads=threads)
    rows = np.flatnonzero(np.isfinite(data[:, -1]))
    if len(rows) < 2:  # nothing to correlate, split or average
        raise SimulationError(f"{output} is not a finite number in any of {iterations:,} "
                              "iterations (or in one only); check its expression")
    return data[rows, :-1], data[rows, -1], rows
