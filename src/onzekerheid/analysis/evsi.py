r"""Expected value of sample information (EVSI) of a ``[[studies]]`` design, and its ENBS.

The decision is that of :mod:`.voi`: go ahead when the expected net benefit ``NB`` is positive.
A study of size ``n`` yields data ``D`` whose distribution depends only on the studied
parameter ``theta``, so ``E[NB | D] = E[g(theta) | D]`` with ``g(theta) = E[NB | theta]``, the
regression fit EVPPI already uses (Strong, Oakley & Brennan 2014), and

.. math::

    \mathrm{EVSI}(n) = E_D\big[\max(E[g(\theta) \mid D], 0)\big] - \max(E[g(\theta)], 0).

The expectation over ``D`` is computed without simulating data sets: the Monte Carlo sample
``theta_1..theta_N`` is the prior, each draw weighted by the likelihood of the study's
sufficient statistic ``s`` (the likelihood-weighting idea of Menzies 2016), and the sample
space of ``s`` is enumerated (binomial: ``k = 0..n``) or integrated exactly (normal: the mean
of ``n`` observations, ``N(theta, sd^2/n)``, on ``theta`` or on ``log theta``):

.. math::

    m(s) = \frac1N \sum_j g_j\, p(s \mid \theta_j), \qquad
    \mathrm{EVSI} = \int \max(m(s), 0)\, ds - \max(\bar g, 0)
                  = \frac1N \sum_j g_j\, P_j(A) - \max(\bar g, 0),

where ``A = {s : m(s) > 0}`` is the set of study results after which one goes ahead and
``P_j(A)`` its probability under ``theta_j`` (binomial cdfs, or normal cdfs between the roots
of ``m``, found by bisection from a grid). For the sample's own prior this is exact Bayes, so
``0 <= EVSI(n) <= EVPPI(theta)`` (Jensen) and EVSI never decreases in ``n`` (a larger study is
at least as informative: Blackwell's theorem).

MCSE: with ``A`` held at its optimum (moving it changes the value only to second order), EVSI
is the mean of ``c_j = g_j P_j(A) - g_j [E g > 0]``, so its standard error is
``sd(c) / sqrt(N)``, as EVPI's in :func:`.voi.evpi`. The regression fit ``g`` is held fixed.

ENBS (expected net benefit of sampling): ``EVSI x scale - (fixed_cost + cost_per_unit x n)``,
the scale being EVPI's (population, years, discount; :class:`.voi.Scale`).

Measuring ``n`` more cases (``parameter = "cases"``). The studied quantity is the case sample:
``theta_j`` (``d`` numbers), the mean amounts of the cases iteration ``j`` resamples from the
``[cases]`` table, which the engine records (:class:`onzekerheid.plan.CasePlan`). The amounts
of one new case are taken as ``y ~ N(mu, Sigma)`` with ``Sigma`` the table's sample covariance
(divisor ``R - 1`` for ``R`` rows), so the study's sufficient statistic is the mean
``ybar ~ N(theta, Sigma / n)``. ``theta`` is a vector and ``NB`` depends on the individual
cases too, so the likelihood weighting above does not apply; the regression method of Strong
et al. (2015) does, on the same sample: per iteration a summary

.. math::

    T_j = \theta_j + (\Sigma / n)^{1/2} z_j, \qquad z_j \sim N(0, I_d),

drawn as the study's data would fall given ``theta_j`` (``z_j`` from the run's seed and a
fixed stream, the same ``z_j`` for every ``n``, so the curve is smooth in ``n``; the symmetric
square root of ``Sigma``, which also serves a singular one). Then ``E[NB | ybar = t]`` is the
regression of ``NB_j`` on ``T_j`` (the basis of a ``voi`` group), and with fitted values
``f_j``: ``EVSI(n) = mean(max(f, 0)) - max(mean(NB), 0)``. Its MCSE is that of an EVPPI
(:func:`.voi.evppi_mcse`: the average's error plus the fit's, by the delta method); the
``z_j`` are part of the sample, one per iteration, so nothing is added for them. Two facts
hold for the exact value and are imposed on the estimates, with ``clamped`` saying so:
``EVSI(n) <= EVPPI(cases)`` and EVSI never decreases in ``n`` (Blackwell).

What ``theta_j`` can stand for: its spread is that of a mean of ``m`` cases drawn from the
table, covariance ``Sigma_R / m`` (``Sigma_R`` with divisor ``R``), where ``m`` is the
scenario's ``count`` (only the successful cases when the failure yield is 0 and no column is
an extra cost: the others enter no sum and are not drawn). The uncertainty about the mean of
the population the ``R`` table rows were sampled from is ``Sigma / R``. So ``theta`` is that
uncertainty, and EVSI values a study of it, only when ``m = R`` (up to ``(R - 1) / R``); with
``count`` above ``R`` the case sample is drawn too narrow and the value understated, below
``R`` overstated, and ``voi`` warns.

Where the regression can be weak: when the decision changes only in the far tail of the case
sample (a percent or two of the iterations) the fitted values there rest on few points, and a
bias the MCSE leaves out can exceed it. With one amount and a linear net benefit the
regression still meets the closed form there (``tests/test_evsi_cases.py``, 1.8% of the
iterations negative); on ``utrecht.toml`` (four amounts, non-linear) likelihood weighting with
the fitted ``g`` gives up to twice the regression's EVSI and a cubic more
(``benchmarks/results/2026-12-01-issue15-cases.md``), so there the value is known only to
within a factor of about 2.

References
----------
Strong, M., Oakley, J. E., Brennan, A. and Breeze, P. (2015), Estimating the expected value of
sample information using the probabilistic sensitivity analysis sample: a fast, nonparametric
regression-based method, Medical Decision Making 35(5), 570–583.
Menzies, N. A. (2016), An efficient estimator for the expected value of sample information,
Medical Decision Making 36(3), 308–320.
Ades, A. E., Lu, G. and Claxton, K. (2004), Expected value of sample information calculations
in medical decision modeling, Medical Decision Making 24(2), 207–227 (the normal-normal form).
Blackwell, D. (1953), Equivalent comparisons of experiments, Annals of Mathematical Statistics
24(2), 265–272.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special

from ..errors import ScenarioError
from ..scenario.studies import CASES, Study

CHUNK = 8192
# The root search evaluates m at GRID quantiles of the draws and GRID evenly spaced points. A
# pair of roots inside one cell would be missed, at a cost of at most the integral of |m| over
# that cell between them, where m is close to zero: negligible next to the Monte Carlo error.
GRID = 65
BLOCK = 64  # grid points evaluated together
WINDOW = 8.5  # draws further than 8.5 h from x add less than exp(-36) of their weight
BISECTIONS = 60


@dataclass(frozen=True)
class StudyValue:
    """EVSI (per decision) and its MCSE for each size of one study."""

    study: Study
    evsi: tuple[float, ...]
    mcse: tuple[float, ...]
    details: dict[str, Any] = field(default_factory=dict)  # more of the JSON entry
    clamped: str = ""  # which estimates were moved to keep the bounds, and how

    def enbs(self, factor: float) -> list[float]:
        """``EVSI x factor - cost(n)`` per size."""
        return [v * factor - self.study.cost(n) for v, n in zip(self.evsi, self.study.sizes,
                                                                 strict=True)]

    def to_json(self, factor: float) -> dict[str, Any]:
        """The ``voi --json`` entry of the contract (EVSI scaled by ``factor``)."""
        enbs = self.enbs(factor)
        best = int(np.argmax(enbs))
        s = self.study
        return {
            "parameter": s.parameter, "likelihood": s.likelihood,
            **({"sd": s.sd, "scale": s.scale}
               if s.likelihood == "normal" and s.parameter != CASES else {}),
            **self.details,
            "sizes": list(s.sizes), "evsi": [v * factor for v in self.evsi],
            "evsi_mcse": [v * factor for v in self.mcse], "enbs": enbs,
            "cost": [s.cost(n) for n in s.sizes], "optimal_size": s.sizes[best],
            "worth_doing": enbs[best] > 0, "per_decision": {"evsi": list(self.evsi)},
            **({"clamped": self.clamped} if self.clamped else {}),
            **({"note": s.note} if s.note else {}),
        }


def study_value(study: Study, theta: np.ndarray, fitted: np.ndarray, evppi: float
                ) -> StudyValue:
    """EVSI of ``study`` at each of its sizes.

    Parameters
    ----------
    theta
        Draws of the studied parameter, shape (N,).
    fitted
        ``g(theta_j) = E[NB | theta_j]``, shape (N,), from the EVPPI regression.
    evppi
        The parameter's reported EVPPI: an upper bound (estimates above it are lowered).
    """
    theta = np.asarray(theta, dtype=np.float64)
    g = np.asarray(fitted, dtype=np.float64)
    if study.likelihood == "binomial":
        if theta.min() < 0.0 or theta.max() > 1.0:
            raise ScenarioError(f"study {study.name}: a binomial study needs a share, but "
                                f"{study.parameter} was drawn outside 0..1")
        found = [evsi_binomial(theta, g, n) for n in study.sizes]
    else:
        if study.scale == "log":
            if theta.min() <= 0.0:
                raise ScenarioError(f"study {study.name}: scale = \"log\" needs "
                                    f"{study.parameter} > 0, but it was drawn <= 0")
            theta = np.log(theta)
        found = [evsi_normal(theta, g, study.sd / math.sqrt(n)) for n in study.sizes]
    return _bounded(study, found, evppi, "the parameter's EVPPI")


def cases_study_value(study: Study, theta: np.ndarray, covariance: np.ndarray, z: np.ndarray,
                      fit: Callable[[np.ndarray], tuple[float, float]], evppi: float,
                      details: dict[str, Any] | None = None) -> StudyValue:
    r"""EVSI of measuring ``n`` more cases at each size, by regression (Strong et al. 2015).

    Parameters
    ----------
    theta
        The case sample's mean amounts per iteration, shape (N, d).
    covariance
        ``Sigma``: the covariance of one case's amounts, shape (d, d).
    z
        Standard normals, shape (N, d): the study's noise, the same for every size.
    fit
        ``T -> (EVSI, MCSE)``: regress the net benefit on the summaries ``T`` (N, d) and
        return ``mean(max(f, 0)) - max(mean(f), 0)`` of the fitted values with its MCSE.
    evppi
        EVPPI of the case sample: an upper bound.
    details
        Extra entries of the study's JSON (the amounts measured, the table's rows).

    Notes
    -----
    ``T_j(n) = theta_j + (Sigma / n)^{1/2} z_j``; see the module docstring.
    """
    root = covariance_root(covariance)
    noise = np.asarray(z, dtype=np.float64) @ root
    found = [fit(theta + noise / math.sqrt(n)) for n in study.sizes]
    return _bounded(study, found, evppi, "the EVPPI of the case sample", monotone=True,
                    details=details)


def covariance_root(covariance: np.ndarray) -> np.ndarray:
    """The symmetric square root ``S`` with ``S S = Sigma`` (eigenvalues below 0 from rounding
    set to 0, so a singular covariance has one too)."""
    values, vectors = np.linalg.eigh(np.atleast_2d(np.asarray(covariance, dtype=np.float64)))
    return (vectors * np.sqrt(np.maximum(values, 0.0))) @ vectors.T


def _bounded(study: Study, found: list[tuple[float, float]], evppi: float, bound: str, *,
             monotone: bool = False, details: dict[str, Any] | None = None) -> StudyValue:
    """The curve with each estimate at most ``evppi`` and, when ``monotone``, at least the
    estimate of every smaller size (exact EVSI never decreases in ``n``); ``clamped`` says
    which bound bit."""
    values = [v for v, _ in found]
    notes = []
    if monotone:
        raised = np.maximum.accumulate(values).tolist()
        if any(r > v * (1 + 1e-9) + 1e-300 for r, v in zip(raised, values, strict=True)):
            notes.append("an estimate was raised to that of a smaller study")
        values = raised
    if any(v > evppi * (1 + 1e-9) + 1e-300 for v in values):
        notes.append(f"an estimate was lowered to {bound}")
    return StudyValue(study, tuple(min(v, evppi) for v in values), tuple(e for _, e in found),
                      details=dict(details or {}), clamped="; ".join(notes))


def evsi_binomial(theta: np.ndarray, g: np.ndarray, n: int) -> tuple[float, float]:
    """EVSI and MCSE of observing ``k ~ Binomial(n, theta)`` (exact sum over ``k = 0..n``)."""
    k = np.arange(n + 1, dtype=np.float64)
    log_choose = special.gammaln(n + 1.0) - special.gammaln(k + 1.0) - special.gammaln(n - k + 1.0)
    m = np.zeros(n + 1)
    for rows in _chunks(len(theta)):
        t = theta[rows, None]
        log_p = log_choose + special.xlogy(k, t) + special.xlog1py(n - k, -t)
        m += g[rows] @ np.exp(log_p)
    go = m > 0
    # P_j(A) as sums of binomial cdf differences over the runs of k where one goes ahead
    prob = np.zeros_like(theta)
    for lo, hi in _runs(go):
        upper = special.bdtr(hi, n, theta)
        lower = special.bdtr(lo - 1, n, theta) if lo > 0 else 0.0
        prob += upper - lower
    return _value(g, prob)


def evsi_normal(t: np.ndarray, g: np.ndarray, h: float) -> tuple[float, float]:
    """EVSI and MCSE of observing ``s ~ Normal(t, h)`` (``h = sd / sqrt(n)``), integrated
    exactly between the roots of ``m(s)``."""
    order = np.argsort(t, kind="stable")
    ts, gs = t[order], g[order]
    low, high = float(ts[0]) - 6.0 * h, float(ts[-1]) + 6.0 * h
    grid = np.unique(np.concatenate([np.quantile(ts, np.linspace(0.0, 1.0, GRID)),
                                     np.linspace(low, high, GRID)]))
    signs = _mean_nb(ts, gs, h, grid) > 0
    flips = np.flatnonzero(signs[:-1] != signs[1:])
    roots = [_bisect(ts, gs, h, grid[i], grid[i + 1], bool(signs[i])) for i in flips]
    edges = np.concatenate([[-np.inf], roots, [np.inf]])
    # the first piece has the sign of grid[0]; each root flips it
    prob = np.zeros_like(t)
    for i, (a, b) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        if bool(signs[0]) != bool(i % 2):
            prob += special.ndtr((b - t) / h) - special.ndtr((a - t) / h)
    return _value(g, prob)


def _value(g: np.ndarray, prob: np.ndarray) -> tuple[float, float]:
    """``mean(g P) - max(mean g, 0)`` and its standard error (see the module docstring)."""
    c = g * prob - (g if g.mean() > 0 else 0.0)
    value = max(float(c.mean()), 0.0)
    return value, float(c.std(ddof=1) / math.sqrt(len(c)))


def _mean_nb(ts: np.ndarray, gs: np.ndarray, h: float, x: np.ndarray) -> np.ndarray:
    """``sum_j g_j exp(-(x - t_j)^2 / 2h^2)`` at each sorted ``x`` (``m`` up to a positive
    factor), from the draws within ``WINDOW x h`` of each block of ``x`` (``ts`` sorted)."""
    out = np.zeros(len(x))
    for start in range(0, len(x), BLOCK):
        xs = x[start:start + BLOCK]
        lo = int(np.searchsorted(ts, xs[0] - WINDOW * h, side="left"))
        hi = int(np.searchsorted(ts, xs[-1] + WINDOW * h, side="right"))
        for rows in _chunks(hi - lo):
            z = (xs[None, :] - ts[lo + rows.start:lo + rows.stop, None]) / h
            out[start:start + BLOCK] += gs[lo + rows.start:lo + rows.stop] @ np.exp(-0.5 * z * z)
    return out


def _bisect(ts: np.ndarray, gs: np.ndarray, h: float, a: float, b: float, sign_a: bool
            ) -> float:
    for _ in range(BISECTIONS):
        mid = 0.5 * (a + b)
        if (_mean_nb(ts, gs, h, np.array([mid]))[0] > 0) == sign_a:
            a = mid
        else:
            b = mid
        if b - a <= 1e-7 * h:  # P_j(A) then moves by less than 1e-7
            break
    return 0.5 * (a + b)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``(first, last)`` index of each run of True in ``mask``."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    change = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b) - 1) for a, b in zip(change[::2], change[1::2], strict=True)]


def _chunks(n: int) -> list[slice]:
    return [slice(i, min(i + CHUNK, n)) for i in range(0, n, CHUNK)]
