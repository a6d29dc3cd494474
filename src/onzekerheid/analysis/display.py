"""How analysis results show in Jupyter: a sorted table of their ``to_json()`` document."""

from __future__ import annotations

from typing import Any


class TableView:
    """Mixin for results with ``to_json()``: ``_repr_html_`` draws its parameters as a table.

    The table is made by :func:`onzekerheid.report.notebook.analysis_html` (imported on use: a
    display hook is the one place a lower layer reaches up to the renderers).
    """

    def to_json(self) -> dict[str, Any]:  # pragma: no cover - every user defines it
        raise NotImplementedError

    def _repr_html_(self) -> str:
        from ..report.notebook import analysis_html

        return analysis_html(self.to_json())
