"""CI gating: check over files and variants as JUnit XML, deterministic; the pre-commit hook."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onzekerheid.cli import app
from onzekerheid.report.junit import junit_xml

ROOT = Path(__file__).parent.parent
SCHOOL = ROOT / "scenarios" / "school_jeugdzorg.toml"
cli = CliRunner()

TEXT = """
    [scenario]
    title = "A claim with a sceptic"
    [parameters]
    x = { dist = "normal", mean = 10, sd = 4 }
    cost = 5
    [outputs]
    net = "x - cost"
    [[checks]]
    expect = "P(net > 0) >= 0.8"
    [[checks]]
    expect = "mean(net) >= 4"
    [variants.as_published]
    [variants.sceptic]
    cost = 9
    """


def test_xml_from_documents_counts_tests_and_failures():
    documents = [
        {"file": "a.toml", "passed": True, "iterations": 10, "seed": 1,
         "checks": [{"expect": "P(y > 0) >= 0.5", "value": 0.7, "passed": True, "mcse": 0.01}]},
        {"file": "a.toml", "variant": "sceptic", "passed": False, "iterations": 10, "seed": 1,
         "checks": [{"expect": "P(y > 0) >= 0.5", "value": 0.2, "passed": False, "mcse": 0.01},
                    {"expect": "mean(y) < 1", "value": None, "passed": False, "mcse": None}]},
    ]
    root = ET.fromstring(junit_xml(documents))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("3", "2")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["a.toml", "a.toml [sceptic]"]
    failures = suites[1].findall("testcase/failure")
    assert len(failures) == 2
    assert "value 0.2 (MCSE 0.01)" in failures[0].get("message")
    assert "not a number" in failures[1].get("message")
    props = {p.get("name"): p.get("value") for p in suites[1].find("properties")}
    assert props == {"file": "a.toml", "variant": "sceptic", "iterations": "10", "seed": "1"}


def test_check_writes_junit_for_every_file_and_variant(write_toml, tmp_path):
    path = write_toml(TEXT)
    target = tmp_path / "checks.xml"
    args = ["check", str(path), str(SCHOOL), "--all-variants", "-n", "4000",
            "--junit", str(target)]
    res = cli.invoke(app, args)
    assert res.exit_code == 1, res.output  # the sceptic fails
    root = ET.parse(target).getroot()
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == [f"{path} [as_published]", f"{path} [sceptic]", str(SCHOOL)]
    cases = root.findall("testsuite/testcase")
    assert len(cases) == 2 + 2 + 2
    failed = [c.get("name") for c in suites[f"{path} [sceptic]"].findall("testcase")
              if c.find("failure") is not None]
    assert failed == ["P(net > 0) >= 0.8", "mean(net) >= 4"]
    assert suites[f"{path} [as_published]"].get("failures") == "0"
    first = target.read_bytes()
    assert cli.invoke(app, args).exit_code == 1
    assert target.read_bytes() == first  # fixed default seed: the same file every run


def test_check_junit_passes_with_exit_0(write_toml, tmp_path):
    path = write_toml(TEXT)
    target = tmp_path / "checks.xml"
    res = cli.invoke(app, ["check", str(path), "--variant", "as_published", "-n", "2000",
                           "--junit", str(target)])
    assert res.exit_code == 0, res.output
    root = ET.parse(target).getroot()
    assert root.get("failures") == "0" and root.get("tests") == "2"


def test_junit_target_is_checked_before_running(write_toml, tmp_path):
    res = cli.invoke(app, ["check", str(write_toml(TEXT)), "--junit", str(tmp_path / "x.txt")])
    assert res.exit_code == 2 and "unknown file type" in res.stderr
    res = cli.invoke(app, ["check", str(write_toml(TEXT)), "--junit",
                           str(tmp_path / "missing" / "x.xml")])
    assert res.exit_code == 2 and "does not exist" in res.stderr


def test_pre_commit_hook_runs_validate_on_scenario_files():
    yaml = pytest.importorskip("yaml")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "onzekerheid-validate")
    assert hook["entry"] == "onzekerheid validate"
    assert hook["language"] == "python"
    import re

    assert re.search(hook["files"], "scenarios/school_jeugdzorg.toml")
    assert not re.search(hook["files"], "pyproject.toml")
