r"""The posterior of a run: importance resampling where no conjugate update exists, and the
``evidence`` section of ``run --json``.

Conjugate updates happen when the scenario is loaded (:mod:`onzekerheid.scenario.evidence`): the
run then draws from the exact posterior. The other evidence entries weight each iteration by the
likelihood of their data at the iteration's parameter value,

.. math:: w_i \propto \prod_e p(\text{data}_e \mid \theta_i),

and the iterations are resampled with these weights (systematic resampling, Kitagawa 1996: one
uniform from the run's seed, so the result stays a pure function of scenario, seed and
iterations). The effective sample size ``ESS = (sum w)^2 / sum w^2`` (Kish) says how many
independent posterior draws the weighted sample is worth; when it falls below ``MIN_ESS`` or
``MIN_ESS_SHARE`` of the iterations the prior sample cannot represent the posterior and the run
is refused rather than reported on a handful of draws.

References: Smith, A. F. M. and Gelfand, A. E. (1992), Bayesian statistics without tears: a
sampling-resampling perspective, The American Statistician 46(2), 84–88; Kitagawa, G. (1996),
Monte Carlo filter and smoother for non-Gaussian nonlinear state space models, JCGS 5(1), 1–25.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import ScenarioError
from ..scenario.evidence import Update
from ..scenario.model import Scenario

MIN_ESS = 500
MIN_ESS_SHARE = 0.01
STREAM = 0x45564944  # "EVID": the resampling stream, apart from every parameter's


def weighted(scenario: Scenario) -> list[Update]:
    """The updates that need importance resampling in this run."""
    return [u for u in scenario.evidence if u.applied and u.weighted]


def refuse_weighted(scenario: Scenario, what: str) -> None:
    """Refuse ``what`` (an analysis that bypasses :func:`resample`: it sets parameters to
    chosen values, or pairs runs by their common random numbers) when evidence needs
    resampling, rather than silently simulating the prior of those parameters."""
    pending = [u.parameter for u in weighted(scenario)]
    if pending:
        raise ScenarioError(
            f"{scenario.file}: [[evidence]] on {', '.join(pending)} needs importance "
            f"resampling, which run, check and report apply but {what} cannot; give the "
            "parameter a conjugate prior (beta for binomial data, normal or lognormal for "
            "normal data) so the update is exact, or leave the evidence out: prior=True in "
            "Python, --prior on the command line")


def resample(scenario: Scenario, data: np.ndarray, columns: Sequence[str], seed: int
             ) -> tuple[np.ndarray, dict[str, Any]]:
    """Importance-resample the rows of ``data`` (iterations x columns) by the evidence left
    after the conjugate updates; returns the new rows and the ``evidence`` JSON section.

    Raises
    ------
    ScenarioError
        When the effective sample size collapses (see the module docstring).
    """
    updates = weighted(scenario)
    n = len(data)
    if not updates:
        return data, evidence_json(scenario, n)
    log_w = np.zeros(n)
    for u in updates:
        theta = data[:, list(columns).index(u.parameter)]
        for e in u.weighted:
            log_w += e.log_likelihood(theta)
    w = np.exp(log_w - log_w.max()) if np.isfinite(log_w.max()) else np.zeros(n)
    ess = float(w.sum() ** 2 / (w * w).sum()) if w.sum() > 0 else 0.0
    need = max(MIN_ESS, MIN_ESS_SHARE * n)
    if ess < need:
        names = ", ".join(u.parameter for u in updates)
        raise ScenarioError(
            f"{scenario.file}: [[evidence]] on {names}: the data are too unlikely under the "
            f"prior for importance resampling (effective sample size {ess:.0f} of {n:,} "
            f"iterations, at least {need:.0f} needed); give the parameter a conjugate prior "
            "(beta for binomial data, normal or lognormal for normal data) so the update is "
            "exact, widen its prior, or run more iterations")
    estimates = {u.parameter: _weighted_moments(data[:, list(columns).index(u.parameter)], w)
                 for u in updates}
    rows = _systematic(w / w.sum(), np.random.default_rng([STREAM, seed]).random())
    return data[rows], evidence_json(scenario, n, estimates, ess)


def evidence_json(scenario: Scenario, iterations: int,
                  estimates: dict[str, tuple[float, float]] | None = None,
                  ess: float | None = None) -> dict[str, Any]:
    """``{parameter: {prior_mean, posterior_mean, posterior_sd, effective_sample_size, ...}}``.

    Conjugate posteriors are given exactly (every draw is an independent posterior draw: the
    effective sample size is the number of iterations); resampled ones as weighted estimates.
    Under ``--prior`` (``applied`` false) nothing is resampled and the effective sample size is
    null.
    """
    estimates = estimates or {}
    doc: dict[str, Any] = {}
    for u in scenario.evidence:
        if u.parameter in estimates:
            mean, sd = estimates[u.parameter]
            size: float | None = ess
        elif u.weighted:  # under --prior: not computed
            mean = sd = math.nan
            size = None
        else:
            mean, sd = u.posterior.mean(), float(u.posterior.base().std())
            size = float(iterations) if u.applied else None
        doc[u.parameter] = {
            "prior_mean": u.prior.mean(), "posterior_mean": _finite(mean),
            "posterior_sd": _finite(sd), "effective_sample_size": size,
            "prior_sd": float(u.prior.base().std()) if not u.prior.truncated else None,
            "method": u.method, "applied": u.applied,
            "data": [e.describe() for e in u.conjugate + u.weighted],
        }
    return doc


def _weighted_moments(theta: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    p = w / w.sum()
    mean = float(np.sum(p * theta))
    return mean, math.sqrt(max(float(np.sum(p * (theta - mean) ** 2)), 0.0))


def _systematic(p: np.ndarray, u: float) -> np.ndarray:
    """Row indices: ``n`` equally spaced points ``(u + i) / n`` through the cumulative ``p``."""
    n = len(p)
    edges = np.cumsum(p)
    edges[-1] = 1.0
    return np.searchsorted(edges, (u + np.arange(n)) / n, side="right").clip(0, n - 1)


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None
