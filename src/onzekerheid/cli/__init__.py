"""The command line: gather options, call the API, render. No modelling logic here.

``app.py`` holds the Typer app, the options every command shares and run/validate/check; each
further module registers its commands on that app when imported here.
"""

from . import sweep, report, analysis, new  # noqa: F401, I001  (each registers its commands, in this order)
from .app import app, main

__all__ = ["app", "main"]
