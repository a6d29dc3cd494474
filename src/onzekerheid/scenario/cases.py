"""Case tables: one row per case (wide) or per case x item (long), from CSV, .xlsx or .ods.

Wide form: a header row, one column per item that names it with ``column = "..."``; other
columns (case id, notes) are ignored. Long form: columns ``case``, ``item`` and ``amount``;
rows are summed per case and item, missing combinations count as 0. Paths are relative to the
scenario file's folder and may not leave it.

Keys of ``[cases]`` that say how the table is read (all optional but ``table``)::

    table = "cases.xlsx"        # .csv, .xlsx (.xlsm) or .ods
    sheet = "Casussen"          # workbooks: the sheet's name (default: the first sheet)
    header_row = 2              # the row holding the column names (default 1)
    last_row = 190              # the last case row (default: the last filled row)
    columns = { gemeente = "Besparing gemeente" }   # item column -> header in the table
    number_format = "nl"        # text cells: "plain" (default), "nl" (8.336,50) or "en"
    separator = ";"             # CSV only: ",", ";" or "\t" (default: guessed from the header)
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..errors import Problems, did_you_mean
from .numbers import EXAMPLES, NUMBER_FORMATS, parse_number
from .tables import FORMATS, SEPARATORS, Grid, TableError, column_letter, read_grid

TABLE_KEYS = {"table", "sheet", "header_row", "last_row", "columns", "number_format",
              "separator"}
LONG = ("case", "item", "amount")
MAX_CELL_PROBLEMS = 10
PATH = "cases.table"


def read_case_table(name: Any, columns: list[str], directory: str, problems: Problems,
                    options: dict[str, Any] | None = None, *, allow_outside: bool = False
                    ) -> list[tuple[float, ...]] | None:
    """The table's rows restricted to ``columns`` (in that order), or None after a problem.

    Parameters
    ----------
    name : str
        The file name as written in ``[cases] table``, relative to ``directory``.
    columns : list of str
        The item columns the scenario uses (``[[items]] column = ...``).
    directory : str
        The scenario file's folder; the table may not lie outside it.
    problems : Problems
        Collects every problem found, each with its key path under ``cases``.
    options : dict, optional
        The ``[cases]`` table: ``sheet``, ``header_row``, ``last_row``, ``columns``,
        ``number_format`` and ``separator`` (see the module docstring).
    allow_outside : bool
        Let the table lie outside ``directory`` (``load(..., allow_outside=True)``).

    Returns
    -------
    list of tuple of float or None
        One tuple per case, values in the order of ``columns``.
    """
    options = options or {}
    path = _locate(name, directory, problems, allow_outside)
    settings = _settings(options, columns, problems)
    if path is None or settings is None:
        return None
    sheet, header_row, last_row, mapping, number_format, separator = settings
    try:
        grid = read_grid(path, sheet=sheet, separator=separator, header_row=header_row)
    except TableError as exc:
        problems.add(f"cases.{exc.key}", f"'{name}' {exc}", exc.hint)
        return None
    except OSError as exc:
        problems.add(PATH, f"cannot read '{name}': {exc.strerror or exc}")
        return None
    where = f"'{name}'" + (f" sheet '{grid.sheet}'" if grid.sheet else "")
    if len(grid.rows) < header_row:
        problems.add("cases.header_row" if "header_row" in options else PATH,
                     f"{where} needs a header row and at least one case",
                     f"it has {len(grid.rows)} rows; header_row = {header_row}")
        return None
    header = [_header(cell) for cell in grid.rows[header_row - 1]]
    end = len(grid.rows) if last_row is None else min(last_row, len(grid.rows))
    body = [(r + 1, grid.rows[r]) for r in range(header_row, end)
            if any(_filled(cell) for cell in grid.rows[r])]
    reader = _Reader(where, header, mapping, number_format, problems)
    if all(mapping.get(k, k) in header for k in LONG):
        out = reader.long(body, columns)
    else:
        out = reader.wide(body, columns, header_row)
    if out is not None and not out:
        problems.add(PATH, f"{where} needs a header row and at least one case",
                     f"no case below the header (row {header_row})")
        return None
    return out


def _locate(name: Any, directory: str, problems: Problems, allow_outside: bool
            ) -> Path | None:
    if not isinstance(name, str) or not name:
        problems.add(PATH, "table must be a file name", 'e.g. table = "cases.csv"')
        return None
    folder = Path(directory).resolve()
    path = (folder / name).resolve()
    if not path.is_relative_to(folder) and not allow_outside:
        # a scenario file from someone else must not read arbitrary files on this machine
        problems.add(PATH, f"'{name}' lies outside the scenario's folder",
                     "copy the table next to the scenario file, or allow it explicitly: "
                     "`onzekerheid --allow-outside ...` on the command line, "
                     "load(..., allow_outside=True) in Python")
        return None
    if path.suffix.lower() not in FORMATS:
        problems.add(PATH, f"'{name}': case tables are .csv, .xlsx or .ods files",
                     "save the sheet in one of those formats")
        return None
    if not path.is_file():
        problems.add(PATH, f"case table '{name}' not found next to the scenario",
                     f"looked for {path}")
        return None
    return path


def _settings(options: dict[str, Any], columns: list[str], problems: Problems
              ) -> tuple[str | None, int, int | None, dict[str, str], str, str | None] | None:
    before = len(problems.items)
    sheet = options.get("sheet")
    if sheet is not None and (not isinstance(sheet, str) or not sheet):
        problems.add("cases.sheet", "sheet must be the sheet's name", 'e.g. sheet = "Casussen"')
    header_row = _row(options, "header_row", 1, problems)
    last_row = _row(options, "last_row", None, problems)
    if last_row is not None and header_row is not None and last_row <= header_row:
        problems.add("cases.last_row", f"last_row ({last_row}) must come after header_row "
                     f"({header_row})")
    mapping = options.get("columns", {})
    if not isinstance(mapping, dict) or not all(
            isinstance(v, str) and v.strip() for v in mapping.values()):
        problems.add("cases.columns", "columns maps item columns to the table's headers",
                     'e.g. columns = { gemeente = "Besparing gemeente" }')
        mapping = {}
    known = [*columns, *LONG]
    for key in mapping:
        if key not in known:
            problems.add(f"cases.columns.{key}", f"no [[items]] entry has column = '{key}'",
                         did_you_mean(key, known) or f"item columns: {', '.join(columns)}")
    number_format = options.get("number_format", "plain")
    if number_format not in NUMBER_FORMATS:
        problems.add("cases.number_format", f"unknown number_format {number_format!r}",
                     f"allowed: {', '.join(NUMBER_FORMATS)} (nl: {EXAMPLES['nl']})")
    separator = options.get("separator")
    if separator == "tab":
        separator = "\t"
    if separator is not None and separator not in SEPARATORS:
        problems.add("cases.separator", f"unknown separator {separator!r}",
                     'allowed: ",", ";" or "\\t"')
    if len(problems.items) > before or header_row is None:
        return None
    return (sheet, header_row, last_row, {k: v.strip() for k, v in mapping.items()},
            number_format, separator)


def _row(options: dict[str, Any], key: str, default: int | None, problems: Problems
         ) -> int | None:
    value = options.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems.add(f"cases.{key}", f"{key} must be a row number (1 is the first row), "
                     f"got {value!r}")
        return None
    return value


def _filled(cell: Any) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _header(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return "" if cell is None else str(cell).strip()


class _Reader:
    """Turns cells into numbers, reporting each bad cell by sheet, row and column."""

    def __init__(self, where: str, header: list[str], mapping: dict[str, str],
                 number_format: str, problems: Problems) -> None:
        self.where = where
        self.header = header
        self.mapping = mapping
        self.number_format = number_format
        self.problems = problems
        self.bad = 0

    def wide(self, body: list[tuple[int, list[Any]]], columns: list[str], header_row: int
             ) -> list[tuple[float, ...]] | None:
        index = []
        for column in columns:
            name = self.mapping.get(column, column)
            found = [i for i, h in enumerate(self.header) if h == name]
            if len(found) == 1:
                index.append(found[0])
                continue
            path = f"cases.columns.{column}" if column in self.mapping else PATH
            if found:
                self.problems.add(path, f"{self.where}: column '{name}' appears "
                                  f"{len(found)} times in header row {header_row}",
                                  "give each column a distinct name")
                continue
            named = [h for h in self.header if h]
            hint = did_you_mean(name, named)
            if column not in self.mapping:
                hint = (hint + " " if hint else "") + \
                    f'or map it: columns = {{ {column} = "<header>" }};'
            listing = f"its columns: {', '.join(named)}"
            self.problems.add(path, f"{self.where} has no column '{name}' in header row "
                              f"{header_row}", f"{hint} {listing}" if hint else listing)
        if len(index) < len(columns):
            return None
        out = []
        for r, row in body:
            values = [self.number(row, i, r) for i in index]
            if all(v is not None for v in values):
                out.append(tuple(v for v in values if v is not None))
        return None if self.bad else out

    def long(self, body: list[tuple[int, list[Any]]], columns: list[str]
             ) -> list[tuple[float, ...]] | None:
        ci, ii, ai = (self.header.index(self.mapping.get(k, k)) for k in LONG)
        names = {self.mapping.get(c, c): c for c in columns} | {c: c for c in columns}
        cases: dict[str, dict[str, float]] = {}
        for r, row in body:
            case = _header(row[ci]) if ci < len(row) else ""
            item = _header(row[ii]) if ii < len(row) else ""
            amount = self.number(row, ai, r)
            if item not in names:
                self.problems.add(PATH, f"{self.where} row {r}: item {item!r} is not the column "
                                  "of any [[items]] entry",
                                  f"{did_you_mean(item, names)} items use: {', '.join(columns)}"
                                  .strip())
                self.bad += 1
            if amount is None or item not in names:
                continue
            entry = cases.setdefault(case, {})
            entry[names[item]] = entry.get(names[item], 0.0) + amount
        if self.bad:
            return None
        return [tuple(entry.get(c, 0.0) for c in columns) for entry in cases.values()]

    def number(self, row: list[Any], i: int, r: int) -> float | None:
        cell = row[i] if i < len(row) else None
        value: float | None = None
        if isinstance(cell, bool):
            value = None
        elif isinstance(cell, int | float):
            value = float(cell)
        elif isinstance(cell, str):
            try:
                value = parse_number(cell, self.number_format)
            except ValueError:
                value = None
        if value is not None and math.isfinite(value):
            return value
        self.bad += 1
        if self.bad <= MAX_CELL_PROBLEMS:
            self.problems.add(PATH, f"{self.where} row {r}, column '{self.header[i]}': "
                              f"{self._describe(cell, value)} (cell {column_letter(i)}{r})",
                              self._hint(cell))
        elif self.bad == MAX_CELL_PROBLEMS + 1:
            self.problems.add(PATH, f"{self.where}: more cells are not numbers; fix the "
                              "ones above and validate again")
        return None

    @staticmethod
    def _describe(cell: Any, value: float | None) -> str:
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            return "empty"
        if value is not None:
            return f"not finite ({cell!r})"
        if isinstance(cell, str | bool):
            return f"{cell!r} is not a number"
        return f"{cell!s} ({type(cell).__name__}) is not a number"

    def _hint(self, cell: Any) -> str:
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            return ("write 0 for no amount; a formula cell needs its saved value (open and "
                    "save the file in Excel or LibreOffice)")
        if isinstance(cell, str):
            for other in NUMBER_FORMATS:
                if other == self.number_format:
                    continue
                try:
                    parse_number(cell, other)
                except ValueError:
                    continue
                return f'it reads as a number with number_format = "{other}"'
        return (f"write a number as {EXAMPLES[self.number_format]} (number_format = "
                f'"{self.number_format}")')


__all__ = ["TABLE_KEYS", "Grid", "read_case_table"]
