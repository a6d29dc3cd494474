"""Distributions of scenario files: argument sets, validation, and canonical form.

Every distribution in a scenario file is reduced, at load time, to one canonical
:class:`Distribution`: a family, its canonical arguments (the ones the numba kernels draw with),
optional truncation bounds and the point value the published claim assumed. scipy provides the
exact quantiles, means and the interval fits (``ci``); the kernels only see the family code and
numbers.

Canonical arguments per family::

    fixed (value)            uniform (min, max)          triangular (min, mode, max)
    pert (min, mode, max, lambda)  -> Beta(1 + lambda (mode-min)/(max-min), ...) on [min, max]
    normal (mean, sd)        lognormal (mu, sigma) of log X   beta (alpha, beta)
    gamma (shape, scale)     poisson (mean)              binomial (n, p)   bernoulli (p)
    discrete (values, weights)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np

COMMON_KEYS = {"dist", "point", "lower", "upper", "source", "note", "level", "ci"}

# family -> list of accepted argument sets (ci counts as an argument set where listed)
ARGUMENT_SETS: dict[str, list[frozenset[str]]] = {
    "fixed": [frozenset({"value"})],
    "uniform": [frozenset({"min", "max"})],
    "triangular": [frozenset({"min", "mode", "max"})],
    "pert": [frozenset({"min", "mode", "max"}), frozenset({"min", "mode", "max", "lambda"})],
    "normal": [frozenset({"mean", "sd"}), frozenset({"ci"})],
    "lognormal": [frozenset({"median", "sigma"}), frozenset({"mean", "sd"}), frozenset({"ci"})],
    "beta": [
        frozenset({"alpha", "beta"}),
        frozenset({"successes", "trials"}),
        frozenset({"mean", "sd"}),
        frozenset({"ci"}),
    ],
    "gamma": [frozenset({"shape", "scale"}), frozenset({"mean", "sd"})],
    "poisson": [frozenset({"mean"})],
    "binomial": [frozenset({"n", "p"})],
    "bernoulli": [frozenset({"p"})],
    "discrete": [frozenset({"values", "weights"})],
}
FAMILIES = tuple(ARGUMENT_SETS)
DISCRETE_FAMILIES = {"poisson", "binomial", "bernoulli", "discrete", "fixed"}

# Codes the kernels switch on; order is part of the plan format, not of the file format.
CODES = {name: i for i, name in enumerate(FAMILIES)}

MIN_TRUNCATED_MASS = 1e-3


class DistributionError(ValueError):
    """Bad arguments; ``key`` is the argument at fault ('' for the whole table)."""

    def __init__(self, message: str, key: str = "", hint: str = "") -> None:
        self.key = key
        self.hint = hint
        super().__init__(message)


@dataclass(frozen=True)
class Distribution:
    """A validated distribution in canonical form (see the module docstring)."""

    family: str
    args: tuple[float, ...]
    lower: float = -math.inf
    upper: float = math.inf
    values: tuple[float, ...] = ()
    weights: tuple[float, ...] = ()
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    # -- scipy view -------------------------------------------------------------------------
    def base(self) -> Any:
        """The untruncated scipy distribution (frozen)."""
        if "base" not in self._cache:
            self._cache["base"] = _scipy(self)
        return self._cache["base"]

    @property
    def truncated(self) -> bool:
        return self.lower > -math.inf or self.upper < math.inf

    def _cdf_bounds(self) -> tuple[float, float]:
        base = self.base()
        low = 0.0 if self.lower == -math.inf else float(base.cdf(_just_below(self, self.lower)))
        high = 1.0 if self.upper == math.inf else float(base.cdf(self.upper))
        return low, high

    def mass_kept(self) -> float:
        low, high = self._cdf_bounds()
        return max(high - low, 0.0)

    def ppf(self, q: Any) -> Any:
        """Quantile function of the (truncated) distribution."""
        q = np.asarray(q, dtype=float)
        if self.family == "fixed":
            return np.full_like(q, self.args[0])
        low, high = self._cdf_bounds()
        out = self.base().ppf(low + q * (high - low))
        return np.clip(out, self.lower, self.upper)

    def mean(self) -> float:
        if self.family == "fixed":
            return self.args[0]
        if self.family == "lognormal" and not self.truncated:  # log space: scipy overflows
            exponent = self.args[0] + self.args[1] ** 2 / 2.0
            return math.exp(exponent) if exponent < 709.0 else math.inf
        if not self.truncated:
            return _analytic_mean(self)
        base = self.base()
        lb = None if self.lower == -math.inf else self.lower
        ub = None if self.upper == math.inf else self.upper
        return float(base.expect(lambda x: x, lb=lb, ub=ub, conditional=True))

    def support(self) -> tuple[float, float]:
        """Smallest and largest value a draw can take (after truncation)."""
        if self.family == "fixed":
            return self.args[0], self.args[0]
        low, high = _analytic_support(self)
        return max(float(low), self.lower), min(float(high), self.upper)


# Means and supports in closed form, so loading a scenario does not import scipy.stats
# (about half a second) unless a quantile, a truncation or an interval fit needs it.
def _analytic_mean(dist: Distribution) -> float:
    a = dist.args
    match dist.family:
        case "uniform":
            return (a[0] + a[1]) / 2.0
        case "triangular":
            return (a[0] + a[1] + a[2]) / 3.0
        case "pert":
            return (a[0] + a[3] * a[1] + a[2]) / (a[3] + 2.0)
        case "normal":
            return a[0]
        case "beta":
            return a[0] / (a[0] + a[1])
        case "gamma":
            return a[0] * a[1]
        case "poisson" | "bernoulli":
            return a[0]
        case "binomial":
            return a[0] * a[1]
        case "discrete":
            return float(np.dot(dist.values, dist.weights))
    return float(dist.base().mean())


def _analytic_support(dist: Distribution) -> tuple[float, float]:
    a = dist.args
    match dist.family:
        case "uniform":
            return a[0], a[1]
        case "triangular" | "pert":
            return a[0], a[2]
        case "normal":
            return -math.inf, math.inf
        case "lognormal" | "gamma" | "poisson":
            return 0.0, math.inf
        case "beta" | "bernoulli":
            return 0.0, 1.0
        case "binomial":
            return 0.0, a[0]
        case "discrete":
            return min(dist.values), max(dist.values)
    low, high = dist.base().support()
    return float(low), float(high)


def _just_below(dist: Distribution, x: float) -> float:
    # For discrete families P(X >= lower) needs cdf(lower - 1); continuous ones are indifferent.
    if dist.family in DISCRETE_FAMILIES and dist.family != "discrete":
        return math.ceil(x) - 1
    if dist.family == "discrete":
        return float(np.nextafter(x, -math.inf))
    return x


def _scipy(dist: Distribution) -> Any:
    from scipy import stats

    a = dist.args
    match dist.family:
        case "uniform":
            return stats.uniform(loc=a[0], scale=a[1] - a[0])
        case "triangular":
            width = a[2] - a[0]
            return stats.triang(c=(a[1] - a[0]) / width, loc=a[0], scale=width)
        case "pert":
            alpha, beta = pert_shape(*a)
            return stats.beta(alpha, beta, loc=a[0], scale=a[2] - a[0])
        case "normal":
            return stats.norm(loc=a[0], scale=a[1])
        case "lognormal":
            return stats.lognorm(s=a[1], scale=math.exp(a[0]))
        case "beta":
            return stats.beta(a[0], a[1])
        case "gamma":
            return stats.gamma(a[0], scale=a[1])
        case "poisson":
            return stats.poisson(a[0])
        case "binomial":
            return stats.binom(int(a[0]), a[1])
        case "bernoulli":
            return stats.bernoulli(a[0])
        case "discrete":
            return stats.rv_discrete(values=(np.array(dist.values), np.array(dist.weights)))
    raise AssertionError(dist.family)


def pert_shape(low: float, mode: float, high: float, lam: float) -> tuple[float, float]:
    """Beta shape parameters of a PERT distribution (Vose 2008, eq. 9.7)."""
    width = high - low
    return 1.0 + lam * (mode - low) / width, 1.0 + lam * (high - mode) / width


def z_for(level: float) -> float:
    """Standard-normal quantile bounding the central ``level`` interval."""
    return NormalDist().inv_cdf(0.5 + level / 2.0)


# ---------------------------------------------------------------------------------------------
# Building a canonical distribution from a scenario-file table
# ---------------------------------------------------------------------------------------------


def from_table(table: dict[str, Any]) -> Distribution:
    """Validate a ``{dist = ..., ...}`` table (numbers only) and return its canonical form."""
    family = table["dist"]
    keys = set(table) - COMMON_KEYS
    if "ci" in table:
        keys.add("ci")
    chosen = _choose_argument_set(family, keys)
    level = _number(table, "level", 0.90)
    if not 0.0 < level < 1.0:
        raise DistributionError(f"level must lie strictly between 0 and 1, got {level}", "level")
    if "level" in table and "ci" not in table:
        raise DistributionError("level only applies together with ci", "level",
                                "add ci = [low, high] or remove level")
    build = _BUILDERS[family]
    args, values, weights = build(table, chosen, level)
    if not _in_float_range(family, args):
        raise DistributionError(
            f"these arguments give a {family} outside floating-point range",
            "", "express the quantity in larger units (e.g. thousands) or narrow it")
    lower = _number(table, "lower", -math.inf)
    upper = _number(table, "upper", math.inf)
    if lower >= upper:
        raise DistributionError(f"lower ({lower:g}) must be below upper ({upper:g})", "lower")
    dist = Distribution(family, tuple(float(x) for x in args), lower, upper, values, weights)
    if family == "fixed" and not lower <= args[0] <= upper:
        raise DistributionError(f"value ({args[0]:g}) lies outside [{lower:g}, {upper:g}]",
                                "lower" if args[0] < lower else "upper")
    if dist.truncated and family != "fixed":
        kept = dist.mass_kept()
        if kept < MIN_TRUNCATED_MASS:
            raise DistributionError(
                f"truncation to [{lower:g}, {upper:g}] keeps {kept:.2g} of the distribution; "
                f"at least {MIN_TRUNCATED_MASS:g} is needed",
                "lower" if "lower" in table else "upper",
                "widen the bounds or move the distribution into them",
            )
    return dist


def _in_float_range(family: str, args: tuple[float, ...]) -> bool:
    # Canonical arguments (and the width of bounded families) must stay finite in float64.
    if not all(math.isfinite(x) and abs(x) < 1e300 for x in args):
        return False
    if family in ("uniform", "triangular", "pert"):
        return math.isfinite(args[2 if family != "uniform" else 1] - args[0])
    return True


def _choose_argument_set(family: str, keys: set[str]) -> frozenset[str]:
    sets = ARGUMENT_SETS[family]
    for candidate in sets:
        if keys == candidate:
            return candidate
    listing = " or ".join("{" + ", ".join(sorted(s)) + "}" for s in sets)
    known = set().union(*sets)
    unknown = sorted(keys - known)
    if unknown:
        from ..errors import did_you_mean

        hint = did_you_mean(unknown[0], known | COMMON_KEYS)
        raise DistributionError(
            f"'{unknown[0]}' is not an argument of {family}; it takes {listing}",
            unknown[0],
            hint,
        )
    matching = [s for s in sets if s >= keys] if keys else sets
    if len(matching) and not any(keys > s for s in sets):
        missing = sorted(min(matching, key=len) - keys)
        raise DistributionError(
            f"{family} is missing {', '.join(missing)}; it takes {listing}", "", ""
        )
    raise DistributionError(
        f"{family} was given {{{', '.join(sorted(keys))}}}, which mixes argument sets; "
        f"use exactly one of {listing}",
    )


def _number(table: dict[str, Any], key: str, default: float) -> float:
    if key not in table:
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DistributionError(f"{key} must be a number, got {value!r}", key)
    if math.isnan(value):
        raise DistributionError(f"{key} must be a number, got nan", key)
    return float(value)


def _finite(table: dict[str, Any], key: str) -> float:
    value = _number(table, key, math.nan)
    if not math.isfinite(value):
        raise DistributionError(f"{key} must be finite, got {value}", key)
    return value


def _positive(table: dict[str, Any], key: str) -> float:
    value = _finite(table, key)
    if value <= 0:
        raise DistributionError(f"{key} must be greater than 0, got {value:g}", key)
    return value


def _probability(table: dict[str, Any], key: str) -> float:
    value = _finite(table, key)
    if not 0.0 <= value <= 1.0:
        raise DistributionError(f"{key} is a probability and must lie in 0..1, got {value:g}", key)
    return value


def _ci(table: dict[str, Any]) -> tuple[float, float]:
    value = table["ci"]
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise DistributionError(f"ci must be two numbers [low, high], got {value!r}", "ci")
    low, high = float(value[0]), float(value[1])
    if not (math.isfinite(low) and math.isfinite(high)):
        raise DistributionError("ci bounds must be finite", "ci")
    if low >= high:
        raise DistributionError(f"ci low ({low:g}) must be below high ({high:g})", "ci")
    return low, high


Built = tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]


def _fixed(t: dict[str, Any], keys: frozenset[str], level: float) -> Built:
    return (_finite(t, "value"),), (), ()


def _uniform(t: dict[str, Any], keys: frozenset[str], level: float) -> Built:
    low, high = _finite(t, "min"), _finite(t, "max")
    if low >= high:
        raise DistributionError(f"min ({low:g}) must be below max ({high:g})", "min")
    return (low, high), (), ()


def _triangular(t: dict[str, Any], keys: frozenset[str], level: float) -> Built:
    low, mode, high = _finite(t, "min"), _finite(t, "mode"), _finite(t, "max")
    if low >= high:
        raise DistributionError(f"min ({low:g}) must be below max ({high:g})", "min")
    if not low <= mode <= high:
        raise DistributionError(f"mode ({mode:g}) must lie between min and max", "mode")
    return (low, mode, high), (), ()


def _pert(t: dict[str, Any], keys: frozenset[str], level: float) -> Built:
    (low, mode, high), _, _ = _triangular(t, keys, level)
    lam = _positive(t, "lambda") if "lambda" in t else 4.0
    return (low, mode, high, lam), (), ()


def _normal(t: dict[str, Any], keys: frozenset[str], level: float) -> Built:
    if "ci" in keys:
        low, high = _ci(t)
        return ((low + high) / 2.0, (high - low) / (2.0 * z_for(level))), (), ()
    return (_finite(t, "mean"), _positive(t, "sd")), (), ()


def _lognormal(t: dict[str, Any], keys: frozenset[str], level: float) -> Built:
    if "ci" in keys:
        low, high = _ci(t)
        if low <= 0:
            raise DistributionError("a lognormal ci needs both bounds > 0", "ci",
                                    "use a normal for values that can be zero or negative")
        mu = (math.log(low) + math.log(high)) / 2.0
        return (mu, (math.log(high) - math.log(low)) / (2.0 * z_for(level))), (), ()
    if "median" in keys:
        return (math.log(_positive(t, "median")), _positive(t, "sigma")), (), ()
    mean, sd = _positive(t, "mean"), _positive(t, "sd")
    ratio = sd / mean  # sigma^2 = log(1 + ratio^2), written so that it cannot overflow
    sigma2 = math.log1p(ratio**2) if ratio < 1e100 else 2.0 * math.log(ratio)
    return (math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)), (), ()


def _beta(t: dict[str, Any], keys: frozenset[str], level: float) -> Built:
    if "alpha" in keys:
        return (_positive(t, "alpha"), _positive(t, "beta")), (), ()
    if "successes" in keys:
        successes, trials = _finite(t, "successes"), _finite(t, "trials")
        if trials <= 0 or not 0 <= successes <= trials:
            raise DistributionError(
                f"successes ({successes:g}) must lie in 0..trials and trials ({trials:g}) be > 0",
                "successes",
            )
        return (successes + 1.0, trials - successes + 1.0), (), ()
    if "mean" in keys:
        mean, sd = _finite(t, "mean"), _positive(t, "sd")
        if not 0.0 < mean < 1.0:
            raise DistributionError(f"a beta mean must lie strictly in 0..1, got {mean:g}", "mean")
        room = mean * (1.0 - mean)
        if sd * sd == 0.0:
            raise DistributionError(f"sd {sd:g} is too small for a beta", "sd",
                                    "use a fixed value instead")
        if sd * sd >= room:
            raise DistributionError(
                f"sd {sd:g} is too large for a beta with mean {mean:g}; "
                f"it must be below {math.sqrt(room):.4g}",
                "sd",
            )
        k = room / (sd * sd) - 1.0
        return (mean * k, (1.0 - mean) * k), (), ()
    low, high = _ci(t)
    if not 0.0 < low < high < 1.0:
        raise DistributionError("a beta ci must lie strictly inside 0..1", "ci")
    return fit_beta_interval(low, high, level), (), ()


@functools.lru_cache(maxsize=1024)
def fit_beta_interval(low: float, high: float, level: float) -> tuple[float, float]:
    """Beta(alpha, beta) whose central ``level`` interval is [low, high] (least squares)."""
    from scipy import optimize, special

    qs = np.array([0.5 - level / 2.0, 0.5 + level / 2.0])
    target = np.array([low, high])
    mean = (low + high) / 2.0
    sd = (high - low) / (2.0 * z_for(level))
    k = max(mean * (1 - mean) / sd**2 - 1.0, 0.5)
    start = np.log([mean * k, (1 - mean) * k])

    def residual(log_ab: np.ndarray) -> np.ndarray:
        a, b = np.exp(np.clip(log_ab, -20, 20))
        return np.asarray(special.betaincinv(a, b, qs)) - target

    fit = optimize.least_squares(residual, start, xtol=1e-14, ftol=1e-14, gtol=1e-14)
    if np.max(np.abs(residual(fit.x))) > 1e-6 * max(high - low, 1e-9):
        raise DistributionError(
            f"no beta distribution has [{low:g}, {high:g}] as its {level:.0%} interval", "ci"
        )
    a, b = np.exp(fit.x)
    return float(a), float(b)


def _gamma(t: dict[str, Any], keys: frozenset[str], level: float) -> Built:
    if "shape" in keys:
        return (_positive(t, "shape"), _positive(t, "scale")), (), ()
    mean, sd = _positive(t, "mean"), _positive(t, "sd")
    shape, scale = (mean / sd) * (mean / sd), sd / mean * sd  # '*' gives inf, '**' raises
    if not shape > 0:
        raise DistributionError(f"sd {sd:g} is too large for a gamma with mean {mean:g}", "sd")
    return (shape, scale), (), ()


def _poisson(t: dict[str, Any], keys: frozenset[str], level: float) -> Built:
    mean = _finite(t, "mean")
    if mean < 0:
        raise DistributionError(f"a poisson mean must be >= 0, got {mean:g}", "mean")
    if mean > 1e9:
        raise DistributionError(f"a poisson mean above 1e9 is not supported, got {mean:g}",
                                "mean", "use a normal or gamma for such counts")
    return (mean,), (), ()


def _binomial(t: dict[str, Any], keys: frozenset[str], level: float) -> Built:
    n = _finite(t, "n")
    if n < 0 or n != int(n) or n > 2**31:
        raise DistributionError(f"n must be a whole number in 0..2^31, got {n:g}", "n")
    return (n, _probability(t, "p")), (), ()


def _bernoulli(t: dict[str, Any], keys: frozenset[str], level: float) -> Built:
    return (_probability(t, "p"),), (), ()


def _discrete(t: dict[str, Any], keys: frozenset[str], level: float) -> Built:
    values, weights = t["values"], t["weights"]
    for key, seq in (("values", values), ("weights", weights)):
        if (
            not isinstance(seq, list)
            or not seq
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in seq)
        ):
            raise DistributionError(f"{key} must be a non-empty list of numbers", key)
        if not all(math.isfinite(v) for v in seq):
            raise DistributionError(f"{key} must be finite numbers", key)
    if len(values) != len(weights):
        raise DistributionError(
            f"values has {len(values)} entries but weights has {len(weights)}", "weights"
        )
    if len(set(values)) != len(values):
        raise DistributionError("values must not repeat; add their weights together", "values")
    if any(w < 0 for w in weights) or sum(weights) <= 0:
        raise DistributionError("weights must be >= 0 and not all zero", "weights")
    if len(values) > 100_000:
        raise DistributionError("a discrete distribution may have at most 100000 values", "values")
    order = np.argsort(values)
    total = float(sum(weights))
    vals = tuple(float(values[i]) for i in order)
    wts = tuple(float(weights[i]) / total for i in order)
    return (float(len(vals)),), vals, wts


_BUILDERS: dict[str, Callable[[dict[str, Any], frozenset[str], float], Built]] = {
    "fixed": _fixed,
    "uniform": _uniform,
    "triangular": _triangular,
    "pert": _pert,
    "normal": _normal,
    "lognormal": _lognormal,
    "beta": _beta,
    "gamma": _gamma,
    "poisson": _poisson,
    "binomial": _binomial,
    "bernoulli": _bernoulli,
    "discrete": _discrete,
}


def interval_shorthand(low: float, high: float, level: float = 0.90) -> Distribution:
    """The distribution of an ``"A to B"`` string: lognormal when 0 < A < B, else normal."""
    family = "lognormal" if 0 < low < high else "normal"
    return from_table({"dist": family, "ci": [low, high], "level": level})
