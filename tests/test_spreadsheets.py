"""Case tables from .xlsx, .ods and Dutch CSV: sheets, header rows, column mapping, numbers."""

from __future__ import annotations

import sys
import textwrap

import pytest
from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid.cli import app
from onzekerheid.scenario.numbers import parse_number
from onzekerheid.scenario.tables import column_letter

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("odf")

HEAD = """\
[scenario]
title = "Spreadsheet cases"

[cases]
stakeholders = ["gemeente", "client"]
{cases}

[[items]]
name = "gemeente"
stakeholder = "gemeente"
column = "gemeente"

[[items]]
name = "client"
stakeholder = "client"
column = "client"
"""

MAPPED = 'columns = { gemeente = "Besparing gemeente", client = "Besparing cliënt" }'


def write_scenario(folder, cases: str):
    path = folder / "s.toml"
    path.write_text(HEAD.format(cases=textwrap.dedent(cases)), encoding="utf-8")
    return path


def workbook(path, rows, sheet="Casussen", other=("Toelichting",)):
    """An .xlsx with ``rows`` (lists of cell values, None for empty) on sheet ``sheet``."""
    book = openpyxl.Workbook()
    book.active.title = other[0]
    book.active["A1"] = "Explanation sheet, not the cases"
    ws = book.create_sheet(sheet)
    for row in rows:
        ws.append(row)
    book.save(path)


def ods(path, rows, sheet="Casussen"):
    """An .ods written with odfpy: numbers as float cells, text as string cells."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for name in ("Voorblad", sheet):
        table = Table(name=name)
        for row in rows if name == sheet else [["cover"]]:
            tr = TableRow()
            for value in row:
                if value is None:
                    tr.addElement(TableCell())
                elif isinstance(value, int | float):
                    cell = TableCell(valuetype="float", value=value)
                    cell.addElement(P(text=str(value)))
                    tr.addElement(cell)
                else:
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=value))
                    tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))


ROWS = [
    ["Casussen wijkteam 2023", None, None],  # a title row above the header
    ["Casus", "Besparing gemeente", "Besparing cliënt"],
    [1, 1000, 200],
    [2, 3000, 0],
    [3, 2000, 400],
]


def table_of(scenario):
    """The case table as loaded: (rows, columns) without the leading column of ones."""
    return [row[1:] for row in scenario.cases.table]


def test_xlsx_sheet_header_row_and_column_mapping(tmp_path):
    workbook(tmp_path / "cases.xlsx", ROWS)
    s = oz.load(write_scenario(tmp_path, f"""
        table = "cases.xlsx"
        sheet = "Casussen"
        header_row = 2
        {MAPPED}
        """))
    # columns are sorted by name: client, gemeente
    assert table_of(s) == [(200.0, 1000.0), (0.0, 3000.0), (400.0, 2000.0)]
    assert s.cases.count == 3
    point = oz.point(s).values
    assert point["savings_per_case.gemeente"] == pytest.approx(2000.0)
    assert point["savings_per_case.client"] == pytest.approx(200.0)


def test_xlsx_text_cells_in_dutch_notation(tmp_path):
    rows = [["Besparing gemeente", "Besparing cliënt"],
            ["8.336,50", "€ 1.234"], ["€ 1.234,-", "12,5%"], [" -1.000 ", "0,5"]]
    workbook(tmp_path / "cases.xlsx", rows)
    s = oz.load(write_scenario(tmp_path, f"""
        table = "cases.xlsx"
        sheet = "Casussen"
        number_format = "nl"
        {MAPPED}
        """))
    # the negative cell is that case's extra cost: the kernel keeps the column's positive
    # cells (weighted by success) and its negative cells (unweighted) apart
    assert table_of(s) == [(1234.0, 8336.5, 0.0), (0.125, 1234.0, 0.0), (0.5, 0.0, -1000.0)]


def test_dutch_csv_with_semicolons(tmp_path):
    (tmp_path / "cases.csv").write_bytes(
        "Casus;Besparing gemeente;Besparing cliënt\n1;8.336,50;€ 2.694\n2;\"1.000,25\";0\n"
        .encode("cp1252"))  # as Excel's Dutch "CSV (lijstscheidingsteken)" saves it
    s = oz.load(write_scenario(tmp_path, f"""
        table = "cases.csv"
        number_format = "nl"
        {MAPPED}
        """))
    assert table_of(s) == [(2694.0, 8336.5), (0.0, 1000.25)]


def test_csv_separator_can_be_given(tmp_path):
    (tmp_path / "cases.csv").write_text("gemeente\tclient\n1\t2\n", encoding="utf-8")
    s = oz.load(write_scenario(tmp_path, 'table = "cases.csv"\nseparator = "tab"\n'))
    assert table_of(s) == [(2.0, 1.0)]


def test_ods_sheet_header_row_and_dutch_text(tmp_path):
    rows = [["Casussen"], [], ["Casus", "Besparing gemeente", "Besparing cliënt"],
            [1, 1500.5, "2.694,00"], [2, "€ 3.563", 7]]
    ods(tmp_path / "cases.ods", rows)
    s = oz.load(write_scenario(tmp_path, f"""
        table = "cases.ods"
        sheet = "Casussen"
        header_row = 3
        number_format = "nl"
        {MAPPED}
        """))
    assert table_of(s) == [(2694.0, 1500.5), (7.0, 3563.0)]


def test_ods_bad_cell_names_sheet_row_and_column(tmp_path):
    rows = [["Besparing gemeente", "Besparing cliënt"], [1, 2], [3, "n.v.t."]]
    ods(tmp_path / "cases.ods", rows)
    with pytest.raises(oz.ScenarioError) as info:
        oz.load(write_scenario(tmp_path, f'table = "cases.ods"\nsheet = "Casussen"\n{MAPPED}\n'))
    assert ("'cases.ods' sheet 'Casussen' row 3, column 'Besparing cliënt': 'n.v.t.' is not "
            "a number (cell B3)") in str(info.value)


def test_xlsx_bad_cells_are_all_reported_with_the_toml_line(tmp_path):
    rows = [*ROWS[:3], [2, "8.336,50", 0], [3, 2000, None], [4, True, 1]]
    workbook(tmp_path / "cases.xlsx", rows)
    path = write_scenario(tmp_path, f'table = "cases.xlsx"\nsheet = "Casussen"\n'
                          f'header_row = 2\n{MAPPED}\n')
    with pytest.raises(oz.ScenarioError) as info:
        oz.load(path)
    problems = info.value.problems
    text = [p.render() for p in problems]
    assert len(problems) == 3, text
    assert "sheet 'Casussen' row 4, column 'Besparing gemeente': '8.336,50' is not a number " \
           "(cell B4)" in text[0]
    assert 'number_format = "nl"' in text[0]  # the hint names the notation that reads it
    assert "row 5, column 'Besparing cliënt': empty (cell C5)" in text[1]
    assert "write 0 for no amount" in text[1]
    assert "row 6, column 'Besparing gemeente': True is not a number (cell B6)" in text[2]
    assert all(p.path == "cases.table" and p.line == 6 for p in problems)  # table = ... line


def test_missing_sheet_suggests_the_close_one(tmp_path):
    workbook(tmp_path / "cases.xlsx", ROWS)
    with pytest.raises(oz.ScenarioError, match=r"cases.sheet: 'cases.xlsx' has no sheet "
                       r"'Casusen' \(did you mean 'Casussen'\? sheets: Toelichting, Casussen\)"):
        oz.load(write_scenario(tmp_path, 'table = "cases.xlsx"\nsheet = "Casusen"\n'))


def test_missing_column_suggests_the_close_header(tmp_path):
    workbook(tmp_path / "cases.xlsx", ROWS)
    body = ('table = "cases.xlsx"\nsheet = "Casussen"\nheader_row = 2\n'
            'columns = { gemeente = "Besparing gemeent", client = "Besparing cliënt" }\n')
    with pytest.raises(oz.ScenarioError, match=r"cases.columns.gemeente: 'cases.xlsx' sheet "
                       r"'Casussen' has no column 'Besparing gemeent' in header row 2 "
                       r"\(did you mean 'Besparing gemeente'\?"):
        oz.load(write_scenario(tmp_path, body))


def test_unmapped_column_hint_shows_the_mapping(tmp_path):
    workbook(tmp_path / "cases.xlsx", ROWS)
    with pytest.raises(oz.ScenarioError, match=r"has no column 'client'.*columns = \{ client = "):
        oz.load(write_scenario(tmp_path, 'table = "cases.xlsx"\nsheet = "Casussen"\n'
                               'header_row = 2\ncolumns = { gemeente = "Besparing gemeente" }\n'))


def test_header_row_beyond_the_sheet(tmp_path):
    workbook(tmp_path / "cases.xlsx", ROWS)
    with pytest.raises(oz.ScenarioError, match=r"needs a header row and at least one case "
                       r"\(it has 5 rows; header_row = 40\)"):
        oz.load(write_scenario(tmp_path, f'table = "cases.xlsx"\nsheet = "Casussen"\n'
                               f'header_row = 40\n{MAPPED}\n'))


def test_last_row_leaves_out_a_totals_row(tmp_path):
    workbook(tmp_path / "cases.xlsx", [*ROWS, ["Totaal", 6000, 600]])
    s = oz.load(write_scenario(tmp_path, f'table = "cases.xlsx"\nsheet = "Casussen"\n'
                               f'header_row = 2\nlast_row = 5\n{MAPPED}\n'))
    assert len(table_of(s)) == 3


def test_long_form_with_mapped_headers(tmp_path):
    rows = [["Casus", "Post", "Bedrag"], [1, "Besparing gemeente", "1.000"],
            [1, "gemeente", "500"], [2, "client", "20,5"]]
    workbook(tmp_path / "cases.xlsx", rows)
    s = oz.load(write_scenario(tmp_path, """
        table = "cases.xlsx"
        sheet = "Casussen"
        number_format = "nl"
        [cases.columns]   # the mapping as a table of its own
        case = "Casus"
        item = "Post"
        amount = "Bedrag"
        gemeente = "Besparing gemeente"
        """))
    assert table_of(s) == [(0.0, 1500.0), (20.5, 0.0)]


def test_table_outside_the_folder_is_refused(tmp_path):
    inner = tmp_path / "inner"
    inner.mkdir()
    workbook(tmp_path / "cases.xlsx", ROWS)
    with pytest.raises(oz.ScenarioError, match="outside the scenario's folder"):
        oz.load(write_scenario(inner, 'table = "../cases.xlsx"\n'))


@pytest.mark.parametrize(("body", "fragment"), [
    ('table = "c.csv"\nsheet = "x"\n', "sheet applies to .xlsx and .ods"),
    ('table = "c.csv"\nnumber_format = "de"\n', "unknown number_format 'de'"),
    ('table = "c.csv"\nseparator = "|"\n', "unknown separator"),
    ('table = "c.csv"\nheader_row = 0\n', "header_row must be a row number"),
    ('table = "c.csv"\nheader_row = 3\nlast_row = 2\n', "last_row .2. must come after"),
    ('table = "c.csv"\ncolumns = { gemeent = "x" }\n', "did you mean 'gemeente'"),
    ('table = "c.csv"\ncolumns = "x"\n', "columns maps item columns"),
    ('table = "c.txt"\n', "case tables are .csv, .xlsx or .ods"),
    ('table = "missing.xlsx"\n', "not found next to the scenario"),
    ('table = "c.csv"\nsheets = "x"\n', "did you mean 'sheet'"),
])
def test_table_settings_are_checked(tmp_path, body, fragment):
    (tmp_path / "c.csv").write_text("gemeente,client\n1,2\n")
    (tmp_path / "c.txt").write_text("gemeente,client\n1,2\n")
    with pytest.raises(oz.ScenarioError, match=fragment):
        oz.load(write_scenario(tmp_path, body))


def test_a_file_that_is_not_a_workbook(tmp_path):
    (tmp_path / "cases.xlsx").write_text("gemeente,client\n1,2\n")
    with pytest.raises(oz.ScenarioError, match="cannot be read as an Excel workbook"):
        oz.load(write_scenario(tmp_path, 'table = "cases.xlsx"\n'))


@pytest.mark.parametrize(("module", "suffix"), [("openpyxl", "xlsx"), ("odf", "ods")])
def test_missing_reader_is_exit_2_naming_the_pip_command(tmp_path, monkeypatch, module, suffix):
    if suffix == "xlsx":
        workbook(tmp_path / f"cases.{suffix}", ROWS)
    else:
        ods(tmp_path / f"cases.{suffix}", ROWS)
    path = write_scenario(tmp_path, f'table = "cases.{suffix}"\n')
    for name in [m for m in sys.modules if m == module or m.startswith(module + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)  # import now raises ImportError
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "pip install 'onzekerheid[spreadsheets]'" in result.output.replace("\n", "")


def test_cli_validate_reports_a_bad_cell(tmp_path):
    workbook(tmp_path / "cases.xlsx", [*ROWS, [4, "veel", 1]])
    path = write_scenario(tmp_path, f'table = "cases.xlsx"\nsheet = "Casussen"\n'
                          f'header_row = 2\n{MAPPED}\n')
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "'veel' is not a number (cell B6)" in result.output.replace("\n", "")


@pytest.mark.parametrize(("text", "fmt", "value"), [
    ("8.336,50", "nl", 8336.5), ("€ 1.234", "nl", 1234.0), ("12,5%", "nl", 0.125),
    ("€ 1.234,-", "nl", 1234.0), ("-€ 1.234,5", "nl", -1234.5), ("1\u00a0234,5", "nl", 1234.5),
    ("8.336", "nl", 8336.0), ("0,75", "nl", 0.75), ("1,234.5", "en", 1234.5),
    ("$1,234", "en", 1234.0), ("12.5%", "en", 0.125), ("1234.5", "plain", 1234.5),
    ("-3e4", "plain", -30000.0),
])
def test_number_notations(text, fmt, value):
    assert parse_number(text, fmt) == pytest.approx(value)


@pytest.mark.parametrize(("text", "fmt"), [
    ("8336.50", "nl"), ("1.5", "nl"), ("1.23,4", "nl"), ("1,2345.0", "en"), ("€ 12", "plain"),
    ("12%", "plain"), ("1_000", "plain"), ("", "nl"), ("--1", "nl"), ("abc", "en"),
])
def test_numbers_in_the_wrong_notation_are_refused(text, fmt):
    with pytest.raises(ValueError):
        parse_number(text, fmt)


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == \
        ["A", "Z", "AA", "AB", "ZZ", "AAA"]
