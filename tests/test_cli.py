"""The command line through Typer's runner: run, --point, --json, --samples, validate, check."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid.cli import app

SCHOOL = Path(__file__).parent.parent / "scenarios" / "school_jeugdzorg.toml"
N = "20000"
OUTPUT_KEYS = {"mean", "sd", "mcse", "median", "low", "high", "p_positive", "claim",
               "claim_percentile"}
SMALL = """\
[scenario]
title = "small"
[parameters]
x = { dist = "normal", mean = 10, sd = 1 }
[outputs]
y = "x * 2"
[[checks]]
expect = "P(y > 0) >= 0.9"
"""
runner = CliRunner()


def flat(text: str) -> str:
    """Text with rich's line wrapping undone (runs of whitespace become one space)."""
    return " ".join(text.split())


def invoke(*args: object):  # type: ignore[no-untyped-def]
    """Run the command line; no output may ever show a traceback or an unexpected exception."""
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_point_reproduces_the_published_arithmetic():
    result = invoke("run", SCHOOL, "--point")
    assert result.exit_code == 0
    assert "360,000" in result.stdout and "285,000" in result.stdout


def test_point_json_shape():
    result = invoke("run", SCHOOL, "--point", "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert set(doc) == {"scenario", "mode", "outputs"}
    assert doc["mode"] == "point"
    assert doc["scenario"] == {"title": "School-based youth-care worker", "file": str(SCHOOL)}
    assert doc["outputs"] == {
        "saving": {"value": 360000, "claim": 360000},
        "net_benefit": {"value": 285000, "claim": 285000},
        "bcr": {"value": 4.8, "claim": 4.8},
    }


@pytest.fixture(scope="module")
def run_json() -> dict:
    result = invoke("run", SCHOOL, "-n", N, "--seed", "1", "--json")
    assert result.exit_code == 0
    return json.loads(result.stdout)  # stdout holds the document and nothing else


def test_run_json_document(run_json):  # type: ignore[no-untyped-def]
    doc = run_json
    assert set(doc) == {"scenario", "mode", "iterations", "seed", "ci", "outputs"}
    assert doc["scenario"] == {"title": "School-based youth-care worker", "file": str(SCHOOL)}
    assert (doc["mode"], doc["iterations"], doc["seed"], doc["ci"]) == ("monte-carlo", 20000, 1,
                                                                        0.9)
    assert list(doc["outputs"]) == ["saving", "net_benefit", "bcr"]
    for name, entry in doc["outputs"].items():
        assert set(entry) >= OUTPUT_KEYS, name
        assert entry["low"] <= entry["median"] <= entry["high"]
        assert 0 <= entry["claim_percentile"] <= 1 and 0 <= entry["p_positive"] <= 1
    assert doc["outputs"]["net_benefit"]["claim"] == 285000
    # the command line reports what the API computes
    api = oz.simulate(oz.load(SCHOOL), 20000, seed=1, store="outputs").to_json()
    assert doc["outputs"] == json.loads(json.dumps(api["outputs"]))


def test_run_json_output_entries_carry_every_contract_key(run_json):  # type: ignore[no-untyped-def]
    # extensions (MCSE of every number, nonfinite count, claim audit) are documented in the
    # README; the contract's keys are all there with their meaning unchanged
    for entry in run_json["outputs"].values():
        assert set(entry) >= OUTPUT_KEYS


def test_run_table():
    result = invoke("run", SCHOOL, "-n", N, "--seed", "1", "--ci", "0.8", "--threads", "2")
    assert result.exit_code == 0
    for word in ("School-based youth-care worker", "saving", "net_benefit", "bcr", "MCSE",
                 "80% interval", "285,000", "seed 1"):
        assert word in result.stdout, word


def test_run_with_set(write_toml):  # type: ignore[no-untyped-def]
    path = write_toml(SMALL)
    doc = json.loads(invoke("run", path, "--point", "--json", "--set", "x=3").stdout)
    assert doc["outputs"]["y"]["value"] == 6
    doc = json.loads(invoke("run", path, "--point", "--json", "--set", "x=1 to 9").stdout)
    sigma = np.log(9) / (2 * 1.6448536269514722)  # 90% interval 1..9: median 3
    assert doc["outputs"]["y"]["value"] == pytest.approx(2 * 3 * np.exp(sigma**2 / 2))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_samples_files(tmp_path, suffix):  # type: ignore[no-untyped-def]
    target = tmp_path / f"out{suffix}"
    result = invoke("run", SCHOOL, "-n", N, "--seed", "1", "--samples", target)
    assert result.exit_code == 0
    frame = pd.read_csv(target) if suffix == ".csv" else pd.read_parquet(target)
    assert len(frame) == 20000
    assert list(frame.columns) == ["reports_before", "reports_after", "report_cost",
                                   "still_referred", "would_have_dropped", "worker_cost",
                                   "saving", "net_benefit", "bcr"]
    expected = oz.simulate(oz.load(SCHOOL), 20000, seed=1).samples
    np.testing.assert_allclose(frame.to_numpy(), expected.to_numpy(), rtol=1e-15)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary left behind


def test_samples_with_json_keeps_stdout_clean(tmp_path):  # type: ignore[no-untyped-def]
    result = invoke("run", SCHOOL, "-n", "100", "--samples", tmp_path / "s.csv", "--json")
    assert json.loads(result.stdout)["iterations"] == 100


@pytest.mark.parametrize(("name", "message"), [
    ("out.txt", r"--samples .*out\.txt: unknown file type '\.txt'; use one of \.csv, \.parquet"),
    ("missing/out.csv", "folder .* does not exist"),
])
def test_bad_samples_target_fails_before_loading(tmp_path, name, message):  # type: ignore[no-untyped-def]
    # the scenario does not even exist: the target is checked first
    result = invoke("run", tmp_path / "nope.toml", "--samples", tmp_path / name)
    assert result.exit_code == 2
    assert "not found" not in result.stderr
    assert re.search(message, result.stderr.replace("\n", ""))


@pytest.mark.parametrize("args", [["--set", "nope=1"], ["-n", str(9 * 10**9)],
                                  ["--set", "report_cost=20 to 10"]])
def test_existing_samples_file_is_untouched_when_the_run_fails(tmp_path, args):  # type: ignore[no-untyped-def]
    target = tmp_path / "keep.csv"
    target.write_text("precious\n")
    result = invoke("run", SCHOOL, "--samples", target, *args)
    assert result.exit_code == 2
    assert "error:" in result.stderr
    assert target.read_text() == "precious\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]


# --------------------------------------------------------------------------------------------
# validate


def test_validate_reports_every_problem_of_every_file(write_toml):  # type: ignore[no-untyped-def]
    good = write_toml(SMALL, "good.toml")
    bad1 = write_toml(SMALL.replace("sd = 1", "sd = -1") + "[claim]\nyy = 1\n", "bad1.toml")
    bad2 = write_toml("[scenario\n", "bad2.toml")
    result = invoke("validate", good, bad1, bad2)
    assert result.exit_code == 2
    assert f"ok {good}: 1 parameters, 1 outputs" in flat(result.stdout)
    errors = result.stderr
    assert f"{bad1}:4: parameters.x.sd: sd must be greater than 0" in errors
    assert f"{bad1}:10: claim.yy: 'yy' is not an output (did you mean 'y'?)" in errors
    assert f"{bad2}:1: not valid TOML" in errors


def test_validate_json(write_toml):  # type: ignore[no-untyped-def]
    good = write_toml(SMALL, "good.toml")
    bad = write_toml(SMALL.replace('"x * 2"', '"x[1]"'), "bad.toml")
    result = invoke("validate", good, bad, "--json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["valid"] is False
    assert [f["valid"] for f in doc["files"]] == [True, False]
    (problem,) = doc["files"][1]["problems"]
    assert problem["path"] == "outputs.y" and problem["line"] == 6
    assert "indexing is not allowed" in problem["message"]


def test_validate_good_files_exit_0():
    result = invoke("validate", SCHOOL)
    assert result.exit_code == 0 and result.stderr == ""


# --------------------------------------------------------------------------------------------
# check


def test_check_passes_and_fails(write_toml):  # type: ignore[no-untyped-def]
    path = write_toml(SMALL)
    passed = invoke("check", path, "-n", N, "--json")
    assert passed.exit_code == 0
    doc = json.loads(passed.stdout)
    assert {"file", "passed", "checks"} <= set(doc)
    assert doc["file"] == str(path) and doc["passed"] is True
    (entry,) = doc["checks"]
    assert {"expect", "value", "passed"} <= set(entry)
    assert entry["expect"] == "P(y > 0) >= 0.9" and entry["value"] == 1.0 and entry["passed"]

    failed = invoke("check", path, "-n", N, "--expect", "mean(y) > 100", "--json")
    assert failed.exit_code == 1
    doc = json.loads(failed.stdout)
    assert doc["passed"] is False
    assert [c["passed"] for c in doc["checks"]] == [True, False]
    assert doc["checks"][1]["value"] == pytest.approx(20, abs=4 * 2 / np.sqrt(20000))

    table = invoke("check", path, "-n", N, "--expect", "q05(y) > 100")
    assert table.exit_code == 1 and "FAIL" in table.stdout


@pytest.mark.parametrize(("extra", "message"), [
    (["--expect", "mode(y) > 1"], "--expect: cannot read check"),
    (["--expect", "mean(z) > 1"], "'z' is not an output"),
])
def test_check_bad_expect(write_toml, extra, message):  # type: ignore[no-untyped-def]
    result = invoke("check", write_toml(SMALL), "-n", "100", *extra)
    assert result.exit_code == 2 and message in result.stderr


def test_check_without_checks(write_toml):  # type: ignore[no-untyped-def]
    path = write_toml(SMALL.split("[[checks]]")[0])
    result = invoke("check", path, "-n", "100")
    assert result.exit_code == 2
    assert "--expect not given" in result.stderr and "has no [[checks]]" in result.stderr
    assert "<input>" not in result.stderr


# --------------------------------------------------------------------------------------------
# bad options and inputs: exit 2 with a message, never a traceback


@pytest.mark.parametrize(("args", "message"), [
    (["-n", "0"], "--iterations must be at least 1"),
    (["--ci", "1.5"], "--ci must lie strictly between 0 and 1"),
    (["--ci", "0"], "--ci must lie strictly between 0 and 1"),
    (["--seed", "-1"], "--seed must be >= 0"),
    (["--threads", "0"], "--threads must be at least 1"),
    (["-n", "many"], "Invalid value"),
    (["--set", "report_cost"], "expected NAME=VALUE"),
    (["--set", "reprt_cost=1"], "did you mean 'report_cost'?"),
    (["--set", "report_cost=1 +"], "expression ends too early"),
    (["--bogus"], "No such option"),
])
def test_bad_options(args, message):  # type: ignore[no-untyped-def]
    result = invoke("run", SCHOOL, *args)
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize("command", ["run", "validate", "check"])
def test_missing_file(tmp_path, command):  # type: ignore[no-untyped-def]
    result = invoke(command, tmp_path / "nope.toml")
    assert result.exit_code == 2
    assert f"{tmp_path / 'nope.toml'}: file not found" in result.stderr


def test_invalid_scenario_on_run(write_toml):  # type: ignore[no-untyped-def]
    result = invoke("run", write_toml(SMALL.replace('"x * 2"', '"x ** "')))
    assert result.exit_code == 2
    assert "outputs.y: in expression 'x ** ' at column 6: expression ends too early" in \
        result.stderr.replace("\n", "")


# Messages are text, not rich markup: brackets stay, '[/]' does not break the printer.


def test_messages_with_brackets_are_printed_verbatim(write_toml):  # type: ignore[no-untyped-def]
    result = invoke("validate", write_toml(SMALL + "[paramters]\n"))
    assert "unknown section [paramters]" in result.stderr
    result = invoke("check", write_toml(SMALL.split("[[checks]]")[0]), "-n", "100")
    assert "has no [[checks]]" in result.stderr


def test_message_with_a_closing_tag_is_not_an_internal_error(write_toml):  # type: ignore[no-untyped-def]
    result = invoke("run", write_toml(SMALL.replace('"x * 2"', '"x[/]"')))
    assert result.exit_code == 2 and "indexing is not allowed" in result.stderr


def test_real_process_entry_point(tmp_path):  # type: ignore[no-untyped-def]
    # `python -m onzekerheid` (one process, as it costs seconds): exit 2 without a traceback
    import subprocess
    import sys

    bad = tmp_path / "bad.toml"
    bad.write_text(SMALL.replace("sd = 1", "sd = 0"))
    failed = subprocess.run([sys.executable, "-m", "onzekerheid", "run", str(bad)],
                            capture_output=True, text=True, timeout=120)
    assert failed.returncode == 2
    assert "parameters.x.sd: sd must be greater than 0" in failed.stderr
    assert "Traceback" not in failed.stderr + failed.stdout


@pytest.mark.parametrize("args", [["-n", "100"], ["--point"]])
def test_titles_with_brackets_print_verbatim(write_toml, args):  # type: ignore[no-untyped-def]
    path = write_toml(SMALL.replace('title = "small"', 'title = "Costs [2024] [/] [bold]x"'))
    result = invoke("run", path, *args)
    assert result.exit_code == 0
    assert "Costs [2024] [/] [bold]x" in result.stdout


def test_run_speaks_dutch_with_dutch_numbers():
    result = invoke("run", SCHOOL, "-n", N, "--lang", "nl")
    assert result.exit_code == 0
    assert "uitkomst" in result.stdout and "iteraties" in result.stdout
    assert "De gepubliceerde net_benefit van € 285.000" in " ".join(result.stdout.split())
    point = invoke("run", SCHOOL, "--point", "--lang", "nl")
    assert "360.000" in point.stdout and "4,8" in point.stdout


def test_run_refuses_an_unknown_language():
    result = invoke("run", SCHOOL, "-n", N, "--lang", "fr")
    assert result.exit_code == 2 and "--lang 'fr'" in result.output
