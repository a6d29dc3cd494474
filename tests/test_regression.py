"""Pinned numbers of every shipped scenario: any change in the results is seen.

``tests/regression/<scenario>.json`` holds each output's summary (mean, sd, MCSE, median,
interval, P(>0), claim percentile, non-finite count) at a fixed seed and 20,000 iterations,
plus its ``--point`` value. They are compared with a relative tolerance of 1e-12: only
floating-point noise of another platform passes. When a change is intended, run
``python tests/regression/update.py`` and explain the change in the commit.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent / "regression"
_spec = importlib.util.spec_from_file_location("regression_update", HERE / "update.py")
update = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(update)  # type: ignore[union-attr]
SHIPPED = sorted(update.SCENARIOS.glob("*.toml"))
RTOL = 1e-12


def test_every_shipped_scenario_is_pinned() -> None:
    assert SHIPPED
    assert {p.stem for p in SHIPPED} == {p.stem for p in HERE.glob("*.json")}, \
        "run python tests/regression/update.py for a new or removed scenario"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=RTOL, abs_tol=1e-300)
    return a == b


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_numbers_are_unchanged(path: Path) -> None:
    expected = json.loads((HERE / f"{path.stem}.json").read_text())
    actual = json.loads(json.dumps(update.pinned(path)))  # same types as the stored file
    assert actual["outputs"].keys() == expected["outputs"].keys()
    changed = [
        f"{name}.{key}: pinned {expected['outputs'][name][key]!r}, now {value!r}"
        for name, numbers in actual["outputs"].items()
        for key, value in numbers.items()
        if not _same(value, expected["outputs"][name].get(key))
    ]
    assert not changed, (f"{path.name}: numbers changed (if intended, run "
                         "tests/regression/update.py):\n" + "\n".join(changed))
