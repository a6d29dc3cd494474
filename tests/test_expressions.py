"""The expression language: grammar, rejected constructs, names and cycles, numeric semantics.

Values are computed through the whole path (TOML -> parser -> plan -> numba kernel) with
``onzekerheid.point``. Expressions over named parameters run in the kernel; expressions over
literal numbers are folded at plan time; both must agree with numpy's float64 rules.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import onzekerheid as oz
from onzekerheid import ScenarioError
from onzekerheid.scenario.expressions import MAX_LENGTH, ExpressionError, names_in, parse

PARAMS = {"a": 2.0, "z": 0.0, "m": -1.0, "big": 1000.0, "nz": -0.0, "h": 0.5}


def scenario_text(expr: str, params: dict[str, float] | None = None) -> str:
    params = PARAMS if params is None else params
    body = "\n".join(f"{k} = {v!r}" for k, v in params.items())
    return f"[scenario]\ntitle = \"t\"\n[parameters]\n{body}\n[outputs]\nout = '{expr}'\n"


def value(expr: str, params: dict[str, float] | None = None) -> float:
    return oz.point(oz.loads(scenario_text(expr, params))).values["out"]


def folded(expr: str) -> str:
    """The same expression with every name replaced by its value as a literal."""
    return re.sub(r"\b[a-z]+\b(?!\()", lambda m: f"({PARAMS[m.group()]!r})"
                  if m.group() in PARAMS else m.group(), expr)


# --------------------------------------------------------------------------------------------
# grammar and precedence


@pytest.mark.parametrize(("expr", "expected"), [
    ("-2**2", -4.0),
    ("-a**2", -4.0),
    ("2**3**2", 512.0),
    ("a**3**a", 512.0),
    ("(a**3)**a", 64.0),
    ("a**-1", 0.5),
    ("-a**-1", -0.5),
    ("+a", 2.0),
    ("--a", 2.0),
    ("a - a - a", -2.0),
    ("a / a / 4", 0.25),
    ("1 + a * 3", 7.0),
    ("(1 + a) * 3", 9.0),
    ("a * 3 - 4 / a", 4.0),
    ("a < 3", 1.0),
    ("a > 3", 0.0),
    ("a <= 2", 1.0),
    ("a >= 2.5", 0.0),
    ("a + 1 == 3", 1.0),
    ("a != 2", 0.0),
    ("2 * a > 3", 1.0),
    ("(a > 1) + (a > 0)", 2.0),
    ("1e3 + .5 + 2. + 1E-1", 1002.6),
    ("min(a, 1)", 1.0),
    ("min(a, 1, 3, m, 7)", -1.0),
    ("max(a, 1, 3, m, 7)", 7.0),
    ("abs(m * a)", 2.0),
    ("exp(a)", math.exp(2)),
    ("log(a)", math.log(2)),
    ("sqrt(a)", math.sqrt(2)),
    ("sin(a)", math.sin(2)),
    ("cos(a)", math.cos(2)),
    ("floor(-2.5 * h * a)", -3.0),
    ("ceil(-2.5 * h * a)", -2.0),
    ("floor(a + h)", 2.0),
    ("ceil(a + h)", 3.0),
    ("clip(a, 0, 1)", 1.0),
    ("clip(m, 0, 1)", 0.0),
    ("clip(h, 0, 1)", 0.5),
    ("where(a > 1, 10, 20)", 10.0),
    ("where(a < 1, 10, 20)", 20.0),
    ("where(h, a, m)", 2.0),
    ("max(min(a, 3), clip(big, 0, 5)) * where(z, 1, 2)", 10.0),
])
def test_grammar_values(expr, expected):  # type: ignore[no-untyped-def]
    assert value(expr) == pytest.approx(expected, rel=1e-15)
    assert value(folded(expr)) == pytest.approx(expected, rel=1e-15)


def test_dotted_names_in_parameters_and_outputs():
    text = """
[scenario]
title = "t"
[parameters.prices]
melding = 100
ots = { dist = "normal", mean = 50, sd = 1, point = 40 }
[parameters]
n = 3
[outputs.saving]
gemeente = "n * prices.melding"
rijk = "saving.gemeente + prices.ots"
"""
    sc = oz.loads(text)
    assert set(sc.parameters) == {"prices.melding", "prices.ots", "n"}
    assert oz.point(sc).values["saving.rijk"] == 340.0


def test_parse_tree_and_names():
    node = parse("min(a.b, c) + -d ** 2")
    assert names_in(node) == {"a.b", "c", "d"}
    assert node.kind == "binop" and node.name == "+"
    assert node.args[1].kind == "neg"  # unary minus binds looser than **


# --------------------------------------------------------------------------------------------
# rejected constructs: each names what is wrong


REJECTED = [
    ("a[0]", "indexing is not allowed"),
    ("a.b()", r"'a\.b\(' calls a method or attribute; only min, max"),
    ("a.real(1)", "calls a method or attribute"),
    ("lambda: 1", "lambdas are not allowed"),
    ("lambda x: x", "lambdas are not allowed"),
    ("a if a else m", r"conditional expressions are not allowed; use where\(cond, a, b\)"),
    ("a and m", "'and' is not allowed"),
    ("a or m", "'or' is not allowed"),
    ("not a", "'not' is not allowed"),
    ("min(a or m, 1)", "'or' is not allowed"),
    ("(a and m)", "'and' is not allowed"),
    ("a is m", "'is' is not allowed"),
    ("a in m", "membership tests are not allowed"),
    ("x for x in a", "comprehensions are not allowed"),
    ("import os", "imports are not allowed"),
    ('"text"', "strings are not allowed"),
    ("'text'", "strings are not allowed"),
    ("a % 2", "the % operator is not allowed"),
    ("a // 2", r"floor division is not allowed; use floor\(a / b\)"),
    ("a & m", "bitwise operators are not allowed"),
    ("a | m", "bitwise operators are not allowed"),
    ("a ^ 2", r"'\^' is not a power; use \*\*"),
    ("~a", "'~' is not allowed"),
    ("a << 1", "shift operators are not allowed"),
    ("a >> 1", "shift operators are not allowed"),
    ("!a", "'!' is not allowed"),
    ("a @ m", "the @ operator is not allowed"),
    ("a < m < 3", "chained comparisons are not allowed"),
    ("a == m != 1", "chained comparisons are not allowed"),
    ("sqr(a)", r"unknown function 'sqr'; did you mean 'sqrt'\?"),
    ("mean(a)", r"unknown function 'mean'"),
    ("__import__(a)", r"unknown function '__import__'"),
    ("(b := 1)", r"assignment \(:=\) is not allowed"),
    ("a = 1", "assignment is not allowed; use == to compare"),
    ("a; m", "only one expression is allowed"),
    ("{a}", "braces are not allowed"),
    ("a[1:2]", "indexing is not allowed"),
    ("2a", "malformed number '2a'"),
    ("1e", "malformed number"),
    ("a.+1", "a dotted name must continue with a name"),
    ("a.1", r"unexpected '\.1' after a complete expression"),
    ("min(a)", r"min\(\) takes at least 2 argument\(s\), got 1"),
    ("clip(a, 1)", r"clip\(\) takes 3 argument\(s\), got 2"),
    ("abs()", r"abs\(\) takes 1 argument\(s\), got 0"),
    ("min(a, m", r"missing '\)' to close min\("),
    ("(a + 1", r"missing '\)'"),
    ("a +", "expression ends too early"),
    ("", "expression ends too early"),
    ("a m", "unexpected 'm' after a complete expression"),
    ("a $ m", r"unexpected character '\$'"),
]


@pytest.mark.parametrize(("expr", "message"), REJECTED, ids=[r[0] for r in REJECTED])
def test_rejected_constructs(expr, message):  # type: ignore[no-untyped-def]
    with pytest.raises(ExpressionError, match=message):
        parse(expr)


def test_rejection_names_file_path_expression_and_column():
    with pytest.raises(ScenarioError,
                       match=r"<string>:11: outputs\.out: in expression 'a\[0\]' at column 2: "
                             r"indexing is not allowed"):
        oz.loads(scenario_text("a[0]"))


@pytest.mark.parametrize(("expr", "message"), [
    ("(" * 10_000 + "a" + ")" * 10_000, f"the limit is {MAX_LENGTH}"),
    ("-" * 100_000 + "a", f"the limit is {MAX_LENGTH}"),
    ("a+" * 6000 + "a", f"the limit is {MAX_LENGTH}"),
    ("(" * 4000 + "a" + ")" * 4000, "nested too deeply"),
    ("-" * 9000 + "a", "nested too deeply"),
    ("a**" * 2000 + "a", "nested too deeply"),
    ("a+" * 4000 + "a", "nested too deeply"),
    ("a*" * 4000 + "a", "nested too deeply"),
    ("a-" * 3000 + "(" * 60 + "a" + ")" * 60, "nested too deeply"),
    ("min(" * 1200 + "a" + ",a)" * 1200, "nested too deeply"),
])
def test_huge_or_deep_expressions_fail_with_our_error(expr, message):  # type: ignore[no-untyped-def]
    # Through the loader, so every recursive walk (names, cycles, plan) is covered: a
    # RecursionError or a hang here would be a bug.
    with pytest.raises(ScenarioError, match=message):
        oz.loads(scenario_text(expr))


def test_long_but_allowed_expressions_evaluate():
    assert value("a+" * 200 + "a") == 402.0
    assert value("min(" + "a," * 3000 + "m)") == -1.0
    assert value("(" * 50 + "a" + ")" * 50) == 2.0
    assert value("-" * 200 + "a") == 2.0


# --------------------------------------------------------------------------------------------
# names and cycles


def test_unknown_name_with_did_you_mean():
    text = scenario_text("reprt_cost * 2", {"report_cost": 1.0})
    with pytest.raises(ScenarioError, match=r"outputs\.out: unknown name 'reprt_cost' in "
                                            r"expression 'reprt_cost \* 2' \(did you mean "
                                            r"'report_cost'\?\)"):
        oz.loads(text)


def test_function_name_used_as_a_variable():
    with pytest.raises(ScenarioError, match=r"unknown name 'sqrt'.*sqrt is a function: write"):
        oz.loads(scenario_text("sqrt * 2"))


def test_attribute_access_is_an_unknown_name_not_python():
    with pytest.raises(ScenarioError, match=r"unknown name 'a\.__class__'"):
        oz.loads(scenario_text("a.__class__"))


@pytest.mark.parametrize(("parameters", "outputs", "cycle"), [
    ({"p": '"q + 1"', "q": '"p * 2"'}, {"out": '"p"'}, {"p", "q"}),
    ({}, {"out": '"out + 1"'}, {"out"}),
    ({"p": '"out2 + 1"'}, {"out": '"p"', "out2": '"out * 2"'}, {"out", "p", "out2"}),
])
def test_cycles_show_the_cycle(parameters, outputs, cycle):  # type: ignore[no-untyped-def]
    params = "\n".join(f"{k} = {v}" for k, v in parameters.items())
    outs = "\n".join(f"{k} = {v}" for k, v in outputs.items())
    text = f'[scenario]\ntitle = "t"\n[parameters]\n{params}\n[outputs]\n{outs}\n'
    with pytest.raises(ScenarioError, match="circular definition: ") as info:
        oz.loads(text)
    message = info.value.problems[0].message
    shown = message.split(": ", 1)[1].split(" -> ")
    assert shown[0] == shown[-1] and set(shown) == cycle and len(shown) == len(cycle) + 1


def test_reserved_names_are_refused():
    with pytest.raises(ScenarioError, match=r"parameters\.min: 'min' is reserved"):
        oz.loads('[scenario]\ntitle = "t"\n[parameters]\nmin = 1\n[outputs]\nout = "1"\n')


# --------------------------------------------------------------------------------------------
# numeric semantics: inf and nan as numpy gives them, never an exception


def _nan() -> float:
    return float("nan")


NUMERIC = [
    ("a / z", lambda: np.float64(2) / np.float64(0)),
    ("m / z", lambda: np.float64(-1) / np.float64(0)),
    ("z / z", lambda: np.float64(0) / np.float64(0)),
    ("a / nz", lambda: np.float64(2) / np.float64(-0.0)),
    ("log(m)", lambda: np.log(np.float64(-1))),
    ("log(z)", lambda: np.log(np.float64(0))),
    ("log(a / z)", lambda: np.log(np.float64(np.inf))),
    ("sqrt(m)", lambda: np.sqrt(np.float64(-1))),
    ("sqrt(a / z)", lambda: np.sqrt(np.float64(np.inf))),
    ("exp(big)", lambda: np.exp(np.float64(1000))),
    ("exp(m * big)", lambda: np.exp(np.float64(-1000))),
    pytest.param("exp(z / z)", lambda: np.exp(np.float64(np.nan)), id="exp(nan)"),
    pytest.param("exp(709.781 + z)", lambda: np.exp(np.float64(709.781)), id="exp(709.781)"),
    ("z ** m", lambda: np.float64(0) ** np.float64(-1)),
    ("m ** h", lambda: np.float64(-1) ** np.float64(0.5)),
    ("big ** big", lambda: np.float64(1000) ** np.float64(1000)),
    ("(z / z) ** z", lambda: np.float64(np.nan) ** np.float64(0)),
    ("m ** (a / z)", lambda: np.float64(-1) ** np.float64(np.inf)),
    ("min(z / z, a)", lambda: np.minimum(np.nan, 2.0)),
    ("min(a, z / z)", lambda: np.minimum(2.0, np.nan)),
    ("max(a, z / z, m)", lambda: np.maximum.reduce([2.0, np.nan, -1.0])),
    ("clip(z / z, m, a)", lambda: np.clip(np.nan, -1.0, 2.0)),
    ("clip(big, m, a)", lambda: np.clip(1000.0, -1.0, 2.0)),
    ("clip(a / z, m, a)", lambda: np.clip(np.inf, -1.0, 2.0)),
    ("where(z / z, a, m)", lambda: np.where(np.nan, 2.0, -1.0)),
    ("where(z, a, m)", lambda: np.where(0.0, 2.0, -1.0)),
    ("z / z < a", lambda: float(np.nan < 2.0)),
    ("z / z == z / z", lambda: float(np.nan == np.nan)),
    ("z / z != z / z", lambda: float(np.nan != np.nan)),
    ("floor(a / z)", lambda: np.floor(np.inf)),
    ("ceil(m / z)", lambda: np.ceil(-np.inf)),
    ("floor(z / z)", lambda: np.floor(np.nan)),
    ("sin(a / z)", lambda: np.sin(np.inf)),
    ("cos(m / z)", lambda: np.cos(-np.inf)),
    ("abs(m / z)", lambda: np.abs(-np.inf)),
    ("-(z / z)", lambda: -np.float64(np.nan)),
    ("big * big * big * big * big * big * big * big * big * big * big * big * big * big * big * "
     "big * big * big * big * big * big * big * big * big * big * big * big * big * big * big * "
     "big * big * big * big * big * big * big * big * big * big * big * big * big * big * big * "
     "big * big * big * big * big * big * big * big * big * big * big * big * big * big * big * "
     "big * big * big * big * big * big * big * big * big * big * big * big * big * big * big * "
     "big * big * big * big * big * big * big * big * big * big * big * big * big * big * big * "
     "big * big * big * big * big * big * big * big * big * big * big * big * big * big * big",
     lambda: np.float64(np.inf)),
]


@pytest.mark.parametrize(("expr", "reference"), NUMERIC,
                         ids=[n[0][:40] if isinstance(n, tuple) else n.id for n in NUMERIC])
@pytest.mark.parametrize("path", ["kernel", "folded"])
def test_numeric_semantics_match_numpy(expr, reference, path):  # type: ignore[no-untyped-def]
    with np.errstate(all="ignore"):
        expected = float(reference())
    got = value(expr if path == "kernel" else folded(expr))
    np.testing.assert_equal(got, expected)
    if expected == 0.0:  # the sign of zero too
        assert math.copysign(1, got) == math.copysign(1, expected)


def test_simulated_outputs_follow_the_same_rules():
    # The same kernel evaluates every row of a simulation; mixed rows stay independent.
    text = """
[scenario]
title = "t"
[parameters]
x = { dist = "discrete", values = [-1, 0, 1], weights = [1, 1, 1] }
[outputs]
ratio = "1 / x"
logged = "log(x)"
root = "sqrt(x)"
"""
    result = oz.simulate(oz.loads(text), 2_000, seed=4, store="all")
    x = result["x"]
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(result["ratio"], 1.0 / x)
        np.testing.assert_array_equal(result["logged"], np.log(x))
        np.testing.assert_array_equal(result["root"], np.sqrt(x))


# --------------------------------------------------------------------------------------------
# fuzzing: any text either parses or raises our error, never anything else

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = ["a", "m", "1", "2.5", "1e3", ".", "(", ")", ",", "+", "-", "*", "/", "**", "<", "<=",
           "==", "!=", ">", ">=", "min", "max", "clip", "where", "log", "exp", "and", "if", "[",
           "]", "'", ":", "=", "%", "//", "lambda", " ", "_x", "a.b", "~", "!", "@", "{"]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_any_text_parses_or_raises_expression_error(text):  # type: ignore[no-untyped-def]
    try:
        node = parse(text)
    except ExpressionError as exc:
        assert str(exc)
        assert exc.position is None or 0 <= exc.position <= len(text)
    else:
        assert isinstance(names_in(node), set)


_LEAVES = st.sampled_from(["a", "m", "h", "z", "nz", "big", "2", "0", "0.5", "-1"])
_BINARY = st.sampled_from(["+", "-", "*", "/", "**", "<", "<=", ">", ">=", "==", "!="])
_UNARY = st.sampled_from(["-", "abs", "exp", "log", "sqrt", "sin", "cos", "floor", "ceil"])
_EXPRESSIONS = st.recursive(_LEAVES, lambda inner: st.one_of(
    st.tuples(inner, _BINARY, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
    st.tuples(_UNARY, inner).map(lambda t: f"{t[0]}({t[1]})"),
    st.tuples(st.sampled_from(["min", "max"]), st.lists(inner, min_size=2, max_size=4)).map(
        lambda t: f"{t[0]}({', '.join(t[1])})"),
    st.tuples(st.sampled_from(["clip", "where"]), inner, inner, inner).map(
        lambda t: f"{t[0]}({t[1]}, {t[2]}, {t[3]})"),
), max_leaves=12)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # large reprs
@settings(max_examples=150, deadline=None, derandomize=True)
@given(_EXPRESSIONS)
def test_kernel_and_folding_agree(text):  # type: ignore[no-untyped-def]
    # the numba kernel (names) and plan-time folding with numpy (literals) agree; the sign of
    # zero is left out here (see test_signed_zero_constants_are_kept_apart)
    got, expected = value(text), value(folded(text))
    assert got == expected or (math.isnan(got) and math.isnan(expected)), (got, expected)


def test_signed_zero_constants_are_kept_apart():
    assert value("a * 0 + 1 / -0.0") == -np.inf
    assert value("0.0 + 1 / -0.0") == -np.inf
