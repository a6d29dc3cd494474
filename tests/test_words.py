"""Names people read: label, unit and better on parameters and outputs (the contract keys)."""
# ruff: noqa: E501

from __future__ import annotations

import numpy as np
import pytest

from onzekerheid import api
from onzekerheid.errors import ScenarioError
from onzekerheid.scenario import loads
from onzekerheid.scenario.units import builtin_better, builtin_unit, is_money

TEXT = """
[scenario]
title = "words"
[parameters]
cases = 100
rate = { dist = "beta", mean = 0.6, sd = 0.1, label = "Slagingskans", unit = "share", judgement = true, note = "an opinion" }
price = { dist = "fixed", value = 2000, label = "Prijs per melding", unit = "EUR" }
[outputs]
geholpen = { expr = "cases * rate", label = "Huishoudens geholpen", unit = "households" }
kosten = { expr = "cases * price", unit = "EUR", better = "lower" }
net = "geholpen * price - kosten"
"""


def test_parameter_words_are_kept() -> None:
    scenario = loads(TEXT)
    rate = scenario.parameters["rate"]
    assert (rate.label, rate.unit, rate.judgement) == ("Slagingskans", "share", True)
    assert rate.written.startswith("beta") and "label" not in rate.written
    price = scenario.parameters["price"]
    assert (price.kind, price.label, price.unit, price.judgement) == (
        "fixed", "Prijs per melding", "EUR", False)


def test_output_table_form_and_defaults() -> None:
    outputs = loads(TEXT).outputs
    assert (outputs["geholpen"].label, outputs["geholpen"].unit) == (
        "Huishoudens geholpen", "households")
    assert outputs["geholpen"].better == "higher"  # a custom output without better
    assert (outputs["kosten"].unit, outputs["kosten"].better) == ("EUR", "lower")
    assert (outputs["net"].label, outputs["net"].unit, outputs["net"].better) == (
        "", "", "higher")


def test_json_carries_label_unit_better() -> None:
    scenario = loads(TEXT)
    doc = api.simulate(scenario, iterations=2000, seed=1).to_json()
    assert doc["outputs"]["geholpen"]["label"] == "Huishoudens geholpen"
    assert doc["outputs"]["kosten"]["better"] == "lower"
    assert doc["outputs"]["net"]["label"] == "net"  # the name when no label is given
    point = api.point(scenario).to_json()  # --point keeps the contract's {value, claim}
    assert set(point["outputs"]["geholpen"]) == {"value", "claim"}


def test_builtin_outputs_take_unit_and_direction_from_the_name() -> None:
    assert (builtin_unit("costs_per_year.gemeente"), builtin_better("costs_per_year")) == (
        "EUR", "lower")
    assert (builtin_unit("bcr"), builtin_unit("break_even_hours.client")) == ("ratio", "hours")
    assert (builtin_unit("payback_year"), builtin_better("payback_year")) == ("years", "lower")
    assert builtin_better("net_benefit.gemeente") == "higher"
    assert is_money("EUR") and not is_money("households") and not is_money("")


def test_shipped_domain_outputs_have_units() -> None:
    scenario = api.load("scenarios/schiedam.toml")
    output = scenario.outputs["savings_per_case"]
    assert output.builtin and (output.unit, output.better) == ("EUR", "higher")


@pytest.mark.parametrize(("bad", "where", "says"), [
    ('x = { expr = "1", better = "up" }', "outputs.x.better", "better must be one of"),
    ('x = { expr = "1", unit = 3 }', "outputs.x.unit", "unit must be non-empty text"),
    ('x = { expr = "1", lable = "X" }', "outputs.x.lable", "did you mean 'label'"),
    ('x = { label = "X" }', "outputs.x", "needs expr"),
])
def test_bad_output_tables_name_the_key(bad: str, where: str, says: str) -> None:
    with pytest.raises(ScenarioError) as info:
        loads(f'[scenario]\ntitle = "t"\n[parameters]\na = 1\n[outputs]\n{bad}\n')
    message = str(info.value)
    assert where in message and says in message


def test_judgement_must_be_boolean() -> None:
    with pytest.raises(ScenarioError, match="judgement must be true or false"):
        loads('[scenario]\ntitle = "t"\n[parameters]\n'
              'a = { dist = "normal", mean = 0, sd = 1, judgement = "yes" }\n'
              '[outputs]\ny = "a"\n')


def test_set_on_an_output_table_keeps_its_words() -> None:
    scenario = loads(TEXT, overrides={"geholpen": "cases * rate * 2"})
    assert scenario.outputs["geholpen"].expression == "cases * rate * 2"
    assert scenario.outputs["geholpen"].label == "Huishoudens geholpen"


def test_the_audit_shows_money_only_by_unit() -> None:
    from onzekerheid.analysis.audit import audit_claim
    from onzekerheid.scenario.units import unit_by_name

    values = np.linspace(1.0, 9.0, 1001)
    assert "€" not in audit_claim("payback_year", values, 3.0).sentence_en  # years, by name
    assert "€" in audit_claim("net_benefit", values, 3.0).sentence_en  # money, by name
    assert "€" not in audit_claim("levensjaren", values, 3.0).sentence_en  # a custom name
    assert "€" in audit_claim("levensjaren", values, 3.0, unit="EUR").sentence_en
    assert (unit_by_name("costs_pv.gemeente"), unit_by_name("aantal_geholpen")) == ("EUR", "")


def test_one_year_is_singular() -> None:
    from onzekerheid.report.numbers import quantity

    assert [quantity(x, "years", "en") for x in (1.0, 2.0)] == ["1\u00a0year", "2\u00a0years"]
    assert quantity(1.0, "hours", "nl") == "1\u00a0uur"


def test_money_is_never_written_below_the_cent() -> None:
    from onzekerheid.report.numbers import money

    # six significant digits of a computed amount would print "€ 925,815" (nl): misread as
    # 925 thousand; an amount stops at the cent
    assert money(925.815, "nl", 6) == "€\u00a0925,82"
    assert money(925.815, "en", 6) == "€925.82"
    assert money(8336.0, "nl", 6) == "€\u00a08.336"
