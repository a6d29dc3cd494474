"""Rank correlations imposed on drawn columns, block by block (Iman and Conover, 1982).

Normal scores ``Phi^-1(r / (m + 1))`` in a random order are given the Pearson correlation of
the plan's Cholesky factor (the normal-copula value ``2 sin(pi rho_s / 6)`` whose Spearman
correlation is ``rho_s``, see :func:`onzekerheid.scenario.correlations.score_matrix`), and each
parameter's draws are rearranged into the rank order of its scores. Draws are only permuted
within a block, so every marginal distribution is preserved exactly; the order is drawn from
the block's own stream, so results do not depend on thread count.

Reference: Iman, R. L. and Conover, W. J. (1982), A distribution-free approach to inducing rank
correlation among input variables, Commun. Statist. B 11(3), 311–334.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..plan import CorrelationPlan


def impose(plan: CorrelationPlan, buf: np.ndarray, lo: int, hi: int, given: Any,
           gen: np.random.Generator) -> None:
    """Rearrange rows ``lo:hi`` of the correlated columns of ``buf`` in place (Iman–Conover).

    Columns in ``given`` (values chosen by an analysis) are left as they are and drop out of
    the correlation structure. Blocks of fewer than ``k + 2`` rows are left unchanged.
    """
    keep = [j for j, c in enumerate(plan.cols) if int(c) not in given]
    m = hi - lo
    if len(keep) < 2 or m < len(keep) + 2:
        return
    cols = plan.cols[keep]
    chol = plan.cholesky if len(keep) == len(plan.cols) else np.linalg.cholesky(
        (plan.cholesky @ plan.cholesky.T)[np.ix_(keep, keep)])
    from scipy import special  # lazy (see tests/test_architecture.py LAZY): start-up time

    base = special.ndtri(np.arange(1, m + 1) / (m + 1.0))
    scores = np.empty((m, len(cols)))
    for j in range(len(cols)):
        scores[:, j] = base[gen.permutation(m)]
    actual = np.corrcoef(scores, rowvar=False)
    try:
        q = np.linalg.cholesky(actual)
    except np.linalg.LinAlgError:
        return
    target_scores = scores @ np.linalg.inv(q).T @ chol.T
    for j, col in enumerate(cols):
        values = np.sort(buf[lo:hi, col])
        order = np.argsort(target_scores[:, j], kind="stable")
        column = np.empty(m)
        column[order] = values
        buf[lo:hi, col] = column
