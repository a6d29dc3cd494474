"""`onzekerheid schema`: a JSON Schema every shipped scenario meets and structural errors fail."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onzekerheid.cli import app

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).parent.parent
CATALOGUE = tomllib.loads((ROOT / "tests" / "bad_inputs" / "catalogue.toml").read_text(
    encoding="utf-8"))["case"]


@pytest.fixture(scope="module")
def validator():
    done = CliRunner().invoke(app, ["schema"])
    assert done.exit_code == 0, done.output
    schema = json.loads(done.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_meets_the_schema(validator, path):
    errors = list(validator.iter_errors(tomllib.loads(path.read_text(encoding="utf-8"))))
    assert not errors, [e.message for e in errors]


def _parsed(case):
    try:
        return tomllib.loads(case["text"])
    except (KeyError, tomllib.TOMLDecodeError):
        return None


def test_the_schema_agrees_with_the_loader_on_the_bad_input_catalogue(validator):
    """Never rejects what the loader accepts; rejects the structurally wrong entries."""
    rejected = []
    for case in CATALOGUE:
        doc = _parsed(case)
        if doc is None or case.get("args", ["run"])[0] not in ("run", "validate", "check"):
            continue
        if not validator.is_valid(doc):
            rejected.append(case["id"])
            assert case["exit"] != 0, f"{case['id']}: the schema rejects a valid file"
    sections = set(validator.schema["properties"])
    structural = {c["id"] for c in CATALOGUE if _parsed(c) is not None and (
        "scenario" not in _parsed(c) or set(_parsed(c)) - sections)}
    assert structural and structural <= set(rejected) | {
        c["id"] for c in CATALOGUE if c.get("args", ["run"])[0] not in ("run", "validate",
                                                                        "check")}
