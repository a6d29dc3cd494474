"""Named variants of a scenario: ``[variants.NAME]`` tables of overrides.

A variant is a set of ``--set``-style overrides kept inside the scenario file, so the claim "as
published", "the sceptic's view" and "the optimist's view" travel together::

    [variants.as_published]            # an empty variant: the file as written

    [variants.sceptic]
    report_cost = "8000 to 16000"
    still_referred = { dist = "beta", ci = [0.2, 0.6] }
    "success.rate" = 0.4               # dotted names reach domain keys

    [variants.zonder_immaterieel.claim] # what was claimed for this view (see claims.py);
    net_benefit = 600000               # these win over the file's [claim], claim by claim

A key is a parameter, output or domain key (dotted names allowed, either quoted or as nested
tables); a value is whatever ``--set`` accepts, or a distribution table. Names are checked when
the file is loaded; values when the variant is used (``run --variant``, ``check
--all-variants``), since only then do they become parameters.
"""

from __future__ import annotations

import copy
from typing import Any

from ..errors import Problem, Problems, ScenarioError, did_you_mean
from .overrides import _override_targets, _set_path
from .parameters import check_name

SECTION = "variants"
CLAIM = "claim"  # [variants.NAME.claim]: the variant's own claims, not overrides


def variant_names(raw: dict[str, Any]) -> list[str]:
    """Names of the ``[variants.NAME]`` tables, in file order (``raw`` is a parsed file)."""
    table = raw.get(SECTION)
    return list(table) if isinstance(table, dict) else []


def variant_tables(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each variant's overrides as ``{dotted name: value}``, in file order (after validation)."""
    return {name: variant_overrides(raw, name) for name in variant_names(raw)}


def flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"success": {"rate": 0.4}}`` to ``{"success.rate": 0.4}``; distribution tables stay."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and "dist" not in value:
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def check_variants(raw: dict[str, Any], problems: Problems) -> None:
    """Add a problem for every variant that is not a table or overrides an unknown name."""
    if SECTION not in raw:
        return
    table = raw[SECTION]
    if not isinstance(table, dict):
        problems.add(SECTION, "[variants] must hold tables, one per variant",
                     'e.g. [variants.sceptic] with report_cost = "8000 to 16000"')
        return
    scratch = {k: v for k, v in raw.items() if k != SECTION}
    for name, overrides in table.items():
        path = f"{SECTION}.{name}"
        if not check_name(name, path, problems):
            continue
        if not isinstance(overrides, dict):
            problems.add(path, f"variant '{name}' must be a table of overrides",
                         f"write [variants.{name}] followed by NAME = VALUE lines")
            continue
        if CLAIM in overrides and not isinstance(overrides[CLAIM], dict):
            problems.add(f"{path}.{CLAIM}", f"[variants.{name}.claim] must be a table of claims",
                         f"write [variants.{name}.claim] followed by OUTPUT = CLAIM lines")
        for key, value in flatten(_without_claim(overrides)).items():
            if not _set_path(copy.deepcopy(scratch), key, value):
                hint = did_you_mean(key, _override_targets(scratch))
                problems.add(f"{path}.{key}",
                             f"variant '{name}' overrides '{key}', which is not a parameter, "
                             "output or domain key of this scenario",
                             hint or "see `onzekerheid validate` for the names")


def variant_overrides(raw: dict[str, Any], name: str, file: str = "") -> dict[str, Any]:
    """The overrides of variant ``name`` as ``{dotted name: value}``.

    Raises
    ------
    ScenarioError
        When the file has no variant of that name (the message lists the ones it has).
    """
    names = variant_names(raw)
    if name not in names:
        hint = did_you_mean(name, names) or (
            "variants here: " + ", ".join(names) if names
            else "this file has no [variants.NAME] sections")
        raise ScenarioError(Problem(f"no variant called '{name}'", file=file, hint=hint,
                                    argument="variant", value=name))
    table = raw[SECTION][name]
    return flatten(_without_claim(table)) if isinstance(table, dict) else {}


def variant_claims(raw: dict[str, Any], name: str) -> dict[str, Any]:
    """The ``[variants.NAME.claim]`` table of a variant (empty when it has none)."""
    table = raw.get(SECTION)
    variant = table.get(name) if isinstance(table, dict) else None
    claims = variant.get(CLAIM) if isinstance(variant, dict) else None
    return claims if isinstance(claims, dict) else {}


def _without_claim(table: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in table.items() if k != CLAIM}
