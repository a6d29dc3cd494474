"""Words, units and directions of parameters and outputs: the one place that says what is money.

A ``unit`` is ``"EUR"`` (money in the scenario's currency), ``"ratio"``, ``"share"`` (0..1,
shown as a percentage), ``"hours"``, ``"years"`` or any other word (a count of that thing).
Nothing is money unless its unit says so. ``better`` says which direction is good news:
``"higher"``, ``"lower"`` or ``"none"``. Built-in outputs of the social-domain model take both
from their name (:func:`builtin_unit`, :func:`builtin_better`); a custom output without
``better`` is ``"higher"`` and without ``unit`` has none (a plain number).
"""

from __future__ import annotations

from typing import Any

from ..errors import Problems

MONEY = "EUR"
NAMED_UNITS = ("EUR", "ratio", "share", "hours", "years")
BETTER = ("higher", "lower", "none")
DESCRIPTIVE_KEYS = ("label", "unit", "judgement")

# built-in output (the name before the first dot) -> (unit, better)
_BUILTIN: dict[str, tuple[str, str]] = {
    "savings_per_case": (MONEY, "higher"),
    "savings_per_year": (MONEY, "higher"),
    "benefits_pv": (MONEY, "higher"),
    "net_benefit": (MONEY, "higher"),
    "npv": (MONEY, "higher"),
    "costs_per_year": (MONEY, "lower"),
    "costs_pv": (MONEY, "lower"),
    "extra_cost_per_case": (MONEY, "lower"),
    "bcr": ("ratio", "higher"),
    "break_even_hours": ("hours", "higher"),
    "payback_year": ("years", "lower"),
}


def builtin_unit(name: str) -> str:
    """The unit of a built-in output (money unless the name says otherwise)."""
    return _BUILTIN.get(name.split(".", 1)[0], (MONEY, "higher"))[0]


def builtin_better(name: str) -> str:
    """Which direction is good news for a built-in output."""
    return _BUILTIN.get(name.split(".", 1)[0], (MONEY, "higher"))[1]


def unit_by_name(name: str) -> str:
    """The unit a built-in output's name implies; "" (a plain number) for any other name."""
    base = _BUILTIN.get(name.split(".", 1)[0])
    return base[0] if base else ""


def is_money(unit: str) -> bool:
    """True when values in this unit are amounts in the scenario's currency."""
    return unit == MONEY


def descriptive(table: dict[str, Any], path: str, problems: Problems,
                *, judgement: bool = True) -> dict[str, Any]:
    """``label``, ``unit`` (and ``judgement``) of a parameter or output table, checked.

    Returns the keyword arguments for :class:`~onzekerheid.scenario.model.Parameter` or
    :class:`~onzekerheid.scenario.model.Output`; problems are added with their key path.
    """
    found: dict[str, Any] = {}
    for key in ("label", "unit"):
        if key not in table:
            continue
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            problems.add(f"{path}.{key}", f"{key} must be non-empty text, got {value!r}",
                         'e.g. label = "Huishoudens geholpen"' if key == "label"
                         else 'e.g. unit = "EUR", "share", "hours" or a word such as '
                         '"households"')
            continue
        found[key] = value.strip()
    if judgement and "judgement" in table:
        value = table["judgement"]
        if not isinstance(value, bool):
            problems.add(f"{path}.judgement", f"judgement must be true or false, got {value!r}",
                         "judgement = true marks a value that rests on opinion, not a source")
        else:
            found["judgement"] = value
    return found


def better_of(value: Any, path: str, problems: Problems) -> str | None:
    """A checked ``better`` value, or None (with a problem added) when it is not allowed."""
    if value in BETTER:
        return str(value)
    problems.add(path, f"better must be one of {', '.join(BETTER)}, got {value!r}",
                 'better = "lower" for a cost, "higher" for a saving, "none" for neither')
    return None


# Parameters the social-domain model makes from its own sections: their unit follows from the
# section key (a contract key), never from the words a user chose for a name.
_DOMAIN_SHARES = ("rate", "dropout", "failure_yield", "attribution", "probability", "deadweight",
                  "displacement", "overlap", "damping", "safety_margin")
_DOMAIN_MONEY = ("amount", "unit_cost", "cost_per_fte", "hourly_rate")


def parameter_unit(name: str, unit: str = "", support: tuple[float, float] | None = None) -> str:
    """The unit of parameter ``name``: its own ``unit``, else what its domain key says.

    ``prices.*`` and the domain model's amounts and rates are ``"EUR"``; its shares (success
    rate, attribution, probability, ...) are ``"share"``; its bias factors ``"ratio"``; a
    random parameter whose support lies inside 0..1 is a share as well. Anything else has no
    unit (a plain number): a name such as ``report_cost`` does not make a parameter money;
    ``unit = "EUR"`` does.
    """
    if unit:
        return unit
    parts = name.split(".")
    if len(parts) > 1 and (parts[0] == "prices" or parts[-1] in _DOMAIN_MONEY):
        return MONEY
    if len(parts) > 1 and parts[-1] in _DOMAIN_SHARES:
        return "share"
    if len(parts) == 2 and parts[0] == "bias":  # realised / estimated: a factor
        return "ratio"
    if support is not None and support[0] >= 0.0 and support[1] <= 1.0:
        return "share"
    return ""
