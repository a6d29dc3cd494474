"""The project's own error type: every problem a user can fix, with where it is and what to do.

A :class:`Problem` names the file, the key path (``parameters.report_cost.ci``), the TOML line
where known, what was found and how to fix it. A :class:`ScenarioError` carries one or more
problems, so a file is fixed in one round rather than ten. The command line turns it into exit
code 2 and never shows a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    message: str
    path: str = ""
    file: str = ""
    line: int | None = None
    hint: str = ""

    def render(self) -> str:
        where = self.file
        if self.line is not None:
            where = f"{where or '<input>'}:{self.line}"
        if self.path:
            where = f"{where}: {self.path}" if where else self.path
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class OnzekerheidError(Exception):
    """Base of every error the project raises on purpose."""


class ScenarioError(OnzekerheidError):
    """The input (scenario file, option or override) is invalid: exit code 2."""

    def __init__(self, problems: Iterable[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(p.render() for p in self.problems)


class SimulationError(OnzekerheidError):
    """A run could not go ahead (too large for memory, interrupted, ...): exit code 2."""


@dataclass
class Problems:
    """Collects problems while validating, then raises them together."""

    file: str = ""
    locate: object = None  # callable(path) -> line | None
    items: list[Problem] = field(default_factory=list)

    def add(self, path: str, message: str, hint: str = "") -> None:
        line = self.locate(path) if callable(self.locate) else None
        self.items.append(Problem(message, path=path, file=self.file, line=line, hint=hint))

    def raise_if_any(self) -> None:
        if self.items:
            raise ScenarioError(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """'did you mean X?' for the closest choice, or '' when nothing is close."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else ""


def allowed(choices: Iterable[str]) -> str:
    return "allowed: " + ", ".join(sorted(choices))
