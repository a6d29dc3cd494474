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

MCSE of an EVPPI (``evppi_mcse``): the estimate is ``mean(r(g))`` with ``r(g) = max(-g, 0)``
when going ahead is the current decision (``max(g, 0)`` otherwise), so its error has two
parts, added as variances: averaging over the sample, ``var(r) / n``, and the fit, by the delta
method ``grad' Cov(beta) grad`` with ``grad = mean((1[g > 0] - go) x)`` over the regressors ``x``
and the heteroscedasticity-robust (sandwich, HC0) covariance of the least-squares
coefficients ``(X'X)^-1 X' diag(e^2) X (X'X)^-1`` (cf. Strong et al. 2014, appendix, who draw
from the coefficients' distribution instead). It measures Monte Carlo noise, not the
regression's bias (the smoother may miss structure; ``r_squared`` helps judge that).

Scaling (``--population``, ``--years``, ``--discount``): the per-decision values times
``population x sum_{t=0}^{years-1} (1 + discount)^-t``, the present value of the information
for every unit and year the decision applies to — "research worth up to EUR X". Time
convention (as the domain model's ``[horizon]``): the first year (t = 0) is not discounted,
year t by ``(1 + discount)^-t``; so ``--years 1`` is the undiscounted one-year value.

Reference: Strong, M., Oakley, J. E. and Brennan, A. (2014), Estimating multiparameter partial
expected value of perfect information from a probabilistic sensitivity analysis sample: a
nonparametric regression approach, Medical Decision Making 34(3), 311–326.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import combinations_with_replacement
from typing import Any

import numpy as np
from scipy import stats
from scipy.interpolate import BSpline

from ..errors import ScenarioError, SimulationError, argument_error
from ..plan import stream_id
from ..scenario.studies import CASES, INSTEAD, Study, case_sample_problem
from .display import TableView
from .evsi import StudyValue, cases_study_value, study_value
from .mcse import rows_per_batch, variance_of_mean
from .model import DEFAULT_SEED, CaseSample, Model, case_sample, sample_rows

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
        """``population x sum_{t=0}^{years-1} (1 + r)^-t``, the annuity in closed form
        ``(1 - v^years) / (1 - v)`` with ``v = 1 / (1 + r)`` (``years`` when r = 0): constant
        time for any number of years."""
        if self.discount == 0.0:
            return self.population * float(self.years)
        v = 1.0 / (1.0 + self.discount)
        return self.population * (1.0 - v ** self.years) / (1.0 - v)


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
    studies: tuple[StudyValue, ...] = ()  # [[studies]]: EVSI per size (see evsi.py)
    evppi_mcse: dict[str, float] = field(default_factory=dict)  # parameters and groups
    case_columns: tuple[str, ...] = ()  # the amounts "cases" stands for in a group
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        f = self.scale.factor
        return {
            **({"studies": {v.study.name: v.to_json(f) for v in self.studies}}
               if self.studies else {}),
            "warnings": list(self.warnings),
            "output": self.output, "iterations": self.iterations, "seed": self.seed,
            "decision": f"go ahead when the expected {self.output} is positive",
            "expected": self.mean, "evpi": self.evpi * f,
            "evpi_mcse": self.evpi_mcse * f if math.isfinite(self.evpi_mcse) else None,
            "parameters": {n: {"evppi": v * f, "evppi_mcse": self._mcse(n, f),
                               "per_decision": v, "r_squared": self.r_squared[n],
                               **({"clamped": self.clamped[n]} if n in self.clamped else {})}
                           for n, v in sorted(self.evppi.items(), key=lambda kv: -kv[1])},
            "groups": {n: {"parameters": list(m), "evppi": v * f,
                           "evppi_mcse": self._mcse(n, f), "per_decision": v,
                           "r_squared": self.r_squared[n],
                           **({CASES: list(self.case_columns)} if CASES in m else {}),
                           **({"clamped": self.clamped[n]} if n in self.clamped else {})}
                       for n, (m, v) in self.groups.items()},
            "per_decision": {"evpi": self.evpi},
            "scale": {"population": self.scale.population, "years": self.scale.years,
                      "discount": self.scale.discount, "factor": f,
                      "convention": "population x sum over years t = 0 .. years-1 of "
                                    "(1 + discount)^-t: the first year undiscounted"},
            "method": "EVPPI by regression on the sample (Strong, Oakley & Brennan 2014): "
                      "cubic B-splines in each parameter's rank, plus products up to degree 3 "
                      "for groups; least squares; evppi_mcse by the delta method with a "
                      "robust (HC0) coefficient covariance plus the sample average's error",
        }

    def _mcse(self, name: str, factor: float) -> float | None:
        value = self.evppi_mcse.get(name, math.nan)
        return value * factor if math.isfinite(value) else None


def evpi(nb: np.ndarray, ids: np.ndarray | None = None) -> tuple[float, float]:
    """EVPI ``E[max(NB, 0)] - max(E[NB], 0)`` of net-benefit samples, and its MCSE.

    The MCSE follows from writing EVPI as the mean of ``max(-NB, 0)`` (when ``E[NB] > 0``)
    or of ``max(NB, 0)`` (otherwise): ``sd / sqrt(n)``, or batch means over the batch numbers
    ``ids`` when rows are not independent (``[correlations]``; see :mod:`.mcse`).
    """
    nb = np.asarray(nb, dtype=np.float64)
    regret = np.maximum(-nb, 0.0) if nb.mean() > 0 else np.maximum(nb, 0.0)
    return float(regret.mean()), math.sqrt(variance_of_mean(regret, ids))


def evppi_from_fit(fitted: np.ndarray) -> float:
    """``mean(max(g, 0)) - max(mean(g), 0)`` for fitted conditional expectations ``g``."""
    return float(np.maximum(fitted, 0.0).mean() - max(float(fitted.mean()), 0.0))


def value_of_information(model: Model, output: str, *, groups: dict[str, list[str]] | None = None,
                         iterations: int = 100_000, seed: int = DEFAULT_SEED,
                         scale: Scale | None = None,
                         threads: int | None = None, studies: Sequence[Study] = ()
                         ) -> VoiResult:
    """EVPI and EVPPI (per random parameter and per named group) of ``output``, and the
    EVSI of each of ``studies`` (:mod:`.evsi`, from the same regression fits).

    A group member ``"cases"`` stands for the case sample: the mean amounts of the cases each
    iteration resamples from the ``[cases]`` table (every amount column in the group's basis).
    See the module docstring for the method and its checks.
    """
    _check_studies(model, studies)
    groups = groups or {}
    cases = _case_sample_asked(model, groups, studies)
    if iterations < 1000:
        raise argument_error("iterations", None,
                             f"must be at least 1000 for EVPPI, got {iterations}")
    x, nb, kept = sample_rows(model, output, iterations, seed, threads,
                              extra=cases.cols if cases else ())
    if nb.size < 1000:
        raise SimulationError(f"{output} is finite in only {nb.size} iterations")
    batch = rows_per_batch(model.scenario)
    ids = kept // batch if batch > 1 else None  # [correlations]: batch means (see .mcse)
    total, total_mcse = evpi(nb, ids)
    ranks = (stats.rankdata(x, axis=0) - 0.5) / len(nb)
    scaled = _standardised(x)
    singles: dict[str, float] = {}
    r2: dict[str, float] = {}
    clamped: dict[str, str] = {}
    mcse: dict[str, float] = {}
    studied: list[StudyValue] = []
    for i, name in enumerate(model.names):
        fitted, r2[name], basis = _fit_single(ranks[:, i], scaled[:, i], nb)
        singles[name] = _bounded(name, evppi_from_fit(fitted), 0.0, total, clamped)
        mcse[name] = evppi_mcse(basis, nb, fitted, ids)
        studied += [study_value(s, x[:, i], fitted, singles[name])
                    for s in studies if s.parameter == name]
    columns = {name: [i] for i, name in enumerate(model.names)}
    case_fit = None
    if cases is not None:
        k = len(model.names)
        columns[CASES] = list(range(k, x.shape[1]))
        case_fit = _fit_group(ranks[:, k:], scaled[:, k:], nb)
        singles[CASES] = _bounded(CASES, evppi_from_fit(case_fit[0]), 0.0, total, {})
        noise = study_noise(seed, iterations, kept, len(cases.cols))
        studied += [cases_study_value(s, x[:, k:], np.cov(cases.amounts, rowvar=False), noise,
                                      lambda t: _regression_value(t, nb, ids), singles[CASES],
                                      {"amounts": list(cases.labels),
                                       "table_rows": cases.rows, "cases_per_iteration":
                                       cases.count})
                    for s in studies if s.parameter == CASES]
    found: dict[str, tuple[tuple[str, ...], float]] = {}
    for name in sorted(groups, key=lambda g: len(set(groups[g]))):
        members = tuple(dict.fromkeys(groups[name]))
        cols = [c for m in members for c in columns[m]]
        fitted, r2[name], basis = (case_fit if members == (CASES,) and case_fit else
                                   _fit_group(ranks[:, cols], scaled[:, cols], nb))
        floor = max([singles[m] for m in members]
                    + [v for m, v in found.values() if set(m) < set(members)])
        found[name] = (members, _bounded(name, evppi_from_fit(fitted), floor, total, clamped))
        mcse[name] = evppi_mcse(basis, nb, fitted, ids)
    singles.pop(CASES, None)  # the contract's parameters are the random parameters
    order = [s.name for s in studies]
    return VoiResult(output, len(nb), seed, float(nb.mean()), total, total_mcse, singles,
                     found, r2, clamped, scale or Scale(),
                     tuple(sorted(studied, key=lambda v: order.index(v.study.name))), mcse,
                     cases.labels if cases else (), case_warnings(cases) if cases else ())


def study_noise(seed: int, iterations: int, kept: np.ndarray, d: int) -> np.ndarray:
    """Standard normals (len(kept), d) for the summaries of a study of the cases: row ``j`` of
    an (iterations, d) draw from the run's seed and a stream of their own, so the same for
    every size, study, thread count and backend."""
    sequence = np.random.SeedSequence(seed, spawn_key=(stream_id("study:cases"),))
    return np.random.Generator(np.random.PCG64(sequence)).standard_normal((iterations, d))[kept]


def case_warnings(cases: CaseSample) -> tuple[str, ...]:
    """When the case sample's spread is not the sampling uncertainty of the table's mean
    (see :mod:`.evsi`): ``count`` differs from the table's rows, or only successes are drawn."""
    rows, count = cases.rows, cases.count
    if cases.only_successes:
        return (f"cases: each iteration draws rows for its successful cases only (failure_yield "
                "is 0 and no column is an extra cost), so the case sample is a mean over K ~ "
                f"Binomial({count}, success rate) cases and spreads as Sigma / K, not as the "
                f"uncertainty of the mean of the table's {rows} rows (Sigma / {rows}): the "
                "values of 'cases' are only as good as that match",)
    if count == rows:
        return ()
    way = "overstate" if count < rows else "understate"
    return (f"cases: the case sample is the mean of the {count} cases an iteration draws "
            f"([cases] count), so it spreads as Sigma / {count}, while the uncertainty of the "
            f"mean of the table's {rows} rows is Sigma / {rows}: the EVPPI and EVSI of 'cases' "
            f"{way} what more cases are worth (they match when count equals the table's rows)",)


def _case_sample_asked(model: Model, groups: dict[str, list[str]], studies: Sequence[Study]
                       ) -> CaseSample | None:
    """The case sample when a group or study asks for ``cases`` (refused when there is
    none), after checking every group's members."""
    asked = [name for name, listed in groups.items() if CASES in listed]
    for name, listed in groups.items():
        unknown = [m for m in listed if m not in model.names and m != CASES]
        if not listed or unknown:
            raise argument_error("groups", name, (
                f"{', '.join(unknown)} is not a random parameter" if unknown else "is empty")
                + "; random parameters: " + ", ".join(model.names)
                + (", and cases (the case sample)" if case_sample(model) else ""))
    if not asked and not any(s.parameter == CASES for s in studies):
        return None
    cases = case_sample(model)
    if cases is None and asked:
        raise argument_error("groups", asked[0], "'cases' stands for the case sample, but "
                             f"{case_sample_problem(model.scenario.cases)}: there is nothing "
                             "to learn about it", INSTEAD)
    return cases


def _standardised(x: np.ndarray) -> np.ndarray:
    """Each column less its mean, over its sd (a constant column is left at 0)."""
    sd = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def _regression_value(t: np.ndarray, nb: np.ndarray, ids: np.ndarray | None
                      ) -> tuple[float, float]:
    """``mean(max(f, 0)) - max(mean(f), 0)`` for the group fit ``f`` of ``nb`` on the columns
    of ``t``, and its MCSE (:func:`evppi_mcse`): EVPPI's estimator, given any regressors."""
    ranks = (stats.rankdata(t, axis=0) - 0.5) / len(nb)
    fitted, _, basis = _fit_group(ranks, _standardised(t), nb)
    return evppi_from_fit(fitted), evppi_mcse(basis, nb, fitted, ids)


def _check_studies(model: Model, studies: Sequence[Study]) -> None:
    for study in studies:
        if study.parameter == CASES:
            if case_sample(model) is None:
                raise ScenarioError(f"study {study.name}: measures more cases, but "
                                    f"{case_sample_problem(model.scenario.cases)}: there is "
                                    f"nothing for the study to learn; {INSTEAD}")
        elif study.parameter not in model.names:
            raise ScenarioError(f"study {study.name}: '{study.parameter}' is not a random "
                                "parameter with fixed arguments here (a --set or variant may "
                                "have fixed it), so there is nothing for the study to learn",
                                )


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


def evppi_mcse(basis: list[Basis], y: np.ndarray, fitted: np.ndarray,
               ids: np.ndarray | None = None) -> float:
    """MCSE of ``evppi_from_fit(fitted)`` for the least-squares fit of ``y`` on ``basis``.

    ``sqrt(var(r) / n + grad' Cov grad)`` with the robust (HC0) coefficient covariance; see
    the module docstring. With batch numbers ``ids`` (rows not independent) both parts are
    clustered by batch: batch means for ``var(r) / n`` and the cluster-robust covariance,
    whose middle is ``B / (B - 1) sum_b s_b s_b'`` with ``s_b`` the batch's sum of ``x e``.
    The regressors are standardised first, which leaves it unchanged.
    """
    n = len(y)
    go = float(fitted.mean() > 0)
    regret = np.maximum(-fitted, 0.0) if go else np.maximum(fitted, 0.0)
    p = _design(basis, slice(0, 1)).shape[1]
    xtx, meat, grad = np.zeros((p, p)), np.zeros((p, p)), np.zeros(p)
    scores = None if ids is None else np.zeros((int(ids.max()) + 1, p))
    for start in range(0, n, CHUNK):
        rows = slice(start, min(start + CHUNK, n))
        x = _design(basis, rows)
        e = y[rows] - fitted[rows]
        xtx += x.T @ x
        if scores is None or ids is None:
            meat += (x.T * e**2) @ x
        else:  # ids ascend: sum the scores of each batch present in the chunk
            present, first = np.unique(ids[rows], return_index=True)
            scores[present] += np.add.reduceat(x * e[:, None], first, axis=0)
        grad += x.T @ ((fitted[rows] > 0).astype(np.float64) - go)
    if scores is not None and ids is not None:
        used = scores[np.bincount(ids, minlength=len(scores)) > 0]
        meat = used.T @ used * len(used) / max(len(used) - 1, 1)
    scale = np.sqrt(np.maximum(xtx.diagonal(), 1e-300))
    bread = np.linalg.pinv(xtx / np.outer(scale, scale), rcond=1e-10, hermitian=True)
    g = grad / n / scale
    cov = bread @ (meat / np.outer(scale, scale)) @ bread
    fit = float(g @ cov @ g)
    return math.sqrt(max(variance_of_mean(regret, ids), 0.0) + max(fit, 0.0))


def _design(basis: list[Basis], rows: slice) -> np.ndarray:
    return np.column_stack([np.ones(rows.stop - rows.start)] + [b(rows) for b in basis])


def _fit_single(u: np.ndarray, z: np.ndarray, y: np.ndarray
                ) -> tuple[np.ndarray, float, list[Basis]]:
    best = None
    for knots in KNOT_CHOICES:
        basis: list[Basis] = [_spline_basis(u, knots), lambda rows: z[rows, None]]
        fitted, rss, p = _least_squares(basis, y)
        gcv = len(y) * rss / (len(y) - p) ** 2
        if best is None or gcv < best[0]:
            best = (gcv, fitted, rss, basis)
    assert best is not None
    return best[1], _r2(best[2], y), best[3]


def _fit_group(u: np.ndarray, z: np.ndarray, y: np.ndarray
               ) -> tuple[np.ndarray, float, list[Basis]]:
    g = u.shape[1]
    degree = min(g, 3) if g <= 8 else 2
    terms = [t for d in range(1, degree + 1)
             for t in combinations_with_replacement(range(g), d)]
    basis = [_spline_basis(u[:, j], GROUP_KNOTS) for j in range(g)]
    basis.append(lambda rows: np.column_stack([np.prod(z[rows][:, list(t)], axis=1)
                                               for t in terms]))
    fitted, rss, _ = _least_squares(basis, y)
    return fitted, _r2(rss, y), basis


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
