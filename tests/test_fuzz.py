"""Property-based fuzzing of the loader, every distribution's arguments and the domain sections.

Properties, for any generated input:

* it loads, or it fails with :class:`ScenarioError` (never another exception), and every
  problem names a place and has a message;
* a loaded scenario simulates; every output's summary counts exactly the iterations that are
  not finite (``Summary.nonfinite``), so none is dropped silently; with a zero count, every
  number of the summary is finite;
* the draws of a random parameter lie within its distribution's support (after truncation).

The expression parser itself is fuzzed in test_expressions.py. Example counts are fixed
(``max_examples``) and the search is derandomised, so every run tries the same inputs.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import onzekerheid as oz
from onzekerheid.scenario import from_dict
from onzekerheid.scenario.distributions import ARGUMENT_SETS, COMMON_KEYS

ITERATIONS = 300
# the counts reported in the README's Reliability section
EXAMPLES = {"toml_documents": 300, "distribution_arguments": 400, "domain_sections": 300,
            "raw_bytes": 300}
SETTINGS = {"deadline": None, "derandomize": True,
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much]}


# ------------------------------------------------------------------------ the properties


def load_or_error(load: Any) -> oz.Scenario | None:
    """Run ``load()``; our error is an answer (None), anything else fails the test."""
    try:
        scenario = load()
    except oz.ScenarioError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.message and problem.render()
        event("refused")
        return None
    event("loaded")
    return scenario


def simulates_honestly(scenario: oz.Scenario) -> oz.Result:
    """Simulate; each output's summary counts its non-finite iterations exactly."""
    result = oz.simulate(scenario, ITERATIONS, seed=3, store="all")
    for name in scenario.outputs:
        values = result[name]
        summary = result.summary_of(name)
        assert summary.nonfinite == int(np.count_nonzero(~np.isfinite(values))), name
        event("an output with non-finite iterations" if summary.nonfinite else "all finite")
        if summary.nonfinite == 0:
            for key in ("mean", "sd", "mcse", "median", "low", "high", "p_positive"):
                assert math.isfinite(getattr(summary, key)), (name, key)
            assert summary.low <= summary.median <= summary.high
        # the JSON document turns what is not finite into null, never into a number
        doc = result.to_json()["outputs"][name]
        assert doc["nonfinite"] == summary.nonfinite
        json.dumps(doc, allow_nan=False)
    return result


# ------------------------------------------------------------------------ TOML text

def toml_value(value: Any) -> str:
    """A Python value as TOML (inline) text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + " }"


NUMBERS = st.one_of(
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 0.0, -0.0, 1, 0.5, 1e-300, 1e300, 2**31, -1, 0.9999999999999999]),
)
NAMES = st.sampled_from(["x", "y", "z", "cost", "net", "x", "y", "z", "cost", "net", "a.b",
                         "2x", "log", "P", "x_1", ""])
EXPRESSIONS = st.sampled_from([
    "x", "x * 2", "x / z", "log(x)", "sqrt(x - 1)", "x ** 400", "min(x, y)", "x +", "y",
    "10 to 20", "-5 to 5", "0.2 to 0.4", "where(x > 1, 1 / 0, x)", "exp(x * 1000)", "cost",
    "net - cost", "clip(x, 0, 1)", "a.b + 1", "__import__('os')", "", "x[0]",
    "1", "2.5", "x", "x * 2", "x - 1", "log(x)", "1 / x", "x ** 2",
])
FAMILIES = st.sampled_from(sorted(ARGUMENT_SETS) + ["gaussian", ""])
ARGUMENT_KEYS = sorted({k for sets in ARGUMENT_SETS.values() for s in sets for k in s}
                       | COMMON_KEYS - {"dist"})


def argument_value(key: str) -> st.SearchStrategy[Any]:
    if key in ("values", "weights", "ci"):
        return st.lists(NUMBERS, max_size=4)
    if key in ("source", "note"):
        return st.one_of(st.text(max_size=10), NUMBERS)
    return st.one_of(NUMBERS, NUMBERS, NUMBERS, st.sampled_from(["1", True, [1]]))


POSITIVE = st.floats(1e-3, 1e6)
ANY = st.floats(-1e6, 1e6)
UNIT = st.floats(0.01, 0.99)


def _sorted(n: int) -> st.SearchStrategy[list[float]]:
    return st.lists(ANY, min_size=n, max_size=n, unique=True).map(sorted)


# plausible arguments per argument set (about half of them valid), to be perturbed
PLAUSIBLE: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "fixed": st.fixed_dictionaries({"value": ANY}),
    "uniform": _sorted(2).map(lambda v: {"min": v[0], "max": v[1]}),
    "triangular": _sorted(3).map(lambda v: {"min": v[0], "mode": v[1], "max": v[2]}),
    "pert": st.tuples(_sorted(3), POSITIVE).map(
        lambda t: {"min": t[0][0], "mode": t[0][1], "max": t[0][2], "lambda": t[1]}),
    "normal": st.one_of(st.fixed_dictionaries({"mean": ANY, "sd": POSITIVE}),
                        _sorted(2).map(lambda v: {"ci": v})),
    "lognormal": st.one_of(st.fixed_dictionaries({"median": POSITIVE, "sigma": st.floats(0.01, 3)}),
                           st.fixed_dictionaries({"mean": POSITIVE, "sd": POSITIVE}),
                           st.lists(POSITIVE, min_size=2, max_size=2, unique=True)
                           .map(lambda v: {"ci": sorted(v)})),
    "beta": st.one_of(st.fixed_dictionaries({"alpha": st.floats(0.05, 50),
                                             "beta": st.floats(0.05, 50)}),
                      st.integers(1, 100).flatmap(lambda n: st.fixed_dictionaries(
                          {"successes": st.integers(0, n), "trials": st.just(n)})),
                      st.fixed_dictionaries({"mean": UNIT, "sd": st.floats(0.001, 0.3)}),
                      st.lists(UNIT, min_size=2, max_size=2, unique=True)
                      .map(lambda v: {"ci": sorted(v)})),
    "gamma": st.one_of(st.fixed_dictionaries({"shape": st.floats(0.05, 100), "scale": POSITIVE}),
                       st.fixed_dictionaries({"mean": POSITIVE, "sd": POSITIVE})),
    "poisson": st.fixed_dictionaries({"mean": st.floats(0, 1e4)}),
    "binomial": st.fixed_dictionaries({"n": st.integers(0, 1000), "p": st.floats(0, 1)}),
    "bernoulli": st.fixed_dictionaries({"p": st.floats(0, 1)}),
    "discrete": st.integers(1, 5).flatmap(lambda n: st.fixed_dictionaries({
        "values": st.lists(ANY, min_size=n, max_size=n, unique=True),
        "weights": st.lists(st.floats(0, 10), min_size=n, max_size=n)})),
}


@st.composite
def distribution_tables(draw: Any, family: str | None = None, keep_dist: bool = False
                        ) -> dict[str, Any]:
    """A distribution table: plausible arguments, then perhaps hostile changes."""
    family = family or draw(FAMILIES)
    table: dict[str, Any] = {"dist": family}
    table.update(draw(PLAUSIBLE.get(family, PLAUSIBLE["normal"])))
    for _ in range(draw(st.integers(0, 2)) * draw(st.integers(0, 1))):
        change = draw(st.sampled_from(["replace", "drop", "add"]))
        keys = sorted(set(table) - ({"dist"} if keep_dist else set()))
        if not keys and change != "add":
            continue
        key = draw(st.sampled_from(keys if change != "add" else ARGUMENT_KEYS))
        if change == "drop":
            table.pop(key, None)
        else:
            table[key] = draw(argument_value(key))
    if draw(st.integers(0, 3)) == 0:
        table["point"] = draw(NUMBERS)
    return table


PARAMETER_VALUES = st.one_of(NUMBERS, distribution_tables(), distribution_tables(),
                             EXPRESSIONS, st.sampled_from([True, [1, 2], {"sub": 1}]))


@st.composite
def documents(draw: Any) -> str:
    lines = []
    if draw(st.integers(0, 19)):
        title = draw(st.sampled_from(["t"] * 9 + [3]))
        lines += ["[scenario]", f"title = {toml_value(title)}"]
    lines.append("[parameters]")
    for name in draw(st.lists(NAMES, max_size=4, unique=True)):
        lines.append(f"{json.dumps(name)} = {toml_value(draw(PARAMETER_VALUES))}")
    lines.append("[outputs]")
    for name in draw(st.lists(st.sampled_from(["out", "net", "y", "w"]), min_size=1,
                              max_size=3, unique=True)):
        lines.append(f"{json.dumps(name)} = {toml_value(draw(st.one_of(EXPRESSIONS, NUMBERS)))}")
    if draw(st.booleans()):
        lines.append("[claim]")
        lines.append(f"{json.dumps(draw(NAMES))} = {toml_value(draw(NUMBERS))}")
    if draw(st.booleans()):
        lines += ["[[checks]]", "expect = " + json.dumps(draw(st.sampled_from(
            ["P(y > 0) >= 0.5", "mean(x) > 1", "q05(net) >= -1e3", "q0(y) > 1", "nonsense"])))]
    if not draw(mostly(st.just(True), st.just(False))):  # broken TOML now and then
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(
            ["[scenario", "x = ", "= 1", "x = 1\nx = 2", "[[outputs]]", "y = \"unterminated"])))
    return "\n".join(lines) + "\n"


@settings(max_examples=EXAMPLES["toml_documents"], **SETTINGS)
@given(documents())
def test_any_toml_document_loads_or_fails_with_our_error(text: str) -> None:
    scenario = load_or_error(lambda: oz.loads(text))
    if scenario is not None:
        simulates_honestly(scenario)


@settings(max_examples=EXAMPLES["raw_bytes"], **SETTINGS)
@given(st.one_of(st.binary(max_size=200),
                 st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
                 st.text(max_size=100).map(lambda t: t.encode("utf-16"))))
def test_any_bytes_load_or_fail_with_our_error(tmp_path_factory: Any, data: bytes) -> None:
    path = tmp_path_factory.mktemp("raw") / "s.toml"
    path.write_bytes(data)
    load_or_error(lambda: oz.load(path))


# ------------------------------------------------------------------------ distributions


@settings(max_examples=EXAMPLES["distribution_arguments"], **SETTINGS)
@given(st.sampled_from(sorted(ARGUMENT_SETS)).flatmap(distribution_tables),
       st.one_of(st.none(), NUMBERS), st.one_of(st.none(), NUMBERS))
def test_any_distribution_arguments_load_or_fail_and_draw_inside_the_support(
        table: dict[str, Any], lower: Any, upper: Any) -> None:
    if lower is not None:
        table["lower"] = lower
    if upper is not None:
        table["upper"] = upper
    raw = {"scenario": {"title": "fuzz"}, "parameters": {"x": table},
           "outputs": {"y": "x", "z": "x * 2 - 1", "w": "log(x)"}}
    scenario = load_or_error(lambda: from_dict(raw))
    if scenario is None:
        return
    result = simulates_honestly(scenario)
    parameter = scenario.parameters["x"]
    if parameter.kind == "random":
        x = result["x"]
        low, high = parameter.dist.support()
        assert np.all(np.isfinite(x)), "a valid distribution drew a value that is not finite"
        assert np.all((x >= low) & (x <= high)), (table, low, high, x.min(), x.max())
        assert math.isfinite(float(parameter.dist.ppf(0.5)))


# ------------------------------------------------------------------------ domain sections



def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good`` seven times in eight, ``bad`` otherwise: one hostile field at a time, so that
    a fair share of documents loads and goes on to be simulated."""
    return st.sampled_from([True] * 7 + [False]).flatmap(lambda ok: good if ok else bad)


SHARES = mostly(st.one_of(st.floats(0, 1), st.just("0.2 to 0.4"),
                          st.fixed_dictionaries({"dist": st.just("beta"),
                                                 "alpha": st.floats(0.1, 20),
                                                 "beta": st.floats(0.1, 20)})),
                st.one_of(st.floats(-0.5, 1.5), st.sampled_from(["0.5 to 2", "x", "nope"]),
                          distribution_tables("beta"), distribution_tables("normal"), NUMBERS))
AMOUNTS = mostly(st.one_of(POSITIVE, st.just("100 to 200"), st.just("x * 10"),
                           PLAUSIBLE["lognormal"].map(lambda t: {"dist": "lognormal", **t})),
                 st.one_of(NUMBERS, st.just("-5 to 5"), distribution_tables("lognormal")))
NAMES_OK = st.sampled_from(["gemeente", "client", "derden"])


@st.composite
def domain_documents(draw: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"scenario": {"title": "fuzz"}, "parameters": {"x": 2.0}}
    stakeholders = draw(mostly(st.lists(NAMES_OK, max_size=3, unique=True),
                               st.lists(st.sampled_from(["material", "1x", "a"]), max_size=2)))
    cases: dict[str, Any] = {}
    if stakeholders:
        cases["stakeholders"] = stakeholders
    if draw(st.booleans()) or cases:
        cases["count"] = draw(mostly(st.integers(1, 50),
                                     st.sampled_from([0, -2, 0.5, "3", 10**7, True, None])))
    if draw(st.booleans()):
        cases["heterogeneity"] = draw(mostly(
            st.fixed_dictionaries({"dist": st.just("gamma"), "mean": st.just(1.0),
                                   "sd": st.floats(0.05, 3)}),
            st.one_of(distribution_tables("gamma"), distribution_tables("normal"),
                      NUMBERS)))
    if cases:
        raw["cases"] = cases
    if draw(st.booleans()):
        raw["success"] = {"rate": draw(SHARES)}
        if draw(st.booleans()):
            raw["success"]["failure_yield"] = draw(SHARES)
    if draw(st.booleans()):
        raw["bias"] = {"systematic": draw(AMOUNTS)}
        if draw(st.booleans()):
            raw["bias"]["per_case"] = draw(mostly(
                st.fixed_dictionaries({"dist": st.just("lognormal"), "mean": st.just(1.0),
                                       "sd": st.floats(0.05, 2)}),
                distribution_tables("lognormal")))
    items = []
    for i in range(draw(mostly(st.integers(1, 3), st.just(0)))):
        item: dict[str, Any] = {"name": draw(mostly(st.just(f"i{i}"),
                                                    st.sampled_from(["i0", "", "2b", 5])))}
        if draw(mostly(st.just(True), st.just(False))):
            item["amount"] = draw(AMOUNTS)
        if stakeholders and draw(st.booleans()):
            item["stakeholder"] = draw(mostly(st.sampled_from(stakeholders), st.just("nobody")))
        for key in draw(st.lists(st.sampled_from(["probability", "attribution", "deadweight"]),
                                 max_size=2, unique=True)):
            item[key] = draw(SHARES)
        if draw(st.booleans()):
            item["duration"] = draw(mostly(st.integers(1, 10), AMOUNTS))
            if draw(st.booleans()):
                item["dropoff"] = draw(SHARES)
        if draw(st.booleans()):
            item["kind"] = draw(mostly(st.just("immaterial"), st.just("other")))
        items.append(item)
    raw["items"] = items
    if draw(st.booleans()):
        raw["extrapolation"] = {"cases_per_year": draw(AMOUNTS)}
        if draw(st.booleans()):
            raw["extrapolation"]["safety_margin"] = draw(SHARES)
    if draw(st.booleans()):
        costs: dict[str, Any] = {}
        if draw(st.booleans()):
            costs["hourly_rate"] = draw(AMOUNTS)
            if draw(mostly(st.just(True), st.just(False))):
                costs["hours_per_case"] = draw(AMOUNTS)
        if draw(st.booleans()):
            costs["fte"] = draw(AMOUNTS)
            if draw(mostly(st.just(True), st.just(False))):
                costs["cost_per_fte"] = draw(AMOUNTS)
        if draw(st.booleans()):
            costs["risks"] = [{"name": "r", "probability": draw(SHARES),
                               draw(st.sampled_from(["share", "amount"])): draw(AMOUNTS)}]
        raw["costs"] = costs
    return raw


@settings(max_examples=EXAMPLES["domain_sections"], **SETTINGS)
@given(domain_documents())
def test_any_domain_sections_load_or_fail_with_our_error(raw: dict[str, Any]) -> None:
    scenario = load_or_error(lambda: from_dict(raw))
    if scenario is not None:
        simulates_honestly(scenario)


@pytest.mark.parametrize("family", [0, "gaussian"])
def test_per_case_factor_with_an_unknown_family_is_our_error(family: Any) -> None:
    raw = {"scenario": {"title": "t"}, "cases": {"count": 3},
           "bias": {"per_case": {"dist": family, "median": 1.0, "sigma": 1.0}},
           "items": [{"name": "a", "amount": 1}]}
    with pytest.raises(oz.ScenarioError, match="per_case"):
        from_dict(raw)
