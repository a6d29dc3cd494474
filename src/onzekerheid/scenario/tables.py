"""Raw grids of cells from .csv, .xlsx and .ods files, with the sheet's own row numbers.

A :class:`Grid` holds the rows of one sheet as lists of cell values: text (``str``), numbers
(``int``/``float``, as the spreadsheet stored them), or ``None`` for an empty cell. Row ``k`` of
``rows`` is the sheet's row ``k + 1``, so messages can name the row a user sees. Reading
.xlsx needs openpyxl and .ods needs odfpy (``pip install 'onzekerheid[spreadsheets]'``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import did_you_mean

SPREADSHEETS = {".xlsx": "openpyxl", ".xlsm": "openpyxl", ".ods": "odfpy"}
FORMATS = (".csv", *SPREADSHEETS)
SEPARATORS = (",", ";", "\t")
INSTALL = "pip install 'onzekerheid[spreadsheets]'"
MAX_ROWS = 1_000_000
MAX_COLUMNS = 16_384  # the widest sheet Excel and LibreOffice make (column XFD)
MAX_CELL_CHARS = 131_072  # the csv module's field limit: 128 KB of text in one cell


class TableError(Exception):
    """The file cannot be read as a table; ``key`` is the [cases] key to blame."""

    def __init__(self, message: str, hint: str = "", key: str = "table") -> None:
        super().__init__(message)
        self.hint = hint
        self.key = key


@dataclass(frozen=True)
class Grid:
    """The cells of one sheet; ``sheet`` is empty for a CSV file."""

    rows: list[list[Any]]
    sheet: str = ""


def column_letter(index: int) -> str:
    """Spreadsheet column name of the 0-based ``index``: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def read_grid(path: Path, *, sheet: str | None = None, separator: str | None = None,
              header_row: int = 1) -> Grid:
    """The cells of ``path``: a CSV file, or one sheet (default the first) of a workbook.

    Raises
    ------
    TableError
        When the file cannot be read, the sheet does not exist or a reader is not installed.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if sheet is not None:
            raise TableError("sheet applies to .xlsx and .ods workbooks only",
                             "remove sheet = ... for a CSV file", key="sheet")
        return _csv(path, separator, header_row)
    if separator is not None:
        raise TableError("separator applies to CSV files only", "remove separator = ...",
                         key="separator")
    if suffix == ".ods":
        return _ods(path, sheet)
    return _xlsx(path, sheet)


def _csv(path: Path, separator: str | None, header_row: int) -> Grid:
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text": UTF-16 with a BOM
        raise TableError("is UTF-16 text (Excel's 'Unicode text')",
                         "save it as 'CSV UTF-8' instead")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's Dutch "CSV (gescheiden door lijstscheidingsteken)" is Windows-1252
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise TableError("is neither UTF-8 nor Windows-1252 text",
                             "save it as CSV UTF-8") from None
    lines = text.splitlines()
    if separator is None:
        probe = lines[header_row - 1] if len(lines) >= header_row else ""
        separator = max(SEPARATORS, key=probe.count)  # ties: the first, a comma
    rows: list[list[Any]] = []
    reader = csv.reader(lines, delimiter=separator)
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS:
                raise TableError(f"row {reader.line_num} has {len(row):,} cells; a table may "
                                 f"have at most {MAX_COLUMNS:,} columns")
            rows.append([cell if cell.strip() else None for cell in row])
            if len(rows) > MAX_ROWS:
                raise TableError(f"has more than {MAX_ROWS:,} rows")
    except csv.Error as exc:  # a cell over the field limit, a stray NUL
        raise TableError(f"row {reader.line_num + 1} cannot be read as CSV ({exc})",
                         f"a cell may hold at most {MAX_CELL_CHARS // 1024} KB of text; check "
                         "the quotes and the separator") from None
    return Grid(rows)


def _pick(names: list[str], sheet: str | None) -> str:
    if not names:
        raise TableError("holds no sheets")
    if sheet is None:
        return names[0]
    if sheet in names:
        return sheet
    folded = {n.casefold(): n for n in names}
    hint = did_you_mean(sheet, names)
    if sheet.casefold() in folded:
        hint = f"did you mean '{folded[sheet.casefold()]}'?"
    raise TableError(f"has no sheet '{sheet}'",
                     f"{hint + ' ' if hint else ''}sheets: {', '.join(names)}", key="sheet")


def _missing(module: str) -> TableError:
    return TableError(f"reading this file needs the Python package {module}",
                      f"install it with: {INSTALL}")


def _xlsx(path: Path, sheet: str | None) -> Grid:
    try:
        import openpyxl
    except ImportError:
        raise _missing("openpyxl") from None
    try:
        # data_only: a formula cell gives the value Excel saved with it
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean: not a workbook
        raise TableError(f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc})",
                         "save it from Excel or LibreOffice as .xlsx") from None
    try:
        name = _pick(list(book.sheetnames), sheet)
        rows: list[list[Any]] = []
        try:  # read-only sheets are parsed lazily: a malformed one fails while iterating
            for row in book[name].iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True):
                rows.append(list(row))
                if len(rows) > MAX_ROWS:
                    raise TableError(f"has more than {MAX_ROWS:,} rows")
        except TableError:
            raise
        except Exception as exc:  # XML, zip and openpyxl errors inside the sheet
            raise TableError(f"sheet '{name}' cannot be read ({type(exc).__name__}: {exc})",
                             "open it in Excel or LibreOffice and save it again as .xlsx"
                             ) from None
    finally:
        book.close()
    return Grid(_trim(rows), name)


def _ods(path: Path, sheet: str | None) -> Grid:
    try:
        from odf.namespaces import OFFICENS, TABLENS
        from odf.opendocument import load
        from odf.table import Table, TableCell, TableRow
        from odf.teletype import extractText
    except ImportError:
        raise _missing("odfpy") from None
    try:
        document = load(str(path))
    except Exception as exc:  # zipfile and XML errors: not an OpenDocument spreadsheet
        raise TableError(f"cannot be read as an OpenDocument spreadsheet "
                         f"({type(exc).__name__}: {exc})",
                         "save it from LibreOffice or Excel as .ods") from None
    tables = {t.getAttribute("name"): t for t in document.spreadsheet.getElementsByType(Table)}
    name = _pick(list(tables), sheet)
    rows: list[list[Any]] = []
    pending_empty = 0  # repeated empty rows count only when content follows (files pad to 1M)
    cell_name = TableCell().qname  # covered (merged) cells read as empty
    for element in tables[name].getElementsByType(TableRow):
        where = len(rows) + pending_empty + 1
        cells = _ods_cells(element, cell_name, TABLENS, OFFICENS, extractText, where)
        repeat = _repeat(element, TABLENS, "number-rows-repeated", where)
        if not cells:
            pending_empty += repeat
            continue
        if len(rows) + pending_empty + repeat > MAX_ROWS:  # before allocating them
            raise TableError(f"has more than {MAX_ROWS:,} rows")
        rows.extend([] for _ in range(pending_empty))
        pending_empty = 0
        rows.extend(list(cells) for _ in range(repeat))
    return Grid(rows, name)


def _ods_cells(element: Any, cell_name: Any, tablens: str, officens: str, extract: Any,
               row: int) -> list[Any]:
    """The cells of one row; trailing empty cells (however often repeated) cost nothing."""
    cells: list[Any] = []
    blanks = 0
    for cell in element.childNodes:
        repeat = _repeat(cell, tablens, "number-columns-repeated", row)
        if getattr(cell, "qname", None) != cell_name:
            blanks += repeat
            continue
        value = _ods_value(cell, officens, extract, f"{column_letter(len(cells) + blanks)}{row}")
        if value is None:
            blanks += repeat
            continue
        if len(cells) + blanks + repeat > MAX_COLUMNS:  # before allocating them
            raise TableError(f"row {row} has content beyond column "
                             f"{column_letter(MAX_COLUMNS - 1)} (more than {MAX_COLUMNS:,} "
                             "columns)", "remove the content far to the right")
        cells.extend([None] * blanks + [value] * repeat)
        blanks = 0
    return cells


def _repeat(element: Any, namespace: str, attribute: str, row: int) -> int:
    value = element.attributes.get((namespace, attribute)) if hasattr(element, "attributes") \
        else None
    if not value:
        return 1
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 12) or int(text) < 1:
        raise TableError(f"row {row}: {attribute} is {text[:40]!r}, not a repeat count",
                         "the file is damaged: open it in LibreOffice and save it again")
    return int(text)


def _ods_value(cell: Any, officens: str, extract: Any, where: str) -> Any:
    kind = cell.attributes.get((officens, "value-type"))
    if kind in ("float", "percentage", "currency"):
        value = cell.attributes.get((officens, "value"))
        try:
            return float(value)
        except (TypeError, ValueError):
            raise TableError(f"cell {where} is a {kind} cell without a number "
                             f"(office:value is {str(value)[:40]!r})",
                             "the file is damaged: open it in LibreOffice, retype the cell and "
                             "save it again") from None
    if kind is None:
        return None
    text = extract(cell)
    return text if text.strip() else None


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    """Drop trailing rows without content (openpyxl reports a sheet's formatted extent)."""
    while rows and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
        rows.pop()
    return rows
