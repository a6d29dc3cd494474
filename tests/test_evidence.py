"""``[[evidence]]``: conjugate posteriors reproduced by the run, importance resampling checked
against the conjugate answer, the ESS refusal, ``--prior``, and load errors.

Tolerances: a sample mean is compared with the exact posterior mean within 4 MCSEs, the MCSE
being ``sd / sqrt(N)`` for independent conjugate draws and ``sd / sqrt(ESS)`` after importance
resampling (the resampled rows are worth about ESS independent draws; systematic resampling adds
less noise than that). A sample sd is compared within 4 of its standard error
``sd / sqrt(2 N)`` (normal approximation). Seeds are fixed.
"""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid.cli import app
from onzekerheid.errors import ScenarioError
from onzekerheid.scenario.loader import from_dict

N = 40_000
SCENARIOS = Path(__file__).parent.parent / "scenarios"

PRIORS = """
[scenario]
title = "evidence"
[parameters]
rate = { dist = "beta", alpha = 2, beta = 3 }
level = { dist = "normal", mean = 10, sd = 4 }
bias = { dist = "lognormal", median = 0.8, sigma = 0.25 }
[outputs]
net_benefit = "1000 * rate * bias + level - 500"
[claim]
net_benefit = 100
"""
BINOMIAL = """
[[evidence]]
parameter = "rate"
likelihood = "binomial"
successes = 41
trials = 50
"""
NORMAL = """
[[evidence]]
parameter = "level"
likelihood = "normal"
observations = [12.0, 15.5, 9.0]
sd = 3
"""
LOG = """
[[evidence]]
parameter = "bias"
likelihood = "normal"
scale = "log"
observations = [-0.31, -0.05, -0.42, 0.10]
sd = 0.3
"""


def run(text: str, n: int = N, **options: Any) -> Any:
    return oz.simulate(oz.scenario.loads(text), n, seed=4, **options)


def close(sample: np.ndarray, mean: float, sd: float, draws: float) -> None:
    assert abs(sample.mean() - mean) < 4 * sd / math.sqrt(draws)
    assert abs(sample.std(ddof=1) - sd) < 4 * sd / math.sqrt(2 * draws)


def test_beta_binomial_posterior_is_reproduced_by_the_run():
    result = run(PRIORS + BINOMIAL)
    a, b = 2 + 41, 3 + 9
    mean, sd = a / (a + b), math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    close(result["rate"], mean, sd, N)
    entry = result.to_json()["evidence"]["rate"]
    assert entry["prior_mean"] == pytest.approx(0.4)
    assert entry["posterior_mean"] == pytest.approx(mean)
    assert entry["posterior_sd"] == pytest.approx(sd)
    assert entry["effective_sample_size"] == N


def test_normal_normal_posterior_is_reproduced_by_the_run():
    result = run(PRIORS + NORMAL)
    precision = 1 / 16 + 3 / 9
    mean = (10 / 16 + 3 * (36.5 / 3) / 9) / precision
    close(result["level"], mean, math.sqrt(1 / precision), N)
    assert result.to_json()["evidence"]["level"]["posterior_mean"] == pytest.approx(mean)


def test_log_scale_update_of_a_lognormal_is_reproduced_by_the_run():
    result = run(PRIORS + LOG)
    precision = 1 / 0.25**2 + 4 / 0.3**2
    mu = (math.log(0.8) / 0.25**2 + 4 * (-0.68 / 4) / 0.3**2) / precision
    close(np.log(result["bias"]), mu, math.sqrt(1 / precision), N)
    entry = result.to_json()["evidence"]["bias"]
    assert entry["posterior_mean"] == pytest.approx(math.exp(mu + 0.5 / precision))


def test_importance_resampling_agrees_with_the_conjugate_answer():
    # an upper bound of 1 changes nothing in a beta, but makes it non-conjugate here
    text = PRIORS.replace('rate = { dist = "beta", alpha = 2, beta = 3 }',
                          'rate = { dist = "beta", alpha = 2, beta = 3, upper = 1 }') + BINOMIAL
    result = run(text)
    entry = result.to_json()["evidence"]["rate"]
    assert entry["method"] == "importance resampling"
    ess = entry["effective_sample_size"]
    assert 0.05 * N < ess < N
    a, b = 2 + 41, 3 + 9
    mean, sd = a / (a + b), math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    assert abs(result["rate"].mean() - mean) < 4 * sd / math.sqrt(ess)
    assert abs(entry["posterior_mean"] - mean) < 4 * sd / math.sqrt(ess)
    assert abs(entry["posterior_sd"] - sd) < 4 * sd / math.sqrt(2 * ess)


def test_importance_resampling_is_the_same_on_one_thread_or_many():
    text = PRIORS.replace("beta = 3 }", "beta = 3, upper = 1 }", 1) + BINOMIAL
    one = run(text, 20_000, threads=1, store="outputs")
    two = run(text, 20_000, threads=2, store="outputs")
    assert np.array_equal(one.data, two.data)
    assert one.columns == two.columns == ("net_benefit",)  # the weighted column is dropped


def test_a_collapsed_effective_sample_size_is_refused():
    text = PRIORS.replace('rate = { dist = "beta", alpha = 2, beta = 3 }',
                          'rate = { dist = "pert", min = 0.3, mode = 0.4, max = 0.5 }')
    with pytest.raises(ScenarioError, match=r"effective sample size \d+ of 5,000 iterations"):
        run(text + BINOMIAL, 5_000)


def test_the_cli_refuses_with_exit_2_and_runs_with_prior(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(PRIORS.replace('rate = { dist = "beta", alpha = 2, beta = 3 }',
                                   'rate = { dist = "pert", min = 0.3, mode = 0.4, max = 0.5 }')
                    + BINOMIAL)
    refused = CliRunner().invoke(app, ["run", str(path), "-n", "5000"])
    assert refused.exit_code == 2
    assert "effective sample size" in refused.output and "conjugate prior" in refused.output
    allowed = CliRunner().invoke(app, ["run", str(path), "-n", "5000", "--prior", "--json"])
    assert allowed.exit_code == 0, allowed.output
    entry = json.loads(allowed.output)["evidence"]["rate"]
    assert entry["applied"] is False and entry["posterior_mean"] is None


def test_prior_runs_the_scenario_without_its_evidence():
    without = oz.scenario.loads(PRIORS)
    prior = from_dict(tomllib.loads(PRIORS + BINOMIAL), prior=True)  # the parsed file
    a = oz.simulate(prior, 5_000, seed=2, store="outputs")
    b = oz.simulate(without, 5_000, seed=2, store="outputs")
    assert np.array_equal(a.data, b.data)
    assert prior.parameters["rate"].dist == without.parameters["rate"].dist


def test_the_claim_moves_with_the_data(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(PRIORS + BINOMIAL)
    docs = [json.loads(CliRunner().invoke(app, ["run", str(path), "-n", "20000", "--json",
                                                *flag]).output) for flag in ([], ["--prior"])]
    posterior, prior = (d["outputs"]["net_benefit"]["claim_percentile"] for d in docs)
    assert posterior < prior  # 41 of 50 raises the rate: the claim is more likely to hold


def test_a_set_value_replaces_the_evidence_on_it():
    scenario = oz.scenario.loads(PRIORS + BINOMIAL, overrides={"rate": 0.5})
    assert scenario.evidence == ()
    assert scenario.parameters["rate"].kind == "fixed"


def test_analyses_refuse_evidence_that_needs_resampling(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(PRIORS.replace("beta = 3 }", "beta = 3, upper = 1 }", 1) + BINOMIAL)
    result = CliRunner().invoke(app, ["voi", str(path), "-n", "2000"])
    assert result.exit_code == 2
    assert "importance resampling" in result.output and "--prior" in result.output
    assert CliRunner().invoke(app, ["voi", str(path), "-n", "2000", "--prior"]).exit_code == 0


def test_the_shipped_monitoring_example_updates_both_parameters():
    scenario = oz.load(SCENARIOS / "schiedam_monitoring.toml")
    methods = {u.parameter: u.method for u in scenario.evidence}
    assert methods == {"success.rate": "conjugate beta-binomial",
                       "bias.systematic": "conjugate normal-normal on the log scale"}
    assert "ILLUSTRATIVE" in (SCENARIOS / "schiedam_monitoring.toml").read_text()
    prior = oz.load(SCENARIOS / "schiedam_monitoring.toml", prior=True)
    assert prior.parameters["success.rate"].dist == oz.load(
        SCENARIOS / "schiedam.toml").parameters["success.rate"].dist


@pytest.mark.parametrize(("entry", "message"), [
    ('parameter = "rate"\nlikelihood = "binomial"\nsuccesses = 5\ntrials = 4',
     "successes .0..trials."),
    ('parameter = "rate"\nlikelihood = "binomial"\nsuccesses = 5', "whole numbers"),
    ('parameter = "rat"\nlikelihood = "binomial"\nsuccesses = 1\ntrials = 4',
     "did you mean 'rate'"),
    ('parameter = "rate"\nlikelihood = "gamma"\nsuccesses = 1\ntrials = 4', "unknown likelihood"),
    ('parameter = "level"\nlikelihood = "binomial"\nsuccesses = 1\ntrials = 4', "need a share"),
    ('parameter = "level"\nlikelihood = "normal"\nobservations = [1.0]', "sd .the noise"),
    ('parameter = "level"\nlikelihood = "normal"\nobservations = []\nsd = 1', "non-empty list"),
    ('parameter = "level"\nlikelihood = "normal"\nobservations = [1.0]\nsd = 1\n'
     'scale = "log"', "needs a positive parameter"),
    ('parameter = "level"\nlikelihood = "normal"\nobservations = [1.0]\nsd = 1\ntrials = 3',
     "belongs to binomial data"),
    ('parameter = "rate"\nlikelihood = "binomial"\nsuccesses = 1\ntrials = 4\nsd = 1',
     "belongs to normal data"),
    ('parameter = "rate"\nlikelihood = "binomial"\nsuccesses = 1\ntrials = 4\ncount = 1',
     "unknown key 'count'"),
    ('parameter = "fixed_one"\nlikelihood = "binomial"\nsuccesses = 1\ntrials = 4',
     "not a random parameter"),
])
def test_bad_evidence_is_a_load_error_with_the_key_path(entry, message):
    text = PRIORS.replace("[outputs]", "fixed_one = 0.5\n[outputs]")
    with pytest.raises(ScenarioError, match=message) as caught:
        oz.scenario.loads(text + "[[evidence]]\n" + entry)
    assert "evidence.0" in str(caught.value)


def test_sweep_and_compare_refuse_evidence_that_needs_resampling(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(PRIORS.replace("beta = 3 }", "beta = 3, upper = 1 }", 1) + BINOMIAL
                    + '[variants.a]\nlevel = 5\n[variants.b]\nlevel = 15\n')
    swept = CliRunner().invoke(app, ["sweep", str(path), "--vary", "level=1,2", "-n", "500"])
    assert swept.exit_code == 2 and "sweep cannot" in swept.output
    compared = CliRunner().invoke(app, ["compare", str(path), "-n", "500"])
    assert compared.exit_code == 2 and "compare cannot" in compared.output
