"""The social-domain model: every adjustment against a hand computation, and the statistics of
success, estimator bias and case sampling against theory (tolerances from the MCSE)."""

import math
import os
import textwrap

import numpy as np
import pytest

import onzekerheid as oz
from onzekerheid.errors import ScenarioError

HEAD = '[scenario]\ntitle = "t"\n'


def scenario(body: str, tmp_path=None, files=None):
    text = HEAD + textwrap.dedent(body)
    if tmp_path is None:
        return oz.loads(text)
    for name, content in (files or {}).items():
        (tmp_path / name).write_text(content)
    path = tmp_path / "s.toml"
    path.write_text(text)
    return oz.load(path)


def point(body, **kw):
    return oz.point(scenario(body, **kw)).values


def test_item_adjustments_multiply_as_documented():
    values = point("""
        [cases]
        count = 10
        stakeholders = ["gemeente", "client"]
        [prices]
        melding = 15000
        [[items]]
        name = "a"
        stakeholder = "gemeente"
        price = "melding"
        quantity = 2
        probability = 0.5
        attribution = 0.8
        deadweight = 0.1
        displacement = 0.2
        overlap = 0.25
        [[items]]
        name = "b"
        stakeholder = "client"
        kind = "immaterial"
        amount = 1000
        duration = 3
        dropoff = 0.5
        discount_rate = 0.0
    """)
    a = 15000 * 2 * 0.5 * 0.8 * 0.9 * 0.8 * 0.75
    b = 1000 * (1 + 0.5 + 0.25)  # years 0, 1, 2 with half the benefit lost each year
    assert values["savings_per_case.gemeente"] == pytest.approx(a)
    assert values["savings_per_case.client"] == pytest.approx(b)
    assert values["savings_per_case.immaterial"] == pytest.approx(b)
    assert values["savings_per_case"] == pytest.approx(a + b)


def test_discounting_uses_the_dutch_standard_rate_by_default():
    values = point("""
        [[items]]
        name = "a"
        amount = 100
        duration = 2
    """)
    assert values["savings_per_case"] == pytest.approx(100 * (1 + 1 / 1.0225))


def test_extrapolation_costs_and_risks_follow_the_faq_method():
    values = point("""
        [cases]
        count = 5
        [[items]]
        name = "a"
        amount = 1000
        [extrapolation]
        cases_per_year = 200
        damping = 0.5
        safety_margin = 0.1
        [costs]
        hours_per_case = 10
        hourly_rate = 70
        fte = 2
        cost_per_fte = 80000
        [[costs.interventions]]
        name = "x"
        count = 20
        unit_cost = 500
        [[costs.risks]]
        name = "btw"
        probability = 0.5
        share = 0.21
    """)
    per_year = 1000 * 200 * 0.5 * 0.9
    costs = 10 * 70 * 200 + 2 * 80000 + 20 * 500  # the risk's point: it does not happen
    assert values["savings_per_year"] == pytest.approx(per_year)
    assert values["costs_per_year"] == pytest.approx(costs)
    assert values["net_benefit"] == pytest.approx(per_year - costs)
    assert values["bcr"] == pytest.approx(per_year / costs)
    assert values["break_even_hours"] == pytest.approx(1000 / 70)


def test_vat_risk_adds_its_expected_share():
    s = scenario("""
        [[items]]
        name = "a"
        amount = 1
        [extrapolation]
        cases_per_year = 1
        [costs]
        fte = 1
        cost_per_fte = 1000
        [[costs.risks]]
        name = "btw"
        probability = 0.3
        share = 0.21
    """)
    costs = oz.simulate(s, 50_000, seed=1)["costs_per_year"]
    hit = (costs > 1000).mean()
    # a Bernoulli share: MCSE sqrt(p(1-p)/n) ~ 0.002; 5 MCSE
    assert hit == pytest.approx(0.3, abs=5 * math.sqrt(0.3 * 0.7 / 50_000))
    assert set(np.unique(costs)) == {1000.0, 1210.0}


def test_success_rate_scales_the_expected_saving_and_failures_may_yield_a_share():
    s = scenario("""
        [cases]
        count = 50
        [success]
        rate = 0.6
        failure_yield = 0.25
        [[items]]
        name = "a"
        amount = 1000
    """)
    x = oz.simulate(s, 40_000, seed=2)["savings_per_case"]
    expected = 1000 * (0.6 + 0.4 * 0.25)
    mcse = x.std() / math.sqrt(x.size)
    assert x.mean() == pytest.approx(expected, abs=5 * mcse)
    # binomial successes: sd = 1000 * (1 - 0.25) * sqrt(p (1 - p) / n). The sample sd of
    # 40,000 near-normal values has a relative standard error of 1/sqrt(2 n) = 0.35%: rel 0.03
    # is about 8 of them (the binomial's discreteness adds a little kurtosis)
    assert x.std() == pytest.approx(750 * math.sqrt(0.24 / 50), rel=0.03)


def test_success_rate_forms_survey_and_share_interval():
    survey = scenario("""
        [success]
        survey = { positive = 78, respondents = 100 }
        [[items]]
        name = "a"
        amount = 1
    """).parameters["success.rate"]
    assert survey.dist.family == "beta" and survey.dist.args == (79.0, 23.0)
    interval = scenario("""
        [success]
        rate = "0.75 to 0.80"
        [[items]]
        name = "a"
        amount = 1
    """).parameters["success.rate"]
    assert interval.dist.family == "beta"
    np.testing.assert_allclose(interval.dist.ppf([0.05, 0.95]), [0.75, 0.80], atol=1e-6)


def _bias_sd(count: int, which: str) -> float:
    body = f"""
        [cases]
        count = {count}
        [bias]
        {which} = {{ dist = "lognormal", mean = 1, sd = 0.5 }}
        [[items]]
        name = "a"
        amount = 100
    """
    return float(oz.simulate(scenario(body), 20_000, seed=3)["savings_per_case"].std())


def test_per_case_error_averages_out_but_systematic_bias_does_not():
    # Tolerance: the relative standard error of a sample sd is about sqrt((kurtosis + 2) / 4n);
    # for one lognormal factor with sd 0.5 (excess kurtosis 5.0) at n = 20,000 that is 0.94%,
    # so rel 0.05 is about 5 standard errors (the means of 16 or 256 factors are closer to
    # normal and tighter still).
    # per-case: sd of the mean of n factors with sd 0.5 is 100 * 0.5 / sqrt(n)
    for n in (16, 256):
        assert _bias_sd(n, "per_case") == pytest.approx(50 / math.sqrt(n), rel=0.05)
    # systematic: one factor shared by all cases, sd 100 * 0.5 whatever n
    for n in (16, 256):
        assert _bias_sd(n, "systematic") == pytest.approx(50, rel=0.05)


def test_resampled_case_table_reproduces_the_table_mean(tmp_path):
    table = "case,x\n" + "\n".join(f"{i},{v}" for i, v in enumerate([100, 0, 300, 800, 50]))
    s = scenario("""
        [cases]
        table = "cases.csv"
        [[items]]
        name = "a"
        column = "x"
    """, tmp_path, {"cases.csv": table})
    x = oz.simulate(s, 40_000, seed=4)["savings_per_case"]
    mean = np.mean([100, 0, 300, 800, 50])
    assert x.mean() == pytest.approx(mean, abs=5 * x.std() / math.sqrt(x.size))
    # sampling uncertainty of 5 resampled cases: sd = population sd / sqrt(5); the sample sd of
    # 40,000 means of 5 draws (kurtosis below 2) has a relative standard error under 0.5%, so
    # rel 0.03 is over 6 of them
    assert x.std() == pytest.approx(np.std([100, 0, 300, 800, 50]) / math.sqrt(5), rel=0.03)
    assert oz.point(s).values["savings_per_case"] == pytest.approx(mean)


def test_long_case_table_sums_rows_per_case_and_item(tmp_path):
    table = "case,item,amount\n1,a,2\n1,a,1\n2,b,4\n"
    s = scenario("""
        [cases]
        table = "cases.csv"
        resample = false
        [prices]
        p = 10
        [[items]]
        name = "a"
        price = "p"
        column = "a"
        [[items]]
        name = "b"
        amount_column_note = 1
    """.replace("        amount_column_note = 1\n", '        column = "b"\n'),
        tmp_path, {"cases.csv": table})
    values = oz.point(s).values
    assert values["savings_per_case"] == pytest.approx((3 * 10 + 4) / 2)
    x = oz.simulate(s, 1000, seed=1)["savings_per_case"]
    assert np.all(x == pytest.approx(17.0))  # no resampling, every case succeeds: no spread


@pytest.mark.parametrize("body, fragment", [
    ('[[items]]\nname = "a"\nstakeholder = "gemeenten"\namount = 1\n'
     '[cases]\nstakeholders = ["gemeente"]\n', "did you mean 'gemeente'"),
    ('[[items]]\nname = "a"\n', "needs amount, price or column"),
    ('[[items]]\nname = "a"\namount = 1\nprobability = 1.5\n', "share or probability"),
    ('[[items]]\nname = "a"\namount = 1\nprobability = { dist = "normal", mean = 0.5, sd = 0.1 }\n',
     "share or probability"),
    ('[[items]]\nname = "a"\nprice = "melding"\n[prices]\nmeldingen = 1\n',
     "did you mean 'meldingen'"),
    ('[[items]]\nname = "a"\namount = 1\nattributon = 0.5\n', "did you mean 'attribution'"),
    ('[success]\nrate = 0.5\nsurvey = { positive = 1, respondents = 2 }\n[[items]]\nname = "a"\n'
     'amount = 1\n', "either rate or survey"),
    ('[[items]]\nname = "a"\namount = 1\n[extrapolation]\ncases_per_year = 1\n[costs]\nfte = 2\n',
     "fte and cost_per_fte go together"),
    ('[[items]]\nname = "a"\namount = 1\n[costs]\nfte = 1\ncost_per_fte = 1\n',
     "need [extrapolation]"),
    ('[cases]\ncount = 0\n[[items]]\nname = "a"\namount = 1\n', "count must be a whole number"),
    ('[bias]\nper_case = { dist = "normal", mean = 1, sd = 1 }\n'
     '[[items]]\nname = "a"\namount = 1\n', "must not be negative"),
])
def test_domain_errors_name_the_place_and_the_fix(body, fragment):
    with pytest.raises(oz.ScenarioError, match=fragment.replace("[", r"\[").replace("(", r"\(")):
        scenario(body)


def test_case_table_must_stay_in_the_scenario_folder(tmp_path):
    inner = tmp_path / "inner"
    inner.mkdir()
    (tmp_path / "outside.csv").write_text("x\n1\n")
    with pytest.raises(oz.ScenarioError, match="outside the scenario's folder"):
        scenario('[cases]\ntable = "../outside.csv"\n[[items]]\nname = "a"\ncolumn = "x"\n',
                 inner)


def test_bad_cell_is_reported_by_row_and_column(tmp_path):
    with pytest.raises(oz.ScenarioError, match=r"row 3, column 'x'"):
        scenario('[cases]\ntable = "c.csv"\n[[items]]\nname = "a"\ncolumn = "x"\n',
                 tmp_path, {"c.csv": "x\n1\n€ 12\n"})


def test_reading_outside_the_folder_needs_the_explicit_option(tmp_path):
    from typer.testing import CliRunner

    from onzekerheid.cli import app

    inner = tmp_path / "inner"
    inner.mkdir()
    (tmp_path / "outside.csv").write_text("x\n5\n")
    path = inner / "s.toml"
    path.write_text(HEAD + '[cases]\ntable = "../outside.csv"\n[[items]]\nname = "a"\n'
                    'column = "x"\n')
    runner = CliRunner()
    refused = runner.invoke(app, ["run", str(path), "--point", "--json"])
    assert refused.exit_code == 2 and "--allow-outside" in refused.output
    allowed = runner.invoke(app, ["--allow-outside", "run", str(path), "--point", "--json"])
    assert allowed.exit_code == 0, allowed.output
    assert '"value": 5.0' in allowed.output
    again = runner.invoke(app, ["run", str(path), "--point", "--json"])  # no state left behind
    assert again.exit_code == 2 and "ONZEKERHEID" not in str(os.environ)
    with pytest.raises(ScenarioError, match="allow_outside=True"):
        oz.load(path)
    assert oz.load(path, allow_outside=True).cases is not None
