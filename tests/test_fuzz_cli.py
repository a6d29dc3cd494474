"""Property-based fuzzing of the command line's options (issue 16), through the real CLI.

For any generated command line over a small scenario (numbers that are NaN, infinite, huge,
negative or not numbers; texts with control characters and rich markup; names that exist or
not), the command:

* exits 0, 1 (a check failed) or 2 (our message), never 3 and never with a traceback;
* prints no control character (the terminal is never driven by what was typed or read);
* prints strict JSON when ``--json`` succeeded;
* leaves the folder as it was, but for the file it was asked to write.

Iteration counts are drawn from small values and from values the range or memory guard must
refuse (never from the band in between, which would be a legitimately long run), so the
search stays fast; examples are derandomised and counted (``EXAMPLES``, 30).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from onzekerheid.cli import app

EXAMPLES = int(os.environ.get("ONZEKERHEID_FUZZ_EXAMPLES", "30"))
SCENARIO = """\
[scenario]
title = "fuzz [/] \\u001b[31m"
[parameters]
x = { dist = "normal", mean = 10, sd = 2 }
z = "1 to 3"
[outputs]
y = "x * z - 15"
[[checks]]
expect = "P(y > 0) >= 0.5"
"""
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
runner = CliRunner()

NASTY = st.lists(st.sampled_from([*"ax9.-+e:,=[]/ ", "\x1b", "\x07", "\u202e", "[/]", "nan",
                                  "inf"]), max_size=8).map("".join)
NUMBER = st.one_of(st.sampled_from(["nan", "inf", "-inf", "0", "-1", "1e308", "-1e-300",
                                    "0.5", "1", "2.5", "1e9", "abc", ""]),
                   st.floats(allow_nan=True, allow_infinity=True).map(repr), NASTY)
COUNT = st.sampled_from(["1", "7", "100", "1024", "0", "-3", "abc", "1e3",
                         "99999999999999", "100000000000000000000"])
NAME = st.one_of(st.sampled_from(["y", "x", "nope", ""]), NASTY)


def _options(command: str) -> st.SearchStrategy[list[str]]:
    """Option lists for ``command``; each element a flag and its value."""
    common = {"--seed": COUNT, "--set": st.one_of(
        st.builds(lambda n, v: f"{n}={v}", st.sampled_from(["x", "z", "y", "q"]), NUMBER),
        st.builds(lambda a, b: f"x={a} to {b}", NUMBER, NUMBER), NASTY)}
    per_command: dict[str, dict[str, st.SearchStrategy[str]]] = {
        "run": {"--ci": NUMBER, "--precision": st.sampled_from(["0.5", "nan", "1e-300", "2",
                                                                 "-1", "abc"]),
                "--scheduler": st.one_of(NASTY, st.sampled_from(["local:0", "local:abc",
                                                                  "[::1:80", "host:0"])),
                "--lang": NASTY, "--variant": NAME},
        "sensitivity": {"--output": NAME, "--method": st.one_of(st.sampled_from(
            ["sobol", "tornado", "rank", "regional"]), NASTY), "--threshold": NUMBER},
        "voi": {"--output": NAME, "--population": NUMBER, "--years": COUNT,
                "--discount": NUMBER, "--group": NASTY},
        "switching": {"--output": NAME, "--target": st.one_of(NUMBER, st.just("claim")),
                      "--statistic": st.one_of(st.just("mean"), NASTY)},
        "sweep": {"--vary": st.builds(lambda n, a, b, c: f"{n}={a}:{b}:{c}",
                                      st.sampled_from(["x", "z", "q"]), NUMBER, NUMBER, COUNT),
                  "--stat": NASTY, "--output-name": NAME},
        "check": {"--expect": st.one_of(NASTY, st.builds(
            lambda n, v: f"P({n} > {v}) >= 0.5", NAME, NUMBER))},
        "summary": {"--format": st.one_of(st.sampled_from(["csv", "json", "markdown"]), NASTY),
                    "--lang": st.one_of(st.sampled_from(["nl", "en"]), NASTY),
                    "--ci": NUMBER},
    }
    flags = {**common, **per_command[command]}
    pairs = st.lists(st.sampled_from(sorted(flags)), max_size=3, unique=True).flatmap(
        lambda chosen: st.tuples(*[st.tuples(st.just(f), flags[f]) for f in chosen]))
    return pairs.map(lambda items: [x for pair in items for x in pair])


COMMANDS = ["run", "sensitivity", "voi", "switching", "sweep", "check", "summary"]
LINES = st.sampled_from(COMMANDS).flatmap(
    lambda c: st.tuples(st.just(c), st.one_of(st.sampled_from(["100", "1024"]), COUNT),
                        _options(c), st.booleans()))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(line=LINES)
def test_any_option_values_exit_cleanly(tmp_path: Path, monkeypatch: Any,
                                        line: tuple[str, str, list[str], bool]) -> None:
    command, count, options, as_json = line
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    (folder / "s.toml").write_text(SCENARIO, encoding="utf-8")
    monkeypatch.chdir(folder)
    args = [command, "s.toml", "-n", count, *options]
    if command == "sweep" and "--vary" not in options:
        args += ["--vary", "x=5,10"]
    if as_json and command not in ("summary",):
        args.append("--json")
    if command == "run":
        args += ["-q", "--max-iterations", "20000"]
    result = runner.invoke(app, args)
    event(f"{command} exit {result.exit_code}")
    shown = f"{args!r}\n{result.output}"
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"{shown}\n{result.exception!r}"
    assert result.exit_code in (0, 1, 2), shown
    assert "Traceback" not in result.output and "internal error" not in result.output, shown
    assert not CONTROL.search(result.output), shown
    if result.exit_code == 0 and "--json" in args:
        json.loads(result.stdout, parse_constant=pytest.fail)
    assert sorted(p.name for p in folder.iterdir()) == ["s.toml"], shown
