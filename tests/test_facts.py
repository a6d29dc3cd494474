"""One table per fact: the family table and the opcode table are what every layer reads, and
the three evaluators of expressions (kernel, plan folding, hierarchical arguments) agree."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onzekerheid import families, opcodes, plan
from onzekerheid.engine import _composite, _kernels
from onzekerheid.scenario import distributions as dists
from onzekerheid.scenario.arguments import evaluate
from onzekerheid.scenario.expressions import Node, parse

AWKWARD = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.5, 3.0, 1e-300, 1e308, -1e308, math.inf, -math.inf,
           math.nan]


def _same(x: float, y: float) -> bool:
    """Equal to the bit, nan equal to nan (the sign of zero counts)."""
    return (math.isnan(x) and math.isnan(y)) or np.float64(x).tobytes() == np.float64(y).tobytes()


# --------------------------------------------------------------------------------------------
# families


def test_every_layer_reads_the_family_codes_from_the_table():
    assert tuple(families.FAMILIES) == dists.FAMILIES
    assert dists.CODES == families.CODES
    assert plan.CODES is families.CODES
    for name, family in families.FAMILIES.items():
        if name != "mixture":
            assert getattr(_kernels, name.upper()) == family.code
        assert dists.ARGUMENT_SETS[name] == list(family.argument_sets)
        assert (name in dists.DISCRETE_FAMILIES) == family.discrete
    assert families.CODES["mixture"] == _composite.MIXTURE
    assert sorted(families.CODES.values()) == list(range(len(families.FAMILIES)))


@pytest.mark.parametrize("table", [
    {"dist": "uniform", "min": 2, "max": 7},
    {"dist": "triangular", "min": 0, "mode": 1, "max": 5},
    {"dist": "pert", "min": 0, "mode": 1, "max": 5, "lambda": 3},
    {"dist": "normal", "mean": -3, "sd": 2},
    {"dist": "beta", "alpha": 2, "beta": 5},
    {"dist": "gamma", "shape": 2.5, "scale": 3},
    {"dist": "poisson", "mean": 4.5},
    {"dist": "binomial", "n": 12, "p": 0.3},
    {"dist": "bernoulli", "p": 0.2},
    {"dist": "discrete", "values": [1, 4, 9], "weights": [0.2, 0.5, 0.3]},
])
def test_the_tables_closed_forms_match_scipy(table):  # type: ignore[no-untyped-def]
    """Mean and support in closed form equal scipy's, built by the same table's ``scipy``."""
    dist = dists.from_table(table)
    family = families.FAMILIES[dist.family]
    assert family.mean is not None and family.support is not None
    frozen = dist.base()
    assert family.mean(dist.args, dist.values, dist.weights) == pytest.approx(frozen.mean(),
                                                                              rel=1e-12)
    low, high = family.support(dist.args, dist.values)
    scipy_low, scipy_high = frozen.support()
    if dist.family in ("poisson", "binomial", "bernoulli", "discrete"):
        scipy_low, scipy_high = frozen.ppf(0.0) if low > -1 else scipy_low, scipy_high
    assert (low, high) == pytest.approx((max(scipy_low, low), scipy_high))


def test_pert_kernel_arguments_are_one_formula_for_numbers_and_trees():
    low, mode, high, lam = 2.0, 3.0, 10.0, 4.0
    numbers = families.kernel_arguments("pert", (low, mode, high, lam))
    nodes = families.kernel_arguments("pert", tuple(Node("num", value=v)
                                                    for v in (low, mode, high, lam)))
    assert all(isinstance(n, Node) for n in nodes)
    assert [evaluate(n, {}) for n in nodes] == list(numbers)
    assert numbers == (1.0 + 4.0 * 1.0 / 8.0, 1.0 + 4.0 * 7.0 / 8.0, 2.0, 8.0)
    assert families.kernel_arguments("normal", (1.0, 2.0)) == (1.0, 2.0)


# --------------------------------------------------------------------------------------------
# opcodes


def test_the_plan_and_the_kernel_use_the_opcode_table():
    assert plan.OPCODES is opcodes.CODES
    assert opcodes.CODES["+"] == _kernels.ADD and opcodes.CODES["where"] == _kernels.WHERE
    assert sorted(opcodes.CODES.values()) == list(range(len(opcodes.OPERATIONS)))


@pytest.mark.parametrize("operation", opcodes.OPERATIONS, ids=lambda op: op.name)
def test_kernel_and_evaluator_agree_on_every_operation(operation):  # type: ignore[no-untyped-def]
    """Each opcode run by the numba kernel on every combination of awkward numbers (zeros of
    both signs, infinities, nan, the float extremes) gives the bits :func:`opcodes.apply`
    gives: the kernel, the plan's folding and the hierarchical stage share one meaning."""
    rows = np.array(list(itertools.product(AWKWARD, repeat=operation.arity)), dtype=np.float64)
    n = rows.shape[0]
    buf = np.zeros((n, 4))
    buf[:, :operation.arity] = rows
    operands = [0, 1, 2][:operation.arity] + [0] * (3 - operation.arity)
    ops = np.array([[operation.code, 3, *operands]], dtype=np.int64)
    _kernels.run_program(buf, 0, n, ops, np.zeros(1))
    wrong = [(tuple(row), buf[i, 3], opcodes.apply(operation.name, list(row)))
             for i, row in enumerate(rows)
             if not _same(buf[i, 3], opcodes.apply(operation.name, list(row)))]
    assert not wrong, wrong[:5]


_LEAVES = st.sampled_from(["a", "m", "h", "z", "nz", "big", "2", "0", "0.5", "-1"])
_EXPRESSIONS = st.recursive(_LEAVES, lambda inner: st.one_of(
    st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**", "<", "<=", ">", ">=", "==",
                                      "!="]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
    st.tuples(st.sampled_from(["-", "abs", "exp", "log", "sqrt", "sin", "cos", "floor",
                               "ceil"]), inner).map(lambda t: f"{t[0]}({t[1]})"),
    st.tuples(st.sampled_from(["min", "max"]), st.lists(inner, min_size=2, max_size=4)).map(
        lambda t: f"{t[0]}({', '.join(t[1])})"),
    st.tuples(st.sampled_from(["clip", "where"]), inner, inner, inner).map(
        lambda t: f"{t[0]}({t[1]}, {t[2]}, {t[3]})"),
), max_leaves=12)
VALUES = {"a": 2.0, "z": 0.0, "m": -1.0, "big": 1000.0, "nz": -0.0, "h": 0.5}


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # large reprs
@settings(max_examples=150, deadline=None, derandomize=True)
@given(_EXPRESSIONS)
def test_hierarchical_evaluator_and_plan_folding_agree(text):  # type: ignore[no-untyped-def]
    """The hierarchical stage's evaluator (names looked up) and the plan's constant folding
    (every name a constant, so the compiler folds the whole tree) give the same bits."""
    node = parse(text)
    expected = evaluate(node, VALUES)
    compiler = plan._Compiler({}, 0)
    operand = compiler.compile(_constants(node))
    assert operand < 0  # folded to a constant
    assert _same(compiler.consts[-operand - 1], expected), (text, expected)


def _constants(node: Node) -> Node:
    if node.kind == "name":
        return Node("num", value=VALUES[node.name])
    return Node(node.kind, node.value, node.name, tuple(_constants(a) for a in node.args))
