"""Side by side: variants of one scenario (or several files), and the distribution of their
difference from a baseline, iteration by iteration.

Every scenario is simulated with the same seed. Random streams are tied to (seed, parameter
name, block), so a parameter both scenarios share, with the same distribution, takes the same
value in iteration ``i`` of each: the paired difference ``y_B[i] - y_A[i]`` then carries only the
effect of what differs (common random numbers), and its Monte Carlo error is far below that of
two independent runs, ``Var(Y_B - Y_A) = Var(Y_B) + Var(Y_A) - 2 Cov(Y_A, Y_B)``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine import distributed, runner
from ..errors import ScenarioError, argument_error
from ..plan import build_plan
from ..scenario.model import Scenario
from .posterior import refuse_weighted
from .result import Result
from .summary import INFINITE_OK, Summary, summarize


@dataclass
class Comparison:
    """Results of several scenarios on the same seed; differences are taken from ``baseline``."""

    results: dict[str, Result]
    baseline: str
    outputs: tuple[str, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.results)

    def difference(self, label: str, output: str) -> np.ndarray:
        """Per-iteration ``output`` of ``label`` minus that of the baseline.

        Equal values differ by 0, so two payback years that never come (+inf, see
        ``summary.INFINITE_OK``) differ by 0, one that never comes against a year by +-inf.
        """
        mine, base = self.results[label][output], self.results[self.baseline][output]
        with np.errstate(invalid="ignore"):  # inf - inf: replaced by 0 where they are equal
            return np.where(mine == base, 0.0, mine - base)

    def difference_summary(self, label: str, output: str) -> Summary:
        """Summary of :meth:`difference`; its ``p_positive`` is P(label > baseline)."""
        batch = max(self.results[label].batch, self.results[self.baseline].batch)
        return summarize(self.difference(label, output), self.results[label].ci, batch=batch,
                         keep_inf=output in INFINITE_OK)

    def never(self) -> dict[str, float]:
        """Per label, the share of iterations that never pay back (with a ``payback_year``)."""
        if "payback_year" not in self.outputs:
            return {}
        return {label: float(np.mean(np.isposinf(r["payback_year"])))
                for label, r in self.results.items()}

    def to_json(self) -> dict[str, Any]:
        """``{"baseline", "iterations", "seed", "ci", "scenarios": {label: {title, file}},
        "outputs": {output: {label: summary}}, "differences": {output: {label: summary}}}``,
        and ``"never_pays_back": {label: share}`` with a ``payback_year``."""
        first = self.results[self.baseline]
        return {
            "baseline": self.baseline,
            "iterations": first.iterations,
            "seed": first.seed,
            "ci": first.ci,
            "scenarios": {label: {"title": r.scenario.title, "file": r.scenario.file}
                          for label, r in self.results.items()},
            "outputs": {name: {label: r.summary_of(name).as_dict()
                               for label, r in self.results.items()}
                        for name in self.outputs},
            "differences": {name: {label: self.difference_summary(label, name).as_dict()
                                   for label in self.labels if label != self.baseline}
                            for name in self.outputs},
            **({"never_pays_back": self.never()} if self.never() else {}),
        }


def common_outputs(scenarios: Mapping[str, Scenario]) -> tuple[str, ...]:
    """Outputs present in every scenario, in the first one's order."""
    first, *rest = scenarios.values()
    names = tuple(n for n in first.outputs if all(n in s.outputs for s in rest))
    if not names:
        raise ScenarioError("compare: the scenarios have no output in common; compare files "
                            "that compute the same outputs (e.g. net_benefit)")
    return names


def compare(
    scenarios: Mapping[str, Scenario],
    iterations: int,
    seed: int,
    *,
    ci: float = 0.90,
    baseline: str | None = None,
    threads: int | None = None,
    scheduler: Any = None,
) -> Comparison:
    """Simulate each labelled scenario with the same seed and pair their iterations.

    Parameters
    ----------
    scenarios
        ``{label: scenario}``, at least two (variant names or file names).
    iterations, seed, ci, threads, scheduler
        As for :func:`onzekerheid.simulate`; one seed for all (common random numbers).
    baseline
        The label differences are taken from (default: the first).

    Returns
    -------
    Comparison
        ``difference_summary(label, output)`` summarises ``y_label - y_baseline`` per iteration.
    """
    if len(scenarios) < 2:
        raise ScenarioError("compare needs at least two scenarios: a file with two or more "
                            "[variants.NAME] sections, or two or more files")
    base = baseline if baseline is not None else next(iter(scenarios))
    if base not in scenarios:
        raise argument_error("baseline", base, f"not one of {', '.join(scenarios)}")
    outputs = common_outputs(scenarios)
    seed = runner.seed_from(seed)
    with contextlib.ExitStack() as stack:
        if scheduler is not None:
            scheduler = stack.enter_context(distributed.client_for(scheduler))
        results = {label: _simulate(s, outputs, iterations, seed, ci, threads, scheduler)
                   for label, s in scenarios.items()}
    return Comparison(results, base, outputs)


def _simulate(scenario: Scenario, outputs: tuple[str, ...], iterations: int, seed: int,
              ci: float, threads: int | None, scheduler: Any) -> Result:
    refuse_weighted(scenario, "compare")
    plan = build_plan(scenario)
    keep = [plan.names.index(n) for n in outputs]
    if scheduler is None:
        data = runner.run(plan, iterations, seed, keep, threads=threads)
    else:
        data = distributed.run(plan, iterations, seed, keep, scheduler=scheduler)
    return Result(scenario, iterations, seed, ci, data, outputs, outputs)
