"""numpy's samplers for gamma, beta, Poisson and binomial, with the set-up out of the loop.

A column of one parameter draws thousands of values with the same arguments. numpy's
``Generator`` (and numba's port of it) recomputes each algorithm's constants on every call: the
``b = shape - 1/3`` and ``c = 1/sqrt(9b)`` of the gamma sampler, six constants and three
logarithms of the Poisson PTRS sampler, an ``exp``, a ``log`` and a ``sqrt`` of binomial
inversion. Here they are computed once per column (tuples built by the ``*_setup`` functions)
and the loop of :mod:`._columns` does only the rejection steps. The module also holds the other
samplers written here (Johnk's beta bounded in time, triangular inversion, discrete search).

Every function consumes the generator exactly as the method it replaces does (numba's port of
numpy's ``distributions.c``, which the engine used before) and computes the same floating-point
operations in the same order, so the draws are identical, bit for bit: to numpy's
``Generator.gamma``, ``.beta`` and ``.binomial``, and to numba's ``Generator.poisson``
(tests compare them over a grid of arguments). numba's Poisson differs from numpy's own in rare
acceptance steps (numba truncates with ``int`` where numpy takes ``floor``, and uses the Stirling
``loggam`` where numpy now uses ``logfactorial``): about one draw in several thousand at a mean
of 10, far fewer at larger means, each an exact draw of a slightly different acceptance region.
The engine keeps numba's stream, so that no published number moves. A column of Poisson or
binomial draws takes 0.35-0.45 of the time it took, gamma about half and beta about nine
tenths (``benchmarks/sampler_columns.py``).

The algorithms (numpy's ``distributions.c``): Marsaglia & Tsang (2000) for the gamma with
shape > 1, the ratio of two gammas for the beta when a shape exceeds 1, Hörmann's PTRS (1993)
for the Poisson with mean >= 10, and inversion for the binomial with ``min(p, 1 - p) n <= 30``.
Outside those ranges each function calls the generator's own method.

References
----------
Marsaglia, G. and Tsang, W. W. (2000), A simple method for generating gamma variables, ACM
Transactions on Mathematical Software 26(3), 363–372.
Hörmann, W. (1993), The transformed rejection method for generating Poisson random variables,
Insurance: Mathematics and Economics 12(1), 39–45.
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import jit_inline

# Stirling-series coefficients of numpy's random_loggam (log Gamma for the PTRS acceptance)
_LOGGAM = np.array([8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04,
                    -5.952380952380952e-04, 8.417508417508418e-04, -1.917526917526918e-03,
                    6.410256410256410e-03, -2.955065359477124e-02, 1.796443723688307e-01,
                    -1.39243221690590e+00])
_LOG_2PI = 1.8378770664093453


@jit_inline
def gamma_setup(shape):  # type: ignore[no-untyped-def]
    """``(b, c)`` of Marsaglia–Tsang: ``b = shape - 1/3``, ``c = 1 / sqrt(9 b)`` (shape > 1)."""
    b = shape - 1.0 / 3.0
    return b, (1.0 / math.sqrt(9 * b) if b > 0.0 else 0.0)


@jit_inline
def standard_gamma(gen, shape, b, c):  # type: ignore[no-untyped-def]
    """One ``Gamma(shape, 1)`` draw; ``b, c`` from :func:`gamma_setup`."""
    if shape == 1.0:
        return gen.standard_exponential()
    if not shape > 1.0:  # 0, below 1, nan: numpy's own branches
        return gen.standard_gamma(shape)
    while True:
        while True:
            x = gen.standard_normal()
            v = 1.0 + c * x
            if v > 0.0:
                break
        v = v * v * v
        u = gen.random()
        if u < 1.0 - 0.0331 * (x * x) * (x * x):
            return b * v
        if math.log(u) < 0.5 * x * x + b * (1.0 - v + math.log(v)):
            return b * v


@jit_inline
def beta_ratio(gen, a, b, setup_a, setup_b):  # type: ignore[no-untyped-def]
    """One ``Beta(a, b)`` draw as ``Ga / (Ga + Gb)``, for ``a > 1`` or ``b > 1`` (numpy's)."""
    ga = standard_gamma(gen, a, setup_a[0], setup_a[1])
    gb = standard_gamma(gen, b, setup_b[0], setup_b[1])
    return ga / (ga + gb)


@jit_inline
def _loggam(x):  # type: ignore[no-untyped-def]
    """log Gamma(x) as numpy's ``random_loggam`` computes it (Stirling series, shifted)."""
    if x == 1.0 or x == 2.0:
        return 0.0
    n = int(7 - x) if x < 7.0 else 0
    x0 = x + n
    x2 = (1.0 / x0) * (1.0 / x0)
    gl0 = _LOGGAM[9]
    for k in range(0, 9):
        gl0 *= x2
        gl0 += _LOGGAM[8 - k]
    gl = gl0 / x0 + 0.5 * _LOG_2PI + (x0 - 0.5) * math.log(x0) - x0
    if x < 7.0:
        for _ in range(1, n + 1):
            gl = gl - math.log(x0 - 1.0)
            x0 = x0 - 1.0
    return gl


@jit_inline
def poisson_setup(lam):  # type: ignore[no-untyped-def]
    """PTRS constants ``(b, a, vr, log invalpha, log lam)``; zeros below a mean of 10, where
    :func:`poisson` uses the generator's own method."""
    if not lam >= 10.0:
        return 0.0, 0.0, 0.0, 0.0, 0.0
    slam = math.sqrt(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    return b, a, vr, math.log(invalpha), math.log(lam)


@jit_inline
def poisson(gen, lam, setup):  # type: ignore[no-untyped-def]
    """One ``Poisson(lam)`` draw; ``setup`` from :func:`poisson_setup` (used when lam >= 10)."""
    if not lam >= 10.0:  # below 10 (multiplication method), 0 or nan: numpy's own
        return gen.poisson(lam)
    b, a, vr, log_invalpha, loglam = setup
    while True:
        u = gen.random() - 0.5
        v = gen.random()
        us = 0.5 - abs(u)
        k = int((2 * a / us + b) * u + lam + 0.43)  # numba's port: int, not floor (see above)
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if (math.log(v) + log_invalpha - math.log(a / (us * us) + b)) <= (
                -lam + k * loglam - _loggam(k + 1)):
            return k


@jit_inline
def binomial_setup(n, p):  # type: ignore[no-untyped-def]
    """Inversion constants ``(usable, flip, p', q, q^n, bound)``; usable False: numpy's BTPE."""
    flip = p > 0.5
    pp = 1.0 - p if flip else p
    usable = n > 0 and 0.0 < p <= 1.0 and pp * n <= 30.0
    q = 1.0 - pp
    qn = math.exp(n * math.log(q)) if usable else 0.0
    mean = n * pp
    bound = min(n, mean + 10.0 * math.sqrt(mean * q + 1)) if usable else 0.0
    return usable, flip, pp, q, qn, bound


@jit_inline
def binomial(gen, n, p, setup):  # type: ignore[no-untyped-def]
    """One ``Binomial(n, p)`` draw; ``setup`` from :func:`binomial_setup`."""
    usable, flip, pp, q, qn, bound = setup
    if not usable:
        return gen.binomial(n, p)
    x = 0
    px = qn
    u = gen.random()
    while u > px:
        x = x + 1
        if x > bound:
            x = 0
            px = qn
            u = gen.random()
        else:
            u -= px
            px = ((n - x + 1) * pp * px) / (x * q)
    return n - x if flip else x



@jit_inline
def beta_draw(gen, a, b):  # type: ignore[no-untyped-def]
    """One Beta(a, b) draw, bounded in time for every a, b > 0.

    numba's ``Generator.beta`` loops on Johnk's algorithm until ``U**(1/a) + V**(1/b) > 0``,
    which for tiny shapes (a = b = 1e-9) practically never happens: a run hangs. As numpy's
    ``Generator.beta`` does, a draw where ``U**(1/a)`` or ``V**(1/b)`` underflows is taken in
    log space instead (same uniforms, so draws without underflow are unchanged; with it the
    result equals numpy's). For a > 1 or b > 1 it is numba's gamma-ratio draw, as before.
    """
    if not (a > 0.0 and b > 0.0):  # NaN shapes (a hierarchical draw gone wrong)
        return np.nan
    if a > 1.0 or b > 1.0:
        return gen.beta(a, b)
    while True:
        u = gen.random()
        v = gen.random()
        x = u ** (1.0 / a)
        y = v ** (1.0 / b)
        total = x + y
        if total <= 1.0 and u + v > 0.0:
            if x > 0.0 and y > 0.0:
                return x / total
            log_x = math.log(u) / a  # one underflowed: the ratio in log space
            log_y = math.log(v) / b
            log_m = max(log_x, log_y)  # (numba has min: exp overflows, every draw 0)
            log_x -= log_m
            log_y -= log_m
            return math.exp(log_x - math.log(math.exp(log_x) + math.exp(log_y)))


@jit_inline
def triangular(u, low, mode, high):  # type: ignore[no-untyped-def]
    """The triangular distribution's inverse cdf at ``u``."""
    width = high - low
    if u < (mode - low) / width:
        return low + math.sqrt(u * width * (mode - low))
    return high - math.sqrt((1.0 - u) * width * (high - mode))


@jit_inline
def bisect(cumw, u):  # type: ignore[no-untyped-def]
    """First index whose cumulative weight exceeds ``u`` (the last one at most)."""
    lo, hi = 0, cumw.shape[0] - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cumw[mid] <= u:
            lo = mid + 1
        else:
            hi = mid
    return lo
