"""The benchmark model (model.toml) in numpy, rewritten to draw as little as possible.

Two shortcuts, each leaving the distribution of every output unchanged:

1. **Successes as one binomial count.** Given the iteration's rate, the 188 success indicators
   are iid Bernoulli(rate) and independent of the per-case factors, which are iid too. So the
   sum over successful cases, sum_i B_i f_i, has the same distribution as the sum of the first
   K factors with K ~ Binomial(188, rate): only K factors need drawing (about 146, not 188).
2. **Error x heterogeneity as one lognormal.** If ln e ~ N(mu_e, s_e) and ln h ~ N(mu_h, s_h)
   are independent, ln(e h) ~ N(mu_e + mu_h, sqrt(s_e^2 + s_h^2)) exactly: one normal per
   successful case instead of two.

The K factors of all iterations in a chunk are drawn as one flat vector and summed per
iteration with ``np.add.reduceat``; the stakeholder split is an outer product with the amounts.
Draws per iteration: 3 shared + 1 binomial + K normals (E[K] = 188 x 63.5/81.5 = 146.5), about
150.5.

    python benchmarks/schiedam/numpy_matrix.py [ITERATIONS] [SEED]
"""

from __future__ import annotations

import math
import sys

import numpy as np
from params import (  # noqa: E402  (the script's folder is on sys.path)
    AMOUNTS,
    BIAS_MU,
    BIAS_SIGMA,
    CASES,
    ERROR_MU,
    ERROR_SIGMA,
    HETERO_MU,
    HETERO_SIGMA,
    PRICE_MU,
    PRICE_SIGMA,
    RATE_A,
    RATE_B,
    STAKEHOLDERS,
)

CASE_MU = ERROR_MU + HETERO_MU  # shortcut 2: e x h is one lognormal
CASE_SIGMA = math.hypot(ERROR_SIGMA, HETERO_SIGMA)
DRAWS_PER_ITERATION = 3 + 1 + CASES * RATE_A / (RATE_A + RATE_B)


def simulate(iterations: int, seed: int, chunk: int = 65_536) -> np.ndarray:
    """Rows of (savings_per_case, .gemeente, .client, .derden), shape (iterations, 4)."""
    rng = np.random.default_rng(seed)
    out = np.empty((iterations, 4))
    for start in range(0, iterations, chunk):
        rows = min(chunk, iterations - start)
        rate = rng.beta(RATE_A, RATE_B, rows)
        price = rng.lognormal(PRICE_MU, PRICE_SIGMA, rows)
        bias = rng.lognormal(BIAS_MU, BIAS_SIGMA, rows)
        successes = rng.binomial(CASES, rate)  # shortcut 1
        factors = rng.standard_normal(int(successes.sum()))
        factors *= CASE_SIGMA
        factors += CASE_MU
        np.exp(factors, out=factors)
        ends = np.cumsum(successes)
        starts = ends - successes
        total = np.zeros(rows)
        some = successes > 0  # reduceat gives x[start] for an empty segment: skip those
        if len(factors):
            total[some] = np.add.reduceat(factors, starts[some])
        split = np.multiply.outer(total * (price * bias / CASES), AMOUNTS)
        out[start:start + rows, 1:] = split
        out[start:start + rows, 0] = split.sum(axis=1)
    return out


def report(data: np.ndarray) -> None:
    """Print mean and 5/50/95% quantiles of each output."""
    names = ("savings_per_case",) + tuple(f"savings_per_case.{s}" for s in STAKEHOLDERS)
    for j, name in enumerate(names):
        q05, q50, q95 = np.quantile(data[:, j], [0.05, 0.5, 0.95])
        print(f"{name:28s} mean {data[:, j].mean():9.1f}  q05 {q05:9.1f}  "
              f"median {q50:9.1f}  q95 {q95:9.1f}")


if __name__ == "__main__":
    n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 100_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    report(simulate(n, seed))
