"""The expression language of scenario files: a small whitelist grammar, parsed, never evaluated.

Grammar (lowest to highest precedence)::

    expr       := additive [ ("<" | "<=" | ">" | ">=" | "==" | "!=") additive ]
    additive   := term { ("+" | "-") term }
    term       := unary { ("*" | "/") unary }
    unary      := ("-" | "+") unary | power
    power      := atom [ "**" unary ]                  # right-associative, -2**2 == -4
    atom       := NUMBER | NAME { "." NAME } | FUNC "(" expr { "," expr } ")" | "(" expr ")"

Comparisons give 1 or 0. Functions: ``min max`` (two or more arguments), ``abs exp log sqrt sin
cos floor ceil`` (one), ``clip(x, lo, hi)`` and ``where(cond, a, b)`` (three). The parser is a
hand-written recursive descent with a depth limit, so no input can exhaust the stack, and it
never hands user text to ``eval``. The depth counts every level of the tree, including each
operator of a chain such as ``a + b + c``, so the recursive walks over the tree (names, the
plan's compiler) stay far from Python's recursion limit too. The result is a tree of
:class:`Node` tuples that :mod:`onzekerheid.plan` compiles to a flat program for the numba
kernels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import did_you_mean
from ..opcodes import VARIADIC, operation_of

MAX_LENGTH = 10_000
MAX_DEPTH = 64
MAX_COLUMNS = 200_000  # parameters, outputs and temporaries of the plan's register program

FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "min": (2, None),
    "max": (2, None),
    "abs": (1, 1),
    "exp": (1, 1),
    "log": (1, 1),
    "sqrt": (1, 1),
    "sin": (1, 1),
    "cos": (1, 1),
    "floor": (1, 1),
    "ceil": (1, 1),
    "clip": (3, 3),
    "where": (3, 3),
}
COMPARISONS = ("<=", ">=", "==", "!=", "<", ">")

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|<=|>=|==|!=|[-+*/<>(),.])
    """,
    re.VERBOSE,
)

# Constructs people try that the language does not have, with what to write instead.
_REJECTED_HINTS = {
    "[": "indexing is not allowed",
    "]": "indexing is not allowed",
    "{": "braces are not allowed",
    "}": "braces are not allowed",
    ":=": "assignment (:=) is not allowed",
    ":": "slices and lambdas are not allowed",
    ";": "only one expression is allowed",
    "=": "assignment is not allowed; use == to compare",
    "%": "the % operator is not allowed",
    "//": "floor division is not allowed; use floor(a / b)",
    "&": "bitwise operators are not allowed; use min/max or where()",
    "|": "bitwise operators are not allowed; use min/max or where()",
    "^": "'^' is not a power; use **",
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    "@": "the @ operator is not allowed",
    "!": "'!' is not allowed; use == 0 for 'not'",
    "~": "'~' is not allowed",
}
_KEYWORDS = {
    "lambda": "lambdas are not allowed",
    "if": "conditional expressions are not allowed; use where(cond, a, b)",
    "else": "conditional expressions are not allowed; use where(cond, a, b)",
    "and": "'and' is not allowed; use min(a, b) or a * b on comparisons",
    "or": "'or' is not allowed; use max(a, b) on comparisons",
    "not": "'not' is not allowed; use (x == 0)",
    "import": "imports are not allowed",
    "for": "comprehensions are not allowed",
    "in": "membership tests are not allowed",
    "is": "'is' is not allowed; use ==",
}


class ExpressionError(ValueError):
    """An expression does not parse; ``position`` is the 0-based column of the problem."""

    def __init__(self, message: str, position: int | None = None) -> None:
        self.position = position
        super().__init__(message)


@dataclass(frozen=True)
class Node:
    """A parsed expression: ``kind`` is num, name, neg, binop, cmp or call."""

    kind: str
    value: float = 0.0
    name: str = ""  # variable name, operator or function name
    args: tuple[Node, ...] = ()
    position: int = 0

    # Arithmetic on nodes builds trees, so one formula serves numbers and expressions alike
    # (e.g. onzekerheid.families.pert_shape for a PERT whose arguments are expressions).
    def __add__(self, other: Node | float) -> Node:
        return _binop("+", self, other)

    def __sub__(self, other: Node | float) -> Node:
        return _binop("-", self, other)

    def __mul__(self, other: Node | float) -> Node:
        return _binop("*", self, other)

    def __truediv__(self, other: Node | float) -> Node:
        return _binop("/", self, other)

    def __radd__(self, other: float) -> Node:
        return _binop("+", other, self)

    def __rmul__(self, other: float) -> Node:
        return _binop("*", other, self)


def _binop(name: str, a: Node | float, b: Node | float) -> Node:
    def node(x: Node | float) -> Node:
        return x if isinstance(x, Node) else Node("num", value=float(x))

    return Node("binop", name=name, args=(node(a), node(b)))


def names_in(node: Node) -> set[str]:
    """Every variable name the expression refers to."""
    if node.kind == "name":
        return {node.name}
    found: set[str] = set()
    for arg in node.args:
        found |= names_in(arg)
    return found


def register_bound(node: Node) -> int:
    """An upper bound on the working columns the plan's compiler gives ``node``'s operations.

    Each operation is one register op, a variadic ``min``/``max`` of ``k > 2`` arguments
    ``k - 1`` pairwise ops (see :class:`onzekerheid.plan._Compiler`); each op needs at most one
    temporary column. Constant folding and the output's own column only lower the count, so the
    loader refuses a scenario before the plan could run out of columns (``MAX_COLUMNS``).
    """
    if not node.args:
        return 0
    own = len(node.args) - 1 if (operation_of(node.kind, node.name) in VARIADIC
                                 and len(node.args) > 2) else 1
    return own + sum(register_bound(arg) for arg in node.args)


def parse(text: str) -> Node:
    """Parse one expression; raise :class:`ExpressionError` naming the construct that is wrong."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression is {len(text)} characters long; "
                              f"the limit is {MAX_LENGTH}")
    parser = _Parser(text, _tokenize(text))
    node = parser.expression(0)
    parser.expect_end()
    return node


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            two = text[pos : pos + 2]
            char = text[pos]
            hint = _REJECTED_HINTS.get(two) or _REJECTED_HINTS.get(char)
            what = hint or f"unexpected character {char!r}"
            raise ExpressionError(what, pos)
        kind = match.lastgroup or ""
        if kind != "space":
            value = match.group()
            if kind == "op" and value == "/" and text[pos : pos + 2] == "//":
                raise ExpressionError(_REJECTED_HINTS["//"], pos)
            if kind == "op" and value in "<>" and text[pos : pos + 2] in ("<<", ">>"):
                raise ExpressionError("shift operators are not allowed", pos)
            if kind == "number" and match.end() < len(text) and (
                text[match.end()].isalpha() or text[match.end()] == "_"
            ):
                raise ExpressionError(
                    f"malformed number {text[pos:match.end() + 1]!r}", pos
                )
            tokens.append((kind, value, pos))
        pos = match.end()
    tokens.append(("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str, tokens: list[tuple[str, str, int]]) -> None:
        self.text = text
        self.tokens = tokens
        self.i = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def fail(self, message: str, position: int) -> ExpressionError:
        return ExpressionError(message, position)

    def expect_end(self) -> None:
        kind, value, pos = self.peek()
        if kind != "end":
            if value in COMPARISONS:
                raise self.fail("chained comparisons are not allowed; compare two values", pos)
            if kind == "name" and value in _KEYWORDS:
                raise self.fail(_KEYWORDS[value], pos)
            raise self.fail(f"unexpected {value!r} after a complete expression", pos)

    def expression(self, depth: int) -> Node:
        self._guard(depth)
        left = self.additive(depth + 1)
        kind, value, pos = self.peek()
        if kind == "op" and value in COMPARISONS:
            self.take()
            right = self.additive(depth + 1)
            left = Node("cmp", name=value, args=(left, right), position=pos)
        return left

    def additive(self, depth: int) -> Node:
        self._guard(depth)
        left = self.term(depth + 1)
        while self.peek()[0] == "op" and self.peek()[1] in "+-":
            _, op, pos = self.take()
            depth += 1  # a chain a + b + c ... is a left-deep tree: each operator nests once
            self._guard(depth)
            left = Node("binop", name=op, args=(left, self.term(depth + 1)), position=pos)
        return left

    def term(self, depth: int) -> Node:
        self._guard(depth)
        left = self.unary(depth + 1)
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "/"):
            _, op, pos = self.take()
            depth += 1
            self._guard(depth)
            left = Node("binop", name=op, args=(left, self.unary(depth + 1)), position=pos)
        return left

    def unary(self, depth: int) -> Node:
        self._guard(depth)
        kind, value, pos = self.peek()
        if kind == "op" and value in "+-":
            self.take()
            operand = self.unary(depth + 1)
            if value == "+":
                return operand
            if operand.kind == "num":
                return Node("num", value=-operand.value, position=pos)
            return Node("neg", args=(operand,), position=pos)
        return self.power(depth + 1)

    def power(self, depth: int) -> Node:
        self._guard(depth)
        base = self.atom(depth + 1)
        if self.peek()[1] == "**" and self.peek()[0] == "op":
            _, op, pos = self.take()
            return Node("binop", name="**", args=(base, self.unary(depth + 1)), position=pos)
        return base

    def atom(self, depth: int) -> Node:
        self._guard(depth)
        kind, value, pos = self.take()
        if kind == "number":
            return Node("num", value=float(value), position=pos)
        if kind == "name":
            if value in _KEYWORDS:
                raise self.fail(_KEYWORDS[value], pos)
            if self.peek()[1] == "(" and self.peek()[0] == "op":
                return self.call(value, pos, depth)
            name = value
            while self.peek()[1] == "." and self.peek()[0] == "op":
                self.take()
                nkind, nvalue, npos = self.take()
                if nkind != "name":
                    raise self.fail("a dotted name must continue with a name after '.'", npos)
                name += "." + nvalue
            if self.peek()[1] == "(" and self.peek()[0] == "op":
                raise self.fail(f"'{name}(' calls a method or attribute; only "
                                f"{', '.join(FUNCTIONS)} can be called", pos)
            return Node("name", name=name, position=pos)
        if kind == "op" and value == "(":
            inner = self.expression(depth + 1)
            closing = self.take()
            if closing[1] != ")":
                if closing[0] == "name" and closing[1] in _KEYWORDS:
                    raise self.fail(_KEYWORDS[closing[1]], closing[2])
                raise self.fail("missing ')'", closing[2])
            return inner
        if kind == "end":
            raise self.fail("expression ends too early", pos)
        raise self.fail(f"unexpected {value!r}", pos)

    def call(self, func: str, pos: int, depth: int) -> Node:
        if func not in FUNCTIONS:
            hint = did_you_mean(func, FUNCTIONS)
            raise self.fail(
                f"unknown function '{func}'" + (f"; {hint}" if hint else "")
                + f" (functions: {', '.join(FUNCTIONS)})",
                pos,
            )
        self.take()  # "("
        args: list[Node] = []
        if self.peek()[1] != ")":
            while True:
                args.append(self.expression(depth + 1))
                if self.peek()[1] == ",":
                    self.take()
                    continue
                break
        closing = self.take()
        if closing[1] != ")":
            if closing[0] == "name" and closing[1] in _KEYWORDS:
                raise self.fail(_KEYWORDS[closing[1]], closing[2])
            raise self.fail(f"missing ')' to close {func}(", closing[2])
        low, high = FUNCTIONS[func]
        if len(args) < low or (high is not None and len(args) > high):
            wanted = f"{low}" if low == high else f"at least {low}"
            raise self.fail(f"{func}() takes {wanted} argument(s), got {len(args)}", pos)
        return Node("call", name=func, args=tuple(args), position=pos)

    def _guard(self, depth: int) -> None:
        if depth > MAX_DEPTH * 6:
            raise self.fail(f"expression is nested too deeply (limit {MAX_DEPTH} levels of "
                            "parentheses, or a few hundred operators in a row); split it into "
                            "parameters", self.peek()[2])


def render_position(text: str, position: int | None) -> str:
    """The expression with a caret under ``position`` (one line each)."""
    if position is None:
        return text
    return f"{text}\n{' ' * position}^"
