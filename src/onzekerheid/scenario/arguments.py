"""Uncertain distribution arguments (hierarchical parameters).

Any argument of a distribution may be a parameter name or an expression over parameters, e.g.
``{ dist = "beta", mean = "mean_rate", sd = 0.05 }``. Per iteration the argument is evaluated
from that iteration's values and the parameter is drawn from the distribution it gives: the
draw is conditional on its arguments, so the parameter's distribution is the mixture over the
arguments' uncertainty (law of total expectation and variance:
``E[X] = E[E[X | theta]]``, ``Var[X] = E[Var(X | theta)] + Var(E[X | theta])``).

At load time the argument set the file uses (mean/sd, ci, ...) is compiled to expressions for the
*canonical* arguments the kernels draw with (for example beta mean/sd to ``alpha = m k``,
``beta = (1 - m) k`` with ``k = m (1 - m) / sd^2 - 1``), so the kernels stay array-only. Where a
row's arguments are invalid (``sd <= 0``, a beta mean outside 0..1, ...) the canonical arguments
are nan and the draw of that row is nan: the run goes on and the summary counts the row among
the non-finite values.

The parameter's ``dist`` is its distribution at the point values of the arguments, and its point
value (when the file gives none) is that distribution's mean: the published arithmetic with every
input at its point.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..errors import Problems
from ..opcodes import VARIADIC, apply, operation_of
from . import distributions as dists
from .expressions import Node, names_in
from .model import Parameter, UncertainArguments

# argument sets whose canonical form cannot be written as an expression
_NOT_PER_ROW = {("beta", frozenset({"ci"})): "a beta ci is fitted numerically; give mean and sd"}
_LOG1P_SERIES = 1e-5  # below this, log(1 + x) as its series (x - x^2/2 + x^3/3) keeps precision


def _num(value: float) -> Node:
    return Node("num", value=float(value))


def _op(name: str, a: Node, b: Node) -> Node:
    return Node("binop", name=name, args=(a, b))


def _cmp(name: str, a: Node, b: Node) -> Node:
    return Node("cmp", name=name, args=(a, b))


def _call(name: str, *args: Node) -> Node:
    return Node("call", name=name, args=args)


def _all(*conditions: Node) -> Node:
    acc = conditions[0]
    for condition in conditions[1:]:
        acc = _op("*", acc, condition)
    return acc


def _guard(condition: Node, value: Node) -> Node:
    """``value`` where ``condition`` holds, else nan (which the kernel turns into a nan draw)."""
    return _call("where", condition, value, _num(math.nan))


def is_uncertain(table: dict[str, Any]) -> bool:
    """Whether a distribution table has an argument written as text (a name or expression)."""
    for key, value in table.items():
        if key in ("dist", "source", "note", "label", "unit", "of", "values", "weights"):
            continue
        if isinstance(value, str):
            return True
        if key == "ci" and isinstance(value, list) and any(isinstance(v, str) for v in value):
            return True
    return False


def canonical_nodes(family: str, chosen: frozenset[str], a: dict[str, Node], level: float
                    ) -> tuple[Node, ...]:
    """Expressions for the canonical arguments of ``family`` (see distributions.py).

    ``a`` maps each argument of the chosen set (and ``lo``/``hi`` for ci) to an expression.
    Conditions the kernel cannot see from the canonical arguments are turned into nan here.
    """
    zero, one, two = _num(0.0), _num(1.0), _num(2.0)
    match family, chosen:
        case "fixed", _:
            return (a["value"],)
        case "uniform", _:
            return a["min"], a["max"]
        case "triangular", _:
            return a["min"], a["mode"], a["max"]
        case "pert", _:
            lam = a.get("lambda", _num(4.0))
            ok = _all(_cmp("<=", a["min"], a["mode"]), _cmp("<=", a["mode"], a["max"]),
                      _cmp("<", a["min"], a["max"]), _cmp(">", lam, zero))
            return _guard(ok, a["min"]), a["mode"], a["max"], lam
    if "ci" in chosen:
        z = _num(2.0 * dists.z_for(level))
        low, high = a["lo"], a["hi"]
        if family == "lognormal":
            low, high = _call("log", low), _call("log", high)
        return _op("/", _op("+", low, high), two), _op("/", _op("-", high, low), z)
    if family == "normal":
        return a["mean"], a["sd"]
    if family == "lognormal":
        if "median" in chosen:
            return _call("log", a["median"]), a["sigma"]
        return _lognormal_from_moments(a["mean"], a["sd"])
    if family == "beta":
        if "alpha" in chosen:
            return a["alpha"], a["beta"]
        if "successes" in chosen:
            s, n = a["successes"], a["trials"]
            ok = _all(_cmp(">=", s, zero), _cmp("<=", s, n), _cmp(">", n, zero))
            return _guard(ok, _op("+", s, one)), _op("+", _op("-", n, s), one)
        return _beta_from_moments(a["mean"], a["sd"])
    if family == "gamma":
        if "shape" in chosen:
            return a["shape"], a["scale"]
        m, sd = a["mean"], a["sd"]
        ratio = _op("/", m, sd)
        ok = _all(_cmp(">", m, zero), _cmp(">", sd, zero))
        return _guard(ok, _op("*", ratio, ratio)), _op("*", _op("/", sd, m), sd)
    if family == "poisson":
        return (a["mean"],)
    if family == "binomial":
        return a["n"], a["p"]
    if family == "bernoulli":
        return (a["p"],)
    raise AssertionError((family, chosen))


def _lognormal_from_moments(mean: Node, sd: Node) -> tuple[Node, Node]:
    """``mu, sigma`` of log X from the mean and sd: ``sigma^2 = log(1 + (sd/mean)^2)`` (a
    three-term series below ``_LOG1P_SERIES``, where the log loses digits), ``mu = log(mean) -
    sigma^2 / 2``; nan unless sd > 0."""
    zero, one, two = _num(0.0), _num(1.0), _num(2.0)
    ratio = _op("/", sd, mean)
    x = _op("*", ratio, ratio)
    series = _op("+", _op("-", x, _op("/", _op("*", x, x), two)),
                 _op("/", _op("*", _op("*", x, x), x), _num(3.0)))
    sigma2 = _call("where", _cmp("<", x, _num(_LOG1P_SERIES)), series,
                   _call("log", _op("+", one, x)))
    mu = _op("-", _call("log", mean), _op("/", sigma2, two))
    return mu, _guard(_cmp(">", sd, zero), _call("sqrt", sigma2))


def _beta_from_moments(m: Node, sd: Node) -> tuple[Node, Node]:
    """``alpha = m k``, ``beta = (1 - m) k`` with ``k = m (1 - m) / sd^2 - 1``; nan unless
    sd > 0."""
    zero, one = _num(0.0), _num(1.0)
    k = _op("-", _op("/", _op("*", m, _op("-", one, m)), _op("*", sd, sd)), one)
    return _guard(_cmp(">", sd, zero), _op("*", m, k)), _op("*", _op("-", one, m), k)


def parse_uncertain(name: str, table: dict[str, Any], path: str, problems: Problems,
                    parse_expression: Callable[[str, str, Problems], Node | None],
                    internal: bool) -> Parameter | None:
    """A distribution table with expression arguments, as a parameter to finish later.

    :func:`finish` gives it its distribution at the point values once the evaluation order is
    known.
    """
    family = table["dist"]
    found = _argument_set(family, table, path, problems)
    if found is None:
        return None
    chosen, level = found
    parsed = _argument_nodes(table, chosen, path, problems, parse_expression)
    if parsed is None:
        return None
    args, sources, resolved = parsed
    nodes = canonical_nodes(family, chosen, args, level)
    uncertain = UncertainArguments(family, resolved, nodes, tuple(sources), path)
    label = family + " " + ", ".join(
        f"{k}={table[k]}" for k in table if k not in ("dist", "source", "note", "point"))
    point = table.get("point", math.nan)
    if "point" in table and (isinstance(point, bool) or not isinstance(point, int | float)
                             or not math.isfinite(point)):
        problems.add(f"{path}.point", f"point must be a finite number, got {point!r}")
        return None
    return Parameter(name, "random", point=float(point), source=str(table.get("source", "")),
                     note=str(table.get("note", "")), written=label, internal=internal,
                     uncertain=uncertain)


def _argument_set(family: str, table: dict[str, Any], path: str, problems: Problems
                  ) -> tuple[frozenset[str], float] | None:
    """The family's argument set the table uses, and its ``level``; None after a problem."""
    if family in ("discrete", "mixture"):
        problems.add(path, f"the arguments of a {family} must be numbers",
                     "uncertain arguments work for the other distributions")
        return None
    for key in ("lower", "upper", "zero", "point", "level"):
        if isinstance(table.get(key), str):
            problems.add(f"{path}.{key}", f"{key} must be a number",
                         "only the arguments of the distribution may be expressions")
            return None
    keys = set(table) - dists.COMMON_KEYS
    if "ci" in table:
        keys.add("ci")
    try:
        chosen = dists._choose_argument_set(family, keys)
    except dists.DistributionError as exc:
        problems.add(f"{path}.{exc.key}" if exc.key else path, str(exc), exc.hint)
        return None
    if (family, chosen) in _NOT_PER_ROW:
        problems.add(f"{path}.ci", "the bounds of a beta ci cannot be expressions",
                     _NOT_PER_ROW[(family, chosen)])
        return None
    level = table.get("level", 0.90)
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        problems.add(f"{path}.level", f"level must lie strictly between 0 and 1, got {level!r}")
        return None
    return chosen, float(level)


def _argument_nodes(table: dict[str, Any], chosen: frozenset[str], path: str,
                    problems: Problems,
                    parse_expression: Callable[[str, str, Problems], Node | None]
                    ) -> tuple[dict[str, Node], list[tuple[str, str, Node]], dict[str, Any]] | None:
    """Each chosen argument (a ci as ``lo``, ``hi``) as a node, in file order; the sources of
    those written as expressions; and the table with the nodes in place. None after a
    problem."""
    args: dict[str, Node] = {}
    sources: list[tuple[str, str, Node]] = []
    resolved = dict(table)
    items = [(k, table[k]) for k in table if k in chosen and k != "ci"]  # file order
    if "ci" in chosen:
        ci = table["ci"]
        if not isinstance(ci, list) or len(ci) != 2:
            problems.add(f"{path}.ci", f"ci must be [low, high], got {ci!r}")
            return None
        items += [("lo", ci[0]), ("hi", ci[1])]
    for key, value in items:
        where = f"{path}.ci" if key in ("lo", "hi") else f"{path}.{key}"
        if isinstance(value, str):
            node = parse_expression(value, where, problems)
            if node is None:
                return None
            sources.append((key, value, node))
        elif isinstance(value, int | float) and not isinstance(value, bool) \
                and math.isfinite(value):
            node = _num(value)
        else:
            problems.add(where, f"{key} must be a number or an expression, got {value!r}")
            return None
        args[key] = node
        if key in ("lo", "hi"):
            ci = list(resolved["ci"])
            ci[0 if key == "lo" else 1] = node
            resolved["ci"] = ci
        else:
            resolved[key] = node
    return args, sources, resolved


def dependencies(parameter: Parameter) -> set[str]:
    """Names the arguments of a hierarchical parameter use."""
    assert parameter.uncertain is not None
    found: set[str] = set()
    for _, _, node in parameter.uncertain.sources:
        found |= names_in(node)
    return found


def finish(parameters: dict[str, Parameter], nodes: dict[str, Node], order: tuple[str, ...],
           problems: Problems) -> None:
    """Give every hierarchical parameter its distribution and point at the arguments' points.

    ``nodes`` holds the expressions of expression parameters and outputs; ``order`` is the
    evaluation order (which lists hierarchical parameters after what their arguments use).
    Parameters are replaced in ``parameters``.
    """
    values: dict[str, float] = {}
    for name, parameter in parameters.items():
        if parameter.kind == "fixed":
            values[name] = parameter.value
        elif parameter.kind == "random" and parameter.uncertain is None:
            values[name] = parameter.point
    for name in order:
        current = parameters.get(name)
        if current is None or current.uncertain is None:
            if name in nodes:
                values[name] = evaluate(nodes[name], values)
            continue
        parameter, uncertain = current, current.uncertain
        if not dependencies(parameter) <= set(values):
            continue  # an unknown name, reported by the evaluation order
        table = {k: _at(v, values) for k, v in uncertain.table.items()}
        try:
            dist = dists.from_table(table, composite=True)
        except dists.DistributionError as exc:
            shown = ", ".join(f"{key} = {evaluate(node, values):.6g}"
                              for key, _, node in uncertain.sources)
            problems.add(f"{uncertain.path}.{exc.key}" if exc.key else uncertain.path,
                         f"at the point values of its arguments ({shown}): {exc}",
                         exc.hint or "check the point values of the parameters it uses")
            values[name] = math.nan
            continue
        point = parameter.point if math.isfinite(parameter.point) else dist.mean()
        parameters[name] = Parameter(
            name, "random", dist=dist, point=point, source=parameter.source,
            note=parameter.note, written=parameter.written, internal=parameter.internal,
            uncertain=uncertain)
        values[name] = point


def _at(value: Any, values: dict[str, float]) -> Any:
    if isinstance(value, Node):
        return evaluate(value, values)
    if isinstance(value, list):
        return [_at(v, values) for v in value]
    return value


def evaluate(node: Node, values: dict[str, float]) -> float:
    """Evaluate an expression on numbers with the kernel's float64 rules
    (:func:`onzekerheid.opcodes.apply`; variadic ``min``/``max`` pairwise, as the plan does)."""
    if node.kind == "num":
        return node.value
    if node.kind == "name":
        return values.get(node.name, math.nan)
    args = [evaluate(arg, values) for arg in node.args]
    name = operation_of(node.kind, node.name)
    if name in VARIADIC:
        result = args[0]
        for arg in args[1:]:
            result = apply(name, [result, arg])
        return result
    return apply(name, args)
