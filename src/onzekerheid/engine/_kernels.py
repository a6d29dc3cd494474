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
from ..families import ROW_ACTIVE, ROW_ARG0, ROW_CODE, ROW_LOWER, ROW_UPPER
from ..opcodes import CODES as OP
from . import _columns as columns
from . import _samplers as draws
from ._columns import MAX_REJECTIONS
from ._jit import jit, jit_inline
from ._samplers import beta_draw, bisect, triangular

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
TILE = 128


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
        return triangular(gen.random(), p0, p1, p2)
    if code == BERNOULLI:
        return 1.0 if gen.random() < p0 else 0.0
    if code == POISSON:
        return float(gen.poisson(p0))
    if code == BINOMIAL:
        return float(gen.binomial(np.int64(p0), p1))
    if code == DISCRETE:
        return values[bisect(cumw, gen.random())]
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
    """Fill ``out[start:stop, col]`` with draws of family ``code``, truncated to [lower, upper].

    The family branch is taken once, outside the loop: :mod:`._columns` has one compiled loop
    per family, and the sampler's constants are set up here (:mod:`._samplers`). Called once
    per column and block (or per iteration for per-case factors), so it is an ordinary
    compiled function rather than inlined: inlining it into its three callers tripled the
    compile time of a first run.
    """
    c = columns
    if code == NORMAL:
        c.normal(gen, (p0, p1), lower, upper, out, start, stop, col)
    elif code == LOGNORMAL:
        c.lognormal(gen, (p0, p1), lower, upper, out, start, stop, col)
    elif code == UNIFORM:
        c.uniform(gen, (p0, p1), lower, upper, out, start, stop, col)
    elif code in (BETA, PERT):
        low, width = (p2, p3) if code == PERT else (0.0, 1.0)
        if p0 > 1.0 or p1 > 1.0:  # the ratio of two gammas (else Johnk, also for nan shapes)
            shapes = (p0, p1, low, width, draws.gamma_setup(p0), draws.gamma_setup(p1))
            c.beta_ratio(gen, shapes, lower, upper, out, start, stop, col)
        else:
            c.beta_small(gen, (p0, p1, low, width), lower, upper, out, start, stop, col)
    elif code == GAMMA:
        b, g = draws.gamma_setup(p0)
        c.gamma(gen, (p0, p1, b, g), lower, upper, out, start, stop, col)
    elif code == TRIANGULAR:
        c.triangular(gen, (p0, p1, p2), lower, upper, out, start, stop, col)
    elif code == BERNOULLI:
        c.bernoulli(gen, (p0,), lower, upper, out, start, stop, col)
    elif code == POISSON:
        c.poisson(gen, (p0, draws.poisson_setup(p0)), lower, upper, out, start, stop, col)
    elif code == BINOMIAL:
        n = np.int64(p0)
        c.binomial(gen, (n, p1, draws.binomial_setup(n, p1)), lower, upper, out, start, stop,
                   col)
    elif code == DISCRETE:
        c.discrete(gen, (values, cumw), lower, upper, out, start, stop, col)
    else:  # FIXED
        for i in range(start, stop):
            out[i, col] = p0


@jit
def draw_column(gen, buf, col, start, stop, code, args, lower, upper, values, cumw):  # type: ignore[no-untyped-def]
    """Fill ``buf[start:stop, col]`` with draws of one distribution."""
    _fill(gen, code, args[0], args[1], args[2], args[3], lower, upper, values, cumw, buf,
          start, stop, col)


@jit_inline
def _factors(gen, row, work, n, empty):  # type: ignore[no-untyped-def]
    """``work[:n, 0] *=`` draws of a per-case factor packed as ``row`` (see plan.dist_row)."""
    if row[ROW_ACTIVE] == 0.0:
        return
    _fill(gen, np.int64(row[ROW_CODE]), row[ROW_ARG0], row[ROW_ARG0 + 1], row[ROW_ARG0 + 2],
          row[ROW_ARG0 + 3], row[ROW_LOWER], row[ROW_UPPER], empty, empty, work, 0, n, 1)
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
    simple = (rows == 1 and heterogeneity[ROW_ACTIVE] == 0.0
              and (error[ROW_ACTIVE] == 0.0
                   or (error[ROW_CODE] == LOGNORMAL and error[ROW_LOWER] == -np.inf
                       and error[ROW_UPPER] == np.inf)))
    mu, sigma = error[ROW_ARG0], error[ROW_ARG0 + 1]
    for i in range(start, stop):
        rate = buf[i, success_col]
        if rate < 0.0:
            rate = 0.0
        elif rate > 1.0:
            rate = 1.0
        share = buf[i, failure_col]
        successes = gen.binomial(count, rate)
        if simple and share == 0.0:
            if error[ROW_ACTIVE] == 0.0:
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
    """Every op over rows ``start:stop``, one loop written out per opcode.

    Long on purpose: each loop is a plain numba loop LLVM vectorises (about 1 ns per row and
    op). Three shorter forms were measured on the 15-parameter benchmark and refused: passing
    the operation as a compiled function to one generic loop (numba then calls it through a
    pointer per row) and dispatching on the opcode inside one loop ran 28-30x slower; one loop
    per operation made by a closure over it (as :mod:`._columns` does for the samplers, where
    it costs nothing) ran the program 2x slower (90 against 42 ns per iteration), because the
    operation is then called, not inlined, and the loop no longer vectorises.
    """
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
