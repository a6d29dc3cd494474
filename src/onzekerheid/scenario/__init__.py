"""Scenario files: TOML to validated :class:`Scenario` objects."""

from .loader import apply_overrides, from_dict, load, loads, with_overrides, with_variant
from .model import CaseBlock, Check, Correlations, Output, Parameter, Scenario

__all__ = ["CaseBlock", "Check", "Correlations", "Output", "Parameter", "Scenario",
           "apply_overrides", "from_dict", "load", "loads", "with_overrides", "with_variant"]
