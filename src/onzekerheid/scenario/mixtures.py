"""Parameter names inside a mixture's ``of``: replaced by the distribution they name.

``{ dist = "mixture", of = ["optimistic", "pessimistic"], weights = [1, 3] }`` reuses the
distributions written for the parameters ``optimistic`` and ``pessimistic``. The mixture draws
its own value: it is independent of the named parameters' draws in the same iteration (a
linear opinion pool of the two judgements), as if their tables had been written into ``of``.
"""

from __future__ import annotations

import copy
from typing import Any

from ..errors import Problems, did_you_mean
from .arguments import is_uncertain
from .distributions import INTERVAL

_SHOWN_ONLY = ("point", "source", "note")


def inline_mixture_names(raw: dict[str, Any], problems: Problems) -> None:
    """Replace each name in a mixture's ``of`` (anywhere in ``raw``) by what it names."""
    names = _parameter_names(raw.get("parameters"), "")

    def walk(table: Any, path: str) -> None:
        if not isinstance(table, dict):
            return
        if table.get("dist") == "mixture" and isinstance(table.get("of"), list):
            of = table["of"]
            for i, entry in enumerate(of):
                if isinstance(entry, str) and not INTERVAL.match(entry):
                    of[i] = _resolve(raw, entry, f"{path}.of.{i}", names, problems)
            return
        for key, value in table.items():
            walk(value, f"{path}.{key}" if path else str(key))

    walk(raw, "")


def _resolve(raw: dict[str, Any], name: str, path: str, names: list[str],
             problems: Problems) -> Any:
    found, value = _lookup(raw.get("parameters"), name.split("."))
    if not found:  # domain keys such as success.rate
        found, value = _lookup(raw, name.split("."))
        found = found and "." in name
    if not found:
        if " to " in name:  # meant as an interval, but not two plain numbers
            problems.add(path, f"'{name}' is neither a parameter nor an interval",
                         'an interval is "A to B" with two numbers, e.g. "10 to 20"')
        else:
            problems.add(path, f"'{name}' is not a parameter",
                         did_you_mean(name, names) or "name a parameter whose value is a "
                         "distribution, or write the distribution table here")
        return 0.0
    if isinstance(value, dict) and "dist" in value:
        if value["dist"] == "mixture":
            problems.add(path, f"'{name}' is itself a mixture; mixtures cannot be nested",
                         "list its components in this of instead")
            return 0.0
        if is_uncertain(value):
            problems.add(path, f"'{name}' has uncertain arguments; a mixture component needs "
                         "numbers", "write its distribution with numbers here")
            return 0.0
        return {k: copy.deepcopy(v) for k, v in value.items() if k not in _SHOWN_ONLY}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and INTERVAL.match(value):
        return value
    problems.add(path, f"'{name}' is an expression, not a distribution",
                 "a mixture component must be a distribution, a number or an interval")
    return 0.0


def _lookup(table: Any, parts: list[str]) -> tuple[bool, Any]:
    for part in parts:
        if not isinstance(table, dict) or part not in table:
            return False, None
        table = table[part]
    return True, table


def _parameter_names(table: Any, prefix: str) -> list[str]:
    if not isinstance(table, dict):
        return []
    out: list[str] = []
    for key, value in table.items():
        if isinstance(value, dict) and "dist" not in value:
            out += _parameter_names(value, f"{prefix}{key}.")
        else:
            out.append(f"{prefix}{key}")
    return out
