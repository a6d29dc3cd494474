"""The distribution families: one table that every layer reads.

Per family: the argument sets a scenario file may use, the canonical arguments the kernels
draw with, the code the plan writes and the kernels switch on, whether it is discrete, its
mean and support in closed form, and how scipy builds it (for quantiles, cdf and the rare
truncated mean). :mod:`onzekerheid.scenario.distributions` validates tables against it and
turns them into canonical form; :mod:`onzekerheid.plan` writes ``code`` and
:func:`kernel_arguments` into its rows; the numba kernels (:mod:`onzekerheid.engine._kernels`)
name their branches by these codes.

Canonical arguments and what the kernels draw::

    fixed (value)                  value
    uniform (min, max)             min + (max - min) U
    triangular (min, mode, max)    inverse cdf of U
    pert (min, mode, max, lambda)  min + (max - min) Beta(alpha, beta), see :func:`pert_shape`
    normal (mean, sd)              lognormal (mu, sigma): exp(Normal(mu, sigma))
    beta (alpha, beta)             gamma (shape, scale)
    poisson (mean)                 binomial (n, p)        bernoulli (p): 1[U < p]
    discrete (values, weights)     values[k] with P(k) = weights[k]
    mixture (number of components; a draw of component i with probability weights[i])

Reference for PERT: Vose, D. (2008), *Risk Analysis: A Quantitative Guide*, 3rd ed., Wiley,
eq. 9.7.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")
Arguments = tuple[float, ...]
Values = tuple[float, ...]  # discrete: the values; mixtures: unused


@dataclass(frozen=True)
class Family:
    """One distribution family (see the module docstring)."""

    name: str
    code: int
    argument_sets: tuple[frozenset[str], ...]
    canonical: tuple[str, ...]
    discrete: bool
    mean: Callable[[Arguments, Values, Values], float] | None  # untruncated, closed form
    support: Callable[[Arguments, Values], tuple[float, float]] | None
    scipy: Callable[[Any, Arguments, Values, Values], Any] | None  # (scipy.stats, ...)


def pert_shape(low: T, mode: T, high: T, lam: T) -> tuple[T, T]:
    """Beta shapes of a PERT distribution: ``1 + lambda (mode - min) / (max - min)`` and
    ``1 + lambda (max - mode) / (max - min)`` (Vose 2008, eq. 9.7).

    Written once for numbers and for expression trees (a hierarchical PERT's arguments are
    :class:`~onzekerheid.scenario.expressions.Node` objects, which support ``+ - * /``).
    """
    width = high - low  # type: ignore[operator]
    return (1.0 + lam * (mode - low) / width,  # type: ignore[operator]
            1.0 + lam * (high - mode) / width)  # type: ignore[operator]


def kernel_arguments(family: str, args: Sequence[T]) -> tuple[T, ...]:
    """The canonical arguments as the kernels take them: a PERT becomes (alpha, beta, min,
    max - min) of a scaled beta; every other family is drawn from its canonical arguments."""
    if family != "pert":
        return tuple(args)
    low, mode, high, lam = args
    alpha, beta = pert_shape(low, mode, high, lam)
    return alpha, beta, low, high - low  # type: ignore[operator]


def _discrete_mean(_a: Arguments, values: Values, weights: Values) -> float:
    return float(np.dot(values, weights))


def _rv_discrete(stats: Any, _a: Arguments, values: Values, weights: Values) -> Any:
    return stats.rv_discrete(values=(np.array(values), np.array(weights)))


def _pert_scipy(stats: Any, a: Arguments, _v: Values, _w: Values) -> Any:
    alpha, beta = pert_shape(*a)
    return stats.beta(alpha, beta, loc=a[0], scale=a[2] - a[0])


def _triangular_scipy(stats: Any, a: Arguments, _v: Values, _w: Values) -> Any:
    width = a[2] - a[0]
    return stats.triang(c=(a[1] - a[0]) / width, loc=a[0], scale=width)


_INF = math.inf
_TABLE = (
    Family("fixed", 0, (frozenset({"value"}),), ("value",), True,
           lambda a, v, w: a[0], lambda a, v: (a[0], a[0]), None),
    Family("uniform", 1, (frozenset({"min", "max"}),), ("min", "max"), False,
           lambda a, v, w: (a[0] + a[1]) / 2.0, lambda a, v: (a[0], a[1]),
           lambda s, a, v, w: s.uniform(loc=a[0], scale=a[1] - a[0])),
    Family("triangular", 2, (frozenset({"min", "mode", "max"}),), ("min", "mode", "max"), False,
           lambda a, v, w: (a[0] + a[1] + a[2]) / 3.0, lambda a, v: (a[0], a[2]),
           _triangular_scipy),
    Family("pert", 3, (frozenset({"min", "mode", "max"}),
                       frozenset({"min", "mode", "max", "lambda"})),
           ("min", "mode", "max", "lambda"), False,
           lambda a, v, w: (a[0] + a[3] * a[1] + a[2]) / (a[3] + 2.0), lambda a, v: (a[0], a[2]),
           _pert_scipy),
    Family("normal", 4, (frozenset({"mean", "sd"}), frozenset({"ci"})), ("mean", "sd"), False,
           lambda a, v, w: a[0], lambda a, v: (-_INF, _INF),
           lambda s, a, v, w: s.norm(loc=a[0], scale=a[1])),
    Family("lognormal", 5, (frozenset({"median", "sigma"}), frozenset({"mean", "sd"}),
                            frozenset({"ci"})), ("mu", "sigma"), False,
           None, lambda a, v: (0.0, _INF),  # the mean needs log space: see distributions.py
           lambda s, a, v, w: s.lognorm(s=a[1], scale=math.exp(a[0]))),
    Family("beta", 6, (frozenset({"alpha", "beta"}), frozenset({"successes", "trials"}),
                       frozenset({"mean", "sd"}), frozenset({"ci"})), ("alpha", "beta"), False,
           lambda a, v, w: a[0] / (a[0] + a[1]), lambda a, v: (0.0, 1.0),
           lambda s, a, v, w: s.beta(a[0], a[1])),
    Family("gamma", 7, (frozenset({"shape", "scale"}), frozenset({"mean", "sd"})),
           ("shape", "scale"), False,
           lambda a, v, w: a[0] * a[1], lambda a, v: (0.0, _INF),
           lambda s, a, v, w: s.gamma(a[0], scale=a[1])),
    Family("poisson", 8, (frozenset({"mean"}),), ("mean",), True,
           lambda a, v, w: a[0], lambda a, v: (0.0, _INF),
           lambda s, a, v, w: s.poisson(a[0])),
    Family("binomial", 9, (frozenset({"n", "p"}),), ("n", "p"), True,
           lambda a, v, w: a[0] * a[1], lambda a, v: (0.0, a[0]),
           lambda s, a, v, w: s.binom(int(a[0]), a[1])),
    Family("bernoulli", 10, (frozenset({"p"}),), ("p",), True,
           lambda a, v, w: a[0], lambda a, v: (0.0, 1.0),
           lambda s, a, v, w: s.bernoulli(a[0])),
    Family("discrete", 11, (frozenset({"values", "weights"}),), ("values", "weights"), True,
           _discrete_mean, lambda a, v: (min(v), max(v)), _rv_discrete),
    Family("mixture", 12, (frozenset({"of", "weights"}), frozenset({"of"})), ("components",),
           False, None, None, None),  # built from its components: see distributions.py
)

FAMILIES: dict[str, Family] = {f.name: f for f in _TABLE}
CODES: dict[str, int] = {f.name: f.code for f in _TABLE}

# A per-case factor's distribution packed in one float64 row for the per-case kernels
# (plan.dist_row): family code, four canonical arguments, lower, upper, and 1.0 when there is
# a factor at all (0.0: none, the factor is 1).
ROW_CODE, ROW_ARG0, ROW_LOWER, ROW_UPPER, ROW_ACTIVE, ROW_LENGTH = 0, 1, 5, 6, 7, 8
