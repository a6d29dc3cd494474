"""Numba kernels for mixtures, zero-inflation, per-row (hierarchical) arguments and case tables.

Same rules as :mod:`._kernels`: arrays and numbers only, a numpy ``Generator`` passed in, the
family branch outside the row loops (a helper taking the Generator or arrays per element costs
10-35x the draw), and nothing raises: an invalid row gives nan.
"""

from __future__ import annotations

import math

import numpy as np

from ..families import CODES as FAMILY
from ._jit import jit, jit_inline
from ._kernels import (
    BERNOULLI,
    BETA,
    BINOMIAL,
    GAMMA,
    LOGNORMAL,
    MAX_REJECTIONS,
    NORMAL,
    PERT,
    POISSON,
    TRIANGULAR,
    UNIFORM,
    _draw_raw,
    _factors,
    _fill,
    beta_draw,
    case_sums,
    draw_one,
)

MIXTURE = FAMILY["mixture"]  # the family table (onzekerheid.families) holds the codes
# Per-row truncation gives up (nan) after this many rejections: a row whose bounds keep less
# than about 1e-3 of its distribution may come out nan, and no row can hang the run.
ROW_MAX_REJECTIONS = 10_000


@jit_inline
def _valid(code, p0, p1, p2, p3):  # type: ignore[no-untyped-def]
    """Whether canonical arguments define a distribution (nan fails every comparison)."""
    if code == NORMAL or code == LOGNORMAL:  # noqa: SIM109 (numba: no tuple membership)
        return math.isfinite(p0) and math.isfinite(p1) and p1 > 0.0
    if code == BETA or code == GAMMA:  # noqa: SIM109
        return math.isfinite(p0) and math.isfinite(p1) and p0 > 0.0 and p1 > 0.0
    if code == UNIFORM:
        return math.isfinite(p0) and math.isfinite(p1) and p0 < p1
    if code == TRIANGULAR:
        return math.isfinite(p0) and math.isfinite(p2) and p0 <= p1 <= p2 and p0 < p2
    if code == PERT:
        return (math.isfinite(p0) and math.isfinite(p1) and math.isfinite(p2)
                and math.isfinite(p3) and p0 > 0.0 and p1 > 0.0 and p3 > 0.0)
    if code == POISSON:
        return 0.0 <= p0 <= 1e9
    if code == BINOMIAL:
        return (0.0 <= p0 <= 2147483648.0 and p0 == math.floor(p0)
                and 0.0 <= p1 <= 1.0)
    if code == BERNOULLI:
        return 0.0 <= p0 <= 1.0
    return True  # FIXED: the value itself (nan stays nan)


@jit
def draw_rows(gen, buf, col, start, stop, code, args, consts, lower, upper):  # type: ignore[no-untyped-def]
    """Fill ``buf[start:stop, col]`` with one draw per row from that row's own arguments.

    ``args`` holds four operands (a column ``>= 0`` or ``consts[-a - 1]``) for the canonical
    arguments. Rows with invalid arguments, or whose truncation rejects
    ``ROW_MAX_REJECTIONS`` draws in a row, get nan.
    """
    p = _row_arguments(buf, start, stop, args, consts)
    if lower == -np.inf and upper == np.inf and _untruncated_rows(gen, buf, col, start, code, p):
        return
    empty = np.empty(0)
    for i in range(stop - start):
        p0, p1, p2, p3 = p[i, 0], p[i, 1], p[i, 2], p[i, 3]
        if not _valid(code, p0, p1, p2, p3):
            buf[start + i, col] = np.nan
            continue
        x = _draw_raw(gen, code, p0, p1, p2, p3, empty, empty)
        tries = 0
        while (x < lower or x > upper) and tries < ROW_MAX_REJECTIONS:
            x = _draw_raw(gen, code, p0, p1, p2, p3, empty, empty)
            tries += 1
        buf[start + i, col] = x if lower <= x <= upper else np.nan


@jit
def _row_arguments(buf, start, stop, args, consts):  # type: ignore[no-untyped-def]
    """The four canonical arguments of rows ``start:stop``, an (n, 4) array: operand ``a`` is
    column ``a`` when ``a >= 0``, else ``consts[-a - 1]``."""
    n = stop - start
    p = np.empty((n, 4))
    for j in range(4):
        a = args[j]
        if a >= 0:
            for i in range(n):
                p[i, j] = buf[start + i, a]
        else:
            v = consts[-a - 1]
            for i in range(n):
                p[i, j] = v
    return p


@jit
def _untruncated_rows(gen, buf, col, start, code, p):  # type: ignore[no-untyped-def]
    """The common untruncated families, one loop each; False for the others (drawn through
    ``_draw_raw`` by the caller)."""
    n = p.shape[0]
    if code == NORMAL:
        for i in range(n):
            ok = _valid(NORMAL, p[i, 0], p[i, 1], 0.0, 0.0)
            buf[start + i, col] = gen.normal(p[i, 0], p[i, 1]) if ok else np.nan
    elif code == LOGNORMAL:
        for i in range(n):
            ok = _valid(LOGNORMAL, p[i, 0], p[i, 1], 0.0, 0.0)
            buf[start + i, col] = math.exp(gen.normal(p[i, 0], p[i, 1])) if ok else np.nan
    elif code == BETA:
        for i in range(n):
            ok = _valid(BETA, p[i, 0], p[i, 1], 0.0, 0.0)
            buf[start + i, col] = beta_draw(gen, p[i, 0], p[i, 1]) if ok else np.nan
    elif code == GAMMA:
        for i in range(n):
            ok = _valid(GAMMA, p[i, 0], p[i, 1], 0.0, 0.0)
            buf[start + i, col] = gen.gamma(p[i, 0], p[i, 1]) if ok else np.nan
    elif code == UNIFORM:
        for i in range(n):
            ok = _valid(UNIFORM, p[i, 0], p[i, 1], 0.0, 0.0)
            u = gen.random()
            buf[start + i, col] = p[i, 0] + (p[i, 1] - p[i, 0]) * u if ok else np.nan
    elif code == BERNOULLI:
        for i in range(n):
            ok = _valid(BERNOULLI, p[i, 0], 0.0, 0.0, 0.0)
            u = gen.random()
            buf[start + i, col] = (1.0 if u < p[i, 0] else 0.0) if ok else np.nan
    elif code == POISSON:
        for i in range(n):
            ok = _valid(POISSON, p[i, 0], 0.0, 0.0, 0.0)
            buf[start + i, col] = float(gen.poisson(p[i, 0])) if ok else np.nan
    else:
        return False
    return True


@jit
def draw_mixture(gen, buf, col, start, stop, weights_cum, codes, args, bounds, tables, values,  # type: ignore[no-untyped-def]
                 cumw, lower, upper):
    """Fill ``buf[start:stop, col]`` with draws of a mixture.

    Each row picks component ``k`` by one uniform against the cumulative weights; then every
    component draws its rows in one batch through the per-family fast loops of ``_fill``.
    Truncation of the mixture redraws (component and value) the rows outside the bounds.
    """
    n = stop - start
    k_count = codes.shape[0]
    pick = np.empty(n, dtype=np.int64)
    for i in range(n):
        k = np.searchsorted(weights_cum, gen.random(), side="right")
        pick[i] = k if k < k_count else k_count - 1
    work = np.empty((n, 1))
    rows = np.empty(n, dtype=np.int64)
    for c in range(k_count):
        m = 0
        for i in range(n):
            if pick[i] == c:
                rows[m] = i
                m += 1
        if m == 0:
            continue
        off, length = tables[c, 0], tables[c, 1]
        _fill(gen, codes[c], args[c, 0], args[c, 1], args[c, 2], args[c, 3], bounds[c, 0],
              bounds[c, 1], values[off:off + length], cumw[off:off + length], work, 0, m, 0)
        for t in range(m):
            buf[start + rows[t], col] = work[t, 0]
    if lower == -np.inf and upper == np.inf:
        return
    for i in range(start, stop):  # rare: load time guarantees enough mass inside the bounds
        x = buf[i, col]
        tries = 0
        while (x < lower or x > upper) and tries < MAX_REJECTIONS:
            k = np.searchsorted(weights_cum, gen.random(), side="right")
            c = k if k < k_count else k_count - 1
            off, length = tables[c, 0], tables[c, 1]
            x = draw_one(gen, codes[c], args[c, 0], args[c, 1], args[c, 2], args[c, 3],
                         bounds[c, 0], bounds[c, 1], values[off:off + length],
                         cumw[off:off + length])
            tries += 1
        buf[i, col] = x if lower <= x <= upper else np.nan


@jit
def zero_fill(gen, buf, col, start, stop, zero):  # type: ignore[no-untyped-def]
    """Zero-inflation: each row becomes 0 with probability ``zero`` (one uniform per row)."""
    for i in range(start, stop):
        if gen.random() < zero:
            buf[i, col] = 0.0


@jit
def table_case_sums(gen, buf, start, stop, count, success_col, failure_col, error,  # type: ignore[no-untyped-def]
                    heterogeneity, table, out_cols, weighted, resample, mean_cols):
    """Per iteration: the case sums of a model with a case table (more than one row).

    A weighted column j gets ``sum_i w_i x table[r_i, j]`` with ``w_i`` = success (1, or the
    failure yield) x estimator error x heterogeneity; an unweighted column (the extra costs)
    gets ``sum_i table[r_i, j]`` over every case, successful or not: success and estimator
    bias describe the benefit and leave a cost alone. ``r_i`` is a row drawn with replacement
    when ``resample``; otherwise every row is one case and the ``K ~ Bin(count, rate)``
    successes are a uniformly random K-subset of the rows (a partial Fisher-Yates shuffle,
    Knuth 1998, TAOCP 2, 3.4.2), so the result never depends on the table's order. A rate
    that is nan gives nan sums.

    With resampling and only weighted columns the generator calls are exactly those of
    :func:`._kernels.case_sums` (one binomial, the factors of the cases that count, one row
    index per such case), so first-version results are reproduced draw for draw.

    The case sample (with resampling): column ``j`` with ``mean_cols[j] >= 0`` also gets, in
    that work-matrix column, the plain mean ``table[r_i, j]`` over the cases whose rows this
    iteration drew: all ``count`` cases, or only the successes when the failure yield is 0 and
    there is no extra-cost column (the other cases enter no sum, so no row is drawn for them);
    the table's column mean when no row was drawn. It reads the rows already drawn and makes
    no generator call of its own.
    """
    rows = table.shape[0]
    ncols = table.shape[1]
    empty = np.empty(0)
    acc = np.empty(ncols)
    work = np.empty((count, 2))
    order = np.empty(rows, dtype=np.int64)
    tot = np.empty(ncols)
    column_mean = np.zeros(ncols)
    any_cost = False
    for j in range(ncols):
        if not weighted[j]:
            any_cost = True
        for r in range(rows):
            column_mean[j] += table[r, j] / rows
    for i in range(start, stop):
        rate = buf[i, success_col]
        share = buf[i, failure_col]
        if math.isnan(rate) or math.isnan(share):
            for j in range(ncols):
                buf[i, out_cols[j]] = np.nan
                if mean_cols[j] >= 0:
                    buf[i, mean_cols[j]] = np.nan
            continue
        rate = min(max(rate, 0.0), 1.0)
        successes = gen.binomial(count, rate)
        n = count if share != 0.0 else successes
        for case in range(n):
            work[case, 0] = 1.0 if case < successes else share
        _factors(gen, error, work, n, empty)
        _factors(gen, heterogeneity, work, n, empty)
        for j in range(ncols):
            acc[j] = 0.0
            tot[j] = 0.0
        if resample:
            for case in range(n):
                r = gen.integers(0, rows)
                for j in range(ncols):
                    acc[j] += (work[case, 0] if weighted[j] else 1.0) * table[r, j]
                    tot[j] += table[r, j]
            drawn = n
            if any_cost:
                drawn = count
                for _ in range(n, count):
                    r = gen.integers(0, rows)
                    for j in range(ncols):
                        tot[j] += table[r, j]
                        if not weighted[j]:
                            acc[j] += table[r, j]
            for j in range(ncols):
                if mean_cols[j] >= 0:
                    buf[i, mean_cols[j]] = tot[j] / drawn if drawn > 0 else column_mean[j]
        else:
            for r in range(rows):
                order[r] = r
            for case in range(successes):  # the successes: a random subset of the rows
                pick = gen.integers(case, rows)
                order[case], order[pick] = order[pick], order[case]
            for case in range(rows):
                r = order[case]
                w = work[case, 0] if case < n else 0.0
                for j in range(ncols):
                    acc[j] += (w if weighted[j] else 1.0) * table[r, j]
        for j in range(ncols):
            buf[i, out_cols[j]] = acc[j]


def case_block_sums(gen, buf, lo, hi, count, success_col, failure_col, error,  # type: ignore[no-untyped-def]
                    heterogeneity, table, out_cols, weighted, resample, mean_cols):
    """The per-case model for rows ``lo:hi``: a case table in :func:`table_case_sums` (with the
    case sample's means in ``mean_cols``), one average case in :func:`._kernels.case_sums`
    (the fast path), nan sums where the success rate or failure yield is nan (never a
    binomial of nan)."""
    if table.shape[0] > 1:
        table_case_sums(gen, buf, lo, hi, count, success_col, failure_col, error,
                        heterogeneity, table, out_cols, weighted, resample, mean_cols)
        return
    case_sums(gen, buf, lo, hi, count, success_col, failure_col, error, heterogeneity, table,
              out_cols, resample)
    bad = np.isnan(buf[lo:hi, success_col]) | np.isnan(buf[lo:hi, failure_col])
    if bad.any():
        rows = np.flatnonzero(bad) + lo
        buf[np.ix_(rows, out_cols)] = np.nan
