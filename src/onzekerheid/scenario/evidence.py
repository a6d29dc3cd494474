r"""``[[evidence]]``: data that update the scenario (Bayes' rule), before anything is simulated.

Each entry gives data on one random parameter ``theta``:

* ``likelihood = "binomial"``: ``successes`` out of ``trials`` (``theta`` a share);
* ``likelihood = "normal"``: ``observations`` ``y_i ~ Normal(theta, sd)``, or with
  ``scale = "log"`` ``y_i ~ Normal(log theta, sd)`` (log ratios of realised to estimated).

Where the prior is conjugate to the data the posterior is exact and replaces the parameter's
distribution here (so every command draws from it):

* beta(a, b) prior, binomial data: ``Beta(a + s, b + n - s)``;
* normal(m, s0) prior, normal data (``n`` observations, mean ``ybar``): precision-weighted,
  ``1/s1^2 = 1/s0^2 + n/sd^2``, ``m1 = s1^2 (m/s0^2 + n ybar/sd^2)``;
* lognormal(mu, sigma) prior, normal data on ``log theta``: the same update of ``(mu, sigma)``.

Every other combination (a pert or truncated prior, binomial data on a lognormal share, ...) is
left to importance resampling of the simulated prior draws
(:mod:`onzekerheid.analysis.posterior`). Reference: Gelman, A. et al. (2013), *Bayesian Data
Analysis*, 3rd ed., ch. 2.
"""

from __future__ import annotations

import math
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..errors import Problems, allowed, did_you_mean
from .distributions import Distribution
from .model import Parameter

EVIDENCE_KEYS = {"parameter", "likelihood", "successes", "trials", "observations", "sd",
                 "scale", "note", "source"}
LIKELIHOODS = ("binomial", "normal")
SCALES = ("identity", "log")


@dataclass(frozen=True)
class Evidence:
    """One ``[[evidence]]`` entry, validated."""

    parameter: str
    likelihood: str
    successes: int = 0
    trials: int = 0
    observations: tuple[float, ...] = ()
    sd: float = math.nan
    scale: str = "identity"
    note: str = ""
    source: str = ""

    def log_likelihood(self, theta: np.ndarray) -> np.ndarray:
        """``log p(data | theta)`` up to a constant, per value of ``theta``."""
        theta = np.asarray(theta, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.likelihood == "binomial":
                s, f = self.successes, self.trials - self.successes
                out = (np.where(s > 0, s * np.log(theta), 0.0)
                       + np.where(f > 0, f * np.log1p(-theta), 0.0))
            else:
                t = np.log(theta) if self.scale == "log" else theta
                y = np.asarray(self.observations)
                n, ybar = len(y), float(y.mean())
                out = -0.5 * n * (ybar - t) ** 2 / self.sd**2  # the sufficient statistic
        return np.where(np.isnan(out), -np.inf, out)

    def describe(self) -> str:
        if self.likelihood == "binomial":
            return f"{self.successes} of {self.trials}"
        scale = "log " if self.scale == "log" else ""
        return (f"{len(self.observations)} {scale}observations, mean "
                f"{float(np.mean(self.observations)):.4g}, sd {self.sd:g} each")


@dataclass(frozen=True)
class Update:
    """What the evidence on one parameter did.

    ``posterior`` is the distribution after the conjugate entries (``prior`` when there are
    none); ``weighted`` the entries left to importance resampling; ``applied`` is False under
    ``--prior`` (the scenario then draws from ``prior``).
    """

    parameter: str
    prior: Distribution
    posterior: Distribution
    conjugate: tuple[Evidence, ...]
    weighted: tuple[Evidence, ...]
    applied: bool = True

    @property
    def method(self) -> str:
        if self.weighted:
            return "importance resampling" + (" after conjugate update" if self.conjugate else "")
        return "conjugate " + {"beta": "beta-binomial", "normal": "normal-normal",
                               "lognormal": "normal-normal on the log scale"}.get(
                                   self.prior.family, self.prior.family)


def apply_evidence(raw: Any, parameters: dict[str, Parameter], problems: Problems, *,
                   prior: bool = False, overridden: AbstractSet[str] = frozenset()
                   ) -> tuple[Update, ...]:
    """Validate ``[[evidence]]`` and replace conjugate priors by their posteriors (unless
    ``prior``), in ``parameters``; returns one :class:`Update` per parameter with evidence.

    Evidence on a parameter that ``--set`` (or a variant, or a sweep) replaced is left out:
    the value set is what the user asked for.
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.add("evidence", "[[evidence]] must be an array of tables",
                     'write each entry as [[evidence]] parameter = "success.rate" ...')
        return ()
    found: dict[str, list[Evidence]] = {}
    for i, entry in enumerate(raw):
        if isinstance(entry, dict) and entry.get("parameter") in overridden:
            continue
        item = _entry(entry, f"evidence.{i}", parameters, problems)
        if item is not None:
            found.setdefault(item.parameter, []).append(item)
    if problems:
        return ()
    updates = []
    for name, items in found.items():
        dist = parameters[name].dist
        assert dist is not None
        conjugate = tuple(e for e in items if _conjugate(dist, e))
        post = dist
        for e in conjugate:
            post = _update(post, e)
        update = Update(name, dist, post, conjugate,
                        tuple(e for e in items if e not in conjugate), not prior)
        if not prior:
            parameters[name] = replace(parameters[name], dist=post)
        updates.append(update)
    return tuple(updates)


def _conjugate(dist: Distribution, e: Evidence) -> bool:
    if dist.truncated or dist.zero or dist.components:
        return False
    if e.likelihood == "binomial":
        return dist.family == "beta"
    return dist.family == ("lognormal" if e.scale == "log" else "normal")


def _update(dist: Distribution, e: Evidence) -> Distribution:
    if e.likelihood == "binomial":
        a, b = dist.args
        return Distribution("beta", (a + e.successes, b + e.trials - e.successes))
    m, s0 = dist.args
    n, ybar = len(e.observations), float(np.mean(e.observations))
    precision = 1.0 / s0**2 + n / e.sd**2
    mean = (m / s0**2 + n * ybar / e.sd**2) / precision
    return Distribution(dist.family, (mean, math.sqrt(1.0 / precision)))


def _entry(entry: Any, path: str, parameters: dict[str, Parameter], problems: Problems
           ) -> Evidence | None:
    if not isinstance(entry, dict):
        problems.add(path, "each [[evidence]] entry must be a table")
        return None
    before = len(problems.items)
    for key in entry:
        if key not in EVIDENCE_KEYS:
            problems.add(f"{path}.{key}", f"unknown key '{key}'",
                         did_you_mean(key, EVIDENCE_KEYS) or allowed(EVIDENCE_KEYS))
    name, likelihood = entry.get("parameter"), entry.get("likelihood")
    parameter = parameters.get(name) if isinstance(name, str) else None
    if parameter is None:
        problems.add(f"{path}.parameter", f"'{name}' is not a parameter of the scenario",
                     did_you_mean(str(name), parameters) or "name a random parameter")
    elif parameter.kind != "random" or parameter.dist is None or parameter.uncertain:
        problems.add(f"{path}.parameter", f"'{name}' is not a random parameter with fixed "
                     "arguments, so data cannot update it", "give it a distribution (a beta "
                     "for a share, a normal or lognormal otherwise), or leave the evidence out: "
                     "prior=True in Python, --prior on the command line")
    if likelihood not in LIKELIHOODS:
        problems.add(f"{path}.likelihood", f"unknown likelihood {likelihood!r}",
                     allowed(LIKELIHOODS))
        return None
    scale = entry.get("scale", "identity")
    if scale not in SCALES:
        problems.add(f"{path}.scale", f"unknown scale {scale!r}", allowed(SCALES))
    for key in ("note", "source"):
        if not isinstance(entry.get(key, ""), str):
            problems.add(f"{path}.{key}", f"{key} must be text")
    if likelihood == "binomial":
        item = _binomial(entry, path, str(name), problems)
    else:
        item = _normal(entry, path, str(name), str(scale), problems)
    if item is None or len(problems.items) > before or parameter is None:
        return None
    assert parameter.dist is not None
    low, high = parameter.dist.support()
    if likelihood == "binomial" and not (low >= 0.0 and high <= 1.0):
        problems.add(f"{path}.parameter", f"binomial data need a share, but '{name}' ranges "
                     f"over {low:g}..{high:g}", "give the parameter a beta distribution")
        return None
    if item.scale == "log" and low < 0.0:
        problems.add(f"{path}.scale", f"scale = \"log\" needs a positive parameter, but "
                     f"'{name}' can be {low:g}", "use a lognormal prior, or drop scale")
        return None
    return replace(item, note=str(entry.get("note", "")), source=str(entry.get("source", "")))


def _binomial(entry: dict[str, Any], path: str, name: str, problems: Problems
              ) -> Evidence | None:
    for key in ("observations", "sd", "scale"):
        if key in entry:
            problems.add(f"{path}.{key}", f"binomial data are successes and trials; {key} "
                         "belongs to normal data", 'remove it, or use likelihood = "normal"')
    s: Any = entry.get("successes")
    n: Any = entry.get("trials")
    if not (_whole(s) and _whole(n) and n >= 1 and 0 <= s <= n):
        problems.add(path, f"binomial data need whole numbers successes (0..trials) and trials "
                     f"(>= 1), got successes = {s!r}, trials = {n!r}",
                     "e.g. successes = 41, trials = 50")
        return None
    return Evidence(name, "binomial", successes=int(s), trials=int(n))


def _normal(entry: dict[str, Any], path: str, name: str, scale: str, problems: Problems
            ) -> Evidence | None:
    for key in ("successes", "trials"):
        if key in entry:
            problems.add(f"{path}.{key}", f"normal data are observations with sd; {key} "
                         "belongs to binomial data", 'remove it, or use likelihood = "binomial"')
    y: Any = entry.get("observations")
    sd: Any = entry.get("sd")
    if not (isinstance(y, list) and y and all(_finite(v) for v in y)):
        problems.add(f"{path}.observations", f"observations must be a non-empty list of "
                     f"numbers, got {y!r}", "e.g. observations = [-0.31, -0.05, 0.10]")
        return None
    if not (_finite(sd) and sd > 0):
        problems.add(f"{path}.sd", f"sd (the noise of one observation) must be a number > 0, "
                     f"got {sd!r}", "e.g. sd = 0.3")
        return None
    return Evidence(name, "normal", observations=tuple(float(v) for v in y), sd=float(sd),
                    scale=scale)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _finite(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))
