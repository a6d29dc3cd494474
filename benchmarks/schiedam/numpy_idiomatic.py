"""The benchmark model (model.toml) in idiomatic vectorised numpy, as a user would write it.

Per iteration: a shared success rate, price factor and systematic bias; per case a Bernoulli
success, a lognormal estimator error and a lognormal heterogeneity factor (both mean 1), drawn
as (rows, 188) arrays, chunked so memory stays bounded. Draws per iteration: 3 shared + 188
uniforms + 2 x 188 lognormals = 567.

    python benchmarks/schiedam/numpy_idiomatic.py [ITERATIONS] [SEED]
"""

from __future__ import annotations

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

DRAWS_PER_ITERATION = 3 + 3 * CASES


def simulate(iterations: int, seed: int, chunk: int = 8_192) -> np.ndarray:
    """Rows of (savings_per_case, .gemeente, .client, .derden), shape (iterations, 4)."""
    rng = np.random.default_rng(seed)
    out = np.empty((iterations, 4))
    for start in range(0, iterations, chunk):
        rows = min(chunk, iterations - start)
        rate = rng.beta(RATE_A, RATE_B, rows)
        price = rng.lognormal(PRICE_MU, PRICE_SIGMA, rows)
        bias = rng.lognormal(BIAS_MU, BIAS_SIGMA, rows)
        success = rng.random((rows, CASES)) < rate[:, None]
        error = rng.lognormal(ERROR_MU, ERROR_SIGMA, (rows, CASES))
        hetero = rng.lognormal(HETERO_MU, HETERO_SIGMA, (rows, CASES))
        mean_factor = (success * error * hetero).sum(axis=1) / CASES
        split = (mean_factor * price * bias)[:, None] * AMOUNTS
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
