"""Sensitivity: Sobol' (Ishigami, linear, vs scipy), tornado and rank correlations vs closed forms.

Tolerances: Sobol' indices within 3 replicate standard errors (the 95% interval's half width
/ 1.96) plus the design's own scrambling spread; Spearman within 4 standard errors of Fieller
et al. (1957); tornado values are deterministic and checked to rounding.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid.analysis import sensitivity as sa
from onzekerheid.analysis.model import model_of
from onzekerheid.cli import app

PI = math.pi
ISHIGAMI = f"""
[scenario]
title = "Ishigami"
[parameters]
x1 = {{ dist = "uniform", min = {-PI!r}, max = {PI!r} }}
x2 = {{ dist = "uniform", min = {-PI!r}, max = {PI!r} }}
x3 = {{ dist = "uniform", min = {-PI!r}, max = {PI!r} }}
[outputs]
y = "sin(x1) + 7 * sin(x2) ** 2 + 0.1 * x3 ** 4 * sin(x1)"
"""
# Saltelli et al. (2008), Global Sensitivity Analysis: The Primer, section 4.9 (a=7, b=0.1)
ISHIGAMI_FIRST = [0.3139, 0.4424, 0.0]
ISHIGAMI_TOTAL = [0.5576, 0.4424, 0.2437]

A = np.array([2.0, -1.0, 0.5])
MU = np.array([10.0, 5.0, -3.0])
SD = np.array([1.0, 3.0, 2.0])
LINEAR = f"""
[scenario]
title = "linear"
[parameters]
x1 = {{ dist = "normal", mean = {MU[0]}, sd = {SD[0]} }}
x2 = {{ dist = "normal", mean = {MU[1]}, sd = {SD[1]} }}
x3 = {{ dist = "normal", mean = {MU[2]}, sd = {SD[2]} }}
[outputs]
y = "{A[0]} * x1 + {A[1]} * x2 + {A[2]} * x3"
ratio = "y / (x1 - 9)"
"""


def test_ishigami_sobol_matches_analytic_values():
    result = sa.sobol(model_of(oz.loads(ISHIGAMI)), "y", seed=1)  # default 2^14 base samples
    assert result.base == 2**14 and result.evaluations == 5 * 2**14
    np.testing.assert_allclose(result.first, ISHIGAMI_FIRST, atol=0.03)
    np.testing.assert_allclose(result.total, ISHIGAMI_TOTAL, atol=0.03)
    assert np.all(result.first_ci[:, 0] <= result.first)
    assert np.all(result.first <= result.first_ci[:, 1])


def test_linear_sobol_matches_variance_shares():
    result = sa.sobol(model_of(oz.loads(LINEAR)), "y", base=2**12, seed=2)
    share = A**2 * SD**2 / np.sum(A**2 * SD**2)
    se_first = (result.first_ci[:, 1] - result.first_ci[:, 0]) / (2 * 1.96)
    se_total = (result.total_ci[:, 1] - result.total_ci[:, 0]) / (2 * 1.96)
    assert np.all(np.abs(result.first - share) <= 3 * se_first + 1e-3)
    assert np.all(np.abs(result.total - share) <= 3 * se_total + 1e-3)


def test_sobol_agrees_with_scipy_on_the_same_model():
    ours = sa.sobol(model_of(oz.loads(ISHIGAMI)), "y", base=2**13, seed=3)

    def ishigami(x: np.ndarray) -> np.ndarray:
        return np.sin(x[0]) + 7 * np.sin(x[1]) ** 2 + 0.1 * x[2] ** 4 * np.sin(x[0])

    theirs = stats.sobol_indices(func=ishigami, n=2**13,
                                 dists=[stats.uniform(loc=-PI, scale=2 * PI)] * 3,
                                 rng=np.random.default_rng(3))
    se = (ours.first_ci[:, 1] - ours.first_ci[:, 0]) / (2 * 1.96)
    # two independent estimates of equal precision: difference sd = sqrt(2) se
    assert np.all(np.abs(ours.first - theirs.first_order) <= 4 * math.sqrt(2) * se)
    se = (ours.total_ci[:, 1] - ours.total_ci[:, 0]) / (2 * 1.96)
    assert np.all(np.abs(ours.total - theirs.total_order) <= 4 * math.sqrt(2) * se)


def test_sobol_is_reproducible_and_thread_independent():
    model = model_of(oz.loads(LINEAR))
    one = sa.sobol(model, "y", base=2**10, seed=5, threads=1, replicates=8)
    two = sa.sobol(model, "y", base=2**10, seed=5, threads=2, replicates=8)
    np.testing.assert_array_equal(one.first, two.first)
    np.testing.assert_array_equal(one.total_ci, two.total_ci)


def test_sobol_rejects_a_base_that_is_not_a_power_of_two():
    with pytest.raises(oz.ScenarioError, match="power of two"):
        sa.sobol(model_of(oz.loads(LINEAR)), "y", base=1000)


def test_sobol_warns_about_correlations():
    scenario = oz.loads(LINEAR + '[correlations]\npairs = [["x1", "x2", 0.5]]\n')
    result = sa.sobol(model_of(scenario), "y", base=2**8)
    assert any("independent" in w for w in result.warnings)


CASES = """
[scenario]
title = "per-case randomness"
[parameters]
level = { dist = "lognormal", median = 1, sigma = 0.3 }
[cases]
count = 20
stakeholders = ["g"]
heterogeneity = { dist = "lognormal", mean = 1, sd = 1 }
[success]
rate = { dist = "beta", ci = [0.5, 0.8] }
[[items]]
name = "a"
stakeholder = "g"
amount = 100
price_factor = "level"
"""


def test_sobol_counts_per_case_randomness_as_a_group():
    model = model_of(oz.loads(CASES))
    result = sa.sobol(model, "savings_per_case", base=2**11, seed=11)
    assert result.names[-1] == sa.CASES and result.groups == (sa.CASES,)
    # Independent check of the group's total index, E[Var(Y | parameters)] / Var(Y):
    # M parameter settings, each with K different case draws (different case keys).
    m, k = 512, 16
    rng = np.random.default_rng(12)
    values = {name: np.repeat(dist.ppf(rng.random(m)), k)
              for name, dist in zip(model.names, model.dists, strict=True)}
    from onzekerheid.analysis.model import evaluate

    y = evaluate(model, ["savings_per_case"], values, m * k, 13,
                 case_keys=np.arange(m * k, dtype=np.int64))[:, 0].reshape(m, k)
    within = y.var(axis=1, ddof=1).mean()
    share = within / y.var()
    se = (result.total_ci[-1, 1] - result.total_ci[-1, 0]) / (2 * 1.96)
    # the check's own error: spread of the within-variances over M settings (delta method)
    se_check = y.var(axis=1, ddof=1).std() / math.sqrt(m) / y.var()
    assert share > 0.05
    assert abs(result.total[-1] - share) <= 4 * math.hypot(se, se_check)


def test_tornado_of_a_linear_model_matches_closed_form():
    result = sa.tornado(model_of(oz.loads(LINEAR)), "y")
    z = stats.norm.ppf(0.95)
    base = float(A @ MU)
    np.testing.assert_allclose(result.base, base, rtol=1e-12)
    np.testing.assert_allclose(result.low, base - A * z * SD, rtol=1e-9)
    np.testing.assert_allclose(result.high, base + A * z * SD, rtol=1e-9)
    np.testing.assert_allclose(result.swing, 2 * z * np.abs(A) * SD, rtol=1e-9)
    doc = result.to_json()
    assert list(doc["parameters"]) == ["x2", "x1", "x3"]  # by swing: 3, 2, 1 (times 2 z)
    assert set(doc["parameters"]["x1"]) >= {"low", "high", "swing"}


def test_tornado_warns_for_a_ratio_whose_sign_can_flip():
    result = sa.tornado(model_of(oz.loads(LINEAR)), "ratio")
    assert any("ratio" in w and "sign" in w for w in result.warnings)
    assert sa.tornado(model_of(oz.loads(LINEAR)), "y").warnings == ()


def test_spearman_of_a_linear_model_matches_closed_form():
    n = 40_000
    result = sa.rank(model_of(oz.loads(LINEAR)), "y", iterations=n, seed=7)
    rho = A * SD / math.sqrt(np.sum(A**2 * SD**2))
    expected = 6 / math.pi * np.arcsin(rho / 2)  # Spearman of a bivariate normal
    se = math.sqrt(1.06 / (n - 3)) * (1 - expected**2)
    assert np.all(np.abs(result.spearman - expected) <= 4 * se)
    # PRCC removes the other inputs: same sign, stronger than the plain correlation
    assert np.all(np.sign(result.prcc) == np.sign(A))
    assert np.all(np.abs(result.prcc) >= np.abs(result.spearman))


def test_partial_rank_correlation_of_an_irrelevant_parameter_is_near_zero():
    text = LINEAR.replace("[outputs]", 'noise = { dist = "uniform", min = 0, max = 1 }\n[outputs]')
    n = 20_000
    result = sa.rank(model_of(oz.loads(text)), "y", iterations=n, seed=8)
    i = result.names.index("noise")
    assert abs(result.prcc[i]) <= 4 / math.sqrt(n)


def test_regional_sensitivity_finds_the_parameter_that_drives_the_output_below_a_threshold():
    text = """
    [scenario]
    title = "regional"
    [parameters]
    driver = { dist = "uniform", min = -1, max = 1 }
    bystander = { dist = "uniform", min = -1, max = 1 }
    [outputs]
    y = "driver + 0.01 * bystander"
    """
    result = sa.regional(model_of(oz.loads(text)), "y", 0.0, iterations=20_000, seed=9)
    ks = dict(zip(result.names, result.ks, strict=True))
    assert ks["driver"] > 0.95 and ks["bystander"] < 0.05
    assert abs(result.share_below - 0.5) < 4 * math.sqrt(0.25 / 20_000)
    with pytest.raises(oz.SimulationError, match="never below"):
        sa.regional(model_of(oz.loads(text)), "y", -5.0, iterations=1000)


@pytest.mark.parametrize("method", ["sobol", "tornado", "rank", "regional"])
def test_sensitivity_command_prints_the_contract_json(write_toml, method):
    path = write_toml(LINEAR)
    outcome = CliRunner().invoke(app, ["sensitivity", str(path), "--output", "y", "--method",
                                       method, "-n", "1024", "--threshold", "13.5", "--json"])
    assert outcome.exit_code == 0, outcome.output
    doc = json.loads(outcome.stdout)
    assert doc["output"] == "y" and doc["method"] == method
    keys = {"sobol": {"first", "first_low", "first_high", "total", "total_low", "total_high"},
            "tornado": {"low", "high", "swing"}, "rank": {"spearman"},
            "regional": {"ks"}}[method]
    assert set(doc["parameters"]) == {"x1", "x2", "x3"}
    assert all(keys <= set(entry) for entry in doc["parameters"].values())


def test_sensitivity_command_names_a_wrong_output_and_method(write_toml):
    path = write_toml(LINEAR)
    outcome = CliRunner().invoke(app, ["sensitivity", str(path), "--output", "yy"])
    assert outcome.exit_code == 2 and "did you mean 'y'" in outcome.output
    outcome = CliRunner().invoke(app, ["sensitivity", str(path), "--method", "morris"])
    assert outcome.exit_code == 2 and "sobol, tornado, rank, regional" in outcome.output


def test_switching_values_of_a_linear_model_match_closed_form():
    from onzekerheid.analysis.switching import NO_SWITCH, switching_values

    n = 2**14
    target = float(A @ MU) + 1.0  # one above the mean of y
    result = switching_values(model_of(oz.loads(LINEAR)), "y", target=target, iterations=n,
                              seed=3)
    for i, switch in enumerate(result.switches):
        others = float(A @ MU - A[i] * MU[i])
        expected = (target - others) / A[i]
        sd_others = math.sqrt(float(np.sum(np.delete(A**2 * SD**2, i))))
        se = 1.2533 * sd_others / math.sqrt(n) / abs(A[i])  # MCSE of a normal median, mapped
        assert switch.value is not None and abs(switch.value - expected) <= 4 * se
        assert switch.quantile == pytest.approx(stats.norm.cdf(switch.value, MU[i], SD[i]))
    none = switching_values(model_of(oz.loads(LINEAR)), "y", target=0.0, iterations=n, seed=3)
    x1 = none.switches[0]  # would need x1 = 3.25, far below its 1st percentile (7.67)
    assert x1.value is None and x1.as_dict()["message"] == NO_SWITCH


def test_switching_command(write_toml):
    path = write_toml(LINEAR + "[claim]\ny = 14.5\n")
    outcome = CliRunner().invoke(app, ["switching", str(path), "--output", "y", "--target",
                                       "claim", "-n", "4096", "--json"])
    assert outcome.exit_code == 0, outcome.output
    doc = json.loads(outcome.stdout)
    assert doc["target"] == 14.5 and doc["target_is"] == "claim"
    assert set(doc["parameters"]) == {"x1", "x2", "x3"}
    outcome = CliRunner().invoke(app, ["switching", str(path), "--target", "soon"])
    assert outcome.exit_code == 2 and "use zero, claim or a number" in outcome.output


def test_a_parent_of_a_hierarchical_parameter_shows_its_effect():
    # child ~ Normal(parent, 1): the analyses vary the parent and let the child follow it, so
    # the tornado swing of `parent` is its 5%-95% range (the child's own noise averages out
    # over the tornado's rows), and `child` itself is not an input
    scenario = oz.loads('[scenario]\ntitle = "h"\n[parameters]\n'
                        'parent = { dist = "normal", mean = 0, sd = 2 }\n'
                        'child = { dist = "normal", mean = "parent", sd = 1 }\n'
                        '[outputs]\ny = "child"\n')
    model = model_of(scenario)
    assert model.names == ("parent",)
    result = sa.tornado(model, "y", seed=1)
    # averaged over 4096 rows: the child's noise leaves an sd of about 1/64 in each end
    assert result.swing[0] == pytest.approx(2 * 1.6449 * 2, abs=5 * math.sqrt(2) / 64)


SHIFTED = """
[scenario]
title = "shifted linear"
[parameters]
u1 = { dist = "uniform", min = 0, max = 1 }
u2 = { dist = "uniform", min = 0, max = 1 }
u3 = { dist = "uniform", min = 0, max = 1 }
[outputs]
y = "u1 + 2 * u2 + 3 * u3 + 1000"
"""


def test_sobol_is_centred_so_a_shifted_output_is_precise():
    # V_i = a_i^2 / 12, so S_i = S_Ti = (1, 4, 9) / 14; uncentred, the mean of 1000 made the
    # first-order errors 0.007-0.018 with intervals like [-9.0, 9.4] (issue #13)
    result = sa.sobol(model_of(oz.loads(SHIFTED)), "y", base=2**12, seed=7)
    share = np.array([1.0, 4.0, 9.0]) / 14
    np.testing.assert_allclose(result.first, share, atol=0.03)
    np.testing.assert_allclose(result.total, share, atol=0.03)
    for ci in (result.first_ci, result.total_ci):
        assert np.all(ci[:, 1] - ci[:, 0] <= 0.2) and np.all(ci[:, 0] <= share + 0.03)
    doc = result.to_json()
    assert doc["replicates"] == sa.DEFAULT_REPLICATES and "scrambled" in doc["estimator"]


def _ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[..., 0]) + 7 * np.sin(x[..., 1]) ** 2 + 0.1 * x[..., 2] ** 4 * np.sin(x[..., 0])


def _coverage(seeds: range, base: int, replicates: int) -> tuple[float, float]:
    """Share of 95% intervals (3 first, 3 total per seed) covering the Ishigami values, and
    the standard error of that share from the spread of the per-seed shares."""
    truth = np.concatenate([ISHIGAMI_FIRST, ISHIGAMI_TOTAL])
    shares = []
    for seed in seeds:
        u_a, u_b = sa.design(3, base, replicates, seed)
        a, b = -PI + 2 * PI * u_a, -PI + 2 * PI * u_b
        ab = np.stack([np.where(np.arange(3) == i, b, a) for i in range(3)])
        f = np.concatenate([_ishigami(a)[None], _ishigami(b)[None], _ishigami(ab)])
        f = f.reshape(5, replicates, base // replicates)
        _, first_ci, _, total_ci = sa.replicate_indices(f, np.ones(f.shape[1:], bool), 0.95)
        ci = np.concatenate([first_ci, total_ci])
        shares.append(np.mean((ci[:, 0] <= truth) & (truth <= ci[:, 1])))
    se = max(float(np.std(shares, ddof=1)), math.sqrt(0.95 * 0.05 / 6)) / math.sqrt(len(shares))
    return float(np.mean(shares)), se


def test_sobol_intervals_cover_at_their_nominal_level():
    # 100 seeds of Ishigami at 256 points in 8 replicates: the share covered is within 3 of
    # its standard errors of 95% (the se from the per-seed spread, so intervals of one seed
    # that move together count once; never below the binomial se of independent intervals).
    # A row bootstrap, which covers 100% (issue #13), fails this.
    coverage, se = _coverage(range(100), 2**8, 8)
    assert abs(coverage - 0.95) <= 3 * se, (coverage, se)


@pytest.mark.slow
def test_sobol_intervals_cover_at_their_nominal_level_over_1000_seeds():
    coverage, se = _coverage(range(1000), 2**10, 16)
    assert abs(coverage - 0.95) <= max(3 * se, 0.02), (coverage, se)


def test_tornado_warns_about_correlations():
    scenario = oz.loads(LINEAR + '[correlations]\npairs = [["x1", "x2", 0.5]]\n')
    result = sa.tornado(model_of(scenario), "y")
    assert any("[correlations]" in w for w in result.to_json()["warnings"])
