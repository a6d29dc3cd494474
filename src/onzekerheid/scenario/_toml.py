"""Reading a TOML file as text, with a map from key paths to line numbers for error messages."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from ..errors import Problem, ScenarioError

MAX_FILE_BYTES = 20 * 1024 * 1024

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_KEY = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")


def _split_key(text: str) -> list[str]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", text)
    return [p.strip("\"'") for p in parts]


class LineMap:
    """Key path (``parameters.report_cost.ci``, ``checks.1.expect``) to 1-based line number."""

    def __init__(self, text: str) -> None:
        self.lines: dict[str, int] = {}
        current: list[str] = []
        array_counts: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header and not _KEY.match(line):
                names = _split_key(header.group(2))
                if header.group(1) == "[[":
                    key = ".".join(names)
                    index = array_counts.get(key, -1) + 1
                    array_counts[key] = index
                    current = [*names, str(index)]
                else:
                    current = names
                self.lines.setdefault(".".join(current), number)
                continue
            assignment = _KEY.match(line)
            if assignment:
                path = ".".join([*current, *_split_key(assignment.group(1))])
                self.lines.setdefault(path, number)

    def __call__(self, path: str) -> int | None:
        parts = path.split(".")
        while parts:
            found = self.lines.get(".".join(parts))
            if found is not None:
                return found
            parts.pop()
        return None


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; every failure becomes a :class:`ScenarioError` naming the file."""
    name = str(path)
    if not path.exists():
        raise ScenarioError(Problem("file not found", file=name, hint="check the path"))
    if path.is_dir():
        raise ScenarioError(Problem("is a folder, not a scenario file", file=name))
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(
                Problem(f"file is {size} bytes; a scenario file may be at most "
                        f"{MAX_FILE_BYTES} bytes", file=name)
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(Problem(f"cannot read the file: {exc.strerror}", file=name)) from None
    return parse_toml_bytes(data, name)


def parse_toml_bytes(data: bytes, name: str) -> tuple[dict[str, Any], str]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            Problem(
                f"the file is not UTF-8 text (byte {exc.start})",
                file=name,
                line=data[: exc.start].count(b"\n") + 1,
                hint="save it as UTF-8",
            )
        ) from None
    if not text.strip():
        raise ScenarioError(
            Problem("the file is empty", file=name,
                    hint="a scenario needs at least [scenario] title and [outputs]")
        )
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = None
        match = re.search(r"at line (\d+)", message)
        if match:
            line = int(match.group(1))
        raise ScenarioError(
            Problem(f"not valid TOML: {message}", file=name, line=line,
                    hint="see https://toml.io for the syntax")
        ) from None
    except RecursionError:
        raise ScenarioError(Problem("TOML nested too deeply", file=name)) from None
