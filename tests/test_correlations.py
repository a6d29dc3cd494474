"""Rank correlations: reached within sampling error, marginals exact, impossible ones refused.

Tolerance for a reached Spearman correlation: 4 standard errors, ``(1 - r^2) sqrt(1.06 / n)``
(Fieller et al. 1957).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import onzekerheid as oz

BASE = """
[scenario]
title = "correlated"
[parameters]
a = { dist = "lognormal", median = 1, sigma = 1 }
b = { dist = "normal", mean = 0, sd = 1 }
c = { dist = "uniform", min = 0, max = 1 }
d = { dist = "poisson", mean = 4 }
fixed = 3
[outputs]
y = "a + b + c + d + fixed"
"""
PAIRS = BASE + """
[correlations]
pairs = [["a", "b", 0.6], ["b", "c", -0.3], ["a", "d", 0.4]]
"""


def test_imposed_rank_correlations_are_reached_within_sampling_error():
    n = 2**16
    result = oz.simulate(oz.loads(PAIRS), n, seed=1)
    x = result.samples[["a", "b", "c", "d"]].to_numpy()
    reached = stats.spearmanr(x).statistic
    target = np.eye(4)
    target[0, 1] = target[1, 0] = 0.6
    target[1, 2] = target[2, 1] = -0.3
    target[0, 3] = target[3, 0] = 0.4
    se = (1 - target**2) * math.sqrt(1.06 / n)
    # d is a Poisson count: ties lower its attainable rank correlation a little
    se[:, 3] += 0.02
    se[3, :] += 0.02
    assert np.all(np.abs(reached - target) <= 4 * se)


def test_marginals_are_preserved_exactly_and_runs_are_thread_independent():
    n = 40_000
    plain = oz.simulate(oz.loads(BASE), n, seed=2)
    correlated = oz.simulate(oz.loads(PAIRS), n, seed=2, threads=2, chunk_blocks=1)
    again = oz.simulate(oz.loads(PAIRS), n, seed=2, threads=1, chunk_blocks=3)
    np.testing.assert_array_equal(correlated.data, again.data)
    for name in ("a", "b", "c", "d"):
        np.testing.assert_array_equal(np.sort(plain[name]), np.sort(correlated[name]))
    assert not np.array_equal(plain["b"], correlated["b"])


def test_matrix_form_equals_pairs_form():
    matrix = BASE + """
[correlations]
names = ["a", "b"]
matrix = [[1, 0.5], [0.5, 1]]
"""
    pairs = BASE + '[correlations]\npairs = [["a", "b", 0.5]]\n'
    one = oz.simulate(oz.loads(matrix), 20_000, seed=3)
    two = oz.simulate(oz.loads(pairs), 20_000, seed=3)
    np.testing.assert_array_equal(one.data, two.data)


def test_impossible_correlations_are_a_load_error_naming_the_pair():
    text = BASE + """
[correlations]
pairs = [["a", "b", 0.9], ["b", "c", 0.9], ["a", "c", -0.9]]
"""
    with pytest.raises(oz.ScenarioError, match=r"not positive semi-definite.*the pair \w - \w"):
        oz.loads(text)


@pytest.mark.parametrize(("section", "message"), [
    ('pairs = [["a", "zz", 0.5]]', "'zz' is not a parameter"),
    ('pairs = [["a", "fixed", 0.5]]', "'fixed' is fixed, not random"),
    ('pairs = [["a", "b", 1.5]]', "must lie in -1..1"),
    ('pairs = [["a", "a", 0.5]]', "paired with itself"),
    ('pairs = [["a", "b", 0.5], ["b", "a", 0.2]]', "given twice"),
    ('pairs = [["a", 0.5]]', r"expected \[name, name, correlation\]"),
    ('names = ["a", "b"]\nmatrix = [[1, 0.5], [0.4, 1]]', "not symmetric"),
    ('names = ["a", "b"]\nmatrix = [[2, 0.5], [0.5, 1]]', "must be 1"),
    ('names = ["a", "b"]\nmatrix = [[1, 0.5]]', "2 rows of 2 numbers"),
    ('pair = [["a", "b", 0.5]]', "did you mean 'pairs'"),
])
def test_bad_correlations_name_the_problem(section, message):
    with pytest.raises(oz.ScenarioError, match=message):
        oz.loads(BASE + "[correlations]\n" + section + "\n")
