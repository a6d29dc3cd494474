"""Uncertain distribution arguments (hierarchical parameters).

Statistical tolerances: a sample mean within 4 MCSE (``4 sd / sqrt(n)``); a sample variance
within 4 of its standard errors, ``sqrt((m4 - s^4) / n)`` with the sample fourth central moment
``m4``; a share within ``4 sqrt(p (1 - p) / n)``; distributions of draws by a
Kolmogorov-Smirnov test at a fixed seed (p > 0.001).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import onzekerheid as oz
from onzekerheid import ScenarioError
from onzekerheid.plan import STEP_DRAW, build_plan
from onzekerheid.scenario.distributions import from_table

N = 100_000
SEED = 5
SCENARIOS = Path(__file__).parent.parent / "scenarios"


def scenario(parameters: str, outputs: str = 'y = "x"', extra: str = "") -> oz.Scenario:
    return oz.loads(f'[scenario]\ntitle = "t"\n[parameters]\n{parameters}\n[outputs]\n'
                    f'{outputs}\n{extra}')


def samples(sc: oz.Scenario, n: int = N, threads: int = 1) -> dict[str, np.ndarray]:
    result = oz.simulate(sc, iterations=n, seed=SEED, threads=threads)
    return {c: result.data[:, i] for i, c in enumerate(result.columns)}


def within_mcse(x: np.ndarray, expected: float) -> bool:
    return abs(x.mean() - expected) < 4 * x.std() / math.sqrt(x.size)


def test_beta_with_a_beta_mean_obeys_total_expectation_and_variance() -> None:
    sc = scenario('mean_rate = { dist = "beta", mean = 0.3, sd = 0.1 }\n'
                  'x = { dist = "beta", mean = "mean_rate", sd = 0.05 }')
    x = samples(sc)["x"]
    assert np.isfinite(x).all()  # m (1 - m) > 0.05^2 whenever m in (0.0026, 0.9974)
    # E[X] = E[m] = 0.3; Var[X] = E[Var(X | m)] + Var(E[X | m]) = 0.05^2 + 0.1^2
    assert within_mcse(x, 0.3)
    centred = x - x.mean()
    variance_se = math.sqrt((np.mean(centred**4) - np.var(x) ** 2) / x.size)
    assert abs(np.var(x) - (0.05**2 + 0.1**2)) < 4 * variance_se
    assert sc.parameters["x"].point == pytest.approx(0.3)
    assert sc.parameters["x"].dist == from_table({"dist": "beta", "mean": 0.3, "sd": 0.05})


def test_lognormal_with_uncertain_median_is_lognormal_with_added_log_variance() -> None:
    sc = scenario('base_cost = 100\ninflation = { dist = "lognormal", median = 1.05, '
                  'sigma = 0.1 }\n'
                  'x = { dist = "lognormal", median = "base_cost * inflation", sigma = 0.2 }')
    x = samples(sc)["x"]
    # log X = log 100 + log inflation + N(0, 0.2^2): exactly normal
    expected = stats.norm(math.log(105), math.hypot(0.1, 0.2))
    assert stats.kstest(np.log(x), expected.cdf).pvalue > 1e-3
    # point: the mean of the lognormal at the median's point value (100 x E[inflation])
    point = 100 * 1.05 * math.exp(0.1**2 / 2)
    assert sc.parameters["x"].point == pytest.approx(point * math.exp(0.2**2 / 2))
    assert oz.point(sc).values["y"] == pytest.approx(point * math.exp(0.2**2 / 2))


def test_expression_arguments_and_every_argument_set() -> None:
    sc = scenario('a = { dist = "uniform", min = 1, max = 3 }\nb = 2\n'
                  'x = { dist = "gamma", mean = "2 * a + b", sd = "max(a, 1.5)" }\n'
                  'c = { dist = "normal", ci = ["a", "a + 4"] }\n'
                  'd = { dist = "pert", min = "a", mode = "a + 1", max = "a + 5" }',
                  'y = "x"\nz = "c + d"')
    s = samples(sc)
    assert within_mcse(s["x"], 2 * 2 + 2)  # E[E[X | a]] = E[2a + b]
    assert within_mcse(s["c"], 2 + 2)
    assert within_mcse(s["d"], 2 + (0 + 4 * 1 + 5) / 6)  # PERT mean (min + 4 mode + max) / 6
    assert sc.parameters["x"].point == pytest.approx(6.0)


FAMILIES = [
    ("normal", "mean = 'k * 3', sd = 'k * 2'"),
    ("normal", "ci = ['k * 1', 'k * 5']"),
    ("lognormal", "mean = 'k * 3', sd = 'k * 2'"),
    ("lognormal", "median = 'k * 3', sigma = 'k * 0.5'"),
    ("lognormal", "ci = ['k * 1', 'k * 5']"),
    ("uniform", "min = 'k', max = 'k * 4'"),
    ("triangular", "min = 'k', mode = 'k * 2', max = 'k * 4'"),
    ("pert", "min = 'k', mode = 'k * 2', max = 'k * 4', lambda = 'k * 3'"),
    ("beta", "alpha = 'k * 2', beta = 'k * 5'"),
    ("beta", "successes = 'k * 3', trials = 'k * 10'"),
    ("beta", "mean = 'k * 0.3', sd = 'k * 0.1'"),
    ("gamma", "shape = 'k * 2', scale = 'k * 3'"),
    ("gamma", "mean = 'k * 3', sd = 'k * 2'"),
    ("normal", "mean = 'k * 3', sd = 'k * 2', lower = 2, upper = 6"),
]


@pytest.mark.parametrize(("family", "args"), FAMILIES, ids=[f"{f} {a}" for f, a in FAMILIES])
def test_per_row_draws_match_the_constant_distribution(family: str, args: str) -> None:
    # with k = 1 every row has the same arguments: draws must follow the constant distribution
    sc = scenario(f'k = 1\nx = {{ dist = "{family}", {args} }}')
    x = samples(sc, n=20_000)["x"]
    constant = scenario(f'x = {{ dist = "{family}", {args.replace("k * ", "").replace("k", "1")}'
                        ' }').parameters["x"].dist
    assert sc.parameters["x"].dist == constant
    assert stats.kstest(x, constant.cdf).pvalue > 1e-3


@pytest.mark.parametrize(("family", "args", "mean"), [
    ("poisson", "mean = 'k * 3'", 3.0), ("binomial", "n = 'k * 10', p = 'k * 0.3'", 3.0),
    ("bernoulli", "p = 'k * 0.3'", 0.3), ("fixed", "value = 'k * 3'", 3.0),
])
def test_per_row_discrete_draws(family: str, args: str, mean: float) -> None:
    x = samples(scenario(f'k = 1\nx = {{ dist = "{family}", {args} }}'), n=20_000)["x"]
    assert np.array_equal(x, np.round(x))
    if family == "fixed":
        assert (x == 3.0).all()
    else:
        assert within_mcse(x, mean)


def test_invalid_rows_give_nan_and_are_counted() -> None:
    sc = scenario('s = { dist = "normal", mean = 0.1, sd = 0.1 }\n'
                  'x = { dist = "normal", mean = 5, sd = "s" }\n'
                  'b = { dist = "beta", mean = "s * 5", sd = 0.05 }', 'y = "x"\nz = "b"')
    result = oz.simulate(sc, iterations=N, seed=SEED, threads=1)
    s = np.asarray(result.samples["s"])
    x, b = np.asarray(result.samples["x"]), np.asarray(result.samples["b"])
    assert np.array_equal(np.isnan(x), s <= 0)  # sd <= 0: that row is nan, the others drawn
    m = 5 * s  # a beta mean must lie in 0..1 and 0.05^2 < m (1 - m)
    assert np.array_equal(np.isnan(b), ~((m * (1 - m) > 0.05**2) & (m > 0) & (m < 1)))
    share = float(stats.norm.cdf(0, 0.1, 0.1))
    summary = result.summary_of("y")
    assert summary.nonfinite == int(np.count_nonzero(s <= 0))
    assert abs(summary.nonfinite / N - share) < 4 * math.sqrt(share * (1 - share) / N)


def test_truncation_with_per_row_arguments_rejects_and_gives_up_with_nan() -> None:
    sc = scenario('m = { dist = "uniform", min = 0, max = 60, point = 15 }\n'
                  'x = { dist = "normal", mean = "m", sd = 1, lower = 10, upper = 20 }')
    s = samples(sc, n=20_000)
    m, x = s["m"], s["x"]
    finite = np.isfinite(x)
    assert ((x[finite] >= 10) & (x[finite] <= 20)).all()
    # rows whose normal keeps a fair share inside [10, 20] are all drawn; hopeless ones are nan
    assert finite[(m > 9) & (m < 21)].all()
    assert not finite[(m > 40)].any()


def test_cycle_through_distribution_arguments_is_reported() -> None:
    with pytest.raises(ScenarioError, match=r"parameters\.[ab]: circular definition: "
                                            r"(a -> b -> a|b -> a -> b)"):
        scenario('a = { dist = "normal", mean = "b", sd = 1 }\n'
                 'b = { dist = "normal", mean = "a", sd = 1 }')
    with pytest.raises(ScenarioError, match="circular definition"):
        scenario('a = { dist = "normal", mean = "c", sd = 1 }\nc = "a * 2"')


def test_arguments_may_not_use_outputs_or_unknown_names() -> None:
    with pytest.raises(ScenarioError, match=r"parameters\.x\.mean: 'total' in 'total' is an "
                                            r"output; distribution arguments may use parameters "
                                            r"only \(did you mean 'totals'"):
        scenario('totals = 3\nx = { dist = "normal", mean = "total", sd = 1 }',
                 'total = "totals * 2"')
    with pytest.raises(ScenarioError, match=r"parameters\.x\.sd: unknown name 'spread' in "
                                            r"argument 'spread \* 2' \(did you mean 'spreads'"):
        scenario('spreads = 3\nx = { dist = "normal", mean = 1, sd = "spread * 2" }')


@pytest.mark.parametrize(("spec", "message"), [
    ('{ dist = "beta", ci = ["a", 0.5] }', r"parameters\.x\.ci: the bounds of a beta ci"),
    ('{ dist = "discrete", values = [1, 2], weights = ["a", 1] }', r"parameters\.x\.weights: "
     r"weights must be a non-empty list of numbers"),
    ('{ dist = "normal", mean = "a", sd = 1, lower = "a" }', r"parameters\.x\.lower: lower "
     r"must be a number"),
    ('{ dist = "normal", mean = "a +", sd = 1 }', r"parameters\.x\.mean: in expression"),
    ('{ dist = "normal", mean = "a", sd = "a - 0.3" }', r"parameters\.x\.sd: at the point "
     r"values of its arguments \(mean = 0\.2, sd = -0\.1\): sd must be greater than 0"),
    ('{ dist = "normal", mean = "a", sdd = 1 }', r"parameters\.x\.sdd: 'sdd' is not an "
     r"argument of normal"),
])
def test_bad_uncertain_arguments(spec: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        scenario(f'a = 0.2\nx = {spec}')


def test_hierarchical_parameters_cannot_be_rank_correlated() -> None:
    with pytest.raises(ScenarioError, match="'x' has uncertain arguments and cannot be "
                                            "rank-correlated"):
        scenario('a = { dist = "normal", mean = 0, sd = 1 }\n'
                 'b = { dist = "normal", mean = 0, sd = 1 }\n'
                 'x = { dist = "normal", mean = "a", sd = 1 }', 'y = "x + b"',
                 '[correlations]\npairs = [["x", "b", 0.5]]')


def test_reproducible_across_threads_and_chunks() -> None:
    sc = scenario('m = { dist = "beta", mean = 0.3, sd = 0.1 }\n'
                  'x = { dist = "beta", mean = "m", sd = 0.05, zero = 0.1 }\n'
                  'v = { dist = "gamma", mean = "10 * x + 1", sd = 2, upper = 12 }\n'
                  'w = "v * 2"\nu = { dist = "poisson", mean = "w" }', 'y = "u + x"')
    runs = [oz.simulate(sc, iterations=90_000, seed=9, threads=t, chunk_blocks=c).data
            for t, c in ((1, 4), (2, 1), (2, 3))]
    assert np.array_equal(runs[0], runs[1], equal_nan=True)
    assert np.array_equal(runs[0], runs[2], equal_nan=True)
    plan = build_plan(sc)
    assert [int(k) for k, _, _ in plan.program.steps].count(STEP_DRAW) == 3


def test_other_draws_unchanged_by_making_a_parameter_hierarchical() -> None:
    plain = scenario('m = 0.3\nother = { dist = "normal", mean = 0, sd = 1 }\n'
                     'x = { dist = "beta", mean = 0.3, sd = 0.05 }', 'y = "x + other"')
    hier = scenario('m = 0.3\nother = { dist = "normal", mean = 0, sd = 1 }\n'
                    'x = { dist = "beta", mean = "m", sd = 0.05 }', 'y = "x + other"')
    a, b = samples(plain, n=20_000), samples(hier, n=20_000)
    assert np.array_equal(a["other"], b["other"])  # streams per (seed, name, block)


def test_hierarchical_success_rate_in_the_per_case_model() -> None:
    text = (SCENARIOS / "schiedam.toml").read_text()
    start = text.index("[success]\nrate = ")
    line_end = text.index("\n", start + 10)
    uncertain = (text[:start] + '[success]\nrate = { dist = "beta", mean = "mean_rate", '
                 'sd = 0.05 }' + text[line_end:])
    uncertain = uncertain.replace("[parameters]\n", "[parameters]\nmean_rate = { dist = "
                                  '"beta", mean = 0.77, sd = 0.04 }\n', 1)
    expression = (text[:start] + '[success]\nrate = "0.77 + 0 * price_level"'
                  + text[line_end:])
    fixed = text[:start] + "[success]\nrate = 0.77" + text[line_end:]
    sc = oz.loads(uncertain)
    result = oz.simulate(sc, iterations=20_000, seed=SEED, threads=1)
    rate = np.asarray(result.samples["success.rate"])
    assert within_mcse(rate, 0.77)
    assert np.isfinite(result["savings_per_case"]).all()
    # an expression success rate is evaluated before the per-case model reads it
    with_expression = oz.simulate(oz.loads(expression), iterations=20_000, seed=SEED, threads=1)
    with_number = oz.simulate(oz.loads(fixed), iterations=20_000, seed=SEED, threads=1)
    assert np.array_equal(with_expression["savings_per_case"], with_number["savings_per_case"])
