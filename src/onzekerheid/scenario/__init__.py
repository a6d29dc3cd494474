"""Scenario files: TOML to validated :class:`Scenario` objects."""

from .loader import apply_overrides, from_dict, load, loads, parse_override
from .model import CaseBlock, Check, Output, Parameter, Scenario

__all__ = ["CaseBlock", "Check", "Output", "Parameter", "Scenario", "apply_overrides",
           "from_dict", "load", "loads", "parse_override"]
