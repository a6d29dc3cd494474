"""Sweeps: every output's summary over a grid of parameter values, with common random numbers.

Each grid point is the scenario with the varied names fixed by overrides (exactly
``load(file, overrides={name: value, ...})``), simulated with the same seed. The engine ties
every random stream to (seed, parameter name, block), so fixing a parameter leaves the draws of
all the others unchanged: every grid point sees the same random numbers, and a difference
between neighbouring points is the effect of the change, not sampling noise (common random
numbers; Glasserman 2003, *Monte Carlo Methods in Financial Engineering*, sec. 4.1).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence, Sized
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import distributed, runner
from ..errors import ScenarioError, argument_error
from ..plan import Plan, build_plan
from ..scenario.loader import with_overrides
from ..scenario.model import Scenario
from .posterior import refuse_weighted
from .summary import INFINITE_OK, Summary, summarize

if TYPE_CHECKING:
    import pandas as pd

MAX_POINTS = 1_000_000


@dataclass(frozen=True)
class Axis:
    """One varied name and its values, in the order given."""

    name: str
    values: tuple[float, ...]


Grid = Mapping[str, Sequence[float]]  # varied name -> its values, in the order given


def axes_of(axes: Grid | Sequence[Axis]) -> tuple[Axis, ...]:
    """The grid as checked axes: each name once, at least one finite number each, at most
    ``MAX_POINTS`` combinations (counted before any value is converted).

    Errors name the argument ``axes`` (the command line writes ``--vary``).
    """
    items = ([(str(k), v) for k, v in axes.items()] if isinstance(axes, Mapping)
             else [(a.name, a.values) for a in axes])
    names = [name for name, _ in items]
    for name in names:
        if names.count(name) > 1:
            raise argument_error("axes", name, "is varied twice",
                                 "give each name once, with all its values")
    sizes = [len(values) if isinstance(values, Sized) and not isinstance(values, str) else -1
             for _, values in items]
    for (name, _), size in zip(items, sizes, strict=True):
        if size < 1:
            raise argument_error("axes", name, "needs a sequence of one or more numbers",
                                 "e.g. {'worker_cost': [60000, 75000, 90000]}")
    if math.prod(sizes) > MAX_POINTS:
        raise argument_error("axes", " x ".join(f"{n} ({k:,})" for n, k in zip(
            names, sizes, strict=True)), f"the grid has {math.prod(sizes):,} points, more "
            f"than {MAX_POINTS:,}", "use fewer values per name")
    return tuple(Axis(name, _finite(name, values)) for name, values in items)


def _finite(name: str, values: Sequence[float]) -> tuple[float, ...]:
    try:
        numbers = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        raise argument_error("axes", name, "every value must be a number") from None
    if not all(math.isfinite(v) for v in numbers):
        raise argument_error("axes", name, "values must be finite numbers")
    return numbers


def grid(axes: Grid | Sequence[Axis]) -> list[dict[str, float]]:
    """Every combination of the axes' values (the last axis varies fastest)."""
    checked = axes_of(axes)
    names = [a.name for a in checked]
    return [dict(zip(names, combo, strict=True))
            for combo in itertools.product(*(a.values for a in checked))]


@dataclass
class SweepResult:
    """Summaries per grid point; ``summaries[i][output]`` belongs to ``points[i]``."""

    scenario: Scenario
    axes: tuple[Axis, ...]
    points: list[dict[str, float]]
    summaries: list[dict[str, Summary]]
    iterations: int
    seed: int
    ci: float
    never: list[dict[str, float]] = field(default_factory=list)  # per point: share never
    # paying back, for the outputs in INFINITE_OK (see point_summaries)

    @property
    def outputs(self) -> tuple[str, ...]:
        return tuple(self.summaries[0]) if self.summaries else ()

    def to_json(self) -> dict[str, Any]:
        """The ``sweep --json`` document: ``{"grid": [{"values", "outputs"}], ...}``; with a
        ``payback_year`` each point also has ``never_pays_back`` (the share of +inf)."""
        return {
            "scenario": {"title": self.scenario.title, "file": self.scenario.file},
            "iterations": self.iterations,
            "seed": self.seed,
            "ci": self.ci,
            "vary": {a.name: list(a.values) for a in self.axes},
            "grid": [{"values": dict(values),
                      "outputs": {name: s.as_dict() for name, s in summaries.items()},
                      **({"never_pays_back": never["payback_year"]}
                         if "payback_year" in never else {})}
                     for values, summaries, never in zip(
                         self.points, self.summaries, self.never or [{}] * len(self.points),
                         strict=True)],
        }

    def table(self) -> pd.DataFrame:
        """One row per grid point and output: the varied values, ``output``, the summary."""
        rows = [{**values, "output": name, **s.as_dict()}
                for values, summaries in zip(self.points, self.summaries, strict=True)
                for name, s in summaries.items()]
        import pandas as pd  # on use: it costs every command ~0.3 s of start-up

        return pd.DataFrame(rows)

    def statistic(self, output: str, stat: str) -> np.ndarray:
        """``stat`` of ``output`` as an array shaped by the axes (len(axis 0), len(axis 1), ...)."""
        if output not in self.outputs:
            raise argument_error("output", output, f"not an output; outputs: "
                                 f"{', '.join(self.outputs)}")
        keys = Summary.__dataclass_fields__
        if stat not in keys:
            raise argument_error("stat", stat, f"unknown statistic; use one of "
                                 f"{', '.join(keys)}")
        values = [s[output].as_dict()[stat] for s in self.summaries]
        array = np.array([math.nan if v is None else v for v in values], dtype=np.float64)
        return array.reshape([len(a.values) for a in self.axes])


def point_summaries(plan: Plan, iterations: int, seed: int, keep: Sequence[int],
                    outputs: Sequence[str], claims: dict[str, float], ci: float,
                    threads: int | None = 1) -> tuple[dict[str, Summary], dict[str, float]]:
    """Simulate one grid point and summarise each output (a pure function: a dask task).

    Also returns, for each output in ``INFINITE_OK`` (``payback_year``), the share of +inf:
    the iterations that never pay back, which its summary sorts above every year.
    """
    data = runner.run(plan, iterations, seed, keep, threads=threads)
    batch = runner.BLOCK if plan.correlations is not None else 1  # see analysis/mcse.py
    summaries = {name: summarize(data[:, j], ci, claims.get(name), batch,
                                 keep_inf=name in INFINITE_OK)
                 for j, name in enumerate(outputs)}
    return summaries, never_shares(data, outputs)


def never_shares(data: np.ndarray, outputs: Sequence[str]) -> dict[str, float]:
    """``{output: share of +inf}`` for the outputs in ``INFINITE_OK`` (column j: output j)."""
    return {name: float(np.mean(np.isposinf(data[:, j]))) for j, name in enumerate(outputs)
            if name in INFINITE_OK}


def grid_scenarios(scenario: Scenario, points: Sequence[dict[str, float]]) -> list[Scenario]:
    """The scenario with each point's values as overrides; a bad name or value fails first."""
    built = []
    for values in points:
        try:
            built.append(with_overrides(scenario, {k: _number(v) for k, v in values.items()}))
        except ScenarioError as exc:
            where = ", ".join(f"{k}={v:g}" for k, v in values.items())
            raise ScenarioError([replace(p, argument="axes", value=f"at {where}",
                                         message=f"{p.value}: {p.message}"
                                         if p.argument == "overrides" else p.message)
                                 for p in exc.problems]) from None
    return built


def _number(value: float) -> int | float:
    """Whole values as int, as overrides parse them (counts must be whole numbers)."""
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


def sweep(
    scenario: Scenario,
    axes: Grid | Sequence[Axis],
    iterations: int,
    seed: int,
    *,
    ci: float = 0.90,
    threads: int | None = None,
    scheduler: Any = None,
    progress: Callable[[int], None] | None = None,
) -> SweepResult:
    """Simulate every grid point of ``axes`` with the same seed (common random numbers).

    Parameters
    ----------
    scenario
        The loaded scenario (its overrides and variant already applied).
    axes
        The varied names (any parameter, output or dotted domain key), each with its values:
        ``{"worker_cost": [60000, 75000, 90000], "success.rate": [0.2, 0.5]}`` (or a
        sequence of :class:`Axis`). At most ``MAX_POINTS`` combinations.
    iterations, seed, ci
        As for :func:`onzekerheid.simulate`; every point uses the same seed.
    threads
        In-process threads per grid point (ignored with ``scheduler``).
    scheduler
        ``None``, ``"local:N"``, a dask scheduler address or a ``distributed.Client``: each grid
        point becomes one task; the summaries are bitwise those of the in-process run.
    progress
        Called with 1 after each grid point.

    Returns
    -------
    SweepResult
        Point ``i`` equals ``simulate(load(file, overrides=points[i]), iterations, seed)``.
    """
    refuse_weighted(scenario, "sweep")
    seed = runner.seed_from(seed)
    axes = axes_of(axes)
    points = grid(axes)
    scenarios = grid_scenarios(scenario, points)
    outputs = tuple(scenario.outputs)
    tasks = []
    for built in scenarios:
        plan = build_plan(built)
        keep = [plan.names.index(n) for n in outputs]
        tasks.append((plan, int(iterations), seed, keep, outputs, dict(built.claims), ci))
    if scheduler is None:
        found = []
        for task in tasks:
            found.append(point_summaries(*task, threads=threads))
            if progress is not None:
                progress(1)
    else:
        with distributed.client_for(scheduler) as client:
            found = distributed.map_tasks(
                client, point_summaries, tasks,
                None if progress is None else (lambda _i, _r: progress(1)))
    return SweepResult(scenario, axes, points, [f[0] for f in found], int(iterations), seed,
                       ci, [f[1] for f in found])
