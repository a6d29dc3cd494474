"""Mixtures and zero-inflation: quantiles, means, draws and validation.

Statistical tolerances: a sample mean is compared within 4 Monte Carlo standard errors
(``4 sd / sqrt(n)``), a sample share within ``4 sqrt(p (1 - p) / n)``; distributions of draws
with a Kolmogorov-Smirnov test at a fixed seed (p > 0.001).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import integrate, optimize, stats

import onzekerheid as oz
from onzekerheid import ScenarioError
from onzekerheid.scenario import distributions, mixtures, parameters
from onzekerheid.scenario.distributions import DistributionError, from_table

N = 40_000
SEED = 11

MIX = {"dist": "mixture",
       "of": [{"dist": "normal", "mean": 0, "sd": 1}, {"dist": "lognormal", "median": 5,
                                                       "sigma": 0.3}, {"dist": "gamma",
                                                                       "shape": 2, "scale": 3}],
       "weights": [1, 2, 1]}
REFERENCE = [(0.25, stats.norm(0, 1)), (0.5, stats.lognorm(0.3, scale=5)),
             (0.25, stats.gamma(2, scale=3))]


def ref_cdf(x: Any) -> Any:
    return sum(w * d.cdf(x) for w, d in REFERENCE)


def ref_pdf(x: Any) -> Any:
    return sum(w * d.pdf(x) for w, d in REFERENCE)


def scenario(parameters: str, outputs: str = 'y = "x"') -> oz.Scenario:
    return oz.loads(f'[scenario]\ntitle = "t"\n[parameters]\n{parameters}\n[outputs]\n{outputs}\n')


def draws(text: str, name: str = "x", n: int = N) -> np.ndarray:
    result = oz.simulate(scenario(text), iterations=n, seed=SEED, threads=1)
    return np.asarray(result.samples[name])


def test_mixture_mean_and_quantiles_match_scipy_reference() -> None:
    dist = from_table(MIX, composite=True)
    assert dist.mean() == pytest.approx(sum(w * d.mean() for w, d in REFERENCE), rel=1e-12)
    qs = np.array([0.001, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999])
    expected = [optimize.brentq(lambda x, q=q: ref_cdf(x) - q, -50, 200, xtol=1e-13)
                for q in qs]
    np.testing.assert_allclose(dist.ppf(qs), expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(dist.cdf(np.array(expected)), qs, rtol=1e-9)
    assert dist.support() == (-math.inf, math.inf)
    assert float(dist.ppf(0.5)) == pytest.approx(expected[3])  # scalar in, scalar out


def test_mixture_draws_follow_the_mixture_cdf() -> None:
    x = draws('x = { dist = "mixture", of = [{ dist = "normal", mean = 0, sd = 1 }, '
              '{ dist = "lognormal", median = 5, sigma = 0.3 }, '
              '{ dist = "gamma", shape = 2, scale = 3 }], weights = [1, 2, 1] }')
    assert stats.kstest(x, ref_cdf).pvalue > 1e-3


def test_truncated_mixture_mean_quantiles_and_draws() -> None:
    dist = from_table({**MIX, "lower": 0.5, "upper": 8}, composite=True)
    mass = ref_cdf(8) - ref_cdf(0.5)
    mean = integrate.quad(lambda x: x * ref_pdf(x), 0.5, 8, epsabs=1e-12)[0] / mass
    assert dist.mean() == pytest.approx(mean, rel=1e-7)
    assert dist.mass_kept() == pytest.approx(mass, rel=1e-12)
    q = optimize.brentq(lambda x: (ref_cdf(x) - ref_cdf(0.5)) / mass - 0.3, 0.5, 8, xtol=1e-13)
    assert float(dist.ppf(0.3)) == pytest.approx(q, rel=1e-9)
    x = draws('x = { dist = "mixture", of = [{ dist = "normal", mean = 0, sd = 1 }, '
              '{ dist = "lognormal", median = 5, sigma = 0.3 }, '
              '{ dist = "gamma", shape = 2, scale = 3 }], weights = [1, 2, 1], '
              'lower = 0.5, upper = 8 }')
    assert x.min() >= 0.5 and x.max() <= 8
    assert stats.kstest(x, lambda v: (ref_cdf(v) - ref_cdf(0.5)) / mass
                        ).pvalue > 1e-3


def test_names_numbers_and_intervals_as_components() -> None:
    sc = scenario('low = { dist = "normal", mean = 10, sd = 1, point = 3, note = "expert A" }\n'
                  'x = { dist = "mixture", of = ["low", 0, "20 to 40"], weights = [2, 1, 1] }')
    dist = sc.parameters["x"].dist
    interval = from_table({"dist": "lognormal", "ci": [20, 40]})
    assert dist.mean() == pytest.approx(0.5 * 10 + 0.25 * interval.mean())
    assert sc.parameters["x"].point == pytest.approx(dist.mean())
    assert oz.point(sc).values["y"] == pytest.approx(dist.mean())
    x = draws('low = { dist = "normal", mean = 10, sd = 1 }\n'
              'x = { dist = "mixture", of = ["low", 0, "20 to 40"], weights = [2, 1, 1] }')
    zeros = np.mean(x == 0.0)
    assert abs(zeros - 0.25) < 4 * math.sqrt(0.25 * 0.75 / N)
    assert abs(x.mean() - dist.mean()) < 4 * x.std() / math.sqrt(N)


def test_mixture_is_independent_of_the_named_parameter() -> None:
    result = oz.simulate(scenario('low = { dist = "normal", mean = 10, sd = 1 }\n'
                                  'x = { dist = "mixture", of = ["low"] }', 'y = "x - low"'),
                         iterations=N, seed=SEED, threads=1)
    # independent draws: sd of the difference is sqrt(2), not 0; 4-MCSE band on the sd
    sd = float(np.std(result.samples["y"]))
    assert abs(sd - math.sqrt(2)) < 4 * math.sqrt(2) / math.sqrt(2 * N)


def test_discrete_components_in_a_mixture() -> None:
    x = draws('x = { dist = "mixture", of = [{ dist = "poisson", mean = 3 }, '
              '{ dist = "discrete", values = [10, 20], weights = [1, 3] }], weights = [3, 1] }')
    mean = 0.75 * 3 + 0.25 * 17.5
    assert abs(x.mean() - mean) < 4 * x.std() / math.sqrt(N)
    assert np.array_equal(x, np.round(x))
    share = np.mean(x == 20.0)  # Poisson(3) never reaches 20 in practice (P < 1e-10)
    assert abs(share - 0.1875) < 4 * math.sqrt(0.1875 * 0.8125 / N)
    dist = from_table({"dist": "mixture", "of": [{"dist": "poisson", "mean": 3}, 7]},
                      composite=True)
    assert float(dist.ppf(0.5)) == 7.0  # F(7-) = 0.5 * P(Poisson(3) < 7) < 0.5 <= F(7)
    assert float(dist.ppf(0.4)) == float(stats.poisson(3).ppf(0.8))


def test_zero_inflation_quantiles_mean_and_draws() -> None:
    z = 0.2
    dist = from_table({"dist": "lognormal", "median": 10, "sigma": 0.5, "zero": z},
                      composite=True)
    base = stats.lognorm(0.5, scale=10)
    assert dist.mean() == pytest.approx((1 - z) * base.mean(), rel=1e-12)
    np.testing.assert_allclose(dist.ppf([0.1, 0.2, 0.6]),
                               [0.0, 0.0, base.ppf((0.6 - z) / (1 - z))], rtol=1e-12)
    assert dist.support() == (0.0, math.inf)
    x = draws('x = { dist = "lognormal", median = 10, sigma = 0.5, zero = 0.2 }')
    share = np.mean(x == 0.0)
    assert abs(share - z) < 4 * math.sqrt(z * (1 - z) / N)
    assert stats.kstest(x[x > 0], base.cdf).pvalue > 1e-3


def test_zero_inflation_of_a_normal_below_and_above_zero() -> None:
    dist = from_table({"dist": "normal", "mean": 0, "sd": 1, "zero": 0.5}, composite=True)
    # F(x) = 0.5 1[x >= 0] + 0.5 Phi(x): the atom covers q in (0.25, 0.75]
    np.testing.assert_allclose(dist.ppf([0.1, 0.25, 0.5, 0.75, 0.9]),
                               [stats.norm.ppf(0.2), stats.norm.ppf(0.5), 0.0, 0.0,
                                stats.norm.ppf(0.8)], atol=1e-12)
    assert dist.cdf(0.0) == pytest.approx(0.75)


def test_zero_inflation_with_truncation_bounds_the_nonzero_draws() -> None:
    x = draws('x = { dist = "normal", mean = 100, sd = 30, lower = 90, zero = 0.3 }')
    assert set(np.unique(x[x < 90])) == {0.0}
    dist = from_table({"dist": "normal", "mean": 100, "sd": 30, "lower": 90, "zero": 0.3},
                      composite=True)
    assert abs(x.mean() - dist.mean()) < 4 * x.std() / math.sqrt(N)


def test_zero_on_a_fixed_value_and_on_a_mixture() -> None:
    sc = scenario('x = { dist = "fixed", value = 5, zero = 0.4 }\n'
                  'm = { dist = "mixture", of = [1, 2], zero = 0.5 }', 'y = "x + m"')
    assert sc.parameters["x"].kind == "random"
    assert sc.parameters["x"].point == pytest.approx(3.0)
    assert sc.parameters["m"].point == pytest.approx(0.75)
    y = np.asarray(oz.simulate(sc, iterations=N, seed=SEED, threads=1).samples["y"])
    assert abs(y.mean() - 3.75) < 4 * y.std() / math.sqrt(N)


def test_mixture_draws_are_reproducible_across_threads() -> None:
    sc = scenario('x = { dist = "mixture", of = [{ dist = "beta", alpha = 2, beta = 3 }, '
                  '{ dist = "triangular", min = 0, mode = 1, max = 3 }], lower = 0.1, '
                  'zero = 0.1 }')
    one = oz.simulate(sc, iterations=70_000, seed=3, threads=1, chunk_blocks=1).data
    two = oz.simulate(sc, iterations=70_000, seed=3, threads=2, chunk_blocks=2).data
    assert np.array_equal(one, two)


BAD = [
    ('{ dist = "mixture", of = [1, 2], weights = [1, -1] }',
     r"parameters\.x\.weights: weights must be >= 0"),
    ('{ dist = "mixture", of = [1, 2], weights = [0, 0] }',
     r"parameters\.x\.weights: weights must be >= 0 and not all zero"),
    ('{ dist = "mixture", of = [1, 2], weights = [1] }',
     r"parameters\.x\.weights: of has 2 entries but weights has 1"),
    ('{ dist = "mixture", of = [] }', r"parameters\.x\.of: of must be a non-empty list"),
    ('{ dist = "mixture", of = [1, { dist = "normal", mean = 0, sd = -1 }] }',
     r"parameters\.x\.of\.1\.sd: sd must be greater than 0"),
    ('{ dist = "mixture", of = [{ dist = "normall", mean = 0, sd = 1 }] }',
     r"parameters\.x\.of\.0\.dist: unknown distribution 'normall' \(did you mean 'normal'"),
    ('{ dist = "mixture", of = [{ dist = "mixture", of = [1] }] }',
     r"parameters\.x\.of\.0\.dist: a mixture component cannot itself be a mixture"),
    ('{ dist = "mixture", of = [{ dist = "normal", mean = 0, sd = 1, zero = 0.1 }] }',
     r"parameters\.x\.of\.0\.zero: zero on a mixture component"),
    ('{ dist = "mixture", of = ["costt"] }',
     r"parameters\.x\.of\.0: 'costt' is not a parameter \(did you mean 'cost'"),
    ('{ dist = "mixture", of = ["derived"] }',
     r"parameters\.x\.of\.0: 'derived' is an expression"),
    ('{ dist = "mixture", of = [1, 2], lower = 5 }', r"parameters\.x\.lower: truncation"),
    ('{ dist = "mixture", of = [1], ci = [0, 1] }',
     r"parameters\.x\.ci: 'ci' is not an argument of mixture; it takes \{of, weights\} "
     r"or \{of\}$"),
    ('{ dist = "normal", mean = 0, sd = 1, zero = 1 }',
     r"parameters\.x\.zero: zero is the probability of the value 0 and must lie in \[0, 1\)"),
    ('{ dist = "normal", mean = 0, sd = 1, zero = "a" }', r"parameters\.x\.zero: "),
]


@pytest.mark.parametrize(("spec", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_mixtures_name_the_key_path(spec: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        scenario(f'cost = 5\nderived = "cost * 2"\nx = {spec}')


def test_per_case_factor_cannot_be_a_mixture() -> None:
    with pytest.raises(DistributionError, match="a mixture is not available here"):
        from_table({"dist": "mixture", "of": [1]})
    with pytest.raises(DistributionError, match="zero is not available here"):
        from_table({"dist": "normal", "mean": 1, "sd": 1, "zero": 0.1})


def test_the_interval_shorthand_has_one_definition():
    # issue 17: "A to B" was three regexes (one looser, in mixtures.py); now one
    assert parameters._INTERVAL is distributions.INTERVAL is mixtures.INTERVAL
    for text, match in (("1 to 2", True), (" -1.5e3  to  +.5 ", True), ("1 to x", False),
                        ("a to b", False), ("1to2", False)):
        assert bool(distributions.INTERVAL.match(text)) is match, text
