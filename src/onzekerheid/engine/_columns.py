"""One compiled loop per distribution family: a column of draws with fixed arguments.

Each function fills ``out[start:stop, col]`` with draws, each redrawn while it falls outside
``[lower, upper]`` (rejection, at most ``MAX_REJECTIONS`` times; load time guarantees enough
mass; a nan draw is kept, never redrawn). A redraw takes the next values of the same stream, so
a truncated column is the first in-bounds draws of the untruncated one, in order.

Why a function per family: a generator call made through a many-branched helper costs several
times the draw itself, and the same loops written as branches of one function ran 1.2-2x slower
than each on its own (the generator's state is reloaded around every branch). The dispatch on
the family code happens once per column and block (:func:`._kernels._fill`).
"""

from __future__ import annotations

import math

from . import _samplers as draws
from ._jit import jit, jit_inline

MAX_REJECTIONS = 100_000


@jit_inline
def _settled(x, lower, upper, tries):  # type: ignore[no-untyped-def]
    """Keep ``x``: inside the bounds (nan included), or out of redraws."""
    return not (x < lower or x > upper) or tries >= MAX_REJECTIONS


@jit
def normal(gen, mu, sigma, lower, upper, out, start, stop, col):  # type: ignore[no-untyped-def]
    """Normal(mu, sigma)."""
    for i in range(start, stop):
        tries = 0
        while True:
            x = gen.normal(mu, sigma)
            if _settled(x, lower, upper, tries):
                break
            tries += 1
        out[i, col] = x


@jit
def lognormal(gen, mu, sigma, lower, upper, out, start, stop, col):  # type: ignore[no-untyped-def]
    """exp(Normal(mu, sigma))."""
    for i in range(start, stop):
        tries = 0
        while True:
            x = math.exp(gen.normal(mu, sigma))
            if _settled(x, lower, upper, tries):
                break
            tries += 1
        out[i, col] = x


@jit
def uniform(gen, low, high, lower, upper, out, start, stop, col):  # type: ignore[no-untyped-def]
    """Uniform(low, high)."""
    for i in range(start, stop):
        tries = 0
        while True:
            x = low + (high - low) * gen.random()
            if _settled(x, lower, upper, tries):
                break
            tries += 1
        out[i, col] = x


@jit
def beta(gen, a, b, low, width, lower, upper, out, start, stop, col):  # type: ignore[no-untyped-def]
    """``low + width x Beta(a, b)`` (PERT is a scaled beta): the ratio of two gammas, set up
    once, when a shape exceeds 1; Johnk's algorithm, bounded in time, when both are <= 1."""
    ratio = a > 1.0 or b > 1.0
    setup_a, setup_b = draws.gamma_setup(a), draws.gamma_setup(b)
    for i in range(start, stop):
        tries = 0
        while True:
            if ratio:
                x = low + width * draws.beta_ratio(gen, a, b, setup_a, setup_b)
            else:
                x = low + width * draws.beta_draw(gen, a, b)
            if _settled(x, lower, upper, tries):
                break
            tries += 1
        out[i, col] = x


@jit
def gamma(gen, shape, scale, lower, upper, out, start, stop, col):  # type: ignore[no-untyped-def]
    """Gamma(shape, scale), set up once."""
    b, c = draws.gamma_setup(shape)
    for i in range(start, stop):
        tries = 0
        while True:
            x = scale * draws.standard_gamma(gen, shape, b, c)
            if _settled(x, lower, upper, tries):
                break
            tries += 1
        out[i, col] = x


@jit
def triangular(gen, low, mode, high, lower, upper, out, start, stop, col):  # type: ignore[no-untyped-def]
    """Triangular(low, mode, high) by inversion."""
    for i in range(start, stop):
        tries = 0
        while True:
            x = draws.triangular(gen.random(), low, mode, high)
            if _settled(x, lower, upper, tries):
                break
            tries += 1
        out[i, col] = x


@jit
def bernoulli(gen, p, lower, upper, out, start, stop, col):  # type: ignore[no-untyped-def]
    """1 with probability p, else 0."""
    for i in range(start, stop):
        tries = 0
        while True:
            x = 1.0 if gen.random() < p else 0.0
            if _settled(x, lower, upper, tries):
                break
            tries += 1
        out[i, col] = x


@jit
def poisson(gen, lam, lower, upper, out, start, stop, col):  # type: ignore[no-untyped-def]
    """Poisson(lam), as floats, set up once."""
    setup = draws.poisson_setup(lam) if lam >= 10.0 else (0.0, 0.0, 0.0, 0.0, 0.0)
    for i in range(start, stop):
        tries = 0
        while True:
            x = float(draws.poisson(gen, lam, setup))
            if _settled(x, lower, upper, tries):
                break
            tries += 1
        out[i, col] = x


@jit
def binomial(gen, n, p, lower, upper, out, start, stop, col):  # type: ignore[no-untyped-def]
    """Binomial(n, p), as floats, set up once."""
    setup = draws.binomial_setup(n, p)
    for i in range(start, stop):
        tries = 0
        while True:
            x = float(draws.binomial(gen, n, p, setup))
            if _settled(x, lower, upper, tries):
                break
            tries += 1
        out[i, col] = x


@jit
def discrete(gen, values, cumw, lower, upper, out, start, stop, col):  # type: ignore[no-untyped-def]
    """``values[k]`` with probability ``cumw[k] - cumw[k - 1]``."""
    for i in range(start, stop):
        tries = 0
        while True:
            x = values[draws.bisect(cumw, gen.random())]
            if _settled(x, lower, upper, tries):
                break
            tries += 1
        out[i, col] = x

