"""Case tables: one row per case (wide) or per case x item (long), read from CSV.

Wide form: a header row, one column per item that names it with ``column = "..."``; other
columns (case id, notes) are ignored. Long form: columns ``case``, ``item`` and ``amount``;
rows are summed per case and item, missing combinations count as 0. Paths are relative to the
scenario file's folder and may not leave it.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

from ..errors import Problems

MAX_ROWS = 1_000_000


def read_case_table(name: Any, columns: list[str], directory: str, problems: Problems
                    ) -> list[tuple[float, ...]] | None:
    """The table's rows restricted to ``columns`` (in that order), or None after a problem."""
    path_key = "cases.table"
    if not isinstance(name, str) or not name:
        problems.add(path_key, "table must be a file name", 'e.g. table = "cases.csv"')
        return None
    folder = Path(directory).resolve()
    path = (folder / name).resolve()
    if not path.is_relative_to(folder):
        problems.add(path_key, f"'{name}' lies outside the scenario's folder",
                     "copy the table next to the scenario file")
        return None
    if path.suffix.lower() != ".csv":
        problems.add(path_key, f"'{name}': only .csv case tables are supported",
                     "export the sheet as CSV (comma separated, header row)")
        return None
    if not path.is_file():
        problems.add(path_key, f"case table '{name}' not found next to the scenario",
                     f"looked for {path}")
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.add(path_key, f"'{name}' is not UTF-8 text", "save it as UTF-8 CSV")
        return None
    except OSError as exc:
        problems.add(path_key, f"cannot read '{name}': {exc.strerror}")
        return None
    rows = list(csv.reader(text.splitlines()))
    if len(rows) < 2:
        problems.add(path_key, f"'{name}' needs a header row and at least one case")
        return None
    if len(rows) > MAX_ROWS:
        problems.add(path_key, f"'{name}' has more than {MAX_ROWS} rows")
        return None
    header = [h.strip() for h in rows[0]]
    body = rows[1:]
    if {"case", "item", "amount"} <= set(header):
        return _long(name, header, body, columns, problems)
    missing = [c for c in columns if c not in header]
    if missing:
        problems.add(path_key, f"'{name}' has no column {', '.join(map(repr, missing))}",
                     f"its columns: {', '.join(header)}")
        return None
    index = [header.index(c) for c in columns]
    out: list[tuple[float, ...]] = []
    for r, row in enumerate(body, start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = []
        for c, i in zip(columns, index, strict=True):
            value = _cell(name, row, i, r, c, problems)
            if value is None:
                return None
            values.append(value)
        out.append(tuple(values))
    if not out:
        problems.add(path_key, f"'{name}' has no cases")
        return None
    return out


def _cell(name: str, row: list[str], i: int, r: int, column: str, problems: Problems
          ) -> float | None:
    text = row[i].strip() if i < len(row) else ""
    try:
        value = float(text)
    except ValueError:
        problems.add("cases.table", f"'{name}' row {r}, column '{column}': {text!r} is not a "
                     "number", "use a plain number such as 1234.5 (no currency sign)")
        return None
    if not math.isfinite(value):
        problems.add("cases.table", f"'{name}' row {r}, column '{column}': not finite")
        return None
    return value


def _long(name: str, header: list[str], body: list[list[str]], columns: list[str],
          problems: Problems) -> list[tuple[float, ...]] | None:
    ci, ii, ai = header.index("case"), header.index("item"), header.index("amount")
    cases: dict[str, dict[str, float]] = {}
    for r, row in enumerate(body, start=2):
        if not any(cell.strip() for cell in row):
            continue
        case = row[ci].strip() if ci < len(row) else ""
        item = row[ii].strip() if ii < len(row) else ""
        amount = _cell(name, row, ai, r, "amount", problems)
        if amount is None:
            return None
        if item not in columns:
            problems.add("cases.table", f"'{name}' row {r}: item {item!r} is not the column "
                         "of any [[items]] entry", f"items use: {', '.join(columns)}")
            return None
        entry = cases.setdefault(case, {})
        entry[item] = entry.get(item, 0.0) + amount
    if not cases:
        problems.add("cases.table", f"'{name}' has no cases")
        return None
    return [tuple(entry.get(c, 0.0) for c in columns) for entry in cases.values()]
