"""EVSI of ``[[studies]]``: closed forms, exact enumeration, bounds, the contract's JSON.

Tolerances: an EVSI estimate is compared with its exact value within 4 of its own MCSEs (the
MCSE of :mod:`onzekerheid.analysis.evsi`: the sd of the per-iteration contributions over
sqrt(N)); a fixed seed makes every test deterministic. Through the whole ``voi`` pipeline the
regression fit adds its own (small, unreported) error, so those checks allow 4 MCSEs plus 1% of
the value.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid.analysis.evsi import evsi_binomial, evsi_normal
from onzekerheid.analysis.model import model_of
from onzekerheid.analysis.voi import Scale, value_of_information
from onzekerheid.cli import app
from onzekerheid.errors import ScenarioError

SCENARIOS = Path(__file__).parent.parent / "scenarios"


def normal_normal(mu0: float, s0: float, sd: float, n: int) -> float:
    """EVSI of n observations N(theta, sd) on theta ~ N(mu0, s0), NB = theta: the posterior
    mean is N(mu0, s^2) with s^2 = s0^2 n s0^2 / (n s0^2 + sd^2) (the preposterior variance)."""
    s = math.sqrt(s0**2 * n * s0**2 / (n * s0**2 + sd**2))
    return s * stats.norm.pdf(mu0 / s) + mu0 * stats.norm.cdf(mu0 / s) - max(mu0, 0.0)


def beta_binomial(a: float, b: float, c: float, n: int) -> float:
    """EVSI of k ~ Binomial(n, theta), theta ~ Beta(a, b), NB = theta - c, by enumerating k."""
    k = np.arange(n + 1)
    p = stats.betabinom.pmf(k, n, a, b)
    return float(np.sum(p * np.maximum((a + k) / (a + b + n) - c, 0.0))
                 - max(a / (a + b) - c, 0.0))


@pytest.mark.parametrize("mu0", [0.3, -0.5])
@pytest.mark.parametrize("n", [1, 10, 100])
def test_normal_study_matches_the_closed_form(mu0, n):
    rng = np.random.default_rng(11)
    theta = rng.normal(mu0, 1.0, 50_000)
    value, mcse = evsi_normal(theta, theta, 2.0 / math.sqrt(n))
    assert abs(value - normal_normal(mu0, 1.0, 2.0, n)) < 4 * mcse


@pytest.mark.parametrize("n", [5, 50, 200])
def test_binomial_study_matches_exact_enumeration(n):
    rng = np.random.default_rng(12)
    a, b, c = 3.0, 2.0, 0.55
    theta = rng.beta(a, b, 50_000)
    value, mcse = evsi_binomial(theta, theta - c, n)
    assert abs(value - beta_binomial(a, b, c, n)) < 4 * mcse


def test_binomial_sum_is_the_enumeration_over_the_sample():
    """For the sample's own prior the estimate is exact Bayes: it equals the brute-force sum
    over k of max(mean_j g_j p(k | theta_j), 0), to rounding."""
    rng = np.random.default_rng(13)
    theta = rng.uniform(0, 1, 500)
    g = np.sin(6 * theta) - 0.1
    n = 12
    k = np.arange(n + 1)
    pmf = stats.binom.pmf(k[None, :], n, theta[:, None])
    brute = np.maximum(g @ pmf / len(g), 0.0).sum() - max(g.mean(), 0.0)
    assert evsi_binomial(theta, g, n)[0] == pytest.approx(brute, rel=1e-10, abs=1e-14)


def test_normal_integral_is_exact_for_the_sample():
    """A wiggly g with several roots: the integral over s of max(m(s), 0) by dense quadrature."""
    rng = np.random.default_rng(14)
    t = rng.normal(0, 1, 400)
    g = np.sin(3 * t) + 0.2
    h = 0.3
    s = np.linspace(-8, 8, 16_001)
    m = (g[:, None] * stats.norm.pdf(s[None, :], t[:, None], h)).mean(axis=0)
    quadrature = np.trapezoid(np.maximum(m, 0.0), s) - max(g.mean(), 0.0)
    assert evsi_normal(t, g, h)[0] == pytest.approx(quadrature, rel=1e-5)


STUDIED = """
[scenario]
title = "a share and a log factor"
[parameters]
rate = { dist = "beta", alpha = 8, beta = 4 }
factor = { dist = "lognormal", median = 0.9, sigma = 0.3 }
noise = { dist = "normal", mean = 0, sd = 100 }
[outputs]
net_benefit = "1000 * rate * factor - 600 + noise"
[[studies]]
name = "follow_up"
parameter = "rate"
likelihood = "binomial"
sizes = [5, 20, 80, 320]
cost_per_unit = 2
fixed_cost = 50
[[studies]]
name = "validation"
parameter = "factor"
likelihood = "normal"
scale = "log"
sd = 0.5
sizes = [2, 8, 32, 128]
cost_per_unit = 1
"""


@pytest.fixture(scope="module")
def studied():
    scenario = oz.scenario.loads(STUDIED)
    return value_of_information(model_of(scenario), "net_benefit", iterations=20_000, seed=5,
                                studies=scenario.studies, scale=Scale(population=10))


def test_evsi_increases_in_n_and_stays_below_the_evppi(studied):
    doc = studied.to_json()
    for name, parameter in (("follow_up", "rate"), ("validation", "factor")):
        evsi = doc["studies"][name]["evsi"]
        assert all(b >= a - 1e-12 * abs(b) for a, b in zip(evsi, evsi[1:], strict=False))
        assert evsi[0] > 0
        assert all(v <= doc["parameters"][parameter]["evppi"] * (1 + 1e-12) for v in evsi)
    # the largest study comes close to perfect information on its parameter
    assert doc["studies"]["validation"]["evsi"][-1] > 0.8 * doc["parameters"]["factor"]["evppi"]


def test_the_contract_json_scales_like_evpi_and_subtracts_the_cost(studied):
    doc = studied.to_json()
    entry = doc["studies"]["follow_up"]
    assert set(entry) >= {"sizes", "evsi", "evsi_mcse", "enbs", "optimal_size"}
    assert entry["sizes"] == [5, 20, 80, 320]
    factor = doc["scale"]["factor"]
    assert factor == pytest.approx(10.0)
    for size, evsi, per, enbs in zip(entry["sizes"], entry["evsi"],
                                     entry["per_decision"]["evsi"], entry["enbs"], strict=True):
        assert evsi == pytest.approx(per * factor)
        assert enbs == pytest.approx(evsi - (50 + 2 * size))
    assert entry["optimal_size"] == entry["sizes"][int(np.argmax(entry["enbs"]))]
    assert entry["worth_doing"] == (max(entry["enbs"]) > 0)


NORMAL_MODEL = """
[scenario]
title = "normal-normal"
[parameters]
theta = { dist = "normal", mean = 0.3, sd = 1 }
other = { dist = "normal", mean = 0, sd = 0.5 }
[outputs]
net_benefit = "theta + other"
[[studies]]
name = "observe"
parameter = "theta"
likelihood = "normal"
sd = 2
sizes = [1, 4, 16, 64]
"""


def test_the_voi_pipeline_reproduces_the_normal_normal_closed_form():
    scenario = oz.scenario.loads(NORMAL_MODEL)
    doc = value_of_information(model_of(scenario), "net_benefit", iterations=20_000, seed=9,
                               studies=scenario.studies).to_json()
    entry = doc["studies"]["observe"]
    for n, value, mcse in zip(entry["sizes"], entry["evsi"], entry["evsi_mcse"], strict=True):
        exact = normal_normal(0.3, 1.0, 2.0, n)
        assert abs(value - exact) < 4 * mcse + 0.01 * exact


def test_voi_json_of_schiedam_has_its_three_studies():
    result = CliRunner().invoke(app, ["voi", str(SCENARIOS / "schiedam.toml"), "--output",
                                      "net_per_case_gemeente", "-n", "4000", "--json",
                                      "--population", "1000"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert list(doc["studies"]) == ["follow_up", "validation", "price_check"]
    for entry in doc["studies"].values():
        assert len(entry["evsi"]) == len(entry["sizes"]) == len(entry["enbs"]) == 5
        assert entry["optimal_size"] in entry["sizes"]


def test_a_study_of_a_parameter_fixed_by_set_is_refused():
    result = CliRunner().invoke(app, ["voi", str(SCENARIOS / "schiedam.toml"), "--output",
                                      "net_per_case_gemeente", "-n", "2000",
                                      "--set", "bias.systematic=0.8"])
    assert result.exit_code == 2
    assert "validation" in result.output and "nothing for the study to learn" in result.output


def test_the_terminal_says_what_a_study_costs_and_is_worth():
    result = CliRunner().invoke(app, ["voi", str(SCENARIOS / "schiedam.toml"), "--output",
                                      "net_per_case_gemeente", "-n", "3000"])
    assert result.exit_code == 0, result.output
    assert "validation with" in result.output and "to this decision" in result.output


BASE = """
[scenario]
title = "t"
[parameters]
rate = { dist = "beta", alpha = 8, beta = 4 }
amount = { dist = "normal", mean = 10, sd = 3 }
[outputs]
net_benefit = "rate * amount - 7"
"""


@pytest.mark.parametrize(("study", "message"), [
    ('name = "a"\nparameter = "rate"\nlikelihood = "binomial"\nsizes = [10]\nsize = 3',
     "unknown key 'size'"),
    ('name = "a"\nparameter = "rat"\nlikelihood = "binomial"\nsizes = [10]',
     "did you mean 'rate'"),
    ('name = "a"\nparameter = "rate"\nlikelihood = "poisson"\nsizes = [10]',
     "unknown likelihood"),
    ('name = "a"\nparameter = "rate"\nlikelihood = "binomial"\nsizes = [10, 0]',
     "whole number"),
    ('name = "a"\nparameter = "rate"\nlikelihood = "binomial"\nsizes = []', "non-empty"),
    ('name = "a"\nparameter = "rate"\nlikelihood = "normal"\nsizes = [10]', "needs sd"),
    ('name = "a"\nparameter = "amount"\nlikelihood = "binomial"\nsizes = [10]', "needs a share"),
    ('name = "a"\nparameter = "amount"\nlikelihood = "normal"\nsd = 1\nscale = "log"\n'
     'sizes = [10]', "needs a positive parameter"),
    ('name = "a"\nparameter = "rate"\nlikelihood = "binomial"\nsizes = [10]\n'
     'cost_per_unit = -5', "cost_per_unit must be a number >= 0"),
    ('name = "a"\nparameter = "rate"\nlikelihood = "binomial"\nsizes = [10]\nsd = 2',
     "sd and scale belong to a normal study"),
    ('parameter = "rate"\nlikelihood = "binomial"\nsizes = [10]', "a study needs 'name'"),
])
def test_bad_studies_are_load_errors_with_the_key_path(study, message):
    with pytest.raises(ScenarioError, match=message) as caught:
        oz.scenario.loads(BASE + "[[studies]]\n" + study)
    assert "studies.0" in str(caught.value)


def test_two_studies_with_one_name_are_refused():
    study = '[[studies]]\nname = "a"\nparameter = "rate"\nlikelihood = "binomial"\nsizes = [1]\n'
    with pytest.raises(ScenarioError, match="defined twice"):
        oz.scenario.loads(BASE + study + study)


def test_binomial_log_choose_stays_finite_for_large_studies():
    theta = np.random.default_rng(1).beta(50, 50, 2000)
    value, mcse = evsi_binomial(theta, theta - 0.5, 5000)
    assert np.isfinite(value) and np.isfinite(mcse)
    assert value <= np.maximum(theta - 0.5, 0).mean() - max((theta - 0.5).mean(), 0) + 1e-12


def test_study_values_are_the_same_on_one_thread_or_two():
    scenario = oz.scenario.loads(STUDIED)
    docs = [value_of_information(model_of(scenario), "net_benefit", iterations=4_000, seed=5,
                                 studies=scenario.studies, threads=t).to_json()["studies"]
            for t in (1, 2)]
    assert docs[0] == docs[1]
