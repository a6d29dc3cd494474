"""How analysis results show in Jupyter: through the :mod:`onzekerheid._display` registry."""

from __future__ import annotations

from .. import _display


class TableView:
    """Mixin for sensitivity, VOI and switching results: ``_repr_html_`` asks the registry,
    where :mod:`onzekerheid.report.notebook` registers a sorted table of ``to_json()``."""

    def _repr_html_(self) -> str | None:
        return _display.html(self)
