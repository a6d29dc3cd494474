"""Recreate the binary and generated bad inputs of catalogue.toml (run from any folder)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
GOOD = '[scenario]\ntitle = "Café"\n[parameters]\nx = 1\n[outputs]\ny = "x"\n'


def main() -> None:
    files = {
        "empty.toml": b"",
        "utf16.toml": GOOD.encode("utf-16"),
        "latin1.toml": GOOD.replace('"Café"', '"t"\nsource = "Café"').encode("latin-1"),
        "binary.toml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "nul.toml": GOOD.replace('x = 1', 'x = 1\x00').encode(),
        "nested_arrays.toml": (GOOD + "deep = " + "[" * 5000 + "]" * 5000 + "\n").encode(),
        "long_expression.toml": GOOD.replace('y = "x"', 'y = "' + " + ".join(["x"] * 2600)
                                             + '"').encode(),
        "deep_expression.toml": GOOD.replace('y = "x"', 'y = "' + "(" * 500 + "x" + ")" * 500
                                             + '"').encode(),
        "cases_latin1.csv": "case,a,note\n1,100,é\n".encode("latin-1"),
        "cases_utf16.csv": "case,a\n1,100\n".encode("utf-16"),
        # issue 16: inputs that once hung, crashed or took gigabytes
        "bracket_spaces.toml": (GOOD.replace('"Café"', '"""\n[' + " " * 3000 + '\n"""')
                                .replace('y = "x"', 'y = "x +"')).encode(),
        "deep_dotted.toml": (GOOD + "[claim]\n" + ".".join(["a"] * 1200) + " = 1\n").encode(),
        "cases_bigcell.csv": ("case,a\n1," + "1" * 140_000 + "\n").encode(),
        "cases_spaces.csv": ("case,a\n1,\"1" + "\u2000" * 20_000 + "x\"\n").encode(),
        "ods_bad_repeat.ods": _ods('<table:table-cell table:number-columns-repeated="abc" '
                                   'office:value-type="float" office:value="1"/>'),
        "ods_huge_repeat.ods": _ods('<table:table-cell table:number-columns-repeated='
                                    '"2000000000" office:value-type="float" office:value="1"/>'),
        "ods_no_value.ods": _ods('<table:table-cell office:value-type="float"/>'),
        "xlsx_broken_sheet.xlsx": _broken_xlsx(),
    }
    for name, data in files.items():
        (HERE / name).write_bytes(data)


ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet><table:table table:name="Sheet1">
<table:table-row><table:table-cell office:value-type="string"><text:p>case</text:p>
</table:table-cell><table:table-cell office:value-type="string"><text:p>a</text:p>
</table:table-cell></table:table-row>
<table:table-row><table:table-cell office:value-type="float" office:value="1"/>CELL
</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>
"""
MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">
<manifest:file-entry manifest:full-path="/"
 manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""


def _ods(cell: str) -> bytes:
    """A one-sheet .ods (header case, a; one row) whose second cell is ``cell``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                      compress_type=zipfile.ZIP_STORED)
        book.writestr("content.xml", ODS_CONTENT.replace("CELL", cell))
        book.writestr("META-INF/manifest.xml", MANIFEST)
    return buffer.getvalue()


def _broken_xlsx() -> bytes:
    """An .xlsx whose workbook is intact but whose first sheet's XML is cut off."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["case", "a"])
    book.active.append([1, 100])
    source = io.BytesIO()
    book.save(source)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source.getvalue())) as old, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            new.writestr(item, data)
    return out.getvalue()


if __name__ == "__main__":
    main()
