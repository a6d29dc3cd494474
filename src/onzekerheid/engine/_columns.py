"""A column of draws with fixed arguments: the loop written once, compiled once per family.

Each column function fills ``out[start:stop, col]`` with draws of one family's sampler, each
redrawn while it falls outside ``[lower, upper]`` (rejection, at most ``MAX_REJECTIONS`` times;
load time guarantees enough mass; a nan draw is kept, never redrawn). A redraw takes the next
values of the same stream, so a truncated column is the first in-bounds draws of the
untruncated one, in order.

The loop is written once, in :func:`_column_of`, and made once per sampler (``normal = _column_
of(_normal)``, ...): the sampler is a constant of the closure, so numba compiles one loop per
family with the sampler inlined and no branch on the family inside it. That matters: a
generator call made through a many-branched helper costs several times the draw itself, the
loops written as branches of one function ran 1.2-2x slower, and a loop taking the sampler as
an argument (numba then calls it through a pointer) 10% slower over a whole run. Each sampler
takes the generator and a tuple of its arguments, set-up constants included
(:mod:`._samplers`); the family is chosen once per column and block (:func:`._kernels._fill`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from . import _samplers as draws
from ._jit import jit, jit_inline

MAX_REJECTIONS = 100_000


def _column_of(draw: Callable[..., float]) -> Any:
    """The compiled column loop of one sampler ``draw(gen, args)``."""

    @jit
    def column(gen, args, lower, upper, out, start, stop, col):  # type: ignore[no-untyped-def]
        for i in range(start, stop):
            tries = 0
            while True:
                x = draw(gen, args)
                if not (x < lower or x > upper) or tries >= MAX_REJECTIONS:
                    break
                tries += 1
            out[i, col] = x

    return column


@jit_inline
def _normal(gen, args):  # type: ignore[no-untyped-def]
    """Normal(mu, sigma); ``args = (mu, sigma)``."""
    return gen.normal(args[0], args[1])


@jit_inline
def _lognormal(gen, args):  # type: ignore[no-untyped-def]
    """exp(Normal(mu, sigma)); ``args = (mu, sigma)``."""
    return math.exp(gen.normal(args[0], args[1]))


@jit_inline
def _uniform(gen, args):  # type: ignore[no-untyped-def]
    """Uniform(low, high); ``args = (low, high)``."""
    return args[0] + (args[1] - args[0]) * gen.random()


@jit_inline
def _beta_ratio(gen, args):  # type: ignore[no-untyped-def]
    """``low + width x Beta(a, b)`` with a shape above 1 (PERT is a scaled beta), the ratio of
    two gammas; ``args = (a, b, low, width, setup_a, setup_b)``."""
    a, b, low, width, setup_a, setup_b = args
    return low + width * draws.beta_ratio(gen, a, b, setup_a, setup_b)


@jit_inline
def _beta_small(gen, args):  # type: ignore[no-untyped-def]
    """``low + width x Beta(a, b)`` with both shapes <= 1 (Johnk, bounded in time; nan shapes
    give nan); ``args = (a, b, low, width)``."""
    return args[2] + args[3] * draws.beta_draw(gen, args[0], args[1])


@jit_inline
def _gamma(gen, args):  # type: ignore[no-untyped-def]
    """Gamma(shape, scale); ``args = (shape, scale, b, c)``, ``b, c`` of
    :func:`._samplers.gamma_setup`."""
    return args[1] * draws.standard_gamma(gen, args[0], args[2], args[3])


@jit_inline
def _triangular(gen, args):  # type: ignore[no-untyped-def]
    """Triangular(low, mode, high) by inversion; ``args = (low, mode, high)``."""
    return draws.triangular(gen.random(), args[0], args[1], args[2])


@jit_inline
def _bernoulli(gen, args):  # type: ignore[no-untyped-def]
    """1 with probability p, else 0; ``args = (p,)``."""
    return 1.0 if gen.random() < args[0] else 0.0


@jit_inline
def _poisson(gen, args):  # type: ignore[no-untyped-def]
    """Poisson(lam) as a float; ``args = (lam, setup)``, setup of
    :func:`._samplers.poisson_setup`."""
    return float(draws.poisson(gen, args[0], args[1]))


@jit_inline
def _binomial(gen, args):  # type: ignore[no-untyped-def]
    """Binomial(n, p) as a float; ``args = (n, p, setup)``, setup of
    :func:`._samplers.binomial_setup`."""
    return float(draws.binomial(gen, args[0], args[1], args[2]))


@jit_inline
def _discrete(gen, args):  # type: ignore[no-untyped-def]
    """``values[k]`` with probability ``cumw[k] - cumw[k - 1]``; ``args = (values, cumw)``."""
    values, cumw = args
    return values[draws.bisect(cumw, gen.random())]


normal = _column_of(_normal)
lognormal = _column_of(_lognormal)
uniform = _column_of(_uniform)
beta_ratio = _column_of(_beta_ratio)
beta_small = _column_of(_beta_small)
gamma = _column_of(_gamma)
triangular = _column_of(_triangular)
bernoulli = _column_of(_bernoulli)
poisson = _column_of(_poisson)
binomial = _column_of(_binomial)
discrete = _column_of(_discrete)
