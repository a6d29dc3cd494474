"""The benchmark model's numbers (see model.toml), shared by the numpy and squigglepy versions."""

from __future__ import annotations

import math

import numpy as np

CASES = 188
AMOUNTS = np.array([3563.0, 2694.0, 2079.0])  # gemeente, client, derden
STAKEHOLDERS = ("gemeente", "client", "derden")
RATE_A, RATE_B = 63.5, 18.0  # success rate ~ Beta(a, b)
PRICE_MU, PRICE_SIGMA = 0.0, 0.1357  # price level: lognormal, median 1
BIAS_MU, BIAS_SIGMA = math.log(0.8), 0.25  # systematic bias: lognormal, median 0.8


def lognormal_mean_sd(mean: float, sd: float) -> tuple[float, float]:
    """(mu, sigma) of log X for a lognormal X with the given mean and sd."""
    sigma2 = math.log1p((sd / mean) ** 2)
    return math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)


ERROR_MU, ERROR_SIGMA = lognormal_mean_sd(1.0, 0.5)  # per-case estimator error
HETERO_MU, HETERO_SIGMA = lognormal_mean_sd(1.0, 1.5)  # per-case heterogeneity
