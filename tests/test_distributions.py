"""Every distribution and argument set against scipy: canonical form, quantiles, means, draws.

Draws go through the whole path (TOML text -> Scenario -> Plan -> numba kernels) with
``onzekerheid.simulate(..., store="all")``. Draws are tested at a fixed seed with a KS test
(continuous) or a chi-square test (discrete); a correct sampler fails such a test with
probability ``ALPHA`` at a random seed, and the seed is fixed, so the outcome is deterministic.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import onzekerheid as oz
from onzekerheid import ScenarioError
from onzekerheid.scenario.distributions import from_table

N = 20_000
SEED = 11
ALPHA = 1e-3
Z90 = stats.norm.ppf(0.95)
QS = np.array([0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])


def scenario(parameters: dict[str, str]) -> oz.Scenario:
    body = "\n".join(f"{name} = {spec}" for name, spec in parameters.items())
    first = next(iter(parameters))
    return oz.loads(f'[scenario]\ntitle = "t"\n[parameters]\n{body}\n[outputs]\nout = "{first}"\n')


def truncated(base, lower=-np.inf, upper=np.inf):  # type: ignore[no-untyped-def]
    """A scipy-like object for the truncation of ``base`` to [lower, upper] (continuous)."""
    lo, hi = base.cdf(lower), base.cdf(upper)

    class Truncated:
        @staticmethod
        def cdf(x):  # type: ignore[no-untyped-def]
            return np.clip((base.cdf(x) - lo) / (hi - lo), 0.0, 1.0)

        @staticmethod
        def ppf(q):  # type: ignore[no-untyped-def]
            return base.ppf(lo + np.asarray(q) * (hi - lo))

        @staticmethod
        def mean():  # type: ignore[no-untyped-def]
            return base.expect(lambda x: x, lb=lower, ub=upper, conditional=True)

    return Truncated()


def lognormal_from_mean_sd(mean: float, sd: float):  # type: ignore[no-untyped-def]
    sigma2 = math.log(1 + (sd / mean) ** 2)
    return stats.lognorm(s=math.sqrt(sigma2), scale=mean * math.exp(-sigma2 / 2))


# name -> (TOML value, independent scipy distribution or None when only quantiles are pinned)
CONTINUOUS = {
    "uniform": ('{ dist = "uniform", min = 2, max = 5 }', stats.uniform(2, 3)),
    "triangular": ('{ dist = "triangular", min = 1, mode = 2, max = 5 }',
                   stats.triang(c=0.25, loc=1, scale=4)),
    "pert": ('{ dist = "pert", min = 0, mode = 2, max = 10 }',
             stats.beta(1 + 4 * 0.2, 1 + 4 * 0.8, loc=0, scale=10)),
    "pert_lambda": ('{ dist = "pert", min = 0, mode = 2, max = 10, lambda = 2 }',
                    stats.beta(1 + 2 * 0.2, 1 + 2 * 0.8, loc=0, scale=10)),
    "normal": ('{ dist = "normal", mean = 10, sd = 2 }', stats.norm(10, 2)),
    "normal_ci": ('{ dist = "normal", ci = [5, 15] }', stats.norm(10, 5 / Z90)),
    "normal_ci_level": ('{ dist = "normal", ci = [5, 15], level = 0.5 }',
                        stats.norm(10, 5 / stats.norm.ppf(0.75))),
    "lognormal": ('{ dist = "lognormal", median = 100, sigma = 0.5 }',
                  stats.lognorm(s=0.5, scale=100)),
    "lognormal_mean_sd": ('{ dist = "lognormal", mean = 100, sd = 50 }',
                          lognormal_from_mean_sd(100, 50)),
    "lognormal_ci": ('{ dist = "lognormal", ci = [10000, 20000] }',
                     stats.lognorm(s=math.log(2) / (2 * Z90), scale=math.sqrt(2e8))),
    "beta": ('{ dist = "beta", alpha = 2, beta = 5 }', stats.beta(2, 5)),
    "beta_successes": ('{ dist = "beta", successes = 3, trials = 10 }', stats.beta(4, 8)),
    "beta_mean_sd": ('{ dist = "beta", mean = 0.3, sd = 0.1 }',
                     stats.beta(0.3 * 20, 0.7 * 20)),  # k = m(1-m)/sd^2 - 1 = 20
    "beta_ci": ('{ dist = "beta", ci = [0.1, 0.5] }', None),
    "beta_ci_level": ('{ dist = "beta", ci = [0.2, 0.4], level = 0.8 }', None),
    "gamma": ('{ dist = "gamma", shape = 2, scale = 3 }', stats.gamma(2, scale=3)),
    "gamma_mean_sd": ('{ dist = "gamma", mean = 6, sd = 3 }', stats.gamma(4, scale=1.5)),
    "normal_truncated": ('{ dist = "normal", mean = 0, sd = 1, lower = -0.5, upper = 2 }',
                         truncated(stats.norm(0, 1), -0.5, 2)),
    "lognormal_upper": ('{ dist = "lognormal", median = 1, sigma = 1, upper = 2 }',
                        truncated(stats.lognorm(s=1), upper=2)),
    "gamma_lower": ('{ dist = "gamma", shape = 2, scale = 1, lower = 3 }',
                    truncated(stats.gamma(2), lower=3)),
    "ci_truncated": ('{ dist = "normal", ci = [0, 10], lower = 0 }',
                     truncated(stats.norm(5, 5 / Z90), lower=0)),
}
DISCRETE = {
    "poisson": ('{ dist = "poisson", mean = 4 }', stats.poisson(4)),
    "binomial": ('{ dist = "binomial", n = 10, p = 0.3 }', stats.binom(10, 0.3)),
    "bernoulli": ('{ dist = "bernoulli", p = 0.3 }', stats.bernoulli(0.3)),
    "discrete": ('{ dist = "discrete", values = [5, 1, 2], weights = [1, 1, 2] }',
                 stats.rv_discrete(values=([1, 2, 5], [0.25, 0.5, 0.25]))),
    "poisson_truncated": ('{ dist = "poisson", mean = 4, lower = 2, upper = 7 }', None),
    "discrete_truncated": ('{ dist = "discrete", values = [1, 2, 3, 4], '
                           'weights = [1, 1, 1, 1], lower = 2, upper = 3 }',
                           stats.rv_discrete(values=([2, 3], [0.5, 0.5]))),
}
CI_CASES = {  # name -> (ci, level)
    "normal_ci": ((5, 15), 0.9),
    "normal_ci_level": ((5, 15), 0.5),
    "lognormal_ci": ((10000, 20000), 0.9),
    "beta_ci": ((0.1, 0.5), 0.9),
    "beta_ci_level": ((0.2, 0.4), 0.8),
}


@pytest.fixture(scope="module")
def everything() -> tuple[oz.Scenario, oz.Result]:
    specs = {name: spec for name, (spec, _) in {**CONTINUOUS, **DISCRETE}.items()}
    specs["fixed"] = '{ dist = "fixed", value = 3 }'
    specs["pointed"] = '{ dist = "normal", mean = 10, sd = 2, point = 7 }'
    sc = scenario(specs)
    return sc, oz.simulate(sc, N, seed=SEED, store="all")


def reference(sc: oz.Scenario, name: str, expected):  # type: ignore[no-untyped-def]
    if expected is None:  # pinned by quantiles only: scipy with the canonical arguments
        dist = sc.parameters[name].dist
        assert dist is not None
        return stats.beta(*dist.args) if dist.family == "beta" else None
    return expected


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_canonical_form_matches_scipy(everything, name):  # type: ignore[no-untyped-def]
    sc, _ = everything
    dist = sc.parameters[name].dist
    expected = reference(sc, name, CONTINUOUS[name][1])
    np.testing.assert_allclose(dist.ppf(QS), expected.ppf(QS), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(dist.mean(), expected.mean(), rtol=1e-7)
    assert sc.parameters[name].point == pytest.approx(expected.mean(), rel=1e-7)


@pytest.mark.parametrize("name", sorted(CI_CASES))
def test_ci_is_reproduced_by_the_quantiles(everything, name):  # type: ignore[no-untyped-def]
    sc, _ = everything
    (low, high), level = CI_CASES[name]
    tail = (1 - level) / 2
    dist = sc.parameters[name].dist
    np.testing.assert_allclose(dist.ppf([tail, 1 - tail]), [low, high], rtol=1e-7)


def test_mean_and_sd_argument_sets_give_that_mean_and_sd(everything):  # type: ignore[no-untyped-def]
    sc, _ = everything
    for name, mean, sd in [("lognormal_mean_sd", 100, 50), ("beta_mean_sd", 0.3, 0.1),
                           ("gamma_mean_sd", 6, 3)]:
        base = sc.parameters[name].dist.base()
        assert base.mean() == pytest.approx(mean, rel=1e-12)
        assert base.std() == pytest.approx(sd, rel=1e-12)


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_continuous_draws_pass_ks(everything, name):  # type: ignore[no-untyped-def]
    sc, result = everything
    expected = reference(sc, name, CONTINUOUS[name][1])
    draws = result[name]
    dist = sc.parameters[name].dist
    assert np.all(draws >= dist.lower) and np.all(draws <= dist.upper)
    assert stats.kstest(draws, expected.cdf).pvalue > ALPHA


def chi_square_pvalue(draws: np.ndarray, support: np.ndarray, pmf: np.ndarray) -> float:
    """Chi-square goodness of fit; cells with expected count < 5 are merged into the next."""
    assert set(np.unique(draws)) <= set(support)
    counts = np.array([np.count_nonzero(draws == v) for v in support], dtype=float)
    expected = pmf / pmf.sum() * draws.size
    obs, exp, acc_o, acc_e = [], [], 0.0, 0.0
    for o, e in zip(counts, expected, strict=True):
        acc_o, acc_e = acc_o + o, acc_e + e
        if acc_e >= 5:
            obs.append(acc_o)
            exp.append(acc_e)
            acc_o = acc_e = 0.0
    obs[-1] += acc_o
    exp[-1] += acc_e
    return float(stats.chisquare(obs, exp).pvalue)


@pytest.mark.parametrize("name", sorted(DISCRETE))
def test_discrete_draws_pass_chi_square(everything, name):  # type: ignore[no-untyped-def]
    sc, result = everything
    draws = result[name]
    if name == "poisson_truncated":
        support = np.arange(2, 8)
        pmf = stats.poisson(4).pmf(support)
    else:
        expected = DISCRETE[name][1]
        lo, hi = expected.support()
        if name.startswith("discrete"):
            support = np.asarray(expected.xk, dtype=float)
        else:
            support = np.arange(lo, min(hi, 60) + 1)
        pmf = expected.pmf(support)
    assert chi_square_pvalue(draws, support, pmf) > ALPHA
    dist = sc.parameters[name].dist
    expected_mean = float(np.sum(support * pmf) / pmf.sum())
    assert dist.mean() == pytest.approx(expected_mean, rel=1e-9)


def test_truncated_ppf_matches_truncated_scipy(everything):  # type: ignore[no-untyped-def]
    sc, _ = everything
    dist = sc.parameters["normal_truncated"].dist
    exact = stats.truncnorm(-0.5, 2)
    np.testing.assert_allclose(dist.ppf(QS), exact.ppf(QS), rtol=1e-9)
    assert dist.mean() == pytest.approx(exact.mean(), rel=1e-7)
    assert dist.support() == (-0.5, 2.0)


def test_fixed_and_point(everything):  # type: ignore[no-untyped-def]
    sc, result = everything
    assert sc.parameters["fixed"].kind == "fixed"
    assert sc.parameters["fixed"].value == 3
    assert sc.parameters["pointed"].point == 7
    assert sc.parameters["normal"].point == pytest.approx(10)  # default: the mean
    # the point value is what --point evaluates, the draws ignore it
    assert oz.point(scenario({"x": '{ dist = "normal", mean = 10, sd = 2, point = 7 }'})
                    ).values["out"] == 7
    assert abs(result["pointed"].mean() - 10) < 5 * 2 / math.sqrt(N)  # 5 MCSE


@pytest.mark.parametrize(("text", "family", "level_q"), [
    ('"10 to 20"', "lognormal", (10, 20)),
    ('"0.5 to 2e3"', "lognormal", (0.5, 2000)),
    ('"-5 to 5"', "normal", (-5, 5)),
    ('"0 to 10"', "normal", (0, 10)),
    ('"-20 to -10"', "normal", (-20, -10)),
])
def test_interval_shorthand(text, family, level_q):  # type: ignore[no-untyped-def]
    dist = scenario({"x": text}).parameters["x"].dist
    assert dist.family == family
    np.testing.assert_allclose(dist.ppf([0.05, 0.95]), level_q, rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------------------------------------
# bad arguments: one test per kind, matching the key path and what is wrong

BAD = [
    ('{ dist = "normal", mean = 1, sd = 0 }', r"parameters\.x\.sd: sd must be greater than 0"),
    ('{ dist = "normal", mean = 1, sd = -2 }', r"parameters\.x\.sd: .*greater than 0"),
    ('{ dist = "gamma", mean = 1, sd = 0 }', r"parameters\.x\.sd: .*greater than 0"),
    ('{ dist = "uniform", min = 5, max = 5 }', r"parameters\.x\.min: min \(5\) must be below"),
    ('{ dist = "triangular", min = 0, mode = 7, max = 5 }',
     r"parameters\.x\.mode: mode \(7\) must lie between"),
    ('{ dist = "pert", min = 0, mode = -1, max = 5 }', r"parameters\.x\.mode: "),
    ('{ dist = "pert", min = 0, mode = 1, max = 5, lambda = 0 }', r"parameters\.x\.lambda: "),
    ('{ dist = "beta", ci = [0.5, 1.2] }', r"parameters\.x\.ci: a beta ci must lie .*0\.\.1"),
    ('{ dist = "beta", mean = 0.5, sd = 0.6 }', r"parameters\.x\.sd: sd 0\.6 is too large"),
    ('{ dist = "beta", mean = 1.5, sd = 0.1 }', r"parameters\.x\.mean: a beta mean"),
    ('{ dist = "beta", successes = 12, trials = 10 }', r"parameters\.x\.successes: "),
    ('{ dist = "lognormal", ci = [0, 10] }', r"parameters\.x\.ci: a lognormal ci needs both"),
    ('{ dist = "lognormal", ci = [-3, 10] }', r"parameters\.x\.ci: .*> 0"),
    ('{ dist = "normal", ci = [10, 5] }', r"parameters\.x\.ci: ci low \(10\) must be below"),
    ('{ dist = "normal", ci = [1, 2, 3] }', r"parameters\.x\.ci: ci must be two numbers"),
    ('{ dist = "binomial", n = 2.5, p = 0.5 }', r"parameters\.x\.n: n must be a whole number"),
    ('{ dist = "binomial", n = 10, p = 1.5 }', r"parameters\.x\.p: p is a probability .*0\.\.1"),
    ('{ dist = "bernoulli", p = -0.1 }', r"parameters\.x\.p: p is a probability"),
    ('{ dist = "poisson", mean = -1 }', r"parameters\.x\.mean: a poisson mean must be >= 0"),
    ('{ dist = "discrete", values = [1, 2], weights = [1] }',
     r"parameters\.x\.weights: values has 2 entries but weights has 1"),
    ('{ dist = "discrete", values = [1, 2], weights = [1, -1] }',
     r"parameters\.x\.weights: weights must be >= 0"),
    ('{ dist = "discrete", values = [1, 1], weights = [1, 1] }',
     r"parameters\.x\.values: values must not repeat"),
    ('{ dist = "normal", mean = 0, sd = 1, lower = 10 }',
     r"parameters\.x\.lower: truncation to \[10, inf\] keeps"),
    ('{ dist = "poisson", mean = 1, upper = -1 }', r"parameters\.x\.upper: truncation .* keeps"),
    ('{ dist = "normal", mean = 0, sd = 1, lower = 2, upper = 1 }',
     r"parameters\.x\.lower: lower \(2\) must be below upper \(1\)"),
    ('{ dist = "normall", mean = 0, sd = 1 }',
     r"parameters\.x\.dist: unknown distribution 'normall' \(did you mean 'normal'\?\)"),
    ('{ dist = "cauchy", loc = 0 }', r"parameters\.x\.dist: unknown distribution 'cauchy' "
                                     r"\(allowed: "),
    ('{ dist = "normal", mean = 0, sd = 1, ci = [1, 2] }',
     r"parameters\.x: normal was given \{ci, mean, sd\}, which mixes argument sets"),
    ('{ dist = "lognormal", mean = 1, sigma = 1 }', r"parameters\.x: .*mixes argument sets"),
    ('{ dist = "normal", mean = 0 }', r"parameters\.x: normal is missing sd"),
    ('{ dist = "triangular", min = 0, max = 1 }', r"parameters\.x: triangular is missing mode"),
    ('{ dist = "normal", mean = 0, sdd = 1 }',
     r"parameters\.x\.sdd: 'sdd' is not an argument of normal.*\(did you mean 'sd'\?\)"),
    ('{ dist = "normal", mean = 0, sd = 1, level = 0.8 }',
     r"parameters\.x\.level: level only applies together with ci"),
    ('{ dist = "normal", ci = [0, 1], level = 1.5 }', r"parameters\.x\.level: level must lie"),
    ('{ dist = "normal", mean = "a", sd = 1 }',
     r"parameters\.x\.mean: unknown name 'a' in argument"),
    ('{ dist = "normal", mean = 0, sd = 1, point = "x" }', r"parameters\.x\.point: "),
    ('{ mean = 0, sd = 1 }', r'parameters\.x: a distribution table needs dist = "\.\.\."'),
    ('{ dist = "fixed", value = 3, lower = 4 }', r"parameters\.x\.lower: value \(3\) lies outside"),
    ('{ dist = "fixed", value = 3, upper = 0 }', r"parameters\.x\.upper: value \(3\) lies outside"),
    ('{ dist = "uniform", min = -1e308, max = 1e308 }',
     r"parameters\.x: these arguments give a uniform outside floating-point range"),
    ('{ dist = "normal", ci = [1e308, 1.7e308] }', r"parameters\.x: .*floating-point range"),
    ('{ dist = "gamma", mean = 1e200, sd = 1e-200 }', r"parameters\.x: .*floating-point range"),
    ('{ dist = "gamma", mean = 1e-300, sd = 1e300 }', r"parameters\.x\.sd: sd 1e\+300 is too"),
    ('{ dist = "beta", mean = 0.5, sd = 1e-200 }', r"parameters\.x\.sd: sd 1e-200 is too small"),
    ('"20 to 10"', r"parameters\.x: '20 to 10': the first number must be below the second"),
    ("true", r"parameters\.x: true/false is not a number"),
    ("nan", r"parameters\.x: 'x' must be a finite number"),
]


@pytest.mark.parametrize(("spec", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_arguments_name_the_key_path(spec, message):  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError, match=message) as info:
        scenario({"x": spec})
    assert len(info.value.problems) == 1
    assert info.value.problems[0].line == 4  # the TOML line of x


def test_truncated_discrete_ppf_and_support(everything):  # type: ignore[no-untyped-def]
    sc, _ = everything
    dist = sc.parameters["poisson_truncated"].dist
    support = np.arange(2, 8)
    cdf = np.cumsum(stats.poisson(4).pmf(support))
    cdf /= cdf[-1]
    qs = np.array([0.01, 0.2, 0.5, 0.8, 0.999])
    expected = [support[np.searchsorted(cdf, q - 1e-12)] for q in qs]  # smallest k, F(k) >= q
    np.testing.assert_array_equal(dist.ppf(qs), expected)
    assert dist.support() == (2.0, 7.0)


def test_fixed_inside_its_bounds_and_extreme_but_valid_arguments():
    assert scenario({"x": '{ dist = "fixed", value = 3, lower = 0, upper = 3 }'}
                    ).parameters["x"].value == 3
    wide = scenario({"x": '{ dist = "lognormal", mean = 1, sd = 1e200 }'}).parameters["x"]
    assert wide.point == pytest.approx(1, rel=1e-9)  # the mean, although scipy's overflows
    wide = wide.dist
    assert np.isfinite(wide.args).all()  # sigma^2 = log(1 + 1e400) computed without overflow
    assert wide.args[1] == pytest.approx(math.sqrt(400 * math.log(10)), rel=1e-12)


def test_a_discrete_value_of_weight_zero_is_not_in_the_support():
    # fuzz find (test_fuzz): values [0, 1], weights [0, 1] truncated to <= 0 loaded and drew 1
    from onzekerheid.errors import ScenarioError
    from onzekerheid.scenario.loader import from_dict

    table = {"dist": "discrete", "values": [0.0, 1.0], "weights": [0.0, 1.0]}
    raw = {"scenario": {"title": "t"}, "parameters": {"x": table}, "outputs": {"y": "x"}}
    assert from_dict(raw).parameters["x"].dist.support() == (1.0, 1.0)
    with pytest.raises(ScenarioError, match="keeps 0 of the distribution"):
        from_dict({**raw, "parameters": {"x": {**table, "upper": 0}}})


@pytest.mark.parametrize("table, frozen, lo, hi", [
    ({"dist": "poisson", "mean": 3, "upper": 2.5}, ("poisson", (3,)), 0, 2),
    ({"dist": "poisson", "mean": 3, "lower": 1.5}, ("poisson", (3,)), 2, 200),
    ({"dist": "poisson", "mean": 3, "lower": 1.5, "upper": 6.2}, ("poisson", (3,)), 2, 6),
    ({"dist": "binomial", "n": 10, "p": 0.3, "upper": 4.5}, ("binom", (10, 0.3)), 0, 4),
    ({"dist": "binomial", "n": 10, "p": 0.3, "lower": 2.5}, ("binom", (10, 0.3)), 3, 10),
    ({"dist": "bernoulli", "p": 0.3, "lower": 0.5}, ("bernoulli", (0.3,)), 1, 1),
])
def test_truncated_count_mean_is_the_pmf_sum(table: dict, frozen: tuple, lo: int,
                                             hi: int) -> None:
    """A count truncated at non-integer bounds keeps the integers inside them (issue #13)."""
    name, args = frozen
    k = np.arange(lo, hi + 1)
    pmf = getattr(stats, name)(*args).pmf(k)
    expected = float(np.dot(k, pmf) / pmf.sum())
    assert from_table(table).mean() == pytest.approx(expected, rel=1e-12)
    if table == {"dist": "poisson", "mean": 3, "upper": 2.5}:
        assert expected == pytest.approx(1.411765, abs=1e-6)


def test_truncated_mixture_of_counts_has_the_pmf_mean():
    """Mixture components and a truncated mixture of counts use the same pmf sums (#13)."""
    both = from_table({"dist": "mixture", "upper": 2.5, "of": [
        {"dist": "poisson", "mean": 3}, {"dist": "poisson", "mean": 5}]}, composite=True)
    k = np.arange(3)
    pmf = 0.5 * stats.poisson(3).pmf(k) + 0.5 * stats.poisson(5).pmf(k)
    assert both.mean() == pytest.approx(float(np.dot(k, pmf) / pmf.sum()), rel=1e-12)
    parts = from_table({"dist": "mixture", "of": [
        {"dist": "poisson", "mean": 3, "upper": 2.5},
        {"dist": "binomial", "n": 10, "p": 0.3, "lower": 2.5}]}, composite=True)
    expected = [from_table({"dist": "poisson", "mean": 3, "upper": 2.5}).mean(),
                from_table({"dist": "binomial", "n": 10, "p": 0.3, "lower": 2.5}).mean()]
    assert parts.mean() == pytest.approx(np.mean(expected), rel=1e-12)
