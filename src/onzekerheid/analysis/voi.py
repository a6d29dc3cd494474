r"""Value of information: what it is worth to learn a parameter before deciding.

The decision: go ahead when the expected output (a net benefit ``NB``) is positive, else do
nothing (worth 0). With the current information the value is ``max(E[NB], 0)``.

* EVPI, perfect information on everything: ``E[max(NB, 0)] - max(E[NB], 0)``.
* EVPPI of a parameter or group ``phi``: ``E_phi[max(E[NB | phi], 0)] - max(E[NB], 0)``.

EVPPI is estimated by regression on the Monte Carlo sample (Strong, Oakley & Brennan 2014):
the fitted values of a smooth regression of ``NB`` on ``phi`` estimate ``g(phi) = E[NB | phi]``
for every iteration, and ``EVPPI = mean(max(g, 0)) - max(mean(g), 0)``. The smoother here is
least squares on a fixed basis (no new dependency; a GAM with fixed knots is the same model
without the penalty):

* every parameter ``x`` enters through its rank ``u = (rank - 1/2) / n`` in a cubic B-spline
  basis with knots at equally spaced ``u`` (4, 8 or 16 interior knots, chosen by generalised
  cross-validation for a single parameter; 8 in a group), so heavy tails have no leverage;
* a group adds every product of its standardised parameters up to total degree 3 (2 for groups
  of more than 8), which captures the products of factors that cost-benefit models are made of.

The bases are nested (a group's basis contains each member's), so a larger group never fits
worse. Two checks hold by construction and are reported when they bind: ``0 <= EVPPI <= EVPI``,
and a group's EVPPI is at least that of each member and of every smaller named group inside
it (``clamped`` in the JSON says when an estimate was raised or lowered to keep them).

Scaling (``--population``, ``--years``, ``--discount``): the per-decision values times
``population x sum_{t=0}^{years-1} (1 + discount)^-t``, the present value of the information
for every unit and year the decision applies to — "research worth up to EUR X".

Reference: Strong, M., Oakley, J. E. and Brennan, A. (2014), Estimating multiparameter partial
expected value of perfect information from a probabilistic sensitivity analysis sample: a
nonparametric regression approach, Medical Decision Making 34(3), 311–326.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations_with_replacement
from typing import Any

import numpy as np
from scipy import stats
from scipy.interpolate import BSpline

from ..errors import ScenarioError, SimulationError
from .display import TableView
from .model import Model, sample

DEFAULT_DISCOUNT = 0.0225  # as the domain model (Dutch MKBA standard rate)
KNOT_CHOICES = (4, 8, 16)
GROUP_KNOTS = 8
CHUNK = 16_384
# one block of regressors: the rows asked for (a slice of the sample) -> their columns
Basis = Callable[[slice], np.ndarray]


@dataclass(frozen=True)
class Scale:
    """How the per-decision value is scaled to a population and years."""

    population: float = 1.0
    years: int = 1
    discount: float = DEFAULT_DISCOUNT

    @property
    def factor(self) -> float:
        return self.population * sum((1.0 + self.discount) ** -t for t in range(self.years))


@dataclass(frozen=True)
class VoiResult(TableView):
    """EVPI and EVPPI per parameter and group, per decision and scaled."""

    output: str
    iterations: int
    seed: int
    mean: float
    evpi: float
    evpi_mcse: float
    evppi: dict[str, float]  # per parameter
    groups: dict[str, tuple[tuple[str, ...], float]]
    r_squared: dict[str, float]
    clamped: dict[str, str]
    scale: Scale

    def to_json(self) -> dict[str, Any]:
        f = self.scale.factor
        return {
            "output": self.output, "iterations": self.iterations, "seed": self.seed,
            "decision": f"go ahead when the expected {self.output} is positive",
            "expected": self.mean, "evpi": self.evpi * f, "evpi_mcse": self.evpi_mcse * f,
            "parameters": {n: {"evppi": v * f, "per_decision": v, "r_squared": self.r_squared[n],
                               **({"clamped": self.clamped[n]} if n in self.clamped else {})}
                           for n, v in sorted(self.evppi.items(), key=lambda kv: -kv[1])},
            "groups": {n: {"parameters": list(m), "evppi": v * f, "per_decision": v,
                           "r_squared": self.r_squared[n],
                           **({"clamped": self.clamped[n]} if n in self.clamped else {})}
                       for n, (m, v) in self.groups.items()},
            "per_decision": {"evpi": self.evpi},
            "scale": {"population": self.scale.population, "years": self.scale.years,
                      "discount": self.scale.discount, "factor": f},
            "method": "EVPPI by regression on the sample (Strong, Oakley & Brennan 2014): "
                      "cubic B-splines in each parameter's rank, plus products up to degree 3 "
                      "for groups; least squares",
        }


def evpi(nb: np.ndarray) -> tuple[float, float]:
    """EVPI ``E[max(NB, 0)] - max(E[NB], 0)`` of net-benefit samples, and its MCSE.

    The MCSE follows from writing EVPI as the mean of ``max(-NB, 0)`` (when ``E[NB] > 0``)
    or of ``max(NB, 0)`` (otherwise).
    """
    nb = np.asarray(nb, dtype=np.float64)
    regret = np.maximum(-nb, 0.0) if nb.mean() > 0 else np.maximum(nb, 0.0)
    return float(regret.mean()), float(regret.std(ddof=1) / math.sqrt(nb.size))


def evppi_from_fit(fitted: np.ndarray) -> float:
    """``mean(max(g, 0)) - max(mean(g), 0)`` for fitted conditional expectations ``g``."""
    return float(np.maximum(fitted, 0.0).mean() - max(float(fitted.mean()), 0.0))


def value_of_information(model: Model, output: str, *, groups: dict[str, list[str]] | None = None,
                         iterations: int = 100_000, seed: int = 0, scale: Scale | None = None,
                         threads: int | None = None) -> VoiResult:
    """EVPI and EVPPI (per random parameter and per named group) of ``output``.

    See the module docstring for the method and its checks.
    """
    groups = groups or {}
    for name, listed in groups.items():
        unknown = [m for m in listed if m not in model.names]
        if not listed or unknown:
            raise ScenarioError(f"--group {name}: " + (
                f"{', '.join(unknown)} is not a random parameter" if unknown else "is empty")
                + "; random parameters: " + ", ".join(model.names))
    if iterations < 1000:
        raise ScenarioError(f"--iterations must be at least 1000 for EVPPI, got {iterations}")
    x, nb = sample(model, output, iterations, seed, threads)
    if nb.size < 1000:
        raise SimulationError(f"{output} is finite in only {nb.size} iterations")
    total, total_mcse = evpi(nb)
    ranks = (stats.rankdata(x, axis=0) - 0.5) / len(nb)
    scaled = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    singles: dict[str, float] = {}
    r2: dict[str, float] = {}
    clamped: dict[str, str] = {}
    for i, name in enumerate(model.names):
        fitted, r2[name] = _fit_single(ranks[:, i], scaled[:, i], nb)
        singles[name] = _bounded(name, evppi_from_fit(fitted), 0.0, total, clamped)
    found: dict[str, tuple[tuple[str, ...], float]] = {}
    for name in sorted(groups, key=lambda g: len(set(groups[g]))):
        members = tuple(dict.fromkeys(groups[name]))
        cols = [model.names.index(m) for m in members]
        fitted, r2[name] = _fit_group(ranks[:, cols], scaled[:, cols], nb)
        floor = max([singles[m] for m in members]
                    + [v for m, v in found.values() if set(m) < set(members)])
        found[name] = (members, _bounded(name, evppi_from_fit(fitted), floor, total, clamped))
    return VoiResult(output, len(nb), seed, float(nb.mean()), total, total_mcse, singles,
                     found, r2, clamped, scale or Scale())


def _bounded(name: str, value: float, low: float, high: float, clamped: dict[str, str]
             ) -> float:
    noise = 1e-9 * max(abs(high), abs(low), 1e-300)  # rounding, not worth reporting
    if value > high:
        if value > high + noise:
            clamped[name] = f"estimate {value:.6g} lowered to the EVPI"
        return high
    if value < low:
        if value < low - noise:
            clamped[name] = f"estimate {value:.6g} raised to {low:.6g} (a part of it)"
        return low
    return value


def _fit_single(u: np.ndarray, z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    best = None
    for knots in KNOT_CHOICES:
        basis: list[Basis] = [_spline_basis(u, knots), lambda rows: z[rows, None]]
        fitted, rss, p = _least_squares(basis, y)
        gcv = len(y) * rss / (len(y) - p) ** 2
        if best is None or gcv < best[0]:
            best = (gcv, fitted, rss)
    assert best is not None
    return best[1], _r2(best[2], y)


def _fit_group(u: np.ndarray, z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    g = u.shape[1]
    degree = min(g, 3) if g <= 8 else 2
    terms = [t for d in range(1, degree + 1)
             for t in combinations_with_replacement(range(g), d)]
    basis = [_spline_basis(u[:, j], GROUP_KNOTS) for j in range(g)]
    basis.append(lambda rows: np.column_stack([np.prod(z[rows][:, list(t)], axis=1)
                                               for t in terms]))
    fitted, rss, _ = _least_squares(basis, y)
    return fitted, _r2(rss, y)


def _spline_basis(u: np.ndarray, knots: int) -> Basis:
    """The spline columns of one parameter's ranks ``u``, for the rows asked."""
    def columns(rows: slice) -> np.ndarray:
        return _spline(u[rows], knots)
    return columns


def _spline(u: np.ndarray, knots: int) -> np.ndarray:
    inner = np.linspace(0.0, 1.0, knots + 2)
    t = np.concatenate([[0.0] * 3, inner, [1.0] * 3])
    return BSpline.design_matrix(np.clip(u, 0.0, 1.0), t, 3).toarray()[:, 1:]


def _least_squares(basis: list[Basis], y: np.ndarray) -> tuple[np.ndarray, float, int]:
    """Fit ``y ~ 1 + basis`` by normal equations accumulated in chunks (bounded memory)."""
    n = len(y)
    xtx = xty = None
    shift = y.mean()
    for start in range(0, n, CHUNK):
        rows = slice(start, min(start + CHUNK, n))
        x = np.column_stack([np.ones(rows.stop - rows.start)] + [b(rows) for b in basis])
        xtx = x.T @ x if xtx is None else xtx + x.T @ x
        xty = x.T @ (y[rows] - shift) if xty is None else xty + x.T @ (y[rows] - shift)
    assert xtx is not None and xty is not None
    scale = np.sqrt(np.maximum(xtx.diagonal(), 1e-300))
    normal = xtx / np.outer(scale, scale)
    beta, *_ = np.linalg.lstsq(normal + 1e-10 * np.eye(len(scale)), xty / scale, rcond=1e-12)
    beta = beta / scale
    fitted = np.empty(n)
    for start in range(0, n, CHUNK):
        rows = slice(start, min(start + CHUNK, n))
        x = np.column_stack([np.ones(rows.stop - rows.start)] + [b(rows) for b in basis])
        fitted[rows] = x @ beta + shift
    rss = float(np.sum((y - fitted) ** 2))
    return fitted, rss, int(np.linalg.matrix_rank(normal, tol=1e-10))


def _r2(rss: float, y: np.ndarray) -> float:
    total = float(np.sum((y - y.mean()) ** 2))
    return 1.0 - rss / total if total > 0 else 0.0
