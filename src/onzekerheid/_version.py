"""The installed version, looked up on first use (importlib.metadata costs every command ~50 ms)."""

from __future__ import annotations


def version() -> str:
    """The version of the installed distribution, or ``0.0.0`` in a bare source tree."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("onzekerheid")
    except PackageNotFoundError:  # running from a source tree
        return "0.0.0"
