"""The composite GitHub Action runs commands and options that exist."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from onzekerheid.cli import app

yaml = pytest.importorskip("yaml")
ROOT = Path(__file__).parent.parent


def test_the_action_is_a_composite_of_real_commands(tmp_path):
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    script = " ".join(step.get("run", "") for step in action["runs"]["steps"])
    assert "onzekerheid validate" in script and "onzekerheid check" in script
    # the check step's options, run as the action runs them (with few iterations)
    junit = tmp_path / "o.xml"
    done = CliRunner().invoke(app, ["check", str(ROOT / "scenarios" / "school_jeugdzorg.toml"),
                                    "-n", "2000", "--junit", str(junit)])
    assert done.exit_code in (0, 1), done.output
    assert junit.read_text(encoding="utf-8").startswith("<?xml")
