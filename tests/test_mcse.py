"""MCSE (analysis/mcse.py): the formulas, and their calibration against seed-to-seed spread.

Calibration: the reported MCSE of a statistic should equal the standard deviation of that
statistic over independent runs. We compare the root mean square of the reported MCSEs (the
mean of MCSE^2 estimates the variance without the downward bias of a mean of square roots)
with the empirical sd over replicates, for the mean, the 5% quantile, P(net >= claim) and the
sd of an output, with and without ``[correlations]`` (Iman–Conover reorders rows within a
block, which is why batch means are needed).

Replicates: rows of different engine blocks are independent (each block has its own streams),
so in the fast test one run of ``64 * BLOCK`` rows cut into groups of whole blocks gives
independent replicates, each exactly like a run of that many blocks. The slow test uses
200 separate seeds.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid.analysis import mcse
from onzekerheid.analysis.checks import evaluate_check
from onzekerheid.analysis.convergence import MIN_BATCHES, run_to_precision
from onzekerheid.analysis.summary import summarize
from onzekerheid.cli import app
from onzekerheid.engine.runner import BLOCK
from onzekerheid.scenario.checks import parse_check

CLAIM = 300.0
SCENARIO = f"""
[scenario]
title = "calibration"
[parameters]
savings = {{ dist = "lognormal", ci = [600, 1700] }}
costs = {{ dist = "gamma", mean = 900, sd = 250 }}
[outputs]
net = "savings - costs"
[claim]
net = {CLAIM}
"""
CORRELATED = SCENARIO + '[correlations]\npairs = [["savings", "costs", 0.8]]\n'


def _statistics(y: np.ndarray, batch: int) -> tuple[list[float], list[float]]:
    values = [float(y.mean()), float(np.quantile(y, 0.05)), float(np.mean(y >= CLAIM)),
              float(y.std(ddof=1))]
    errors = [mcse.mean_mcse(y, batch), mcse.quantile_mcse(y, 0.05, batch),
              mcse.probability_mcse(y, y >= CLAIM, batch), mcse.sd_mcse(y, batch)]
    return values, errors


def _ratios(replicates: list[np.ndarray], batch: int) -> np.ndarray:
    """RMS reported MCSE / empirical sd over replicates, per statistic."""
    found = [_statistics(y, batch) for y in replicates]
    values = np.array([v for v, _ in found])
    errors = np.array([e for _, e in found])
    return np.sqrt(np.mean(errors**2, axis=0)) / values.std(axis=0, ddof=1)


@pytest.mark.parametrize("text", [SCENARIO, CORRELATED], ids=["independent", "correlated"])
def test_mcse_is_calibrated_fast(text: str) -> None:
    # 32 replicates of 2 blocks from one run. The log of the ratio has standard error about
    # sqrt(1 / (2 (G - 1)) + 1 / (2 G (b - 1))) = 0.18 for G = 32 replicates of b = 2 batches
    # (the sd of an sd estimate with G - 1 degrees of freedom, and the RMS of G batch-means
    # variances with b - 1 each; independent rows have far more than 1, so this bounds them):
    # 3 standard errors, 0.54. The naive sd / sqrt(n) with these correlations is 2.2 times too
    # small (log 0.8), so the test can fail.
    scenario = oz.loads(text)
    result = oz.simulate(scenario, 64 * BLOCK, seed=3, threads=1)
    batch = result.batch
    assert batch == (BLOCK if "correlations" in text else 1)
    replicates = list(result["net"].reshape(32, 2 * BLOCK))
    ratios = _ratios(replicates, batch)
    tolerance = 3 * math.sqrt(1 / (2 * 31) + 1 / (2 * 32))
    assert np.all(np.abs(np.log(ratios)) < tolerance), ratios
    if batch > 1:  # the test's power: the same rows treated as independent fail it
        assert np.log(_ratios(replicates, 1)[0]) < -tolerance


@pytest.mark.slow
@pytest.mark.parametrize("text", [SCENARIO, CORRELATED], ids=["independent", "correlated"])
def test_mcse_is_calibrated_over_200_seeds(text: str) -> None:
    # 200 runs of 8 blocks: the empirical sd has relative error 1/sqrt(2 * 199) = 5%, the RMS
    # of 200 batch-means MCSEs with 7 degrees of freedom about 2%; 15% is about 2.8 of them.
    scenario = oz.loads(text)
    runs = [oz.simulate(scenario, 8 * BLOCK, seed=seed, threads=1) for seed in range(200)]
    ratios = _ratios([r["net"] for r in runs], runs[0].batch)
    assert np.all(np.abs(ratios - 1) < 0.15), ratios


def test_batch_means_with_one_row_per_batch_is_the_classical_formula() -> None:
    x = stats.norm.rvs(size=5_000, random_state=1)
    assert mcse.mean_mcse(x) == pytest.approx(x.std(ddof=1) / math.sqrt(x.size), rel=1e-12)
    assert mcse.mean_mcse(x, 1) == pytest.approx(mcse.variance_of_mean(
        x, np.arange(x.size)) ** 0.5, rel=1e-9)


def test_batch_means_is_the_cluster_robust_variance() -> None:
    x = np.array([1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 5.0, np.nan])
    # batches of 3 rows: sums 6, 33, 5 (the nan left out), sizes 3, 3, 1, mean 44 / 7
    z_bar = 44 / 7
    resid = np.array([6 - 3 * z_bar, 33 - 3 * z_bar, 5 - z_bar])
    expected = math.sqrt(3 / 2 * np.sum(resid**2) / 7**2)
    assert mcse.mean_mcse(x, 3) == pytest.approx(expected, rel=1e-12)
    assert math.isnan(mcse.mean_mcse(x[:3], 3))  # one batch: no estimate


def test_a_probability_at_zero_or_one_gets_the_rule_of_three() -> None:
    x = np.arange(1.0, 2001.0)
    assert mcse.probability_mcse(x, x > 0) == pytest.approx(3 / (2 * 2000))
    assert mcse.probability_mcse(x, x < 0, BLOCK) == pytest.approx(3 / (2 * 2000))
    s = summarize(x, claim=0.5)
    assert s.p_positive == 1 and s.p_positive_mcse == pytest.approx(7.5e-4)
    assert s.claim_percentile == 0 and s.claim_percentile_mcse == pytest.approx(7.5e-4)
    outcome = evaluate_check(parse_check("P(x > 0) >= 0.99"), x)
    assert outcome.mcse == pytest.approx(7.5e-4)


def test_sd_mcse_follows_the_fourth_moment() -> None:
    # lognormal sigma = 0.5: the normal-theory s / sqrt(2 (n - 1)) is too small; compare with
    # the empirical spread over 400 samples (the sd of an sd with 399 df: 3.5%, 15% is 4 of them)
    rng = np.random.default_rng(5)
    samples = rng.lognormal(0.0, 0.5, size=(400, 2_000))
    sds = samples.std(axis=1, ddof=1)
    reported = np.array([mcse.sd_mcse(row) for row in samples])
    assert np.sqrt(np.mean(reported**2)) == pytest.approx(sds.std(ddof=1), rel=0.15)
    normal_theory = sds.mean() / math.sqrt(2 * 1_999)
    assert normal_theory < 0.8 * sds.std(ddof=1)


def test_quantile_mcse_under_batches_uses_the_fraction_below() -> None:
    # with batch = 1 the batch rule and the binomial rule give the same ranks
    x = stats.norm.rvs(size=20_000, random_state=4)
    assert mcse.quantile_mcse(x, 0.05) == mcse.quantiles_with_mcse(x, [0.05])[0][1]
    assert math.isnan(mcse.quantile_mcse(x[:BLOCK], 0.05, BLOCK))  # one block


def test_precision_with_correlations_waits_for_enough_blocks() -> None:
    # a loose target that two blocks would meet: batch means from 2 blocks has 1 degree of
    # freedom, so --precision runs at least MIN_BATCHES blocks before it trusts the MCSE
    scenario = oz.loads(CORRELATED)
    result, reached = run_to_precision(lambda n: oz.simulate(scenario, n, seed=2, threads=1),
                                       ("net",), 0.05, 10**6, 0.9)
    assert reached.reached and reached.iterations >= MIN_BATCHES * BLOCK
    assert result.summary_of("net").mcse == pytest.approx(mcse.mean_mcse(result["net"], BLOCK))


def test_run_says_why_the_mcse_is_missing_with_one_block(tmp_path) -> None:
    path = tmp_path / "corr.toml"
    path.write_text(CORRELATED)
    outcome = CliRunner().invoke(app, ["run", str(path), "-n", "10000"],
                                 env={"COLUMNS": "200"})
    assert outcome.exit_code == 0 and "needs at least two: use -n 32768" in outcome.output
    doc = json.loads(CliRunner().invoke(app, ["run", str(path), "-n", "10000", "--json"]).stdout)
    assert doc["outputs"]["net"]["mcse"] is None and doc["outputs"]["net"]["mean"] is not None


RESAMPLED = """
[scenario]
title = "evidence by importance resampling"
[parameters]
rate = { dist = "pert", min = 0.1, mode = 0.5, max = 0.9 }
cost = { dist = "gamma", mean = 100, sd = 30 }
[outputs]
net = "1000 * rate - cost"
[[evidence]]
parameter = "rate"
likelihood = "binomial"
successes = 14
trials = 20
"""


def test_importance_resampled_runs_use_batch_means(tmp_path) -> None:
    # a pert prior is not conjugate to binomial data: the run is resampled, rows repeat;
    # under --prior nothing is resampled and rows are independent again
    path = tmp_path / "evidence.toml"
    path.write_text(RESAMPLED)
    assert oz.simulate(oz.load(path), 2_000, seed=1).batch == BLOCK
    assert oz.simulate(oz.load(path, prior=True), 2_000, seed=1).batch == 1
    conjugate = RESAMPLED.replace('{ dist = "pert", min = 0.1, mode = 0.5, max = 0.9 }',
                                  '{ dist = "beta", alpha = 2, beta = 2 }')
    assert oz.simulate(oz.loads(conjugate), 2_000, seed=1).batch == 1


@pytest.mark.slow
def test_mcse_is_calibrated_after_importance_resampling() -> None:
    # 100 seeds of 4 blocks: the empirical sd has relative error 7%; sd / sqrt(n) gives 0.78
    scenario = oz.loads(RESAMPLED)
    runs = [oz.simulate(scenario, 4 * BLOCK, seed=seed, threads=1) for seed in range(100)]
    means = [r["net"].mean() for r in runs]
    rms = np.sqrt(np.mean([r.summary_of("net").mcse ** 2 for r in runs]))
    assert abs(rms / np.std(means, ddof=1) - 1) < 0.2
