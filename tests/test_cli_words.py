"""The command line as a reader meets it: -o is the file, --version, compact listings, sorted
tables with labels, check's MCSE, and a report line that reproduces the report."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid.cli import app

SCENARIOS = Path(__file__).parent.parent / "scenarios"
SCHOOL = str(SCENARIOS / "school_jeugdzorg.toml")
runner = CliRunner()


def test_version():
    done = runner.invoke(app, ["--version"])
    assert done.exit_code == 0 and done.output.strip() == f"onzekerheid {oz.__version__}"


def test_sensitivity_writes_its_document_with_dash_o_and_sorts_its_table(tmp_path):
    target = tmp_path / "t.json"
    done = runner.invoke(app, ["sensitivity", SCHOOL, "--method", "tornado", "--output",
                               "net_benefit", "-o", str(target)], terminal_width=200)
    assert done.exit_code == 0, done.output
    doc = json.loads(target.read_text())
    assert doc["output"] == "net_benefit" and doc["method"] == "tornado"
    widest = sorted(doc["parameters"], key=lambda n: -abs(doc["parameters"][n]["swing"]))
    rows = [line for line in done.output.splitlines() if "(" in line and ")" in line]
    positions = [next(i for i, line in enumerate(rows) if f"({name})" in line)
                 for name in widest]
    assert positions == sorted(positions)  # widest swing first
    assert "kosten per melding (report_cost)" in done.output  # the label, then the name
    done = runner.invoke(app, ["sensitivity", SCHOOL, "-o", str(tmp_path / "t.csv")])
    assert done.exit_code == 2 and "unknown file type" in done.output


def test_check_shows_each_values_mcse():
    done = runner.invoke(app, ["check", SCHOOL, "-n", "5000"], terminal_width=120)
    assert done.exit_code in (0, 1), done.output
    assert "MCSE" in done.output
    outcome = json.loads(runner.invoke(app, ["check", SCHOOL, "-n", "5000", "--json"]).output)
    mcse = outcome["checks"][0]["mcse"]
    assert mcse > 0 and f"{mcse:.2g}"[:3] in done.output.replace(",", "")


def test_compare_lists_the_decision_and_claimed_outputs_unless_all():
    base = ["compare", str(SCENARIOS / "den_haag.toml"), "-n", "1000"]
    short = runner.invoke(app, base, terminal_width=120)
    full = runner.invoke(app, [*base, "--all"], terminal_width=120)
    assert short.exit_code == 0 and full.exit_code == 0, short.output
    assert "more outputs with --all" in short.output
    assert len(short.output.splitlines()) * 2 < len(full.output.splitlines())
    assert "net benefit (net_benefit)" in short.output.splitlines()[0]


def test_report_takes_a_variant_and_its_reproduce_line_runs(tmp_path):
    import re

    out = tmp_path / "r.html"
    done = runner.invoke(app, ["report", str(SCENARIOS / "den_haag.toml"), "--variant",
                               "zonder_immaterieel", "-n", "2000", "--no-sensitivity", "-q",
                               "-o", str(out)])
    assert done.exit_code == 0, done.output
    page = out.read_text()
    assert "Varianten naast elkaar" not in page  # one variant reported
    line = re.search(r'<code id="reproduce">(.*?)</code>', page).group(1)
    assert "--variant zonder_immaterieel" in line
    import shlex

    again = tmp_path / "again.html"
    words = shlex.split(line.replace(str(out), str(again)))
    assert words[:2] == ["onzekerheid", "report"]
    done = runner.invoke(app, [*words[1:], "-q"])
    assert done.exit_code == 0, done.output
    strip = re.compile(r'<code id="reproduce">.*?</code>')
    assert strip.sub("", again.read_text()) == strip.sub("", page)  # the same report
