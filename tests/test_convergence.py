"""Convergence: --precision reaches its target reproducibly; quantile MCSE matches theory."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid.analysis.convergence import precision_of, run_to_precision
from onzekerheid.analysis.mcse import quantile_mcse
from onzekerheid.cli import app
from onzekerheid.engine.runner import BLOCK

SCHOOL = Path(__file__).parent.parent / "scenarios" / "school_jeugdzorg.toml"


def test_quantile_mcse_matches_the_asymptotic_formula():
    # sqrt(q (1 - q) / n) / f(x_q) for a standard normal; the estimate is itself noisy
    # (it rests on ~2 sqrt(n q (1-q)) order statistics), so 15% is about 4 of its own errors
    n, q = 100_000, 0.05
    x = stats.norm.rvs(size=n, random_state=1)
    expected = math.sqrt(q * (1 - q) / n) / stats.norm.pdf(stats.norm.ppf(q))
    assert quantile_mcse(x, q) == pytest.approx(expected, rel=0.15)


def test_relative_precision_uses_the_spread_for_values_near_zero():
    x = stats.norm(0, 1).rvs(10_000, random_state=2)
    p = precision_of(x, 0.9)
    assert p.mean == pytest.approx(1 / math.sqrt(10_000), rel=0.05)  # mcse / sd


def test_precision_run_equals_a_plain_run_with_the_reached_iterations():
    scenario = oz.load(SCHOOL)
    outputs = tuple(scenario.outputs)
    result, reached = run_to_precision(lambda n: oz.simulate(scenario, n, seed=4),
                                       outputs, 0.005, 10**6, 0.9)
    assert reached.reached and reached.iterations % BLOCK == 0 and reached.rounds >= 2
    assert all(p.worst <= 0.005 for p in reached.outputs.values())
    plain = oz.simulate(scenario, reached.iterations, seed=4)
    np.testing.assert_array_equal(result.data, plain.data)


def test_precision_stops_at_the_maximum_and_says_so():
    scenario = oz.load(SCHOOL)
    _, reached = run_to_precision(lambda n: oz.simulate(scenario, n, seed=4),
                                  tuple(scenario.outputs), 1e-4, 3 * BLOCK, 0.9)
    assert not reached.reached and reached.iterations == 3 * BLOCK
    doc = reached.to_json()
    assert doc["reached"] is False and doc["worst"]["relative_mcse"] > 1e-4


def test_run_command_with_precision():
    outcome = CliRunner().invoke(app, ["run", str(SCHOOL), "--precision", "0.01", "--json"])
    assert outcome.exit_code == 0, outcome.output
    doc = json.loads(outcome.stdout)
    assert doc["convergence"]["reached"] is True
    assert doc["iterations"] == doc["convergence"]["iterations"]
    assert set(doc["convergence"]["outputs"]["net_benefit"]) >= {"mean", "low", "high",
                                                                 "low_mcse", "high_mcse"}
    outcome = CliRunner().invoke(app, ["run", str(SCHOOL), "--precision", "2"])
    assert outcome.exit_code == 2 and "--precision must lie in 1e-06..1" in \
        outcome.output
