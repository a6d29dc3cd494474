"""Overrides: replace a parameter, output or domain key of a parsed scenario file by its
dotted name (``report_cost``, ``success.rate``, ``items.gemeente.amount``, ``immaterial``).

Used for ``load(..., overrides=...)``, the ``[variants.NAME]`` tables and sweeps. The command
line's ``NAME=VALUE`` syntax is parsed in :mod:`onzekerheid.cli.app`, not here.
"""

from __future__ import annotations

from typing import Any

from ..errors import Problem, ScenarioError, did_you_mean
from . import domain

DOMAIN_SECTIONS = ("prices", "cases", "success", "bias", "items", "extrapolation", "costs",
                   "options", "horizon")


def apply_overrides(raw: dict[str, Any], overrides: dict[str, Any], file: str) -> dict[str, Any]:
    """Replace parameters (or outputs, or domain keys) by dotted name."""
    problems = []
    for name, value in overrides.items():
        if not _set_path(raw, name, value):
            candidates = _override_targets(raw)
            problems.append(Problem(
                f"no parameter or output called '{name}'", file=file,
                hint=did_you_mean(name, candidates) or "see `onzekerheid validate`",
                argument="overrides", value=name,
            ))
    if problems:
        raise ScenarioError(problems)
    return raw


def _set_path(raw: dict[str, Any], name: str, value: Any) -> bool:
    parts = name.split(".")
    for section in ("parameters", "outputs"):
        if _assign(raw.get(section), parts, value):
            return True
    if len(parts) == 1 and parts[0] in domain.OPTIONS_KEYS and _has_domain(raw):
        # a switch of the whole model: `--set immaterial=false` for options.immaterial
        raw.setdefault("options", {})[parts[0]] = value
        return True
    # domain keys: success.rate, prices.melding, items.gemeente.amount, costs.hourly_rate ...
    if parts[0] not in DOMAIN_SECTIONS or parts[0] not in raw:
        return False
    return _assign(raw, parts, value, top=True)


def _has_domain(raw: dict[str, Any]) -> bool:
    return any(section in raw for section in DOMAIN_SECTIONS)


def _assign(table: Any, parts: list[str], value: Any, top: bool = False) -> bool:
    """Set ``parts`` in nested tables; an array of tables is entered by its entries' names
    (``items.gemeente.amount``, ``costs.risks.btw.probability``). In a domain section a key
    that is not written yet may be added (validation then checks it)."""
    if not isinstance(table, dict):
        return False
    for part in parts[:-1]:
        if isinstance(table, list):
            table = next((e for e in table if isinstance(e, dict) and e.get("name") == part),
                         None)
        elif isinstance(table, dict) and part in table and not (
            isinstance(table[part], dict) and "dist" in table[part]
        ):
            table = table[part]
        else:
            return False
        if table is None:
            return False
    addable = top and _domain_key(parts[-1])
    if not isinstance(table, dict) or (parts[-1] not in table and not addable):
        return False
    if top and len(parts) < 2:
        return False
    if is_output_table(table.get(parts[-1])) and not isinstance(value, dict):
        table[parts[-1]]["expr"] = value  # a new expression keeps the output's words
    else:
        table[parts[-1]] = value
    return True


def _domain_key(key: str) -> bool:
    return key in (domain.CASES_KEYS | domain.SUCCESS_KEYS | domain.BIAS_KEYS | domain.ITEM_KEYS
                   | domain.EXTRAPOLATION_KEYS | domain.COSTS_KEYS | domain.RISK_KEYS
                   | domain.INTERVENTION_KEYS | domain.OPTIONS_KEYS | domain.HORIZON_KEYS
                   | domain.ONE_OFF_KEYS) - {"name", "note", "source"}


def _override_targets(raw: dict[str, Any]) -> list[str]:
    names: list[str] = []

    def walk(table: Any, prefix: str) -> None:
        if isinstance(table, list):
            for entry in table:
                if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                    walk({k: v for k, v in entry.items() if k != "name"},
                         f"{prefix}{entry['name']}.")
            return
        if not isinstance(table, dict):
            return
        for key, value in table.items():
            name = f"{prefix}{key}"
            tables = isinstance(value, list) and value and isinstance(value[0], dict)
            if tables or (isinstance(value, dict) and "dist" not in value):
                walk(value, name + ".")
            else:
                names.append(name)

    for section in ("parameters", "outputs"):
        walk(raw.get(section), "")
    for section in DOMAIN_SECTIONS:
        walk(raw.get(section), f"{section}.")
    return names


def is_output_table(value: Any) -> bool:
    """An output written as a table (``expr`` and its words) rather than a group of outputs."""
    return (isinstance(value, dict) and "dist" not in value  # a parameter with a label is not
            and bool({"expr", "label", "unit", "better"} & set(value)))
