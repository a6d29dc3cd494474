"""Shared fixtures: write a scenario text to a temporary file, and load it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

import onzekerheid as oz

SCENARIOS = Path(__file__).parent.parent / "scenarios"


@pytest.fixture
def write_toml(tmp_path: Path) -> Callable[..., Path]:
    """``write_toml(text, name="scenario.toml")`` -> path of the dedented text in ``tmp_path``."""

    def write(text: str, name: str = "scenario.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def load_toml(write_toml: Callable[..., Path]) -> Callable[..., oz.Scenario]:
    """``load_toml(text, overrides=None)`` -> the scenario, loaded from a real file."""

    def load(text: str, overrides: dict | None = None, name: str = "scenario.toml"
             ) -> oz.Scenario:
        return oz.load(write_toml(text, name), overrides)

    return load
