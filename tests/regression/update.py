"""Regenerate the pinned numbers of every shipped scenario: ``python tests/regression/update.py``.

Run it only when a change of the numbers is intended, and say in the commit why they changed.
Each ``<scenario>.json`` holds, per output, the summary of a run with ``SEED`` and
``ITERATIONS`` and the ``--point`` value.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import onzekerheid as oz

HERE = Path(__file__).parent
SCENARIOS = HERE.parent.parent / "scenarios"
SEED = 20_240_501
ITERATIONS = 20_000


def pinned(path: Path) -> dict[str, Any]:
    """The numbers pinned for one scenario file."""
    scenario = oz.load(path)
    result = oz.simulate(scenario, ITERATIONS, SEED, store="outputs")
    point = oz.point(scenario).to_json()["outputs"]
    return {
        "scenario": path.name,
        "seed": SEED,
        "iterations": ITERATIONS,
        "outputs": {name: {**result.summary_of(name).as_dict(), "point": point[name]["value"]}
                    for name in scenario.outputs},
    }


def main() -> None:
    for path in sorted(SCENARIOS.glob("*.toml")):
        target = HERE / f"{path.stem}.json"
        target.write_text(json.dumps(pinned(path), indent=1, sort_keys=True) + "\n")
        print(f"wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
