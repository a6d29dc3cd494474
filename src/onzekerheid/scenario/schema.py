"""A JSON Schema (draft 2020-12) of the scenario file, for editors and CI.

It describes the structure the loader accepts: the sections, the keys of ``[scenario]``, what a
parameter, an output, a check and a claim may look like. It is a first gate, not the loader:
expressions, support of shares, cycles and references between names are checked only by
``onzekerheid validate``. Sections and keys come from the loader's own tables, so the schema
cannot fall behind them.
"""

from __future__ import annotations

from typing import Any

from . import distributions as dists
from .loader import OUTPUT_KEYS, SCENARIO_KEYS, SECTIONS
from .units import BETTER, NAMED_UNITS

SCHEMA_ID = "https://onzekerheid.invalid/scenario.schema.json"
_NUMBER = {"type": "number"}
ARRAY_SECTIONS = {"checks", "items", "studies", "evidence", "unpriced"}  # [[...]]: arrays
_TEXT = {"type": "string", "minLength": 1}


def _parameter() -> dict[str, Any]:
    families = sorted(dists.FAMILIES)
    table = {"type": "object", "required": ["dist"],
             "properties": {"dist": {"enum": families,
                                     "description": "the distribution family"},
                            "label": _TEXT, "unit": _unit(), "judgement": {"type": "boolean"},
                            "source": {"type": "string"}, "note": {"type": "string"}}}
    return {"description": "a number (fixed), 'A to B' (a 90% interval), an expression, or a "
                           "table with dist",
            "anyOf": [_NUMBER, {"type": "string"}, {"type": "boolean"}, table,
                      {"type": "object", "not": {"required": ["dist"]},
                       "description": "a group of parameters (dotted names)"}]}


def _unit() -> dict[str, Any]:
    return {"type": "string", "minLength": 1,
            "description": "EUR (money), ratio, share (0..1), hours, years, or a word (a count)",
            "examples": list(NAMED_UNITS)}


def _output() -> dict[str, Any]:
    table: dict[str, Any] = {"type": "object", "required": ["expr"], "additionalProperties": False,
                             "properties": {"expr": _TEXT, "label": _TEXT, "unit": _unit(),
                            "better": {"enum": list(BETTER)}, "note": {"type": "string"},
                            "source": {"type": "string"}}}
    assert set(table["properties"]) == OUTPUT_KEYS
    return {"anyOf": [_TEXT, table, {"type": "object", "not": {"required": ["expr"]},
                                     "description": "a group of outputs (dotted names)"}]}


def scenario_schema() -> dict[str, Any]:
    """The schema as a dict (``json.dumps`` it)."""
    scenario_keys: dict[str, Any] = {key: {"type": "string"} for key in SCENARIO_KEYS}
    scenario_keys.update({"title": _TEXT, "year": {"type": ["integer", "string"]},
                          "headline": {**_TEXT, "description": "the output the report leads "
                                                               "with"}})
    properties: dict[str, Any] = {
        section: {"type": "array", "items": {"type": "object"}} if section in ARRAY_SECTIONS
        else {"type": "object"} for section in SECTIONS}
    properties.update({
        "scenario": {"type": "object", "required": ["title"], "additionalProperties": False,
                     "properties": scenario_keys},
        "parameters": {"type": "object", "additionalProperties": _parameter()},
        "outputs": {"type": "object", "additionalProperties": _output()},
        "claim": {"type": "object"},
        "checks": {"type": "array", "items": {
            "type": "object", "required": ["expect"],
            "properties": {"expect": _TEXT}}},
        "items": {"type": "array", "items": {"type": "object", "required": ["name"]}},
    })
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "onzekerheid scenario file",
            "description": "A published cost-benefit claim as a Monte Carlo scenario (TOML).",
            "type": "object", "required": ["scenario"], "additionalProperties": False,
            "properties": properties}
