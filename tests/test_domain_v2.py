"""The social-domain model, second version (#11): every new key against a hand computation.

Statistical checks use a fixed seed and a tolerance of 4 Monte Carlo standard errors
(MCSE = sd / sqrt(n) of independent iterations; a false alarm about once in 16,000 runs).
"""

import math
import textwrap

import numpy as np
import pytest

import onzekerheid as oz
from onzekerheid.analysis.model import model_of
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


def refused(body, *fragments, **kw):
    with pytest.raises(ScenarioError) as info:
        scenario(body, **kw)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


TRANSFER = """
    [cases]
    count = 10
    stakeholders = ["gemeente", "client"]
    heterogeneity = { dist = "lognormal", mean = 1, sd = 0.8 }
    [success]
    rate = { dist = "beta", ci = [0.6, 0.9], point = 1 }
    [bias]
    systematic = { dist = "lognormal", median = 0.8, sigma = 0.3, point = 1 }
    per_case = { dist = "lognormal", mean = 1, sd = 0.5 }
    [[items]]
    name = "zorg"
    stakeholder = "gemeente"
    amount = 1000
    [[items]]
    name = "bijstand"
    stakeholder = "gemeente"
    transfer_from = "client"
    amount = 500
    attribution = 0.8
    [extrapolation]
    cases_per_year = 100
    [costs]
    fte = 1
    cost_per_fte = 50000
    payer = "gemeente"
"""


def test_a_transfer_cancels_societally_to_the_cent_in_every_iteration():
    result = oz.simulate(scenario(TRANSFER), 4000, seed=3, store="outputs")
    societal = result["savings_per_year"]
    parties = result["savings_per_year.gemeente"] + result["savings_per_year.client"]
    assert np.max(np.abs(societal - parties)) < 0.005
    # the client loses exactly what the municipality gains from the transfer
    assert np.all(result["savings_per_year.client"] <= 0)
    assert np.max(np.abs(result["net_benefit"] - result["net_benefit.gemeente"]
                         - result["net_benefit.client"])) < 0.005
    values = point(TRANSFER)
    assert values["savings_per_case"] == pytest.approx(1000)
    assert values["savings_per_case.gemeente"] == pytest.approx(1000 + 500 * 0.8)
    assert values["savings_per_case.client"] == pytest.approx(-400)
    assert values["savings_per_case.material"] == pytest.approx(1000)


VAT = """
    [cases]
    stakeholders = ["gemeente", "rijk"]
    [[items]]
    name = "a"
    amount = 1500
    [extrapolation]
    cases_per_year = 100
    [costs]
    fte = 1
    cost_per_fte = 100000
    payer = "gemeente"
    [[costs.risks]]
    name = "btw"
    probability = 1
    share = 0.21
    transfer_to = "rijk"
"""


def test_vat_moves_21_percent_from_payer_to_state_and_leaves_the_societal_cost():
    result = oz.simulate(scenario(VAT), 200, seed=1, store="outputs")
    assert np.all(result["costs_per_year"] == 100_000)
    assert np.allclose(result["costs_per_year.gemeente"], 121_000)
    assert np.allclose(result["costs_per_year.rijk"], -21_000)
    assert np.allclose(result["net_benefit"], 150_000 - 100_000)
    assert np.allclose(result["net_benefit.gemeente"], 150_000 - 121_000)
    assert np.allclose(result["net_benefit.rijk"], 21_000)
    # the published arithmetic assumed the risk does not happen
    assert point(VAT)["costs_per_year.gemeente"] == pytest.approx(100_000)


def test_the_risk_event_is_no_assumption_of_its_own():
    scenario_ = scenario(VAT.replace("probability = 1", 'probability = "0.2 to 0.8"'))
    assert "costs.risks.btw.happens" not in model_of(scenario_).names
    assert "costs.risks.btw.probability" in model_of(scenario_).names


EXTRA = """
    [cases]
    count = 10
    stakeholders = ["gemeente"]
    [success]
    rate = 0.5
    [bias]
    systematic = 0.5
    [[items]]
    name = "baat"
    amount = 1000
    [[items]]
    name = "meer_uren"
    kind = "extra_cost"
    amount = 300
"""


def test_an_extra_cost_is_not_shrunk_by_success_or_bias():
    values = point(EXTRA)
    assert values["extra_cost_per_case"] == pytest.approx(300)
    assert values["savings_per_case"] == pytest.approx(1000 * 0.5 * 0.5 - 300)
    assert values["savings_per_case.material"] == pytest.approx(-50)
    result = oz.simulate(scenario(EXTRA), 2000, seed=4, store="outputs")
    assert np.all(result["extra_cost_per_case"] == 300)
    # E[savings] = 1000 x E[K]/10 x 0.5 - 300 with E[K] = 5
    s = result["savings_per_case"]
    assert abs(s.mean() - (-50)) < 4 * s.std() / math.sqrt(len(s))


def test_negative_cells_of_a_benefit_column_are_extra_costs(tmp_path):
    body = """
        [cases]
        table = "c.csv"
        resample = false
        stakeholders = ["gemeente"]
        [success]
        rate = 0.5
        [bias]
        systematic = 0.5
        [[items]]
        name = "kosten"
        column = "x"
    """
    files = {"c.csv": "x\n1000\n-200\n600\n-400\n"}
    # benefit: 4 x 0.5 successes x mean(1000, 0, 600, 0) x 0.5; cost: mean(0, -200, 0, -400)
    expected = 0.5 * (1600 / 4) * 0.5 - 600 / 4
    assert point(body, tmp_path=tmp_path, files=files)["savings_per_case"] == \
        pytest.approx(expected)
    result = oz.simulate(scenario(body, tmp_path=tmp_path, files=files), 4000, seed=2,
                         store="outputs")
    s = result["savings_per_case"]
    assert abs(s.mean() - expected) < 4 * s.std() / math.sqrt(len(s))
    assert s.min() >= -600 / 4 - 1e-9  # the extra costs are there in every iteration


def test_a_negative_benefit_is_a_load_error_that_points_to_extra_cost():
    refused("""
        [cases]
        count = 10
        [[items]]
        name = "a"
        amount = -1000
    """, "items.0.amount", 'kind = "extra_cost"', "amount = 1000")


def test_benefit_adjustments_on_an_extra_cost_are_refused():
    refused("""
        [cases]
        count = 10
        [[items]]
        name = "a"
        kind = "extra_cost"
        amount = 100
        attribution = 0.5
    """, "items.0.attribution", "remove attribution")


HORIZON = """
    [cases]
    stakeholders = ["gemeente"]
    [[items]]
    name = "a"
    amount = 100
    duration = 2
    [extrapolation]
    cases_per_year = 10
    [costs]
    fte = 1
    cost_per_fte = 1000
    [[costs.one_off]]
    name = "opstart"
    amount = 1500
    year = 0
    [horizon]
    years = 3
    discount_rate = 0.1
"""


def test_three_year_horizon_with_a_one_off_cost_matches_a_hand_calculation():
    v = point(HORIZON)
    # benefits per year: cohort 0 (1000), then cohorts 0 and 1 (2000), then 1 and 2 (2000)
    benefits = 1000 + 2000 / 1.1 + 2000 / 1.1**2
    costs = 1000 * (1 + 1 / 1.1 + 1 / 1.1**2) + 1500
    assert v["benefits_pv"] == pytest.approx(benefits)
    assert v["costs_pv"] == pytest.approx(costs)
    assert v["npv"] == pytest.approx(benefits - costs)  # 235.54
    assert v["npv.gemeente"] == pytest.approx(benefits - costs)
    assert v["bcr"] == pytest.approx(benefits / costs)
    assert [v[f"cash_flow.year{t}"] for t in (1, 2, 3)] == pytest.approx([-1500, 1000, 1000])
    # cumulative discounted: -1500, -590.9, +235.5: pays back in year 3
    assert v["payback_year"] == 3


def test_a_programme_that_never_pays_back_has_an_infinite_payback_year():
    v = point(HORIZON.replace("amount = 1500", "amount = 15000"))
    assert v["payback_year"] == math.inf
    result = oz.simulate(scenario(HORIZON.replace("amount = 1500", "amount = 15000")), 100,
                         seed=1)
    doc = result.to_json()
    assert doc["domain"]["cash_flow"]["never_pays_back"] == 1.0
    # +inf sorts above every year: the quantiles are +inf too, shown as null in the JSON
    assert result.summary_of("payback_year").median == math.inf
    assert result.summary_of("payback_year").nonfinite == 0
    assert doc["outputs"]["payback_year"]["median"] is None
    assert doc["domain"]["cash_flow"]["years"] == [1, 2, 3]


def test_dropoff_across_the_horizon_edge_is_not_counted():
    body = """
        [cases]
        stakeholders = ["gemeente"]
        [[items]]
        name = "a"
        amount = 100
        duration = 3
        dropoff = 0.5
        [extrapolation]
        cases_per_year = 1
        [costs]
        fte = 1
        cost_per_fte = 10
        [horizon]
        years = 2
        discount_rate = 0
    """
    # year 0: cohort 0 at age 0 (100); year 1: cohort 0 at age 1 (50) + cohort 1 (100);
    # cohort 0 at age 2 and cohort 1 at age 1 fall after the horizon
    assert point(body)["benefits_pv"] == pytest.approx(250)
    # with a delay of one year, only cohort 0's first effect year falls inside
    delayed = body.replace("dropoff = 0.5", "dropoff = 0.5\n        delay = 1")
    assert point(delayed)["benefits_pv"] == pytest.approx(100)


def test_without_horizon_the_first_version_outputs_stay():
    v = point(TRANSFER)
    assert "npv" not in v and "net_benefit" in v and "bcr" in v
    assert v["bcr"] == pytest.approx(v["savings_per_year"] / v["costs_per_year"])


def test_a_one_year_horizon_agrees_with_the_first_version():
    body = HORIZON.replace("duration = 2\n", "").replace("amount = 1500", "amount = 0")
    one_year = point(body.replace("years = 3", "years = 1"))
    first = point(body[: body.index("[[costs.one_off]]")])
    for name in ("savings_per_year", "costs_per_year", "net_benefit", "bcr"):
        assert one_year[name] == pytest.approx(first[name])
    assert one_year["npv"] == pytest.approx(first["net_benefit"])


def test_the_options_rate_is_the_horizons_default():
    body = HORIZON.replace("    discount_rate = 0.1\n", "") + "[options]\ndiscount_rate = 0.1\n"
    assert point(body)["npv"] == pytest.approx(point(HORIZON)["npv"])


@pytest.mark.parametrize("where", ["[options]\ndiscount_rate = 2.25",
                                   "[horizon]\nyears = 3\ndiscount_rate = 2.25"])
def test_a_discount_rate_in_percent_is_refused(where):
    body = HORIZON.replace("[horizon]\n    years = 3\n    discount_rate = 0.1\n", "")
    refused(body + textwrap.dedent(where) + "\n", "discount_rate", "a fraction: 0.0225")


def test_an_items_own_rate_under_a_horizon_is_refused():
    refused(HORIZON.replace("duration = 2", "duration = 2\n    discount_rate = 0.04"),
            "items.0.discount_rate", "the only rate")


def test_one_off_costs_need_a_horizon_inside_it():
    refused(HORIZON.replace("year = 0", "year = 3"), "costs.one_off", "after the horizon")
    no_horizon = HORIZON[: HORIZON.index("[horizon]")]
    refused(no_horizon, "costs.one_off", "[horizon]")


ORDER = """
    [cases]
    table = "c.csv"
    resample = false
    [success]
    rate = 0.5
    [[items]]
    name = "a"
    column = "x"
"""


def test_resample_false_does_not_depend_on_the_row_order(tmp_path):
    means = []
    for rows in ("1000\n0\n0\n0\n", "0\n0\n0\n1000\n"):
        (tmp_path / "c.csv").write_text("x\n" + rows)
        (tmp_path / "s.toml").write_text(HEAD + textwrap.dedent(ORDER))
        s = oz.simulate(oz.load(tmp_path / "s.toml"), 20_000, seed=5,
                        store="outputs")["savings_per_case"]
        means.append((s.mean(), s.std() / math.sqrt(len(s))))
    # truth: the 1000 case succeeds half the time: 0.5 x 1000 / 4 = 125
    for mean, mcse in means:
        assert abs(mean - 125) < 4 * mcse
    (m1, e1), (m2, e2) = means
    assert abs(m1 - m2) < 4 * math.hypot(e1, e2)


def test_count_above_the_tables_rows_is_refused(tmp_path):
    refused(ORDER.replace("resample = false", "count = 188"), "cases.count", "remove count",
            tmp_path=tmp_path, files={"c.csv": "x\n1\n2\n3\n"})


def test_a_share_by_name_needs_a_support_inside_0_1():
    refused("""
        [parameters]
        att = { dist = "normal", mean = 0.9, sd = 0.2 }
        [cases]
        count = 10
        [[items]]
        name = "a"
        amount = 100
        attribution = "att"
    """, "items.0.attribution", "'att'")


def test_a_share_by_expression_outside_0_1_is_non_finite():
    s = scenario("""
        [parameters]
        x = { dist = "uniform", min = 0.3, max = 0.7 }
        [cases]
        count = 10
        [success]
        rate = "2 * x"
        [[items]]
        name = "a"
        amount = 100
        attribution = "2 * x - 0.2"
    """)
    n = 20_000
    v = oz.simulate(s, n, seed=9, store="outputs")["savings_per_case"]
    bad = ~np.isfinite(v)
    # 2x > 1 when x > 0.5: half the iterations; then attribution 2x - 0.2 <= 1 always
    assert abs(bad.mean() - 0.5) < 4 * math.sqrt(0.25 / n)
    assert np.all(v[~bad] >= 0) and np.all(v[~bad] <= 100)  # never -9.2e18


def test_a_generated_name_refuses_a_users_parameter():
    refused("""
        [parameters]
        "cases.sum.all" = 5
        [cases]
        count = 10
        [[items]]
        name = "a"
        amount = 100
    """, "cases.sum.all", "rename your parameter")


def test_per_kind_net_outputs_only_where_they_mean_something():
    s = scenario(TRANSFER)
    assert "net_benefit.material" in s.outputs and "bcr.material" in s.outputs
    assert "net_benefit.immaterial" not in s.outputs and "bcr.immaterial" not in s.outputs


def test_stacked_counterfactuals_warn_and_unpriced_effects_are_listed():
    s = scenario("""
        [cases]
        count = 10
        stakeholders = ["gemeente", "buurt"]
        [[items]]
        name = "a"
        amount = 100
        probability = 0.5
        deadweight = 0.2
        [[unpriced]]
        name = "veiliger buurt"
        direction = "positive"
        stakeholder = "buurt"
        note = "no price found"
    """)
    assert s.domain is not None and len(s.domain.warnings) == 1
    assert "deadweight and probability" in s.domain.warnings[0]
    doc = oz.simulate(s, 100, seed=1).to_json()["domain"]
    assert doc["unpriced"][0]["name"] == "veiliger buurt"
    assert doc["unpriced"][0]["direction"] == "positive"
    assert doc["warnings"] == list(s.domain.warnings)


def test_unpriced_direction_is_checked():
    refused("""
        [cases]
        count = 10
        [[items]]
        name = "a"
        amount = 100
        [[unpriced]]
        name = "x"
        direction = "up"
    """, "unpriced.0.direction", "positive")


def test_price_year_indexes_with_the_cbs_cpi():
    body = """
        [options]
        price_year = 2024
        [prices]
        melding = { dist = "uniform", min = 900, max = 1100, price_year = 2014 }
        [cases]
        count = 10
        [[items]]
        name = "a"
        price = "melding"
        [[items]]
        name = "b"
        amount = 100
        price_year = 2022
    """
    # CBS yearly CPI changes 2015..2024 (percent), chained by hand
    changes = [0.6, 0.3, 1.4, 1.7, 2.6, 1.3, 2.7, 10.0, 3.8, 3.3]
    factor = math.prod(1 + c / 100 for c in changes)
    v = point(body)
    assert v["savings_per_case"] == pytest.approx(1000 * factor + 100 * 1.038 * 1.033)
    refused(body.replace("price_year = 2024", "immaterial = true"), "prices.melding.price_year",
            "[options] price_year")
    refused(body.replace("price_year = 2014", "price_year = 1990"), "price_year", "2000..2024")


def test_the_balance_per_stakeholder_is_in_the_json():
    doc = oz.simulate(scenario(VAT), 200, seed=1).to_json()["domain"]
    assert doc["balance"]["outputs"] == ["savings_per_year", "costs_per_year", "net_benefit"]
    rows = doc["balance"]["rows"]
    assert rows["rijk"]["costs_per_year"]["median"] == pytest.approx(-21_000)
    assert rows["societal"]["net_benefit"]["median"] == pytest.approx(50_000)


def test_the_report_shows_the_balance_the_unpriced_effects_and_the_cash_flow():
    from onzekerheid.report.html import render

    body = HORIZON.replace("[horizon]", """[[unpriced]]
    name = "betere schoolresultaten"
    direction = "positive"
    [horizon]""")
    page = render(oz.simulate(scenario(body), 500, seed=1), lang="nl")
    assert "Verdelingseffecten" in page and "betere schoolresultaten" in page
    assert "Netto kasstroom per jaar" in page


PROGRAMME = """
[options]
price_year = 2024

[cases]
count = 100
stakeholders = ["gemeente", "zorgverzekeraar", "client", "rijk"]

[success]
rate = "0.7 to 0.9"

[[items]]
name = "zorg"
stakeholder = "zorgverzekeraar"
amount = { dist = "lognormal", ci = [1500, 3000] }
price_year = 2020
duration = 3
dropoff = 0.3

[[items]]
name = "bijstand"
stakeholder = "gemeente"
transfer_from = "client"
amount = 2000
delay = 1
duration = 2

[[items]]
name = "meer_uren"
kind = "extra_cost"
stakeholder = "gemeente"
amount = 150

[[unpriced]]
name = "betere schoolresultaten"
direction = "positive"
stakeholder = "client"

[extrapolation]
cases_per_year = 200

[costs]
fte = 3
cost_per_fte = 85000
payer = "gemeente"

[[costs.one_off]]
name = "opstart"
amount = 250000
year = 0

[[costs.risks]]
name = "btw"
probability = 0.5
share = 0.21
transfer_to = "rijk"

[horizon]
years = 5
"""


def test_under_a_horizon_the_parties_balances_add_up_to_the_societal_npv():
    result = oz.simulate(scenario(PROGRAMME), 3000, seed=8, store="outputs")
    stakeholders = ["gemeente", "zorgverzekeraar", "client", "rijk"]
    parties = sum(result[f"npv.{s}"] for s in stakeholders)
    assert np.max(np.abs(result["npv"] - parties)) < 0.005  # VAT and bijstand cancel
    assert np.allclose(sum(result[f"costs_pv.{s}"] for s in stakeholders), result["costs_pv"])
    flows = sum(result[f"cash_flow.year{t}"] / 1.0225 ** (t - 1) for t in range(1, 6))
    assert np.allclose(flows, result["npv"])


def test_the_cpi_series_ships_with_its_source():
    from onzekerheid.scenario import cpi

    assert cpi.index()[2015] == 100 and cpi.years() == (2000, 2024)
    assert "CBS" in cpi.source()
    assert cpi.factor(2021, 2022) == pytest.approx(1.10)  # 2022: +10.0% (CBS)


def test_validate_shows_the_stacking_warning(tmp_path):
    from typer.testing import CliRunner

    from onzekerheid.cli import app

    path = tmp_path / "w.toml"
    path.write_text(HEAD + textwrap.dedent("""
        [cases]
        count = 10
        [[items]]
        name = "a"
        amount = 100
        attribution = 0.5
        deadweight = 0.2
    """))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0
    assert "deadweight and attribution" in " ".join(result.output.split())


def test_duration_without_a_horizon_warns_about_the_time_basis():
    s = scenario("""
        [cases]
        count = 10
        [[items]]
        name = "a"
        amount = 100
        duration = 3
    """)
    assert s.domain is not None and "[horizon]" in s.domain.warnings[0]
