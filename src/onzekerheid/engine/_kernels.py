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

from ..families import CODES as FAMILY
from ..opcodes import CODES as OP
from ._jit import jit, jit_inline

# family codes, named from the one table that defines them (onzekerheid.families)
(FIXED, UNIFORM, TRIANGULAR, PERT, NORMAL, LOGNORMAL, BETA, GAMMA, POISSON, BINOMIAL, BERNOULLI,
 DISCRETE) = (FAMILY[name] for name in (
    "fixed", "uniform", "triangular", "pert", "normal", "lognormal", "beta", "gamma", "poisson",
    "binomial", "bernoulli", "discrete"))
# expression opcodes, named from the one table that defines them (onzekerheid.opcodes)
(ADD, SUB, MUL, DIV, POW, NEG, LT, LE, GT, GE, EQ, NE, MIN, MAX, ABS, EXP, LOG, SQRT, SIN, COS,
 FLOOR, CEIL, CLIP, WHERE, COPY) = (OP[name] for name in (
    "+", "-", "*", "/", "**", "neg", "<", "<=", ">", ">=", "==", "!=", "min", "max", "abs",
    "exp", "log", "sqrt", "sin", "cos", "floor", "ceil", "clip", "where", "copy"))
MAX_REJECTIONS = 100_000
TILE = 128


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
        return beta_draw(gen, p0, p1)
    if code == PERT:
        return p2 + p3 * beta_draw(gen, p0, p1)
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
def _fill(gen, code, p0, p1, p2, p3, lower, upper, values, cumw, out, start, stop, col):  # type: ignore[no-untyped-def]
    """Fill ``out[start:stop, col]`` with draws; the family branch sits outside the loop.

    A generator call made through a many-branched helper costs several times the draw itself
    (the generator is passed and reference-counted per call), so every family has a loop of
    its own, truncation included (rejection, inline; load time guarantees enough mass).
    Called once per column and block (or per iteration for per-case factors), so it is an
    ordinary compiled function rather than inlined: inlining it into its three callers
    tripled the compile time of a first run.
    """
    trunc = not (lower == -np.inf and upper == np.inf)
    n = np.int64(p0)
    if code == NORMAL:
        for i in range(start, stop):
            x = gen.normal(p0, p1)
            if trunc:
                tries = 0
                while (x < lower or x > upper) and tries < MAX_REJECTIONS:
                    x = gen.normal(p0, p1)
                    tries += 1
            out[i, col] = x
    elif code == LOGNORMAL:
        for i in range(start, stop):
            x = math.exp(gen.normal(p0, p1))
            if trunc:
                tries = 0
                while (x < lower or x > upper) and tries < MAX_REJECTIONS:
                    x = math.exp(gen.normal(p0, p1))
                    tries += 1
            out[i, col] = x
    elif code == UNIFORM:
        for i in range(start, stop):
            x = p0 + (p1 - p0) * gen.random()
            if trunc:
                tries = 0
                while (x < lower or x > upper) and tries < MAX_REJECTIONS:
                    x = p0 + (p1 - p0) * gen.random()
                    tries += 1
            out[i, col] = x
    elif code == BETA:
        for i in range(start, stop):
            x = beta_draw(gen, p0, p1)
            if trunc:
                tries = 0
                while (x < lower or x > upper) and tries < MAX_REJECTIONS:
                    x = beta_draw(gen, p0, p1)
                    tries += 1
            out[i, col] = x
    elif code == PERT:
        for i in range(start, stop):
            x = p2 + p3 * beta_draw(gen, p0, p1)
            if trunc:
                tries = 0
                while (x < lower or x > upper) and tries < MAX_REJECTIONS:
                    x = p2 + p3 * beta_draw(gen, p0, p1)
                    tries += 1
            out[i, col] = x
    elif code == GAMMA:
        for i in range(start, stop):
            x = gen.gamma(p0, p1)
            if trunc:
                tries = 0
                while (x < lower or x > upper) and tries < MAX_REJECTIONS:
                    x = gen.gamma(p0, p1)
                    tries += 1
            out[i, col] = x
    elif code == TRIANGULAR:
        for i in range(start, stop):
            x = _triangular(gen.random(), p0, p1, p2)
            if trunc:
                tries = 0
                while (x < lower or x > upper) and tries < MAX_REJECTIONS:
                    x = _triangular(gen.random(), p0, p1, p2)
                    tries += 1
            out[i, col] = x
    elif code == BERNOULLI:
        for i in range(start, stop):
            x = 1.0 if gen.random() < p0 else 0.0
            if trunc:
                tries = 0
                while (x < lower or x > upper) and tries < MAX_REJECTIONS:
                    x = 1.0 if gen.random() < p0 else 0.0
                    tries += 1
            out[i, col] = x
    elif code == POISSON:
        for i in range(start, stop):
            x = float(gen.poisson(p0))
            if trunc:
                tries = 0
                while (x < lower or x > upper) and tries < MAX_REJECTIONS:
                    x = float(gen.poisson(p0))
                    tries += 1
            out[i, col] = x
    elif code == BINOMIAL:
        for i in range(start, stop):
            x = float(gen.binomial(n, p1))
            if trunc:
                tries = 0
                while (x < lower or x > upper) and tries < MAX_REJECTIONS:
                    x = float(gen.binomial(n, p1))
                    tries += 1
            out[i, col] = x
    elif code == DISCRETE:
        for i in range(start, stop):
            x = values[_bisect(cumw, gen.random())]
            if trunc:
                tries = 0
                while (x < lower or x > upper) and tries < MAX_REJECTIONS:
                    x = values[_bisect(cumw, gen.random())]
                    tries += 1
            out[i, col] = x
    else:  # FIXED
        for i in range(start, stop):
            out[i, col] = p0


@jit_inline
def _triangular(u, low, mode, high):  # type: ignore[no-untyped-def]
    width = high - low
    if u < (mode - low) / width:
        return low + math.sqrt(u * width * (mode - low))
    return high - math.sqrt((1.0 - u) * width * (high - mode))


@jit_inline
def _bisect(cumw, u):  # type: ignore[no-untyped-def]
    """First index whose cumulative weight exceeds ``u`` (the last one at most)."""
    lo, hi = 0, cumw.shape[0] - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cumw[mid] <= u:
            lo = mid + 1
        else:
            hi = mid
    return lo


@jit
def draw_column(gen, buf, col, start, stop, code, args, lower, upper, values, cumw):  # type: ignore[no-untyped-def]
    """Fill ``buf[start:stop, col]`` with draws of one distribution."""
    _fill(gen, code, args[0], args[1], args[2], args[3], lower, upper, values, cumw, buf,
          start, stop, col)


@jit_inline
def _factors(gen, row, work, n, empty):  # type: ignore[no-untyped-def]
    """``work[:n, 0] *=`` draws of a per-case factor packed as ``row`` (see plan.dist_row)."""
    if row[7] == 0.0:
        return
    _fill(gen, np.int64(row[0]), row[1], row[2], row[3], row[4], row[5], row[6], empty, empty,
          work, 0, n, 1)
    for i in range(n):
        work[i, 0] *= work[i, 1]


@jit
def case_sums(gen, buf, start, stop, count, success_col, failure_col, error, heterogeneity,  # type: ignore[no-untyped-def]
              table, out_cols, resample):
    """Per iteration: sum over ``count`` cases of success x error x heterogeneity x table row.

    Successes are drawn as one binomial count K ~ Bin(count, rate) instead of ``count``
    Bernoulli draws (the same distribution, since cases are exchangeable); only the K
    successful cases (and, when failures still yield a share, the others) draw their factors.
    """
    rows = table.shape[0]
    ncols = table.shape[1]
    empty = np.empty(0)
    acc = np.empty(ncols)
    work = np.empty((count, 2))
    # The common shape (no case table, one untruncated lognormal factor or none): sum the
    # successes' factors in one fused loop, without the work array (22% of the time).
    simple = (rows == 1 and heterogeneity[7] == 0.0
              and (error[7] == 0.0 or (error[0] == LOGNORMAL and error[5] == -np.inf
                                       and error[6] == np.inf)))
    mu, sigma = error[1], error[2]
    for i in range(start, stop):
        rate = buf[i, success_col]
        if rate < 0.0:
            rate = 0.0
        elif rate > 1.0:
            rate = 1.0
        share = buf[i, failure_col]
        successes = gen.binomial(count, rate)
        if simple and share == 0.0:
            if error[7] == 0.0:
                total = float(successes)
            else:
                total = 0.0
                for _ in range(successes):
                    total += math.exp(gen.normal(mu, sigma))
            for j in range(ncols):
                buf[i, out_cols[j]] = total * table[0, j]
            continue
        n = count if share != 0.0 else successes
        for case in range(n):
            work[case, 0] = 1.0 if case < successes else share
        _factors(gen, error, work, n, empty)
        _factors(gen, heterogeneity, work, n, empty)
        for j in range(ncols):
            acc[j] = 0.0
        if rows == 1:
            total = 0.0
            for case in range(n):
                total += work[case, 0]
            for j in range(ncols):
                acc[j] = total * table[0, j]
        else:
            for case in range(n):
                r = gen.integers(0, rows) if resample else case % rows
                for j in range(ncols):
                    acc[j] += work[case, 0] * table[r, j]
        for j in range(ncols):
            buf[i, out_cols[j]] = acc[j]


@jit
def run_program(buf, start, stop, ops, consts):  # type: ignore[no-untyped-def]
    """Evaluate the register program over rows ``start:stop`` of ``buf`` (see plan.py).

    The opcode branch sits outside the row loop, so each op is one tight loop over rows, and
    rows go in tiles of ``TILE`` so a tile's columns stay in cache across the ops.
    Semantics follow numpy float64: 1/0 = inf, 0/0 = nan, log(-1) = nan; nothing raises.
    """
    for tile in range(start, stop, TILE):
        _run_tile(buf, tile, min(tile + TILE, stop), ops, consts)


@jit_inline
def _run_tile(buf, start, stop, ops, consts):  # type: ignore[no-untyped-def]
    for k in range(ops.shape[0]):
        code, dst, a, b, c = ops[k, 0], ops[k, 1], ops[k, 2], ops[k, 3], ops[k, 4]
        if code == ADD:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                y = (buf[i, b] if b >= 0 else consts[-b - 1])
                buf[i, dst] = x + y
        elif code == SUB:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                y = (buf[i, b] if b >= 0 else consts[-b - 1])
                buf[i, dst] = x - y
        elif code == MUL:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                y = (buf[i, b] if b >= 0 else consts[-b - 1])
                buf[i, dst] = x * y
        elif code == DIV:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                y = (buf[i, b] if b >= 0 else consts[-b - 1])
                buf[i, dst] = x / y
        elif code == POW:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                y = (buf[i, b] if b >= 0 else consts[-b - 1])
                buf[i, dst] = _power(x, y)
        elif code == LT:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                y = (buf[i, b] if b >= 0 else consts[-b - 1])
                buf[i, dst] = 1.0 if x < y else 0.0
        elif code == LE:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                y = (buf[i, b] if b >= 0 else consts[-b - 1])
                buf[i, dst] = 1.0 if x <= y else 0.0
        elif code == GT:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                y = (buf[i, b] if b >= 0 else consts[-b - 1])
                buf[i, dst] = 1.0 if x > y else 0.0
        elif code == GE:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                y = (buf[i, b] if b >= 0 else consts[-b - 1])
                buf[i, dst] = 1.0 if x >= y else 0.0
        elif code == EQ:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                y = (buf[i, b] if b >= 0 else consts[-b - 1])
                buf[i, dst] = 1.0 if x == y else 0.0
        elif code == NE:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                y = (buf[i, b] if b >= 0 else consts[-b - 1])
                buf[i, dst] = 1.0 if x != y else 0.0
        elif code == MIN:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                y = (buf[i, b] if b >= 0 else consts[-b - 1])
                buf[i, dst] = np.nan if (x != x or y != y) else min(x, y)
        elif code == MAX:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                y = (buf[i, b] if b >= 0 else consts[-b - 1])
                buf[i, dst] = np.nan if (x != x or y != y) else max(x, y)
        elif code == NEG:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                buf[i, dst] = -x
        elif code == ABS:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                buf[i, dst] = abs(x)
        elif code == EXP:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                buf[i, dst] = math.exp(x)
        elif code == LOG:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                buf[i, dst] = math.log(x) if x > 0.0 else (-np.inf if x == 0.0 else np.nan)
        elif code == SQRT:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                buf[i, dst] = math.sqrt(x) if x >= 0.0 else np.nan
        elif code == SIN:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                buf[i, dst] = math.sin(x) if math.isfinite(x) else np.nan
        elif code == COS:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                buf[i, dst] = math.cos(x) if math.isfinite(x) else np.nan
        elif code == FLOOR:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                buf[i, dst] = np.floor(x)  # a float: math.floor gives an int64 (wraps past 2**63)
        elif code == CEIL:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                buf[i, dst] = np.ceil(x)  # and loses the sign of -0.0, as in ceil(-0.5)
        elif code == COPY:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                buf[i, dst] = x
        elif code == CLIP:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                low = buf[i, b] if b >= 0 else consts[-b - 1]
                high = buf[i, c] if c >= 0 else consts[-c - 1]
                buf[i, dst] = min(max(x, low), high)
        elif code == WHERE:
            for i in range(start, stop):
                x = (buf[i, a] if a >= 0 else consts[-a - 1])
                buf[i, dst] = ((buf[i, b] if b >= 0 else consts[-b - 1]) if x != 0.0
                               else (buf[i, c] if c >= 0 else consts[-c - 1]))


@jit_inline
def _power(x, y):  # type: ignore[no-untyped-def]
    # C pow under error_model="numpy": overflow gives inf, a negative base with a fractional
    # exponent gives nan, 0 ** -1 gives inf, as numpy does; nothing raises.
    return x**y


_ = numba  # keep the import visible for readers: every kernel above is numba-compiled
