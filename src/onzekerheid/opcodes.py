"""The operations of scenario expressions: one table of opcodes and one evaluator.

Every operation an expression can use has a name (as the parser writes it in a
:class:`~onzekerheid.scenario.expressions.Node`), a code (the number the plan writes into its
register program and the numba kernel switches on) and an arity. :func:`apply` defines what
each operation computes on float64 numbers, with numpy's rules: nothing raises, ``1 / 0`` is
``inf``, ``0 / 0`` and ``log(-1)`` are nan, ``min``/``max`` are nan when an argument is.

Three places evaluate expressions and must agree to the bit: the kernel
(:func:`onzekerheid.engine._kernels.run_program`, per row, compiled), the plan's constant
folding (:meth:`onzekerheid.plan._Compiler.compile`) and the point values of hierarchical
arguments (:func:`onzekerheid.scenario.arguments.evaluate`). The last two call :func:`apply`;
the kernel takes its codes from :data:`CODES` and is checked against :func:`apply` for every
operation on the awkward numbers (``tests/test_expressions.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Operation:
    """One operation: its name in expressions, its code in the plan's program, its arity."""

    name: str
    code: int
    arity: int


def _nan_aware(pick: Callable[[np.float64, np.float64], np.float64]
               ) -> Callable[[np.float64, np.float64], np.float64]:
    # min/max: nan when either argument is (numpy's fmin/fmax would drop the nan)
    return lambda x, y: np.float64(np.nan) if (np.isnan(x) or np.isnan(y)) else pick(x, y)


def _power(x: np.float64, y: np.float64) -> float:
    """C ``pow`` as the kernel computes it. numpy's ``power`` differs at ``y = 0.5``, where it
    takes the square root: ``(-0.0) ** 0.5`` is -0.0 there but +0.0 in C, and ``(-inf) ** 0.5``
    nan there but inf in C (C99 Annex F.9.4.4). Python's ``math.pow`` is C's ``pow`` except that
    it raises where C returns nan (negative base, fractional exponent), an infinity from a zero
    base with a negative exponent, or an overflow; numpy gives C's answer in those cases."""
    try:
        return math.pow(x, y)
    except (ValueError, OverflowError):
        return float(np.power(x, y))


# name -> (code, arity, float64 semantics); the codes are the plan format, not the file format
_TABLE: dict[str, tuple[int, int, Callable[..., object]]] = {
    "+": (0, 2, lambda x, y: x + y),
    "-": (1, 2, lambda x, y: x - y),
    "*": (2, 2, lambda x, y: x * y),
    "/": (3, 2, np.divide),
    "**": (4, 2, _power),
    "neg": (5, 1, lambda x: -x),
    "<": (6, 2, lambda x, y: x < y),
    "<=": (7, 2, lambda x, y: x <= y),
    ">": (8, 2, lambda x, y: x > y),
    ">=": (9, 2, lambda x, y: x >= y),
    "==": (10, 2, lambda x, y: x == y),
    "!=": (11, 2, lambda x, y: x != y),
    "min": (12, 2, _nan_aware(np.fmin)),
    "max": (13, 2, _nan_aware(np.fmax)),
    "abs": (14, 1, np.abs),
    "exp": (15, 1, np.exp),
    "log": (16, 1, np.log),
    "sqrt": (17, 1, np.sqrt),
    "sin": (18, 1, np.sin),
    "cos": (19, 1, np.cos),
    "floor": (20, 1, np.floor),
    "ceil": (21, 1, np.ceil),
    # as the kernel: builtin min/max, the first argument on a tie (0.0 vs -0.0) or a nan
    "clip": (22, 3, lambda x, low, high: min(max(x, low), high)),
    "where": (23, 3, lambda test, yes, no: yes if test != 0 else no),
    "copy": (24, 1, lambda x: x),
}

OPERATIONS = tuple(Operation(name, code, arity) for name, (code, arity, _) in _TABLE.items())
CODES = {op.name: op.code for op in OPERATIONS}
VARIADIC = ("min", "max")  # written with any number of arguments, evaluated pairwise


def apply(name: str, values: Sequence[float]) -> float:
    """Operation ``name`` on ``values`` as float64, with numpy's rules (nothing raises).

    Comparisons give 1.0 or 0.0; ``where(test, yes, no)`` is ``yes`` when ``test != 0``;
    ``clip(x, low, high) = min(max(x, low), high)``.
    """
    _, arity, compute = _TABLE[name]
    if len(values) != arity:
        raise ValueError(f"{name} takes {arity} values, got {len(values)}")
    with np.errstate(all="ignore"):
        return float(compute(*(np.float64(v) for v in values)))  # type: ignore[arg-type]


def operation_of(kind: str, name: str) -> str:
    """The operation a parsed node performs: ``neg`` for a unary minus, else its name."""
    return "neg" if kind == "neg" else name
