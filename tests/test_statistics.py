"""Statistical validation: analytic moments, calibrated MCSE, interval and claim coverage.

Every tolerance is derived, not guessed (the derivation is next to each test); all seeds are
fixed. Per-distribution KS and chi-square tests live in test_distributions.py.

* Moments of composite expressions: the simulated mean lies within 4 reported MCSE of the exact
  mean; the sample variance within 4 of its own standard error ``sqrt((m4 - s^4) / n)``.
  (4 standard errors: a false alarm has probability 6e-5 per comparison.)
* MCSE calibration: over ``SEEDS`` independent seeds, the spread (sd) of the simulated means
  matches the average reported MCSE within 15%. The sd of ``k`` normal means has a relative
  standard error ``1 / sqrt(2 (k - 1))``: 5.0% for k = 200, so 15% is 3 standard errors.
* Coverage, on models whose truth is known in closed form: ``mean +- 1.645 MCSE`` covers the
  true mean, ``p +- 1.645 mcse`` of the claim audit covers the true ``P(X >= claim)``, and the
  reported 90% interval ends sit at the true 5% and 95% quantiles (``F(low)`` averages 0.05).
  With k seeds the number of covering seeds is Binomial(k, 0.9): we accept 0.9 k +- 4 sd.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

import onzekerheid as oz

MOMENTS = """\
[scenario]
title = "composite expressions with closed-form moments"
[parameters]
x = { dist = "normal", mean = 10, sd = 2 }
u = { dist = "uniform", min = 0, max = 6 }
g = { dist = "gamma", shape = 3, scale = 2 }
w = { dist = "normal", mean = 0, sd = 0.5 }
b = { dist = "bernoulli", p = 0.3 }
k = { dist = "poisson", mean = 4 }
[outputs]
linear = "x + 2 * u - g"
product = "x * u"
lognormal = "exp(w)"
mixture = "b * x + (1 - b) * g"
count_cost = "k * 250 + 1000"
"""
# exact mean and variance of each output (independent inputs)
EXACT = {
    # E = 10 + 2*3 - 6; Var = 4 + 4*3 + 3*2^2
    "linear": (10.0, 4.0 + 4.0 * 3.0 + 12.0),
    # E = 10*3; Var = E[x^2] E[u^2] - (E x E u)^2 = 104 * 12 - 900
    "product": (30.0, 104.0 * 12.0 - 900.0),
    # lognormal(0, 0.5): E = exp(s^2/2), Var = (exp(s^2) - 1) exp(s^2)
    "lognormal": (math.exp(0.125), (math.exp(0.25) - 1.0) * math.exp(0.25)),
    # mixture: E = 0.3*10 + 0.7*6; E[Y^2] = 0.3*104 + 0.7*(Var g + 36) = 0.3*104 + 0.7*48
    "mixture": (7.2, 0.3 * 104.0 + 0.7 * 48.0 - 7.2**2),
    # E = 4*250 + 1000; Var = 250^2 * 4
    "count_cost": (2000.0, 250.0**2 * 4.0),
}

CALIBRATION = """\
[scenario]
title = "cheap model for MCSE calibration"
[parameters]
x = { dist = "normal", mean = 5, sd = 1 }
z = { dist = "lognormal", median = 1, sigma = 0.5 }
[outputs]
symmetric = "x * 3"
skewed = "z * 100 - 50"
[claim]
skewed = 60
"""
SIGMA = 0.5
CLAIM = 60.0
# truth of `skewed` = 100 Z - 50, Z ~ lognormal(0, 0.5)
TRUE_MEAN = 100.0 * math.exp(SIGMA**2 / 2) - 50.0
TRUE_P_CLAIM = float(stats.norm.sf(math.log((CLAIM + 50.0) / 100.0) / SIGMA))


def true_cdf(y: np.ndarray) -> np.ndarray:
    return stats.lognorm(s=SIGMA).cdf((np.asarray(y) + 50.0) / 100.0)


def binomial_band(k: int, p: float, width: float = 4.0) -> tuple[float, float]:
    sd = math.sqrt(k * p * (1 - p))
    return k * p - width * sd, k * p + width * sd


# ------------------------------------------------------------------------ analytic moments


@pytest.fixture(scope="module")
def moments() -> oz.Result:
    return oz.simulate(oz.loads(MOMENTS), 200_000, seed=11, store="outputs")


@pytest.mark.parametrize("name", sorted(EXACT))
def test_mean_of_composite_expression(moments: oz.Result, name: str) -> None:
    mean, _ = EXACT[name]
    summary = moments.summary_of(name)
    assert abs(summary.mean - mean) < 4 * summary.mcse, (summary.mean, mean, summary.mcse)


@pytest.mark.parametrize("name", sorted(EXACT))
def test_variance_of_composite_expression(moments: oz.Result, name: str) -> None:
    _, variance = EXACT[name]
    y = moments[name]
    n = y.size
    s2 = float(np.var(y, ddof=1))
    m4 = float(np.mean((y - y.mean()) ** 4))
    se = math.sqrt((m4 - s2**2) / n)  # standard error of the sample variance
    assert abs(s2 - variance) < 4 * se, (s2, variance, se)
    assert moments.summary_of(name).sd == pytest.approx(math.sqrt(s2), rel=1e-12)


# ------------------------------------------------------------------------ MCSE calibration


def seeds_summaries(k: int, n: int) -> dict[str, list[oz.Summary]]:
    scenario = oz.loads(CALIBRATION)
    found: dict[str, list[oz.Summary]] = {"symmetric": [], "skewed": []}
    audits = []
    for seed in range(k):
        result = oz.simulate(scenario, n, seed=seed, store="outputs", threads=1)
        for name in found:
            found[name].append(result.summary_of(name))
        audits.append(result.audit_of("skewed"))
    found["audits"] = audits  # type: ignore[assignment]
    return found


@pytest.fixture(scope="module")
def many_seeds() -> dict[str, list[oz.Summary]]:
    return seeds_summaries(200, 2_000)


def check_calibration(summaries: list[oz.Summary], tolerance: float) -> None:
    means = np.array([s.mean for s in summaries])
    reported = float(np.mean([s.mcse for s in summaries]))
    spread = float(np.std(means, ddof=1))
    assert abs(spread / reported - 1.0) < tolerance, (spread, reported)


@pytest.mark.parametrize("name", ["symmetric", "skewed"])
def test_reported_mcse_matches_the_spread_of_means_over_200_seeds(many_seeds, name):  # type: ignore[no-untyped-def]
    check_calibration(many_seeds[name], 0.15)


def test_seeds_give_different_means(many_seeds):  # type: ignore[no-untyped-def]
    means = [s.mean for s in many_seeds["symmetric"]]
    assert len(set(means)) == len(means)


# ------------------------------------------------------------------------ coverage


def check_coverage(found: dict[str, list], k: int) -> None:  # type: ignore[type-arg]
    z = float(special.ndtri(0.95))  # 1.645: two-sided 90%
    low, high = binomial_band(k, 0.9)
    skewed = found["skewed"]
    covered = sum(abs(s.mean - TRUE_MEAN) <= z * s.mcse for s in skewed)
    assert low <= covered <= high, ("mean", covered, k)
    audits = found["audits"]
    covered = sum(abs(a.p_claim_or_more - TRUE_P_CLAIM) <= z * a.p_claim_or_more_mcse
                  for a in audits)
    assert low <= covered <= high, ("P(claim or more)", covered, k)
    # interval ends: F(low) and F(high) average 0.05 and 0.95. The sd of the sample quantile's
    # F-value is sqrt(q (1 - q) / n) per seed, so the average over k seeds has sd
    # sqrt(q (1 - q) / (n k)); 4 of those (plus the O(1/n) bias of a sample quantile).
    n = found["n"]
    for q, ends in ((0.05, [s.low for s in skewed]), (0.95, [s.high for s in skewed])):
        average = float(np.mean(true_cdf(np.array(ends))))
        assert abs(average - q) < 4 * math.sqrt(q * (1 - q) / (n * k)) + 1.0 / n, (q, average)


def test_coverage_of_mean_claim_probability_and_interval(many_seeds):  # type: ignore[no-untyped-def]
    check_coverage({**many_seeds, "n": 2_000}, 200)


def test_true_claim_probability_is_in_the_middle():
    # the coverage test means something only when P(claim or more) is not near 0 or 1
    assert 0.2 < TRUE_P_CLAIM < 0.8


@pytest.mark.slow
def test_full_calibration_and_coverage_over_1000_seeds():  # type: ignore[no-untyped-def]
    # k = 1000: the relative standard error of the spread is 1 / sqrt(2 * 999) = 2.2%, so 7%
    # is about 3 standard errors
    found = seeds_summaries(1_000, 5_000)
    for name in ("symmetric", "skewed"):
        check_calibration(found[name], 0.07)
    check_coverage({**found, "n": 5_000}, 1_000)
