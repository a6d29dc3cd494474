"""Prices in a past year's euros brought to the scenario's price year (CBS consumer prices).

The series ships in the package (``data/cpi.toml``, with its source): CBS's yearly change of
the consumer price index, chained to an index with 2015 = 100. A price quoted in year ``y``
is worth ``index[p] / index[y]`` times as many euros of the price year ``p``.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files


@cache
def index() -> dict[int, float]:
    """The chained index, year -> level (base year = 100).

    ``index[y] = index[y - 1] x (1 + change[y] / 100)``, anchored at the series' base year.
    """
    data = tomllib.loads(files("onzekerheid").joinpath("data/cpi.toml").read_text("utf-8"))
    change = {int(year): float(value) for year, value in data["change"].items()}
    base = int(data["base_year"])
    levels = {base: 100.0}
    for year in range(base + 1, max(change) + 1):
        levels[year] = levels[year - 1] * (1 + change[year] / 100)
    for year in range(base - 1, min(change) - 1, -1):
        levels[year] = levels[year + 1] / (1 + change[year + 1] / 100)
    return levels


def source() -> str:
    """Where the series comes from (for reports)."""
    data = tomllib.loads(files("onzekerheid").joinpath("data/cpi.toml").read_text("utf-8"))
    return str(data["source"])


def factor(from_year: int, to_year: int) -> float:
    """How many euros of ``to_year`` one euro of ``from_year`` is worth (KeyError outside)."""
    levels = index()
    return levels[to_year] / levels[from_year]


def years() -> tuple[int, int]:
    """The first and last year of the series."""
    levels = index()
    return min(levels), max(levels)
