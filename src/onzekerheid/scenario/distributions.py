"""Distributions of scenario files: argument sets, validation, and canonical form.

Every distribution in a scenario file is reduced, at load time, to one canonical
:class:`Distribution`: a family, its canonical arguments (the ones the numba kernels draw with),
optional truncation bounds and the point value the published claim assumed. scipy provides the
exact quantiles, means and the interval fits (``ci``); the kernels only see the family code and
numbers.

Canonical arguments per family::

    fixed (value)            uniform (min, max)          triangular (min, mode, max)
    pert (min, mode, max, lambda)  -> Beta(1 + lambda (mode-min)/(max-min), ...) on [min, max]
    (the family table, onzekerheid.families, holds these with their codes, means, supports)
    normal (mean, sd)        lognormal (mu, sigma) of log X   beta (alpha, beta)
    gamma (shape, scale)     poisson (mean)              binomial (n, p)   bernoulli (p)
    discrete (values, weights)
    mixture (number of components; ``components`` and ``weights`` hold them)

Two ways to build a distribution from others:

* ``{ dist = "mixture", of = [...], weights = [...] }``: with probability ``w_i / sum(w)`` the
  value is a draw of component ``i`` (a table, a number, or an ``"A to B"`` interval). Its cdf is
  ``F(x) = sum_i w_i F_i(x)``; quantiles invert it numerically (vectorised bisection, bracketed
  by the components' own quantiles, since ``min_i F_i^-1(q) <= F^-1(q) <= max_i F_i^-1(q)``).
* ``zero = z`` on any distribution (zero-inflation): with probability ``z`` the value is 0, else a
  draw of the (truncated) distribution: ``F(x) = z 1[x >= 0] + (1 - z) G(x)``, mean
  ``(1 - z) E_G[X]``. ``lower``/``upper`` bound the non-zero draws.

Reference for both: McLachlan, G. and Peel, D. (2000), *Finite Mixture Models*, Wiley, ch. 1.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np

from ..errors import allowed, did_you_mean
from ..families import CODES as FAMILY_CODES
from ..families import FAMILIES as FAMILY_TABLE
from ..families import pert_shape as pert_shape  # re-exported: the shapes live in the table
from . import _fitcache

COMMON_KEYS = {"dist", "point", "lower", "upper", "source", "note", "level", "ci", "zero",
               "label", "unit", "judgement"}

# read from the one family table (onzekerheid.families): argument sets, kernel codes, discreteness
ARGUMENT_SETS: dict[str, list[frozenset[str]]] = {
    name: list(f.argument_sets) for name, f in FAMILY_TABLE.items()}
FAMILIES = tuple(FAMILY_TABLE)
DISCRETE_FAMILIES = {name for name, f in FAMILY_TABLE.items() if f.discrete}
CODES = FAMILY_CODES  # the codes the kernels switch on (plan format, not file format)
COUNT_FAMILIES = ("poisson", "binomial", "bernoulli")  # scipy's pmf; truncated mean summed

MIN_TRUNCATED_MASS = 1e-3
MAX_COMPONENTS = 1000
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
# "A to B", two plain numbers: the one definition of the interval shorthand (parameters, the
# domain model's values, mixture components); group 1 is A, group 2 is B
INTERVAL = re.compile(rf"^\s*({_NUMBER})\s+to\s+({_NUMBER})\s*$")


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
    components: tuple[Distribution, ...] = ()  # mixture components (weights: normalised)
    zero: float = 0.0  # probability of the value 0 (zero-inflation), applied after truncation
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    # -- scipy view -------------------------------------------------------------------------
    def base(self) -> Any:
        """The untruncated distribution without zero-inflation (scipy frozen, or a mixture)."""
        if "base" not in self._cache:
            self._cache["base"] = _scipy(self)
        return self._cache["base"]

    @property
    def truncated(self) -> bool:
        return self.lower > -math.inf or self.upper < math.inf

    def _cdf_bounds(self) -> tuple[float, float]:
        low = 0.0 if self.lower == -math.inf else self._base_cdf(_just_below(self, self.lower))
        high = 1.0 if self.upper == math.inf else self._base_cdf(self.upper)
        return low, high

    def _base_cdf(self, x: float) -> float:
        """The untruncated cdf at one point: closed form where there is one (no scipy import),
        else scipy's, remembered in the user cache for the next run (:mod:`._fitcache`)."""
        a = self.args
        if self.family == "normal":
            return NormalDist(a[0], a[1]).cdf(x)
        if self.family == "lognormal":
            return 0.0 if x <= 0 else NormalDist(a[0], a[1]).cdf(math.log(x))
        if self.family == "uniform":
            return min(max((x - a[0]) / (a[1] - a[0]), 0.0), 1.0)
        if self.family == "mixture":
            return float(self.base().cdf(x))
        return _remembered(f"cdf {self.family} {a!r}{self._table_key()} {x!r}",
                           lambda: float(self.base().cdf(x)))

    def _table_key(self) -> str:
        """A discrete table in a cache key (its args hold only the number of values)."""
        if not self.values:
            return ""
        table = repr((self.values, self.weights)).encode()
        return " " + hashlib.sha256(table).hexdigest()[:20]

    def mass_kept(self) -> float:
        low, high = self._cdf_bounds()
        return max(high - low, 0.0)

    def cdf(self, x: Any) -> Any:
        """Cumulative distribution function of the (truncated, zero-inflated) distribution."""
        x = np.asarray(x, dtype=float)
        core = self._core_cdf(x)
        if self.zero:
            return (1.0 - self.zero) * core + self.zero * (x >= 0.0)
        return core

    def _core_cdf(self, x: np.ndarray) -> Any:
        if self.family == "fixed":
            return (x >= self.args[0]).astype(float)
        low, high = self._cdf_bounds()
        with np.errstate(invalid="ignore", divide="ignore"):
            inside = np.clip((self.base().cdf(x) - low) / (high - low), 0.0, 1.0)
        return np.where(x < self.lower, 0.0, np.where(x >= self.upper, 1.0, inside))

    def ppf(self, q: Any) -> Any:
        """Quantile function of the (truncated, zero-inflated) distribution."""
        q = np.asarray(q, dtype=float)
        z = self.zero
        if not z:
            return self._core_ppf(q)
        # F(x) = z 1[x >= 0] + (1 - z) G(x): below the atom, at it, or above it
        below = (1.0 - z) * float(self._core_cdf(np.asarray(np.nextafter(0.0, -math.inf))))
        at = (1.0 - z) * float(self._core_cdf(np.asarray(0.0))) + z
        low_q = np.clip(q / (1.0 - z), 0.0, 1.0)
        high_q = np.clip((q - z) / (1.0 - z), 0.0, 1.0)
        return np.where(q <= below, self._core_ppf(low_q),
                        np.where(q <= at, 0.0, self._core_ppf(high_q)))

    def _core_ppf(self, q: np.ndarray) -> Any:
        if self.family == "fixed":
            return np.full_like(q, self.args[0])
        low, high = self._cdf_bounds()
        out = self.base().ppf(low + q * (high - low))
        return np.clip(out, self.lower, self.upper)

    def mean(self) -> float:
        """Expected value (after truncation and zero-inflation)."""
        return (1.0 - self.zero) * self._core_mean()

    def _core_mean(self) -> float:
        if self.family == "fixed":
            return self.args[0]
        if self.family == "lognormal" and not self.truncated:  # log space: scipy overflows
            exponent = self.args[0] + self.args[1] ** 2 / 2.0
            return math.exp(exponent) if exponent < 709.0 else math.inf
        if not self.truncated:
            return _analytic_mean(self)
        if self.family == "mixture":
            return float(self.base().truncated_mean(self.lower, self.upper))
        if self.family in COUNT_FAMILIES:  # remembered: the pmf sums import scipy.stats
            return _remembered(
                f"count-mean {self.family} {self.args!r} {self.lower!r} {self.upper!r}",
                lambda: _count_mean(self))
        lb = None if self.lower == -math.inf else self.lower
        ub = None if self.upper == math.inf else self.upper
        return _remembered(
            f"mean {self.family} {self.args!r}{self._table_key()} {self.lower!r} {self.upper!r}",
            lambda: float(self.base().expect(lambda x: x, lb=lb, ub=ub, conditional=True)))

    def support(self) -> tuple[float, float]:
        """Smallest and largest value a draw can take (after truncation and zero-inflation)."""
        if self.family == "fixed":
            low, high = self.args[0], self.args[0]
        else:
            low, high = _analytic_support(self)
            low, high = max(float(low), self.lower), min(float(high), self.upper)
        if self.zero:
            return min(low, 0.0), max(high, 0.0)
        return low, high

    def _partial(self, lo: float, hi: float) -> tuple[float, float]:
        """``(P(lo <= X <= hi), E[X; lo <= X <= hi])`` of a component (no zero, no mixture)."""
        if self.family == "fixed":
            inside = lo <= self.args[0] <= hi
            return float(inside), self.args[0] if inside else 0.0
        lo, hi = max(lo, self.lower), min(hi, self.upper)
        if lo > hi:
            return 0.0, 0.0
        kept = self.mass_kept()
        prob = float(self._core_cdf(np.asarray(hi)) - self._core_cdf(
            np.asarray(_just_below(self, lo))))
        if self.family in COUNT_FAMILIES:  # scipy's expect mishandles non-integer bounds
            return prob, _count_sums(self, lo, hi)[1] / kept
        lb = None if lo == -math.inf else lo
        ub = None if hi == math.inf else hi
        part = float(self.base().expect(lambda x: x, lb=lb, ub=ub, conditional=False))
        return prob, part / kept


class _Mixture:
    """The untruncated mixture ``sum_i w_i F_i`` with the scipy methods the module uses."""

    def __init__(self, components: tuple[Distribution, ...], weights: tuple[float, ...]) -> None:
        self.components = components
        self.weights = np.asarray(weights, dtype=float)

    def cdf(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        return sum(w * c.cdf(x) for w, c in zip(self.weights, self.components, strict=True))

    def mean(self) -> float:
        return float(sum(w * c.mean() for w, c in zip(self.weights, self.components,
                                                       strict=True)))

    def support(self) -> tuple[float, float]:
        ends = [c.support() for c in self.components]
        return min(e[0] for e in ends), max(e[1] for e in ends)

    def truncated_mean(self, lo: float, hi: float) -> float:
        parts = [c._partial(lo, hi) for c in self.components]
        mass = sum(w * p for w, (p, _) in zip(self.weights, parts, strict=True))
        return sum(w * e for w, (_, e) in zip(self.weights, parts, strict=True)) / mass

    def ppf(self, q: Any) -> Any:
        """Smallest ``x`` with ``F(x) >= q``, by bisection between the components' quantiles."""
        q = np.asarray(q, dtype=float)
        flat = q.reshape(-1)
        low_end, high_end = self.support()
        out = np.where(flat <= 0.0, low_end, high_end)
        inner = (flat > 0.0) & (flat < 1.0)
        target = flat[inner]
        if target.size:
            ends = np.array([np.asarray(c.ppf(target), dtype=float) for c in self.components])
            lo, hi = ends.min(axis=0), ends.max(axis=0)
            done = self.cdf(lo) >= target  # the quantile is the lower bracket itself
            hi = np.where(done, lo, hi)
            for _ in range(200):  # keep F(lo) < q <= F(hi); stop at adjacent floats
                active = ~done & (hi > np.nextafter(lo, np.inf))
                if not active.any():
                    break
                mid = lo[active] + (hi[active] - lo[active]) / 2.0
                up = self.cdf(mid) >= target[active]
                hi[active] = np.where(up, mid, hi[active])
                lo[active] = np.where(up, lo[active], mid)
            out[inner] = hi
        return out.reshape(q.shape) if q.shape else float(out[0])


def _remembered(key: str, compute: Callable[[], float]) -> float:
    found = _fitcache.get(key)
    if found is not None and len(found) == 1:
        return found[0]
    value = compute()
    if math.isfinite(value):
        _fitcache.put(key, (value,))
    return value


# Means and supports in closed form, so loading a scenario does not import scipy.stats
# (about 0.4 s) unless a quantile, an uncommon truncation or an interval fit needs it.
def _analytic_mean(dist: Distribution) -> float:
    mean = FAMILY_TABLE[dist.family].mean
    if mean is not None:
        return mean(dist.args, dist.values, dist.weights)
    return float(dist.base().mean())


def _count_mean(dist: Distribution) -> float:
    r"""Exact mean of a truncated Poisson, binomial or Bernoulli count, from pmf sums.

    The draws are the integers ``k`` with ``lower <= k <= upper``, so (for any real bounds)
    ``E[X | lower <= X <= upper] = sum_k k p(k) / sum_k p(k)`` over
    ``k = ceil(lower) .. floor(upper)`` inside the support (:func:`_count_sums`).
    """
    mass, moment = _count_sums(dist, dist.lower, dist.upper)
    return moment / mass if mass > 0 else math.nan


def _count_sums(dist: Distribution, lo: float, hi: float) -> tuple[float, float]:
    """``(sum p(k), sum k p(k))`` of the untruncated count over the integers in ``[lo, hi]``.

    With ``a = ceil(lo)``, ``b = floor(hi)``: the mass is ``F(b) - F(a - 1)``, and the first
    moment follows from ``k p(k)`` being a shifted pmf: ``mu (F(b - 1) - F(a - 2))`` for a
    Poisson(mu), ``n p (G(b - 1) - G(a - 2))`` for a binomial(n, p) with ``G`` the cdf of
    binomial(n - 1, p), and ``p 1[a <= 1 <= b]`` for a Bernoulli(p). Exact, in O(1).
    """
    a = -math.inf if lo == -math.inf else float(math.ceil(lo))
    b = math.inf if hi == math.inf else float(math.floor(hi))
    base = dist.base()
    mass = float(base.cdf(b) - base.cdf(a - 1))
    match dist.family:
        case "poisson":
            shifted, factor = base, dist.args[0]
        case "binomial":
            shifted = Distribution("binomial", (dist.args[0] - 1, dist.args[1])).base()
            factor = dist.args[0] * dist.args[1]
        case _:  # bernoulli
            return mass, dist.args[0] if a <= 1 <= b else 0.0
    return mass, factor * float(shifted.cdf(b - 1) - shifted.cdf(a - 2))


def _analytic_support(dist: Distribution) -> tuple[float, float]:
    support = FAMILY_TABLE[dist.family].support
    if support is not None:
        return support(dist.args, dist.values)
    low, high = dist.base().support()
    return float(low), float(high)


def _just_below(dist: Distribution, x: float) -> float:
    # For discrete families P(X >= lower) needs cdf(lower - 1); continuous ones are indifferent.
    if dist.family in DISCRETE_FAMILIES and dist.family not in ("discrete", "fixed"):
        return float(math.ceil(x) - 1) if math.isfinite(x) else x  # float: 2**64 fits
    if dist.family in ("discrete", "mixture", "fixed"):
        return float(np.nextafter(x, -math.inf))
    return x


def _scipy(dist: Distribution) -> Any:
    if dist.family == "mixture":
        return _Mixture(dist.components, dist.weights)
    from scipy import stats

    build = FAMILY_TABLE[dist.family].scipy
    assert build is not None, dist.family
    return build(stats, dist.args, dist.values, dist.weights)


def z_for(level: float) -> float:
    """Standard-normal quantile bounding the central ``level`` interval."""
    return NormalDist().inv_cdf(0.5 + level / 2.0)


# ---------------------------------------------------------------------------------------------
# Building a canonical distribution from a scenario-file table
# ---------------------------------------------------------------------------------------------


def from_table(table: dict[str, Any], *, composite: bool = False) -> Distribution:
    """Validate a ``{dist = ..., ...}`` table (numbers only) and return its canonical form.

    ``composite`` allows mixtures and ``zero`` (zero-inflation); places that pack a distribution
    into a single kernel row (per-case factors) leave it off.
    """
    family = table["dist"]
    if not composite and (family == "mixture" or "zero" in table):
        key = "dist" if family == "mixture" else "zero"
        raise DistributionError(f"{'a mixture' if key == 'dist' else 'zero'} is not available "
                                "here", key, "use a single distribution")
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
    zero = _number(table, "zero", 0.0)
    if not 0.0 <= zero < 1.0:
        raise DistributionError(f"zero is the probability of the value 0 and must lie in "
                                f"[0, 1), got {zero:g}", "zero")
    components = _components(table) if family == "mixture" else ()
    dist = Distribution(family, tuple(float(x) for x in args), lower, upper, values, weights,
                        components, zero)
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
        hint = did_you_mean(unknown[0], (known | COMMON_KEYS) - {unknown[0]})
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
    """Beta(alpha, beta) whose central ``level`` interval is [low, high].

    Solves ``betaincinv(a, b, q) = bound`` for both ends by Newton's method on
    ``(log a, log b)`` (two equations, two unknowns, Jacobian by central differences), started
    from the moment match; scipy's least squares is the fallback when Newton does not
    converge. Newton needs only ``scipy.special``, which keeps ``scipy.optimize`` (a third of
    a second of start-up) out of ordinary runs, and fits are remembered on disk
    (:mod:`._fitcache`), so a warm command imports no scipy at all.
    """
    key = f"beta {low!r} {high!r} {level!r}"
    cached = _fitcache.get(key)
    if cached is not None and len(cached) == 2:
        return cached[0], cached[1]
    from scipy import special

    qs = np.array([0.5 - level / 2.0, 0.5 + level / 2.0])
    target = np.array([low, high])
    scale = max(high - low, 1e-9)

    def residual(log_ab: np.ndarray) -> np.ndarray:
        a, b = np.exp(np.clip(log_ab, -20, 20))
        return np.asarray(special.betaincinv(a, b, qs)) - target

    mean = (low + high) / 2.0
    sd = (high - low) / (2.0 * z_for(level))
    k = max(mean * (1 - mean) / sd**2 - 1.0, 0.5)
    x = np.log([mean * k, (1 - mean) * k])
    r = residual(x)
    for _ in range(60):
        if np.max(np.abs(r)) < 1e-12 * scale:
            break
        h = 1e-6
        jac = np.column_stack([(residual(x + e) - residual(x - e)) / (2 * h)
                               for e in (np.array([h, 0.0]), np.array([0.0, h]))])
        try:
            step = np.linalg.solve(jac, -r)
        except np.linalg.LinAlgError:
            break
        t = 1.0
        while t > 1e-4:  # backtracking: accept the first step that reduces the residual
            trial = residual(x + t * step)
            if np.all(np.isfinite(trial)) and np.sum(trial**2) < np.sum(r**2):
                x, r = x + t * step, trial
                break
            t /= 2.0
        else:
            break
    if not np.max(np.abs(r)) < 1e-9 * scale:
        from scipy import optimize

        x = optimize.least_squares(residual, x, xtol=1e-14, ftol=1e-14, gtol=1e-14).x
        r = residual(x)
    if not np.max(np.abs(r)) < 1e-6 * scale:
        raise DistributionError(
            f"no beta distribution has [{low:g}, {high:g}] as its {level:.0%} interval", "ci"
        )
    a, b = np.exp(x)
    _fitcache.put(key, (float(a), float(b)))
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
    order = [i for i in np.argsort(values) if weights[i] > 0]  # weight 0: not in the support
    total = float(sum(weights))
    vals = tuple(float(values[i]) for i in order)
    wts = tuple(float(weights[i]) / total for i in order)
    return (float(len(vals)),), vals, wts


def _weights(t: dict[str, Any], count: int) -> tuple[float, ...]:
    weights = t.get("weights", [1.0] * count)
    if (not isinstance(weights, list) or not weights
            or not all(isinstance(w, int | float) and not isinstance(w, bool) for w in weights)
            or not all(math.isfinite(w) for w in weights)):
        raise DistributionError("weights must be a non-empty list of finite numbers", "weights")
    if len(weights) != count:
        raise DistributionError(f"of has {count} entries but weights has {len(weights)}",
                                "weights")
    if any(w < 0 for w in weights) or sum(weights) <= 0:
        raise DistributionError("weights must be >= 0 and not all zero", "weights")
    total = float(sum(weights))
    return tuple(float(w) / total for w in weights)


def _mixture(t: dict[str, Any], keys: frozenset[str], level: float) -> Built:
    of = t["of"]
    if not isinstance(of, list) or not of:
        raise DistributionError("of must be a non-empty list of distributions, numbers or "
                                "parameter names", "of")
    if len(of) > MAX_COMPONENTS:
        raise DistributionError(f"a mixture may have at most {MAX_COMPONENTS} components", "of")
    return (float(len(of)),), (), _weights(t, len(of))


def _components(t: dict[str, Any]) -> tuple[Distribution, ...]:
    """Each entry of ``of`` as a distribution; errors carry the path ``of.<i>.<key>``."""
    out = []
    for i, entry in enumerate(t["of"]):
        where = f"of.{i}"
        if isinstance(entry, int | float) and not isinstance(entry, bool):
            if not math.isfinite(entry):
                raise DistributionError(f"{where} must be finite, got {entry}", where)
            out.append(Distribution("fixed", (float(entry),)))
            continue
        if isinstance(entry, str):
            match = INTERVAL.match(entry)
            if match is None:
                raise DistributionError(
                    f"{entry!r} is neither a parameter name nor an interval \"A to B\"", where,
                    "name a parameter whose value is a distribution or a number")
            low, high = float(match.group(1)), float(match.group(2))
            if low >= high:
                raise DistributionError(f"{entry!r}: the first number must be below the second",
                                        where)
            out.append(interval_shorthand(low, high))
            continue
        if not isinstance(entry, dict) or "dist" not in entry:
            raise DistributionError(f"{where} must be a distribution table, a number or a "
                                    "parameter name", where,
                                    'e.g. { dist = "normal", mean = 0, sd = 1 }')
        if entry["dist"] not in FAMILIES:
            raise DistributionError(f"unknown distribution {entry['dist']!r}", f"{where}.dist",
                                    did_you_mean(str(entry["dist"]), FAMILIES)
                                    or allowed(FAMILIES))
        if entry["dist"] == "mixture":
            raise DistributionError("a mixture component cannot itself be a mixture",
                                    f"{where}.dist", "list its components in this of instead, "
                                    "with their weights multiplied")
        if "zero" in entry:
            raise DistributionError("zero on a mixture component is not supported",
                                    f"{where}.zero", "add a component 0 (a number) to of, or "
                                    "put zero on the mixture")
        try:
            out.append(from_table(entry))
        except DistributionError as exc:
            key = f"{where}.{exc.key}" if exc.key else where
            raise DistributionError(str(exc), key, exc.hint) from None
    return tuple(out)


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
    "mixture": _mixture,
}


def interval_shorthand(low: float, high: float, level: float = 0.90) -> Distribution:
    """The distribution of an ``"A to B"`` string: lognormal when 0 < A < B, else normal."""
    family = "lognormal" if 0 < low < high else "normal"
    return from_table({"dist": family, "ci": [low, high], "level": level})
