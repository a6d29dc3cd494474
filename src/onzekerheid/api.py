"""The Python API: what notebooks and the command line call.

>>> import onzekerheid as oz
>>> scenario = oz.load("scenarios/school_jeugdzorg.toml")
>>> result = oz.simulate(scenario, iterations=100_000, seed=1)
>>> result.summary()           # one row per output
>>> result.samples             # one row per iteration
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .analysis import posterior
from .analysis.result import PointResult, Result
from .engine import runner
from .errors import SimulationError
from .plan import build_plan
from .report import guard
from .scenario import Scenario
from .scenario import load as _load

DEFAULT_ITERATIONS = 100_000
DEFAULT_SEED = runner.DEFAULT_SEED


def load(path: str | Path, overrides: dict[str, Any] | None = None,
         variant: str | None = None, *, prior: bool = False) -> Scenario:
    """Read and validate a scenario file (see :func:`onzekerheid.scenario.load`); ``prior``
    leaves its ``[[evidence]]`` out.

    The files it reads are registered with :mod:`onzekerheid.report.guard`, so no command
    writes its output over them.
    """
    guard.protect([path])
    scenario = _load(path, overrides, variant, prior=prior)
    guard.protect(scenario.inputs)
    return scenario


def simulate(
    scenario: Scenario,
    iterations: int = DEFAULT_ITERATIONS,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
    *,
    ci: float = 0.90,
    threads: int | None = None,
    store: Literal["all", "outputs"] = "all",
    chunk_blocks: int = runner.DEFAULT_CHUNK_BLOCKS,
    progress: Callable[[int], None] | None = None,
    scheduler: str | None = None,
) -> Result:
    """Monte Carlo simulation of a scenario.

    Parameters
    ----------
    scenario
        From :func:`load`.
    iterations
        Number of iterations (draws of every parameter).
    seed
        ``int`` (0 is a seed), a numpy ``Generator`` (one int is drawn from it) or ``None``
        (fresh entropy; the seed used is in ``result.seed``).
    ci
        Level of the equal-tailed interval reported as ``low``/``high``.
    threads
        Worker threads (default: all cores). The numbers do not depend on it.
    store
        ``"all"`` keeps random and expression parameters besides the outputs (what ``samples``
        shows); ``"outputs"`` keeps only outputs, so memory grows with outputs only.
    scheduler
        ``None`` (default): in-process threads. ``"local:N"`` or a dask scheduler address:
        chunks of iterations run as dask tasks (:mod:`onzekerheid.engine.distributed`), with
        bitwise the same result.

    Returns
    -------
    Result
        ``result.samples`` (pandas, iterations x columns), ``result.summary()``.
    """
    if not 0.0 < ci < 1.0:
        raise SimulationError(f"ci must lie strictly between 0 and 1, got {ci}")
    seed = runner.seed_from(seed)
    plan = build_plan(scenario)
    outputs = tuple(scenario.outputs)
    if store == "all":
        stored = [n for n, p in scenario.parameters.items()
                  if p.kind != "fixed" and not p.internal]
    else:
        stored = []
    columns = tuple(stored) + outputs
    # parameters that evidence weights, kept for the resampling step only
    extra = tuple(u.parameter for u in posterior.weighted(scenario) if u.parameter not in columns)
    keep = [plan.names.index(n) for n in columns + extra]
    if scheduler is not None:
        from .engine import distributed

        data = distributed.run(plan, int(iterations), seed, keep, scheduler=scheduler,
                               chunk_blocks=chunk_blocks, progress=progress)
    else:
        data = runner.run(plan, int(iterations), seed, keep, threads=threads,
                          chunk_blocks=chunk_blocks, progress=progress)
    evidence = None
    if scenario.evidence:
        data, evidence = posterior.resample(scenario, data, columns + extra, seed)
        if extra:
            data = np.ascontiguousarray(data[:, :len(columns)])
    result = Result(scenario, int(iterations), seed, ci, data, columns, outputs)
    result.evidence = evidence
    return result


def point(scenario: Scenario) -> PointResult:
    """Evaluate once with every parameter at its ``point`` value: the published arithmetic."""
    plan = build_plan(scenario)
    row = runner.evaluate_points(plan)
    values = {name: float(row[i]) for i, name in enumerate(plan.names) if name}
    return PointResult(scenario, values, tuple(scenario.outputs))
