"""The benchmark model (model.toml) in squigglepy (benchmark-only tool: ``pip install squigglepy``).

Written the squigglepy way: a model function drawing one iteration, sampled ``n`` times with
``sq.sample``. Per iteration: 3 shared draws, then 188 Bernoulli successes, 188 errors and
188 heterogeneity factors as three vectorised ``sq.sample(..., n=188)`` calls. Draws per
iteration: 3 + 3 x 188 = 567 (the same as numpy_idiomatic.py). It is slow (a few thousand
iterations/s), so keep runs small.

    python benchmarks/schiedam/squigglepy_model.py [ITERATIONS] [SEED]
"""

from __future__ import annotations

import sys

import numpy as np
import squigglepy as sq
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

rate_dist = sq.beta(RATE_A, RATE_B)
price_dist = sq.lognorm(norm_mean=PRICE_MU, norm_sd=PRICE_SIGMA)
bias_dist = sq.lognorm(norm_mean=BIAS_MU, norm_sd=BIAS_SIGMA)
error_dist = sq.lognorm(norm_mean=ERROR_MU, norm_sd=ERROR_SIGMA)  # mean 1, sd 0.5
hetero_dist = sq.lognorm(norm_mean=HETERO_MU, norm_sd=HETERO_SIGMA)  # mean 1, sd 1.5


def model() -> list[float]:
    """One iteration: savings per case and its split over the stakeholders."""
    rate = ~rate_dist
    price = ~price_dist
    bias = ~bias_dist
    success = sq.sample(sq.bernoulli(rate), n=CASES)
    error = sq.sample(error_dist, n=CASES)
    hetero = sq.sample(hetero_dist, n=CASES)
    per_unit = float((success * error * hetero).sum()) / CASES * price * bias
    split = [per_unit * a for a in AMOUNTS]
    return [sum(split), *split]


def simulate(iterations: int, seed: int) -> np.ndarray:
    """Rows of (savings_per_case, .gemeente, .client, .derden), shape (iterations, 4)."""
    sq.set_seed(seed)
    return np.asarray(sq.sample(model, n=iterations, verbose=False), dtype=float)


if __name__ == "__main__":
    n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 20_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    data = simulate(n, seed)
    names = ("savings_per_case",) + tuple(f"savings_per_case.{s}" for s in STAKEHOLDERS)
    for j, name in enumerate(names):
        q05, q50, q95 = np.quantile(data[:, j], [0.05, 0.5, 0.95])
        print(f"{name:28s} mean {data[:, j].mean():9.1f}  q05 {q05:9.1f}  "
              f"median {q50:9.1f}  q95 {q95:9.1f}")
