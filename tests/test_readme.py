"""Every `onzekerheid` command the README shows runs as written (with fewer iterations).

Commands come from the README's shell blocks and from inline code that starts with
``onzekerheid`` and has no placeholders (FILE, NAME, ``...``); bare verbs, the interactive
``new`` and ``--install-completion`` (it edits the shell's start-up file) are left out. Each
runs through the real command line in a temporary folder that links the shipped scenarios,
with ``-n`` lowered to keep the suite fast (an added or replaced ``-n`` changes how long, not
whether, a command runs) and ``--no-sensitivity`` added to ``report``. Exit 0 is expected, or
1 for ``check`` (a failed check is a result, not an error).
"""

from __future__ import annotations

import glob
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onzekerheid.cli import app

ROOT = Path(__file__).parent.parent
FAST = {"run": "3000", "check": "3000", "sensitivity": "256", "voi": "2000", "compare": "2000",
        "sweep": "1000", "report": "2000", "plot": "2000", "summary": "2000",
        "switching": "200"}


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```(?:bash|sh|shell|console)\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split(" # ")[0].strip()
            if "onzekerheid " in line:
                found.append(line[line.index("onzekerheid "):])
    for span in re.findall(r"`(onzekerheid [^`]+)`", text):
        span = " ".join(span.split())
        if not re.search(r"\b[A-Z]{3,}\b|\.\.\.|\||<|\[", span):
            found.append(span)
    return [c for c in dict.fromkeys(found) if _runnable(c)]


def _runnable(command: str) -> bool:
    """Leave out mentions that are not whole commands: a bare verb (``onzekerheid check``),
    an interactive ``new`` (it asks questions), and ``--install-completion`` (it edits the
    shell's start-up file)."""
    words = shlex.split(command)
    if re.search(r"\b[A-Z]{3,}\b|\.\.\.|<", command):  # FILE, NAME, ...: a placeholder
        return False
    if len(words) < 3 and not words[-1].startswith("--"):
        return False
    if "--install-completion" in words:
        return False
    return not (words[1] == "new" and "--no-input" not in words and "--from" not in words)


COMMANDS = readme_commands()


def test_the_readme_has_commands():
    assert len(COMMANDS) >= 8


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_runs_as_written(command, tmp_path, monkeypatch):
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    monkeypatch.chdir(tmp_path)
    words = shlex.split(command)[1:]
    args: list[str] = []
    for word in words:
        args += sorted(glob.glob(word)) if "*" in word else [word]
    verb = next((w for w in args if not w.startswith("-")), "")
    if verb in FAST:
        if "-n" in args:
            args[args.index("-n") + 1] = FAST[verb]
        else:
            args += ["-n", FAST[verb]]
    if verb == "report":
        args.append("--no-sensitivity")
    done = CliRunner().invoke(app, args)
    allowed = (0, 1) if verb == "check" else (0,)
    assert done.exit_code in allowed, (command, done.output)
