"""Every entry of tests/bad_inputs/catalogue.toml through the real command line.

Each entry runs in a fresh temporary folder (also the working folder), so a relative
``--samples out.csv`` would land there. Asserted: the exit code, the message fragment
(whitespace-insensitive, as rich wraps long lines), no traceback or internal error, and that the
folder holds exactly what was there before: a failed run writes nothing, not even a temporary
file. Also asserted for every entry: no control character (ESC, BEL, ...) reaches the terminal,
and a ``--json`` document that succeeded is strict JSON (no NaN or Infinity). Entries marked
``process = true`` run once more as ``python -m onzekerheid``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import onzekerheid.plan
import onzekerheid.scenario.loader
from onzekerheid import load
from onzekerheid.cli import app
from onzekerheid.errors import ScenarioError
from onzekerheid.plan import build_plan, dist_row
from onzekerheid.scenario.distributions import from_table
from onzekerheid.scenario.expressions import register_bound
from onzekerheid.scenario.loader import _trees

HERE = Path(__file__).parent / "bad_inputs"
CATALOGUE: list[dict[str, Any]] = tomllib.loads(
    (HERE / "catalogue.toml").read_text(encoding="utf-8"))["case"]
DEFAULT = """\
[scenario]
title = "small"
[parameters]
x = { dist = "normal", mean = 10, sd = 1 }
[outputs]
y = "x * 2"
"""
DEFAULT_ARGS = ["run", "{file}", "-n", "2000", "-q"]
KEYS = {"id", "text", "file", "files", "copy", "folders", "fifos", "input", "args", "exit",
        "message", "process", "xfail"}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but newline: never on a terminal
runner = CliRunner()


def flat(text: str) -> str:
    return " ".join(text.split())


def prepare(entry: dict[str, Any], folder: Path) -> list[str]:
    """Write the entry's files into ``folder``; return its command line."""
    name = entry.get("file", "scenario.toml")
    if "file" in entry:
        shutil.copyfile(HERE / entry["file"], folder / name)
    else:
        (folder / name).write_text(entry.get("text", DEFAULT), encoding="utf-8")
    for extra, text in entry.get("files", {}).items():
        (folder / extra).write_text(text, encoding="utf-8")
    for extra, source in entry.get("copy", {}).items():
        shutil.copyfile(HERE / source, folder / extra)
    for sub in entry.get("folders", []):
        (folder / sub).mkdir()
    for pipe in entry.get("fifos", []):
        os.mkfifo(folder / pipe)
    return [a.replace("{file}", str(folder / name)).replace("{dir}", str(folder))
            for a in entry.get("args", DEFAULT_ARGS)]


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns)
            for p in folder.rglob("*")}


def check_output(entry: dict[str, Any], code: int, output: str, stdout: str) -> None:
    assert code == entry["exit"], output
    assert flat(entry["message"]) in flat(output), output
    assert "Traceback" not in output and "internal error" not in output
    assert not CONTROL.search(output), f"a control character reached the terminal: {output!r}"
    if code == 0 and "--json" in entry.get("args", []):
        json.loads(stdout, parse_constant=_not_json)  # strict: no NaN, Infinity


def _not_json(word: str) -> None:
    raise AssertionError(f"{word} is not JSON")


def test_catalogue_is_well_formed() -> None:
    ids = [e["id"] for e in CATALOGUE]
    assert len(ids) == len(set(ids)), "ids must be unique"
    assert len(ids) >= 60
    for entry in CATALOGUE:
        assert set(entry) <= KEYS, entry["id"]
        assert {"id", "exit", "message"} <= set(entry), entry["id"]
        assert not ("text" in entry and "file" in entry), entry["id"]
    used = {e["file"] for e in CATALOGUE if "file" in e}
    used |= {s for e in CATALOGUE for s in e.get("copy", {}).values()}
    on_disk = {p.name for p in HERE.iterdir()} - {"catalogue.toml", "make_files.py"}
    assert used == on_disk, "every file in bad_inputs/ is used, and every used file exists"


def params(entries: list[dict[str, Any]]) -> list[Any]:
    """Entries as pytest parameters; a known bug elsewhere is a strict xfail with its reason."""
    return [pytest.param(e, id=e["id"], marks=[pytest.mark.xfail(strict=True, reason=e["xfail"])]
                         if "xfail" in e else []) for e in entries]


@pytest.mark.parametrize("entry", params(CATALOGUE))
def test_bad_input(entry: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                   ) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    args = prepare(entry, folder)
    monkeypatch.chdir(folder)
    before = snapshot(tmp_path)
    result = runner.invoke(app, args, input=entry.get("input"))
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    check_output(entry, result.exit_code, result.output, result.stdout)
    assert snapshot(tmp_path) == before, "a run that was refused wrote or changed files"


PROCESS = [e for e in CATALOGUE if e.get("process")]


@pytest.mark.parametrize("entry", params(PROCESS))
def test_bad_input_in_a_real_process(entry: dict[str, Any], tmp_path: Path) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    args = prepare(entry, folder)
    before = snapshot(tmp_path)
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("ONZEKERHEID_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "onzekerheid", *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120,
                          input=entry.get("input"))
    check_output(entry, done.returncode, done.stdout + done.stderr, done.stdout)
    assert snapshot(tmp_path) == before


def test_giant_iteration_counts_are_refused_before_any_work(tmp_path: Path) -> None:
    # -n 10**12 and a count beyond memory: refused by the range check / memory guard before
    # the result matrix is allocated. Not a timing assertion: the refusal must not have
    # allocated (tracemalloc peak stays far below the 8 TB the run would need).
    import tracemalloc

    path = tmp_path / "s.toml"
    path.write_text(DEFAULT)
    for n in ("1000000000000", "9000000000"):
        tracemalloc.start()
        start = time.perf_counter()
        result = runner.invoke(app, ["run", str(path), "-n", n, "-q"])
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert result.exit_code == 2 and "error:" in result.output
        assert peak < 200 * 2**20, f"{peak / 2**20:.0f} MiB allocated before refusing -n {n}"
        assert time.perf_counter() - start < 60  # generous: only catches a hang


# issue 17: what the plan refuses is refused at load, so `validate` and `run` say the same
AGREE = ["domain-per-case-mixture", "domain-per-case-zero-inflated",
         "domain-success-rate-from-case-sums-count", "success-rate-from-the-case-sums"]
WIDE = DEFAULT.replace('y = "x * 2"', 'y = "x * 2"\n' + "\n".join(
    f'o{i} = "max({", ".join(["x"] * 12)}) + x * {i}"' for i in range(8)))


def _errors(output: str) -> list[str]:
    return [flat(line) for line in output.splitlines() if line.startswith("error:")]


def _agree(args: list[str]) -> list[str]:
    """Both commands exit 2 with the same error lines; returns them."""
    checked = runner.invoke(app, ["validate", args[1]])
    ran = runner.invoke(app, args)
    assert checked.exit_code == ran.exit_code == 2, (checked.output, ran.output)
    assert _errors(checked.output) and _errors(checked.output) == _errors(ran.output)
    assert "internal error" not in ran.output
    return _errors(ran.output)


@pytest.mark.parametrize("name", AGREE)
def test_validate_and_run_agree(name: str, tmp_path: Path) -> None:
    entry = next(e for e in CATALOGUE if e["id"] == name)
    lines = _agree(prepare(entry, tmp_path))
    assert flat(entry["message"]) in " ".join(lines)


def test_program_too_large_for_the_plan_is_refused_at_load(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    # the limit lowered to what this small file needs, so the test is fast: 2 + 9 columns and
    # 12 temporaries per wide output (11 pairwise max, 1 product, the sum into its own column)
    # pass 60 at the fourth wide output; before issue 17 `validate` said ok and `run` failed
    # with "internal error: ValueError: expressions are too large"
    monkeypatch.setattr(onzekerheid.scenario.loader, "MAX_COLUMNS", 60)
    monkeypatch.setattr(onzekerheid.plan, "MAX_COLUMNS", 60)
    path = tmp_path / "s.toml"
    path.write_text(WIDE)
    lines = _agree(["run", str(path), "-n", "100", "-q"])
    assert lines == [f"error: {path}:10: outputs.o3: the expressions need more than 60 working "
                     "columns (split the model into several scenarios or write repeated terms "
                     "once as a parameter or output)"]


HIERARCHICAL = """\
[scenario]
title = "h"
[parameters]
a = { dist = "uniform", min = 1, max = 2 }
b = { dist = "pert", min = "a", mode = "a * 2", max = "max(a * 3, 5, a + 4, 7)" }
c = { dist = "lognormal", mean = "a + 1", sd = "a / 4" }
d = "min(a, b, c, 2 * 3) + (1 + 2) * a"
[outputs]
y = "max(a, b, c, d, 1, 2 + 3) - -a"
z = "1 + 2 * 3"
"""


@pytest.mark.parametrize("text", [DEFAULT, WIDE, HIERARCHICAL])
def test_register_bound_is_an_upper_bound_on_the_plan(text: str, tmp_path: Path) -> None:
    # the loader's count may exceed the plan's columns (folding, outputs written in place),
    # never fall below them: a file that loads never runs out of columns in the plan
    path = tmp_path / "s.toml"
    path.write_text(text)
    scenario = load(path)
    trees = [t for p in scenario.parameters.values() for t in _trees(p)]
    trees += [o.node for o in scenario.outputs.values()]
    bound = (len(scenario.parameters) + len(scenario.outputs)
             + sum(register_bound(t) for t in trees if t is not None))
    assert build_plan(scenario).n_columns <= bound


def test_the_plan_names_the_key_of_a_factor_it_cannot_draw() -> None:
    # a Scenario built in Python skips the loader; the plan's refusal is still a user error
    with pytest.raises(ScenarioError, match=r"cases\.heterogeneity: a per-case factor cannot"):
        dist_row(from_table({"dist": "discrete", "values": [1, 2], "weights": [0.5, 0.5]}),
                 "cases.heterogeneity")
