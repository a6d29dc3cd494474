"""The social-domain model (cases, stakeholders, adjustments); filled in by issue 3."""

from __future__ import annotations

from typing import Any

from ..errors import Problems
from .model import CaseBlock, Output, Parameter


def build_domain(raw: dict[str, Any], parameters: dict[str, Parameter],
                 outputs: dict[str, Output], problems: Problems, directory: str
                 ) -> tuple[CaseBlock | None, tuple[str, ...]]:
    return None, ()
