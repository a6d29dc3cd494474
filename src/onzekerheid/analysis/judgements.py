"""Judgements kept apart: every output with and without the values that rest on opinion.

A parameter marked ``judgement = true`` (an estimator-bias prior, say) is a value without a
source. Two layers are reported for every output:

* ``without_judgements``: the run again with every (random) judgement held at its ``point``
  and the same seed. The engine ties each parameter's random stream to its name, so every
  other parameter keeps its draws (common random numbers): this equals a run of the file with
  the judgements written as fixed numbers at their points;
* ``switching``: per judgement, the value at which the output's median reaches the claim (its
  figure; 0 when the output has no claim), the other judgements and parameters uncertain;
  None when the median does not cross it on the judgement's plausible range.

The switching value is found on the first ``min(n, SWITCH_ROWS)`` iterations of the run's
seed: the median is computed at ``GRID`` values spread over the judgement's 1st to 99th
percentile (widened to include its point), with common random numbers, so it is a smooth
curve in the value; the crossing nearest the point is found on a monotone cubic (PCHIP)
interpolation of that curve. Its Monte Carlo standard error is the delta-method one,
``MCSE(median) / |d median / d value|`` at the crossing (Glasserman 2003, sec. 7.1, on
roots of simulated functions).

Both are simulated as :func:`onzekerheid.simulate` does, importance resampling by
``[[evidence]]`` included, so the first layer equals the fixed run under evidence too.

A per-case factor marked as a judgement (``bias.per_case``: noise with mean 1, drawn per
case) cannot be held at a point without changing the case draws; it is listed under
``kept`` and stays uncertain in both layers.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine import runner
from ..plan import Plan, build_plan
from ..scenario.model import Scenario
from . import posterior
from .audit import claim_holds
from .mcse import quantiles_with_mcse, rows_per_batch
from .summary import summarize

SWITCH_ROWS = 2**12
GRID = 7
PLAUSIBLE = (0.01, 0.99)


@dataclass(frozen=True)
class Crossing:
    """Where one output's median reaches its target as one judgement varies."""

    value: float | None
    mcse: float | None
    rising: bool  # whether the median grows with the judgement at the crossing


@dataclass(frozen=True)
class JudgementLayer:
    """Both layers for every output (see the module docstring)."""

    points: dict[str, float]  # the judgements held at their point, and the point
    kept: tuple[str, ...]  # judgements that stay uncertain (per-case factors)
    without: dict[str, dict[str, Any]]  # output -> mean, median, low, high, p_positive, ...
    crossings: dict[str, dict[str, Crossing]]  # output -> judgement -> crossing
    targets: dict[str, float]  # output -> the level its median is to reach
    rows: int  # iterations used for the switching values

    def output_json(self, name: str) -> dict[str, Any]:
        """``without_judgements``, ``switching`` and ``switching_mcse`` of one output."""
        crossings = self.crossings.get(name, {})
        return {"without_judgements": {**self.without[name], "held_at_point": dict(self.points),
                                       "kept_uncertain": list(self.kept)},
                "switching": {j: c.value for j, c in crossings.items()},
                "switching_mcse": {j: c.mcse for j, c in crossings.items()}}


def judgement_names(scenario: Scenario) -> tuple[list[str], list[str]]:
    """``(held, kept)``: random judgements held at their point; per-case ones kept."""
    held = [n for n in scenario.judgements if scenario.parameters[n].kind == "random"
            and scenario.parameters[n].uncertain is None]
    kept = [n for n in scenario.judgements if n not in held
            and scenario.parameters[n].kind != "fixed"]
    return held, kept + list(scenario.case_judgements)


def judgement_layer(scenario: Scenario, iterations: int, seed: int, ci: float,
                    threads: int | None = None) -> JudgementLayer | None:
    """Both layers for every output of ``scenario`` (None when it has no judgements)."""
    held, kept = judgement_names(scenario)
    if not scenario.judgements and not scenario.case_judgements:
        return None  # a fixed judgement is at its point already: the layer equals the run
    plan = build_plan(scenario)
    outputs = list(scenario.outputs)
    points = {n: float(scenario.parameters[n].point) for n in held}
    data = _simulate(scenario, plan, points, iterations, seed, threads)
    without = {name: _layer_summary(scenario, name, data[:, j], ci)
               for j, name in enumerate(outputs)}
    targets = {n: float(scenario.claims.get(n, 0.0)) for n in outputs}
    rows = min(iterations, SWITCH_ROWS)
    crossings: dict[str, dict[str, Crossing]] = {n: {} for n in outputs}
    for name in held:
        for output, crossing in _crossings(scenario, plan, name, targets, rows, seed,
                                           threads).items():
            crossings[output][name] = crossing
    return JudgementLayer(points, tuple(kept), without, crossings, targets, rows)


def _layer_summary(scenario: Scenario, name: str, values: np.ndarray, ci: float
                   ) -> dict[str, Any]:
    batch = rows_per_batch(scenario)
    s = summarize(values, ci, batch=batch)
    doc: dict[str, Any] = {"mean": _f(s.mean), "median": _f(s.median), "low": _f(s.low),
                           "high": _f(s.high), "p_positive": _f(s.p_positive)}
    claim = scenario.claim_of(name)
    if claim is not None:
        p, mcse, _ = claim_holds(values, claim, batch)
        doc.update(p_claim_holds=_f(p), p_claim_holds_mcse=_f(mcse))
    return doc


def _simulate(scenario: Scenario, plan: Plan, held: dict[str, float], rows: int, seed: int,
              threads: int | None) -> np.ndarray:
    """Every output, (rows, outputs), as :func:`onzekerheid.simulate` computes it (evidence
    resampling included) with the parameters in ``held`` fixed at the values given."""
    outputs = tuple(scenario.outputs)
    extra = tuple(u.parameter for u in posterior.weighted(scenario) if u.parameter not in outputs)
    keep = [plan.names.index(n) for n in outputs + extra]
    inputs = {plan.names.index(n): np.full(rows, v) for n, v in held.items()}
    data = runner.run(plan, rows, seed, keep, inputs=inputs, threads=threads)
    if scenario.evidence:
        data, _ = posterior.resample(scenario, data, outputs + extra, seed)
    return np.ascontiguousarray(data[:, :len(outputs)])


def _crossings(scenario: Scenario, plan: Plan, name: str, targets: dict[str, float],
               rows: int, seed: int, threads: int | None) -> dict[str, Crossing]:
    """Per output, where its median reaches the target as judgement ``name`` varies."""
    outputs = list(scenario.outputs)
    dist = scenario.parameters[name].dist
    assert dist is not None
    point = float(scenario.parameters[name].point)
    low, high = (float(v) for v in dist.ppf(np.array(PLAUSIBLE)))
    low, high = min(low, point), max(high, point)
    if not low < high:
        return {o: Crossing(None, None, True) for o in outputs}
    grid = np.unique(np.concatenate([np.linspace(low, high, GRID), [point]]))
    batch = rows_per_batch(scenario)

    def medians_at(value: float) -> list[tuple[float, float]]:
        data = _simulate(scenario, plan, {name: float(value)}, rows, seed, 1)
        return [_median(data[:, j], batch) for j in range(len(outputs))]

    # one grid value per thread: a small evaluation runs in a single chunk, and the kernels
    # release the GIL as they do for the runner's own threads
    workers = max(1, min(len(grid), threads or os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        found = np.array(list(pool.map(medians_at, grid)))  # (grid, outputs, 2)
    medians, mcses = found[:, :, 0], found[:, :, 1]
    return {o: _crossing(grid, medians[:, j] - targets[o], mcses[:, j], point)
            for j, o in enumerate(outputs)}


def _median(values: np.ndarray, batch: int) -> tuple[float, float]:
    if np.count_nonzero(np.isfinite(values)) < 10:
        return math.nan, math.nan
    return quantiles_with_mcse(values, [0.5], batch)[0]


def _crossing(grid: np.ndarray, level: np.ndarray, mcse: np.ndarray, point: float
              ) -> Crossing:
    """The root of the interpolated ``level`` nearest ``point``, with its delta-method MCSE."""
    ok = np.isfinite(level)
    if ok.sum() < 2:
        return Crossing(None, None, True)
    x, y, se = grid[ok], level[ok], mcse[ok]
    from scipy.interpolate import PchipInterpolator  # lazy: scipy doubles start-up time

    curve = PchipInterpolator(x, y)
    roots = [float(r) for r in curve.roots(extrapolate=False) if np.isfinite(r)]
    roots += [float(v) for v, w in zip(x, y, strict=True) if w == 0.0]
    if not roots:
        return Crossing(None, None, True)
    root = min(roots, key=lambda r: abs(r - point))
    slope = float(curve.derivative()(root))
    error = float(np.interp(root, x, se))
    spread = abs(error / slope) if slope != 0.0 and math.isfinite(error) else math.inf
    return Crossing(root, spread if math.isfinite(spread) else None, slope >= 0.0)


def _f(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def claim_direction(result: Any, name: str) -> str:
    """Which side of its figure a claim holds on: the claim's own direction, or for a range or
    rounded figure the output's ``better`` (its figure is then the weaker end)."""
    stated = result.scenario.claim_of(name)
    output = result.scenario.outputs.get(name)
    direction = stated.direction if stated is not None else "none"
    return output.better if direction == "none" and output is not None else direction


def switching_sentence(output: str, judgement: str, crossing: Crossing, direction: str,
                       point: float, dutch: bool = False) -> str:
    """"The claim holds as long as ..." for one judgement (``direction``: the claim's, or the
    output's better when unclaimed: ``higher`` means the median must reach the target from
    above). Empty when the median does not cross the target on the plausible range."""
    if crossing.value is None or direction == "none":
        return ""
    x = crossing.value
    above = crossing.rising == (direction == "higher")  # holds for judgement values above x

    def num(v: float, digits: int = 4) -> str:
        text = f"{v:.{digits}g}"
        return text.replace(".", ",") if dutch else text

    pm = "" if crossing.mcse is None else f" ± {num(crossing.mcse, 2)}"
    side = ("boven" if above else "onder") if dutch else ("above" if above else "below")
    where = f"{judgement} {side} {num(x)}{pm}"
    assumes = (f"het bestand neemt {num(point)} aan" if dutch
               else f"the file assumes {num(point)}")
    if judgement.endswith("bias.systematic") and above and x > 0:
        if x < 1:
            share = f"{1.0 / x - 1.0:.0%}"
            return (f"De claim over {output} houdt stand zolang de schattingen de werkelijke "
                    f"waarde met minder dan {share} overschatten ({where}; {assumes})."
                    if dutch else
                    f"The claim on {output} holds as long as the estimates overstate the "
                    f"realised value by less than {share} ({where}; {assumes}).")
        share = f"{x - 1.0:.0%}"
        return (f"De claim over {output} houdt alleen stand als de werkelijke waarde de "
                f"schattingen met minstens {share} overtreft ({where}; {assumes})." if dutch else
                f"The claim on {output} holds only if the realised value exceeds the estimates "
                f"by at least {share} ({where}; {assumes}).")
    if dutch:
        return f"De claim over {output} houdt stand zolang {where} blijft ({assumes})."
    return (f"The claim on {output} holds as long as {judgement} stays {side} {num(x)}{pm} "
            f"({assumes}).")
