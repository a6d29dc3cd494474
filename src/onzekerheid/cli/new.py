"""``new``: write a scenario to start from, asking a few questions or taking them as options."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import ScenarioError
from ..report import files
from ..report.guard import Guard, write_all
from ..report.terminal import clean
from ..scenario import loads
from ..scenario.templates import Answers, amount, shipped, skeleton, stakeholder_name
from .app import Session, app, err, out, user_errors

DEFAULT_STAKEHOLDERS = "gemeente, client, derden"


@app.command()
def new(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The scenario file to write (.toml); never "
                                         "overwritten.", show_default=False)],
    from_: Annotated[str | None, typer.Option(
        "--from", help="Copy a shipped scenario (e.g. schiedam) and its case table instead.")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="The claim's title.")] = None,
    source: Annotated[str | None, typer.Option(
        "--source", help="Where the claim was published.")] = None,
    cases: Annotated[int | None, typer.Option(
        "--cases", help="Number of cases in the study.")] = None,
    stakeholder: Annotated[list[str] | None, typer.Option(
        "--stakeholder", help="NAME=AMOUNT: a stakeholder and its published saving per case. "
        "Repeatable.")] = None,
    hourly_rate: Annotated[float | None, typer.Option(
        "--hourly-rate", help="Hourly cost of a worker (gives break-even hours).")] = None,
    no_input: Annotated[bool, typer.Option(
        "--no-input", help="Ask nothing: take the options and write placeholders for the "
        "rest.")] = False,
) -> None:
    """Write a commented scenario skeleton for a claim (or copy a shipped one with --from)."""
    session = ctx.ensure_object(Session)
    with user_errors({"name": "--from"}):  # scenario.templates.shipped(name)
        files.check_target(file, {".toml"}, "FILE", session.guard)
        if file.exists():
            raise ScenarioError(f"{file} exists; onzekerheid new never overwrites a file "
                                "(choose another name or remove it first)")
        if from_ is not None:
            given = [o for o, v in (("--title", title), ("--source", source), ("--cases", cases),
                                    ("--stakeholder", stakeholder),
                                    ("--hourly-rate", hourly_rate)) if v is not None]
            if given:
                raise ScenarioError(f"--from copies a scenario as it is; drop {', '.join(given)}")
            _copy(from_, file, session.guard)
            return
        try:
            answers = _answers(file, title, source, cases, stakeholder, hourly_rate, no_input)
        except typer.Abort as exc:  # click turns both end-of-input and Ctrl-C into Abort
            if not isinstance(exc.__context__, EOFError):
                raise KeyboardInterrupt from None
            raise ScenarioError("standard input ended before every question was answered; "
                                "give the answers as options with --no-input (--stakeholder "
                                "NAME=AMOUNT, --title, --source, --cases, --hourly-rate)"
                                ) from None
        text = skeleton(answers)
        _check_loads(text, file)
        files.write_text(text, file, session.guard)
    out.print(f"wrote {clean(file)}: replace every ASSUMPTION, then "
              f"`onzekerheid run {clean(file)} --point` gives back the published figures")


def _copy(name: str, file: Path, guard: Guard) -> None:
    text, tables = shipped(name)
    folder = file.parent
    for table in tables:
        if (folder / table).exists():
            raise ScenarioError(f"{folder / table} exists (the case table of '{name}'); "
                                "onzekerheid new never overwrites a file: use another folder")
    # all or nothing: a full disk leaves neither half a copy nor a table that blocks a retry
    write_all({**{folder / t: _writer(c) for t, c in tables.items()}, file: _writer(text)}, guard)
    extra = f" and {', '.join(tables)}" if tables else ""
    out.print(f"wrote {clean(file)}{extra}: a copy of the shipped scenario '{name}'")


def _writer(content: bytes) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_bytes(content)

    return write


def _answers(file: Path, title: str | None, source: str | None, cases: int | None,
             stakeholders: list[str] | None, hourly_rate: float | None, no_input: bool
             ) -> Answers:
    figures = dict(_pair(text) for text in stakeholders or [])
    if stakeholders and len(figures) < len(stakeholders):
        raise ScenarioError("--stakeholder: a name is given twice")
    if cases is not None and not 1 <= cases <= 1_000_000:
        raise ScenarioError(f"--cases must be a number of cases in 1..1000000, got {cases}")
    if hourly_rate is not None and not 0 < hourly_rate < float("inf"):
        raise ScenarioError(f"--hourly-rate must be positive, got {hourly_rate}")
    if no_input:
        if not figures:
            raise ScenarioError("--no-input needs the published figures: --stakeholder "
                                "NAME=AMOUNT (repeatable), e.g. --stakeholder gemeente=3563")
        return Answers(title or file.stem.replace("_", " "), figures, source or "", cases,
                       hourly_rate)
    if title is None:
        title = typer.prompt("Title of the claim", default=file.stem.replace("_", " "))
    if source is None:
        source = typer.prompt("Where was it published (report, year)", default="",
                              show_default=False)
    if cases is None:
        cases = typer.prompt("Number of cases in the study", value_proc=_checked(_count))
    if not figures:
        names = typer.prompt("Stakeholders who gain (comma separated)",
                             default=DEFAULT_STAKEHOLDERS, value_proc=_checked(_names))
        for name in names:
            figures[name] = typer.prompt(f"Published saving per case for {name}",
                                         value_proc=_checked(amount))
    if hourly_rate is None and typer.confirm(
            "Are there costs (an hourly rate gives break-even hours)?", default=True):
        hourly_rate = typer.prompt("Hourly rate", value_proc=_checked(_rate))
    return Answers(str(title), figures, str(source), cases, hourly_rate)


def _pair(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    try:
        if not sep:
            raise ValueError("write NAME=AMOUNT, e.g. gemeente=3563")
        return stakeholder_name(name), amount(value)
    except ValueError as exc:
        raise ScenarioError(f"--stakeholder {text!r}: {exc}") from None


def _names(text: str) -> list[str]:
    names = [stakeholder_name(n) for n in text.split(",") if n.strip()]
    if not names:
        raise ValueError("name at least one stakeholder")
    if len(set(names)) < len(names):
        raise ValueError("a stakeholder is named twice")
    return names


def _count(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(f"'{text.strip()}' is not a whole number") from None
    if not 1 <= value <= 1_000_000:
        raise ValueError("the number of cases lies in 1..1000000")
    return value


def _rate(text: str) -> float:
    value = amount(text)
    if value <= 0:
        raise ValueError("the hourly rate must be positive")
    return value


def _checked(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """A prompt's value_proc: a ValueError asks again with its message."""

    def proc(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None

    return proc


def _check_loads(text: str, file: Path) -> None:
    try:
        loads(text, str(file))
    except ScenarioError as exc:
        err.print("these answers do not give a valid scenario:")
        raise exc from None
