"""Value of information: EVPI and EVPPI against closed forms for normal net benefits.

For ``NB ~ N(mu, sigma^2)``: ``EVPI = mu Phi(mu / sigma) + sigma phi(mu / sigma) - max(mu, 0)``.
For ``NB = a + b`` with independent normals, ``E[NB | a] = a + E[b] ~ N(mu, sd_a^2)``, so
``EVPPI(a)`` is the same formula with ``sigma = sd_a``. EVPI is checked within 4 of its own
MCSEs; EVPPI within 10% (the acceptance criterion; regression error at n = 40,000 is ~2%).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid.analysis import mcse
from onzekerheid.analysis.model import model_of, sample
from onzekerheid.analysis.voi import Scale, evpi, value_of_information
from onzekerheid.cli import app
from onzekerheid.engine.runner import BLOCK

MU_A, SD_A, SD_B, SD_C = 100.0, 300.0, 200.0, 50.0
ADDITIVE = f"""
[scenario]
title = "additive normal net benefit"
[parameters]
a = {{ dist = "normal", mean = {MU_A}, sd = {SD_A} }}
b = {{ dist = "normal", mean = 0, sd = {SD_B} }}
c = {{ dist = "normal", mean = 0, sd = {SD_C} }}
[outputs]
net_benefit = "a + b + c"
"""


def closed_form(mu: float, sigma: float) -> float:
    z = mu / sigma
    return mu * stats.norm.cdf(z) + sigma * stats.norm.pdf(z) - max(mu, 0.0)


@pytest.fixture(scope="module")
def result():
    groups = {"ab": ["a", "b"], "abc": ["a", "b", "c"], "bc": ["b", "c"]}
    return value_of_information(model_of(oz.loads(ADDITIVE)), "net_benefit", groups=groups,
                                iterations=40_000, seed=1)


def test_evpi_of_a_normal_net_benefit_matches_closed_form(result):
    sigma = float(np.sqrt(SD_A**2 + SD_B**2 + SD_C**2))
    assert abs(result.evpi - closed_form(MU_A, sigma)) <= 4 * result.evpi_mcse


@pytest.mark.parametrize("mu", [-150.0, 0.0, 80.0])
def test_evpi_function_on_exact_normal_samples(mu):
    nb = stats.norm(mu, 100).rvs(200_000, random_state=2)
    value, mcse = evpi(nb)
    assert abs(value - closed_form(mu, 100)) <= 4 * mcse + 1.0  # + |sample mean - mu| effect


def test_evppi_of_one_parameter_matches_closed_form(result):
    assert result.evppi["a"] == pytest.approx(closed_form(MU_A, SD_A), rel=0.10)
    assert result.evppi["b"] == pytest.approx(closed_form(MU_A, SD_B), rel=0.10)
    assert result.groups["ab"][1] == pytest.approx(
        closed_form(MU_A, float(np.hypot(SD_A, SD_B))), rel=0.10)


def test_evppi_is_bounded_by_evpi_and_grows_with_the_group(result):
    values = [result.evppi["a"], result.groups["ab"][1], result.groups["abc"][1]]
    assert all(0 <= v <= result.evpi for v in [*result.evppi.values(), *values])
    assert values == sorted(values)
    assert result.groups["bc"][1] >= max(result.evppi["b"], result.evppi["c"])
    # all parameters known = everything known (no other randomness)
    assert result.groups["abc"][1] == pytest.approx(result.evpi, rel=1e-6)


def test_scaling_to_a_population_and_years(result):
    scale = Scale(population=10, years=3, discount=0.05)
    assert scale.factor == pytest.approx(10 * (1 + 1 / 1.05 + 1 / 1.05**2))
    doc = value_of_information(model_of(oz.loads(ADDITIVE)), "net_benefit", iterations=5000,
                               seed=1, scale=scale).to_json()
    assert doc["evpi"] == pytest.approx(doc["per_decision"]["evpi"] * scale.factor)
    assert doc["parameters"]["a"]["evppi"] == pytest.approx(
        doc["parameters"]["a"]["per_decision"] * scale.factor)


def test_unknown_group_member_is_named():
    with pytest.raises(oz.ScenarioError, match="'?d'? is not a random parameter"):
        value_of_information(model_of(oz.loads(ADDITIVE)), "net_benefit",
                             groups={"x": ["a", "d"]}, iterations=2000)


def test_voi_command_prints_the_contract_json(write_toml):
    path = write_toml(ADDITIVE)
    outcome = CliRunner().invoke(app, ["voi", str(path), "--output", "net_benefit", "-n",
                                       "5000", "--group", "ab=a,b", "--json"])
    assert outcome.exit_code == 0, outcome.output
    doc = json.loads(outcome.stdout)
    assert doc["output"] == "net_benefit" and doc["evpi"] > 0
    assert set(doc["parameters"]) == {"a", "b", "c"}
    assert all("evppi" in entry for entry in doc["parameters"].values())
    assert doc["groups"]["ab"]["parameters"] == ["a", "b"]
    outcome = CliRunner().invoke(app, ["voi", str(path), "--group", "ab"])
    assert outcome.exit_code == 2 and "NAME=a,b,c" in outcome.output


def test_evppi_carries_its_mcse_and_lies_within_it_of_the_closed_form(result):
    # evppi_mcse (delta method + sample average, see analysis/voi.py); the regression's own
    # bias is small at 40,000 iterations, so 4 MCSEs cover the closed form
    for name, sd in (("a", SD_A), ("b", SD_B)):
        assert 0 < result.evppi_mcse[name] < 0.1 * result.evppi[name]
        assert abs(result.evppi[name] - closed_form(MU_A, sd)) <= 4 * result.evppi_mcse[name]
    doc = result.to_json()
    factor = doc["scale"]["factor"]
    assert doc["parameters"]["a"]["evppi_mcse"] == pytest.approx(
        result.evppi_mcse["a"] * factor)
    assert doc["groups"]["ab"]["evppi_mcse"] == pytest.approx(result.evppi_mcse["ab"] * factor)
    assert "first year undiscounted" in doc["scale"]["convention"]


@pytest.mark.slow
def test_evppi_mcse_is_calibrated_over_100_seeds():
    # the empirical sd over 100 seeds has relative error 1/sqrt(198) = 7%; the reported MCSE
    # adds the two error sources' variances, so it may be a little conservative: 0.85 .. 1.3
    model = model_of(oz.loads(ADDITIVE))
    runs = [value_of_information(model, "net_benefit", iterations=10_000, seed=s)
            for s in range(100)]
    for name in ("a", "b", "c"):
        sd = np.std([r.evppi[name] for r in runs], ddof=1)
        rms = np.sqrt(np.mean([r.evppi_mcse[name] ** 2 for r in runs]))
        assert 0.85 < rms / sd < 1.3, (name, rms / sd)


def test_voi_help_states_the_time_convention():
    outcome = CliRunner().invoke(app, ["voi", "--help"], env={"COLUMNS": "200"})
    assert outcome.exit_code == 0 and "first year undiscounted" in outcome.output


def test_voi_with_correlations_uses_batch_means():
    # [correlations]: rows depend within an engine block, so EVPI's and EVPPI's MCSEs are
    # clustered by block (analysis/mcse.py); EVPI's equals the batch-means MCSE of the regret
    text = ADDITIVE + '[correlations]\npairs = [["a", "b", 0.8]]\n'
    model = model_of(oz.loads(text))
    result = value_of_information(model, "net_benefit", iterations=2 * BLOCK + 2_000, seed=4)
    _, nb = sample(model, "net_benefit", 2 * BLOCK + 2_000, 4)
    regret = np.maximum(-nb, 0.0) if nb.mean() > 0 else np.maximum(nb, 0.0)
    assert result.evpi_mcse == pytest.approx(mcse.mean_mcse(regret, BLOCK), rel=1e-12)
    assert result.evpi_mcse != pytest.approx(mcse.mean_mcse(regret, 1), rel=0.01)
    assert all(np.isfinite(v) and v > 0 for v in result.evppi_mcse.values())


def test_the_terminal_writes_each_estimate_in_its_unit_rounded_to_its_mcse():
    """EVPI, EVPPI, EVSI and ENBS are Monte Carlo estimates: the table writes them in the
    output's unit (money here) with no more digits than their MCSE justifies, the same text
    report.numbers.estimate gives (the JSON keeps every digit)."""
    from onzekerheid.report.numbers import estimate
    from onzekerheid.report.terminal import clean

    utrecht = Path(__file__).parent.parent / "scenarios" / "utrecht.toml"
    base = ["voi", str(utrecht), "-n", "20000", "--seed", "4"]
    doc = json.loads(CliRunner().invoke(app, [*base, "--json"]).output)
    text = CliRunner().invoke(app, base).output
    assert clean(estimate(doc["evpi"], doc["evpi_mcse"], "EUR", "en")) in text
    entry = doc["studies"]["measure_cases"]
    rows = [line for line in text.splitlines() if line.startswith("│")]
    for i, size in enumerate(entry["sizes"]):
        row = next(r for r in rows if r.split("│")[1].strip() == str(size))
        cells = [c.strip() for c in row.split("│")[1:-1]]
        assert cells[1] == clean(estimate(entry["evsi"][i], entry["evsi_mcse"][i], "EUR", "en"))
        assert cells[3].startswith("€") and cells[4].lstrip("-").startswith("€")
