"""Reading a TOML file as text, with a map from key paths to line numbers for error messages."""

from __future__ import annotations

import errno
import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from ..errors import Problem, ScenarioError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64  # tables and arrays within each other; scenarios use under ten

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_BLANK = " \t\r"
_PLAIN = re.compile(r"[^\n#\"'\[\]{}]+")  # runs the scanner can jump (one class: linear)
_BLANKS = re.compile(r"[ \t\r]+")
_INSIDE = {'"': re.compile(r'[^"\\\n]+'), "'": re.compile(r"[^'\n]+")}


class LineMap:
    """Key path (``parameters.report_cost.ci``, ``checks.1.expect``) to 1-based line number.

    One pass over the text of a file ``tomllib`` has already accepted: each statement's key
    is read where it starts, strings (multi-line ones too) are skipped as the parser would, so
    a ``[`` or ``=`` inside a string is never taken for a header or a key. Linear in the
    length of the text: every character is looked at a bounded number of times.
    """

    def __init__(self, text: str) -> None:
        self.lines: dict[str, int] = {}
        self._current: list[str] = []
        self._counts: dict[str, int] = {}
        self._scan(text)

    def _scan(self, text: str) -> None:
        i, n, line, depth, start = 0, len(text), 1, 0, True
        while i < n:
            ch = text[i]
            if ch == "\n":
                line, i, start = line + 1, i + 1, depth == 0
            elif ch in _BLANK:
                i = _BLANKS.match(text, i).end()  # type: ignore[union-attr]
            elif ch == "#":
                i = text.find("\n", i)
                i = n if i < 0 else i
            elif start:
                start = False
                i = self._statement(text, i, line)
            elif ch in "\"'":
                i, line = _skip_string(text, i, line)
            elif ch in "[]{}":
                depth += 1 if ch in "[{" else -1 if depth else 0
                i += 1
            else:
                i = _PLAIN.match(text, i).end()  # type: ignore[union-attr]

    def _statement(self, text: str, i: int, line: int) -> int:
        """Record the header or key starting at ``i``; return where its value starts."""
        if text[i] == "[":
            double = text.startswith("[[", i)
            names, j = _read_key(text, i + (2 if double else 1))
            if names is None:
                return i + 1
            if double:
                key = ".".join(names)
                self._counts[key] = self._counts.get(key, -1) + 1
                names = [*names, str(self._counts[key])]
            self._current = names
            self.lines.setdefault(".".join(names), line)
            return j + (2 if double else 1)
        names, j = _read_key(text, i)
        if names is None or j >= len(text) or text[j] != "=":
            return i + 1
        self.lines.setdefault(".".join([*self._current, *names]), line)
        return j + 1

    def __call__(self, path: str) -> int | None:
        parts = path.split(".")
        while parts:
            found = self.lines.get(".".join(parts))
            if found is not None:
                return found
            parts.pop()
        return None


def _read_key(text: str, i: int) -> tuple[list[str] | None, int]:
    """A dotted key at ``i`` (bare, "basic" or 'literal' parts); the position after it."""
    names: list[str] = []
    n = len(text)
    while True:
        while i < n and text[i] in _BLANK:
            i += 1
        if i < n and text[i] in "\"'":
            close = _string_end(text, i)
            if close < 0:
                return None, i
            names.append(text[i + 1:close])
            i = close + 1
        else:
            j = i
            while j < n and text[j] in _BARE:
                j += 1
            if j == i:
                return None, i
            names.append(text[i:j])
            i = j
        while i < n and text[i] in _BLANK:
            i += 1
        if i >= n or text[i] != ".":
            return names, i
        i += 1


def _string_end(text: str, i: int) -> int:
    """Index of the quote closing the one-line string opened at ``i`` (-1 if none)."""
    quote, j, n = text[i], i + 1, len(text)
    inside = _INSIDE[quote]
    while j < n and text[j] != "\n":
        run = inside.match(text, j)
        if run:
            j = run.end()
            continue
        if text[j] == "\\" and quote == '"':
            j += 2
            continue
        if text[j] == quote:
            return j
        j += 1
    return -1


def _skip_string(text: str, i: int, line: int) -> tuple[int, int]:
    """Skip the string opened at ``i`` (one-line or multi-line); return (end, line there)."""
    quote = text[i]
    if not text.startswith(quote * 3, i):
        close = _string_end(text, i)
        return (len(text) if close < 0 else close + 1), line
    j, n = i + 3, len(text)
    inside = _INSIDE[quote]
    while j < n:
        run = inside.match(text, j)
        if run:
            j = run.end()
            continue
        if text[j] == "\\" and quote == '"':
            j += 2
            continue
        if text.startswith(quote * 3, j):
            j += 3
            while j < n and text[j] == quote:  # up to two quotes may end the content
                j += 1
            break
        j += 1
    return j, line + text.count("\n", i, j)


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; every failure becomes a :class:`ScenarioError` naming the file.

    Only a regular file is read: a folder, a FIFO, a device (``/dev/zero``) or a socket is
    refused before anything is read from it (a FIFO could block forever, a device never end).
    """
    return parse_toml_bytes(read_regular(path, MAX_FILE_BYTES, "scenario file"), str(path))


def read_regular(path: Path, limit: int, what: str) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit``), or a ScenarioError."""
    name = str(path)
    if "\0" in name:
        raise ScenarioError(Problem("the file name contains a NUL character", file=repr(name),
                                    hint="give a plain file name"))
    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise ScenarioError(Problem("file not found", file=name, hint="check the path")
                                ) from None
        raise ScenarioError(Problem(f"cannot read the file: {exc.strerror or exc}", file=name,
                                    hint="check the path")) from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError(Problem(f"is a folder, not a {what}", file=name))
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(Problem(f"is not a regular file (a pipe, device or socket); a "
                                    f"{what} must be a file on disk", file=name,
                                    hint="save the text to a file first"))
    if info.st_size > limit:
        raise ScenarioError(Problem(f"file is {info.st_size} bytes; a {what} may be at most "
                                    f"{limit} bytes", file=name))
    try:  # O_NONBLOCK: should the file be swapped for a FIFO meanwhile, never wait on it
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(handle, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                raise ScenarioError(Problem("is not a regular file", file=name))
            data = stream.read(limit + 1)
    except OSError as exc:
        raise ScenarioError(Problem(f"cannot read the file: {exc.strerror or exc}", file=name)
                            ) from None
    if len(data) > limit:
        raise ScenarioError(Problem(f"file is larger than {limit} bytes, the most a {what} "
                                    "may be", file=name))
    return data


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
        document = tomllib.loads(text)
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
    except ValueError as exc:  # an integer of over 4,300 digits (Python's conversion limit)
        raise ScenarioError(Problem(f"not valid TOML: {exc}", file=name,
                                    hint="write a large number as a float, e.g. 1.5e30")
                            ) from None
    check_shape(document, name, text)
    return document, text


def check_shape(document: dict[str, Any], name: str, text: str) -> None:
    """Refuse what TOML allows but no scenario needs and later steps cannot take.

    Tables and arrays nested deeper than ``MAX_DEPTH`` (``a.a.a....`` 1,200 deep would exhaust
    the recursion of every later step) and integers outside the 64-bit range the TOML
    specification gives them (a 400-digit integer is no float either). One iterative pass.
    """
    stack: list[tuple[str, Any, int]] = [("", document, 0)]
    while stack:
        path, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            short = ".".join(path.split(".")[:6]) + "..."
            raise ScenarioError(Problem(f"keys or arrays nested more than {MAX_DEPTH} deep",
                                        file=name, line=LineMap(text)(path), path=short,
                                        hint="a scenario needs only a few levels"))
        if isinstance(value, bool):
            continue
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            digits = int(value.bit_length() * 0.30103) + 1
            raise ScenarioError(Problem(
                f"an integer of about {digits} digits, beyond TOML's 64-bit integers",
                file=name, line=LineMap(text)(path), path=path,
                hint="write a large number as a float, e.g. 1.5e30"))
        children = value.items() if isinstance(value, dict) else (
            enumerate(value) if isinstance(value, list) else ())
        for key, child in children:
            stack.append((f"{path}.{key}" if path else str(key), child, depth + 1))
