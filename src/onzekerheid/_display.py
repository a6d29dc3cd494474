"""Display hooks: how a scenario or result shows in Jupyter, registered by the renderer.

The scenario and analysis layers must not import the report layer above them, yet their
objects should show as HTML tables in a notebook. So their ``_repr_html_`` asks this registry,
and :mod:`onzekerheid.report.notebook` registers its renderers when it is imported (``import
onzekerheid`` imports it). Without a registered renderer ``_repr_html_`` returns None and
Jupyter falls back to the plain ``repr``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_RENDERERS: dict[type, Callable[[Any], str]] = {}


def register(cls: type, render: Callable[[Any], str]) -> None:
    """Show instances of ``cls`` in Jupyter as ``render(instance)`` (an HTML string)."""
    _RENDERERS[cls] = render


def html(obj: object) -> str | None:
    """The registered renderer's HTML for ``obj``, or None when none is registered."""
    # the nearest registered class in the MRO: one renderer serves a mixin's every user
    render = next((_RENDERERS[c] for c in type(obj).__mro__ if c in _RENDERERS), None)
    return None if render is None else render(obj)
