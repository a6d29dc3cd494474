"""One parameter as written in a scenario file: a number, ``"A to B"``, an expression or a
distribution table, to a :class:`~onzekerheid.scenario.model.Parameter`.

Shared by the loader (``[parameters]``) and the social-domain model (the parameters it
generates from ``[prices]``, ``[success]``, ...), so names and values follow one set of rules.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import Any

from ..errors import Problems, allowed, did_you_mean
from . import arguments, units
from . import distributions as dists
from .expressions import FUNCTIONS, ExpressionError, Node, parse
from .model import Parameter

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_INTERVAL = dists.INTERVAL  # "A to B" (one definition, in distributions.py)
RESERVED = set(FUNCTIONS) | {"P", "lambda", "if", "else", "and", "or", "not", "in", "is"}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_name(name: str, path: str, problems: Problems) -> bool:
    for part in name.split("."):
        if not _NAME.match(part):
            problems.add(path, f"'{name}' is not a valid name",
                         "use letters, digits and _, starting with a letter")
            return False
        if part in RESERVED:
            problems.add(path, f"'{part}' is reserved (a function or keyword)", "rename it")
            return False
    return True


def parse_parameter(name: str, value: Any, path: str, problems: Problems,
                    *, internal: bool = False) -> Parameter | None:
    """One parameter value (number, "A to B", expression or distribution table)."""
    if isinstance(value, bool):
        problems.add(path, f"true/false is not a number for '{name}'", "use 1 or 0")
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value):
            problems.add(path, f"'{name}' must be a finite number, got {value}")
            return None
        return Parameter(name, "fixed", value=float(value), point=float(value),
                         written=f"{value:g}", internal=internal)
    if isinstance(value, str):
        match = _INTERVAL.match(value)
        if match:
            low, high = float(match.group(1)), float(match.group(2))
            if low >= high:
                problems.add(path, f"'{value}': the first number must be below the second")
                return None
            try:
                dist = dists.interval_shorthand(low, high)
            except dists.DistributionError as exc:  # e.g. "-1e308 to 1e308": beyond floats
                problems.add(path, f"'{value}': {exc}", exc.hint or "give a narrower interval")
                return None
            return Parameter(name, "random", dist=dist, point=dist.mean(), written=value,
                             internal=internal)
        node = parse_expression(value, path, problems)
        if node is None:
            return None
        return Parameter(name, "expression", expression=value, node=node, written=value,
                         internal=internal)
    if isinstance(value, dict):
        return _distribution_parameter(name, value, path, problems, internal)
    problems.add(path, f"'{name}' must be a number, text or a table, got {type(value).__name__}",
                 'e.g. 15000, "10000 to 20000" or { dist = "normal", mean = 0, sd = 1 }')
    return None


def _distribution_parameter(name: str, table: dict[str, Any], path: str, problems: Problems,
                            internal: bool) -> Parameter | None:
    family = table.get("dist")
    if not isinstance(family, str) or family not in dists.FAMILIES:
        problems.add(f"{path}.dist", f"unknown distribution {family!r}",
                     did_you_mean(str(family), dists.FAMILIES) or allowed(dists.FAMILIES))
        return None
    text = {k: table.get(k, "") for k in ("source", "note")}
    for key, value in text.items():
        if not isinstance(value, str):
            problems.add(f"{path}.{key}", f"{key} must be text")
    if arguments.is_uncertain(table):
        parameter = arguments.parse_uncertain(name, table, path, problems, parse_expression,
                                              internal)
        words = units.descriptive(table, path, problems)
        return None if parameter is None else replace(parameter, **words)
    try:
        dist = dists.from_table(table, composite=True)
    except dists.DistributionError as exc:
        problems.add(f"{path}.{exc.key}" if exc.key else path, str(exc), exc.hint)
        return None
    if "point" in table:
        point = table["point"]
        if not _is_number(point):
            problems.add(f"{path}.point", f"point must be a finite number, got {point!r}")
            return None
        point = float(point)
    else:
        point = dist.mean()
    words = units.descriptive(table, path, problems)
    if family == "fixed" and not dist.zero:
        return Parameter(name, "fixed", value=dist.args[0], point=point, source=text["source"],
                         note=text["note"], written=f"{dist.args[0]:g}", internal=internal,
                         **words)
    written = family + " " + ", ".join(
        f"{k}={table[k]}" for k in table
        if k not in ("dist", "source", "note", "point", *units.DESCRIPTIVE_KEYS)
    )
    return Parameter(name, "random", dist=dist, point=point, source=str(text["source"]),
                     note=str(text["note"]), written=written, internal=internal, **words)


def parse_expression(text: str, path: str, problems: Problems) -> Node | None:
    try:
        return parse(text)
    except ExpressionError as exc:
        where = "" if exc.position is None else f" at column {exc.position + 1}"
        problems.add(path, f"in expression {text[:200]!r}{where}: {exc}")
        return None
