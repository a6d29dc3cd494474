"""Numba kernels: drawing columns, the per-case model, and the expression program.

Kernels see arrays and numbers only. Random numbers come from numpy ``Generator`` objects passed
in (numba draws with them at full speed); numba's own global RNG is never used, because it is
one stream per thread and so not reproducible across thread counts. All kernels are compiled
with ``nogil=True`` so chunks run in parallel on a thread pool, and ``cache=True`` so a second
process starts without compiling.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ._jit import jit

# family codes (must match scenario.distributions.CODES)
FIXED, UNIFORM, TRIANGULAR, PERT, NORMAL, LOGNORMAL, BETA, GAMMA = 0, 1, 2, 3, 4, 5, 6, 7
POISSON, BINOMIAL, BERNOULLI, DISCRETE = 8, 9, 10, 11
MAX_REJECTIONS = 100_000


@jit
def _draw_raw(gen, code, p0, p1, p2, p3, values, cumw):  # type: ignore[no-untyped-def]
    """One untruncated draw of family ``code``."""
    if code == NORMAL:
        return gen.normal(p0, p1)
    if code == LOGNORMAL:
        return math.exp(gen.normal(p0, p1))
    if code == UNIFORM:
        return p0 + (p1 - p0) * gen.random()
    if code == BETA:
        return gen.beta(p0, p1)
    if code == PERT:
        return p2 + p3 * gen.beta(p0, p1)
    if code == GAMMA:
        return gen.gamma(p0, p1)
    if code == TRIANGULAR:
        u = gen.random()
        width = p2 - p0
        cut = (p1 - p0) / width
        if u < cut:
            return p0 + math.sqrt(u * width * (p1 - p0))
        return p2 - math.sqrt((1.0 - u) * width * (p2 - p1))
    if code == BERNOULLI:
        return 1.0 if gen.random() < p0 else 0.0
    if code == POISSON:
        return float(gen.poisson(p0))
    if code == BINOMIAL:
        return float(gen.binomial(np.int64(p0), p1))
    if code == DISCRETE:
        u = gen.random()
        k = np.searchsorted(cumw, u, side="right")
        if k >= values.shape[0]:
            k = values.shape[0] - 1
        return values[k]
    return p0  # FIXED


@jit
def draw_one(gen, code, p0, p1, p2, p3, lower, upper, values, cumw):  # type: ignore[no-untyped-def]
    """One draw, truncated to [lower, upper] by rejection (load time guarantees enough mass)."""
    x = _draw_raw(gen, code, p0, p1, p2, p3, values, cumw)
    if lower == -np.inf and upper == np.inf:
        return x
    tries = 0
    while (x < lower or x > upper) and tries < MAX_REJECTIONS:
        x = _draw_raw(gen, code, p0, p1, p2, p3, values, cumw)
        tries += 1
    return x


@jit
def draw_column(gen, buf, col, start, stop, code, args, lower, upper, values, cumw):  # type: ignore[no-untyped-def]
    """Fill ``buf[start:stop, col]`` with draws of one distribution."""
    p0, p1, p2, p3 = args[0], args[1], args[2], args[3]
    if lower == -np.inf and upper == np.inf:
        if code == NORMAL:
            for i in range(start, stop):
                buf[i, col] = gen.normal(p0, p1)
            return
        if code == LOGNORMAL:
            for i in range(start, stop):
                buf[i, col] = math.exp(gen.normal(p0, p1))
            return
    for i in range(start, stop):
        buf[i, col] = draw_one(gen, code, p0, p1, p2, p3, lower, upper, values, cumw)


@jit
def _factor(gen, row, empty):  # type: ignore[no-untyped-def]
    if row[7] == 0.0:
        return 1.0
    return draw_one(gen, np.int64(row[0]), row[1], row[2], row[3], row[4], row[5], row[6],
                    empty, empty)


@jit
def case_sums(gen, buf, start, stop, count, success_col, failure_col, error, heterogeneity,
              table, out_cols, resample):  # type: ignore[no-untyped-def]
    """Per iteration: sum over ``count`` cases of success x error x heterogeneity x table row.

    Successes are drawn as one binomial count K ~ Bin(count, rate) instead of ``count``
    Bernoulli draws (the same distribution, since cases are exchangeable); only the K
    successful cases (and, when failures still yield a share, the others) draw their factors.
    """
    rows = table.shape[0]
    ncols = table.shape[1]
    empty = np.empty(0)
    acc = np.empty(ncols)
    for i in range(start, stop):
        rate = buf[i, success_col]
        if rate < 0.0:
            rate = 0.0
        elif rate > 1.0:
            rate = 1.0
        share = buf[i, failure_col]
        successes = gen.binomial(count, rate)
        for j in range(ncols):
            acc[j] = 0.0
        for case in range(count):
            if case < successes:
                weight = 1.0
            elif share != 0.0:
                weight = share
            else:
                break
            factor = weight * _factor(gen, error, empty) * _factor(gen, heterogeneity, empty)
            if resample:
                r = gen.integers(0, rows) if rows > 1 else 0
            else:
                r = case % rows
            for j in range(ncols):
                acc[j] += factor * table[r, j]
        for j in range(ncols):
            buf[i, out_cols[j]] = acc[j]


@jit
def _operand(buf, consts, i, a):  # type: ignore[no-untyped-def]
    if a >= 0:
        return buf[i, a]
    return consts[-a - 1]


@jit
def run_program(buf, start, stop, ops, consts):  # type: ignore[no-untyped-def]
    """Evaluate the register program over rows ``start:stop`` of ``buf`` (see plan.py)."""
    for k in range(ops.shape[0]):
        code, dst, a, b, c = ops[k, 0], ops[k, 1], ops[k, 2], ops[k, 3], ops[k, 4]
        for i in range(start, stop):
            x = _operand(buf, consts, i, a)
            if code == 0:
                r = x + _operand(buf, consts, i, b)
            elif code == 1:
                r = x - _operand(buf, consts, i, b)
            elif code == 2:
                r = x * _operand(buf, consts, i, b)
            elif code == 3:
                y = _operand(buf, consts, i, b)
                if y == 0.0:
                    r = np.nan if x == 0.0 or x != x else math.copysign(np.inf, x) * math.copysign(1.0, y)
                else:
                    r = x / y
            elif code == 4:
                r = _power(x, _operand(buf, consts, i, b))
            elif code == 5:
                r = -x
            elif code == 6:
                r = 1.0 if x < _operand(buf, consts, i, b) else 0.0
            elif code == 7:
                r = 1.0 if x <= _operand(buf, consts, i, b) else 0.0
            elif code == 8:
                r = 1.0 if x > _operand(buf, consts, i, b) else 0.0
            elif code == 9:
                r = 1.0 if x >= _operand(buf, consts, i, b) else 0.0
            elif code == 10:
                r = 1.0 if x == _operand(buf, consts, i, b) else 0.0
            elif code == 11:
                r = 1.0 if x != _operand(buf, consts, i, b) else 0.0
            elif code == 12:
                y = _operand(buf, consts, i, b)
                r = np.nan if (x != x or y != y) else min(x, y)
            elif code == 13:
                y = _operand(buf, consts, i, b)
                r = np.nan if (x != x or y != y) else max(x, y)
            elif code == 14:
                r = abs(x)
            elif code == 15:
                r = math.exp(x) if x < 709.78 else np.inf
            elif code == 16:
                r = math.log(x) if x > 0.0 else (-np.inf if x == 0.0 else np.nan)
            elif code == 17:
                r = math.sqrt(x) if x >= 0.0 else np.nan
            elif code == 18:
                r = math.sin(x) if math.isfinite(x) else np.nan
            elif code == 19:
                r = math.cos(x) if math.isfinite(x) else np.nan
            elif code == 20:
                r = math.floor(x) if math.isfinite(x) else x
            elif code == 21:
                r = math.ceil(x) if math.isfinite(x) else x
            elif code == 22:
                r = min(max(x, _operand(buf, consts, i, b)), _operand(buf, consts, i, c))
            elif code == 23:
                r = _operand(buf, consts, i, b) if x != 0.0 else _operand(buf, consts, i, c)
            else:
                r = x
            buf[i, dst] = r


@jit
def _power(x, y):  # type: ignore[no-untyped-def]
    # C pow under error_model="numpy": overflow gives inf, a negative base with a fractional
    # exponent gives nan, 0 ** -1 gives inf, as numpy does; nothing raises.
    return x**y


_ = numba  # keep the import visible for readers: every kernel above is numba-compiled
