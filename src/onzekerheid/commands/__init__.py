"""Command modules beyond run/validate/check; each registers itself on ``cli.app``.

A command module defines its functions with ``@app.command()`` using ``from ..cli import app``
and the shared helpers there (``user_errors``, ``overrides``, option types). Add the module's
name to ``MODULES`` to make it part of the command line.
"""

from __future__ import annotations

import importlib

MODULES: list[str] = ["sweep", "report", "analysis", "new"]


def register_all() -> None:
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
