"""The project's own error type: every problem a user can fix, with where it is and what to do.

A :class:`Problem` names the file, the key path (``parameters.report_cost.ci``), the TOML line
where known, what was found and how to fix it. A :class:`ScenarioError` carries one or more
problems, so a file is fixed in one round rather than ten. The command line turns it into exit
code 2 and never shows a traceback.

A problem with an argument of a Python function names that argument (``argument``, with the
``value`` it was given, if any): ``scheduler local:x: ...`` or ``target must lie ...`` from the
API. The command line renders the
same problem with its own option names (``--scheduler local:x: ...``), see
:meth:`Problem.render`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    message: str
    path: str = ""
    file: str = ""
    line: int | None = None
    hint: str = ""
    argument: str = ""  # the Python argument at fault (the CLI writes its option instead)
    value: str = ""  # what that argument was given, as text

    def render(self, names: Mapping[str, str] | None = None) -> str:
        """One line: file, line, key path, argument, message and hint.

        ``names`` maps Python argument names to the caller's words for them (the command line
        passes its option names, so ``scheduler`` reads ``--scheduler``).
        """
        message = self.message
        if self.argument:
            subject = (names or {}).get(self.argument, self.argument)
            message = (f"{subject} {self.value}: {message}" if self.value
                       else f"{subject} {message}")
        where = self.file
        if self.line is not None:
            where = f"{where or '<input>'}:{self.line}"
        if self.path:
            where = f"{where}: {self.path}" if where else self.path
        text = f"{where}: {message}" if where else message
        if self.hint:
            text += f" ({self.hint})"
        return text


class OnzekerheidError(Exception):
    """Base of every error the project raises on purpose."""

    def render(self, names: Mapping[str, str] | None = None) -> str:
        """The message, with argument names translated by ``names`` (see :class:`Problem`)."""
        return str(self)


class ScenarioError(OnzekerheidError):
    """The input (scenario file, option or override) is invalid: exit code 2."""

    def __init__(self, problems: Iterable[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self.render())

    def render(self, names: Mapping[str, str] | None = None) -> str:
        """Every problem, one a line (``names``: see :meth:`Problem.render`)."""
        return "\n".join(p.render(names) for p in self.problems)


def argument_error(argument: str, value: object, message: str, hint: str = "") -> ScenarioError:
    """A bad argument of a Python function, named as Python names it (the CLI renames it)."""
    return ScenarioError(Problem(message, hint=hint, argument=argument,
                                 value="" if value is None else str(value)))


class SimulationError(OnzekerheidError):
    """A run could not go ahead (too large for memory, interrupted, ...): exit code 2.

    ``argument`` and ``value``, when given, name the Python argument at fault as a
    :class:`Problem` does, so the command line can name its option instead.
    """

    def __init__(self, message: str, *, argument: str = "", value: str = "") -> None:
        self.problem = Problem(message, argument=argument, value=value)
        super().__init__(self.problem.render())

    def render(self, names: Mapping[str, str] | None = None) -> str:
        return self.problem.render(names)


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
