"""The Typer app, the options shared by every command, and run/validate/check."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from .. import api
from .._version import version
from ..errors import OnzekerheidError, Problem, ScenarioError
from ..report import files, guard, strict_json, terminal
from ..report.guard import Guard
from ..report.junit import write_junit
from ..report.terminal import clean

app = typer.Typer(
    name="onzekerheid",
    help="Monte Carlo stress tests of published cost-benefit claims about social interventions.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, emoji=False)
err = Console(stderr=True, highlight=False, emoji=False)

MAX_YEARS = api.MAX_YEARS  # voi/report --years: a decision horizon
FileArg = Annotated[Path, typer.Argument(help="Scenario file (TOML).", show_default=False)]
Iterations = Annotated[int, typer.Option("-n", "--iterations", help="Number of iterations.")]
Seed = Annotated[int, typer.Option("--seed", help="Random seed (0 is a seed).")]
Ci = Annotated[float, typer.Option("--ci", help="Interval level, e.g. 0.9 for 5%–95%.")]
Sets = Annotated[list[str] | None, typer.Option(
    "--set", help="Override a parameter: NAME=VALUE (number, 'A to B' or expression). "
    "Repeatable.")]
Json = Annotated[bool, typer.Option("--json", help="Print the JSON document only.")]
Threads = Annotated[int | None, typer.Option(
    "--threads", help="Worker threads (default: all cores); results do not depend on it.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
Variant = Annotated[str | None, typer.Option(
    "--variant", help="Apply the overrides of \\[variants.NAME] first (--set ones win).")]
Prior = Annotated[bool, typer.Option(
    "--prior", help="Leave the scenario's \\[\\[evidence]] out: simulate the prior.")]
Scheduler = Annotated[str | None, typer.Option(
    "--scheduler", help="Run on dask: a scheduler address (host:8786) or local:N worker "
    "processes; the numbers equal the in-process run. Needs onzekerheid[distributed].")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"onzekerheid {version()}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help="Print the version and exit.")] = False,
    allow_outside: Annotated[bool, typer.Option(
        "--allow-outside",
        help="Let scenarios read case tables outside their own folder (off: a scenario file "
        "from someone else cannot read other files on this machine).")] = False,
) -> None:
    """Monte Carlo stress tests of published cost-benefit claims about social interventions."""
    ctx.ensure_object(Session).allow_outside = allow_outside


@dataclass
class Session:
    """One invocation: what the root options decide, and the guard of the files it reads and
    writes (:class:`onzekerheid.report.guard.Guard`).

    It lives on the invocation's context (``ctx.obj``): :func:`main` hands one in, the root
    callback makes one when none is given (``CliRunner``), and each command takes it with
    ``ctx.ensure_object(Session)``; nothing outlives the invocation.
    """

    allow_outside: bool = False
    guard: Guard = field(default_factory=Guard)

    def load(self, file: str | Path, sets: dict[str, Any] | None = None,
             variant: str | None = None, *, prior: bool = False) -> api.Scenario:
        """:func:`onzekerheid.api.load` with the root options (``--allow-outside``); the files
        it reads are protected in the guard, so no option of this invocation writes over them.
        """
        self.guard.protect([file])
        scenario = api.load(file, sets, variant, allow_outside=self.allow_outside, prior=prior)
        self.guard.protect(scenario.inputs)
        return scenario


# The Python API names the argument at fault; the command line names its option instead.
OPTION_NAMES = {
    "scheduler": "--scheduler", "overrides": "--set", "variant": "--variant",
    "output": "--output", "baseline": "--baseline", "target": "--precision",
    "max_iterations": "--max-iterations", "groups": "--group", "iterations": "--iterations",
    "statistic": "--statistic", "axes": "--vary", "expect": "--expect", "stat": "--stat",
    "lang": "--lang", "threshold": "--threshold", "population": "--population",
    "years": "--years", "discount": "--discount", "kind": "--kind", "cost": "--cost",
    "effect": "--effect", "study": "--study", "parameter": "--parameter", "method": "--method",
}


@app.command()
def schema() -> None:
    """Print a JSON Schema (draft 2020-12) of the scenario file, for editors and CI."""
    typer.echo(strict_json.dumps(api.scenario_schema(), indent=2))


@contextmanager
def user_errors(names: dict[str, str] | None = None) -> Iterator[None]:
    """Our own errors become a message and exit code 2; Ctrl-C becomes exit 130.

    A Python argument named in an error is written as its option (``OPTION_NAMES``, and
    ``names`` for a command whose option for an argument differs)."""
    try:
        yield
    except OnzekerheidError as exc:
        message = exc.render({**OPTION_NAMES, **(names or {})})
        err.print(f"[red]error:[/] {clean(message)}", soft_wrap=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM/SIGHUP (guard.Terminated)
        err.print("interrupted; nothing was written")
        raise typer.Exit(128 + getattr(exc, "signum", 2)) from None


def parse_override(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` from the command line: VALUE a number, "A to B" or an expression."""
    if "=" not in text:
        raise ScenarioError(Problem(f"--set {text!r}: expected NAME=VALUE",
                                    hint="e.g. --set report_cost=12000"))
    name, value = text.split("=", 1)
    name, value = name.strip(), value.strip()
    if not name or not value:
        raise ScenarioError(Problem(f"--set {text!r}: both NAME and VALUE are needed",
                                    hint="e.g. --set report_cost=12000"))
    if value.lower() in ("true", "false"):
        return name, value.lower() == "true"
    try:
        number = float(value)
    except ValueError:
        return name, value
    return name, (int(number) if number.is_integer() and "." not in value
                  and "e" not in value.lower() else number)


def overrides(sets: list[str] | None) -> dict[str, Any]:
    return dict(parse_override(text) for text in sets or [])


def check_options(iterations: int, ci: float, seed: int, threads: int | None) -> None:
    if iterations < 1:
        raise ScenarioError(f"--iterations must be at least 1, got {iterations}")
    if not 0.0 < ci < 1.0:
        raise ScenarioError(f"--ci must lie strictly between 0 and 1, got {ci}",)
    if seed < 0:
        raise ScenarioError(f"--seed must be >= 0, got {seed}")
    if threads is not None and threads < 1:
        raise ScenarioError(f"--threads must be at least 1, got {threads}")


STARTING = "starting (the first run after an install compiles the model: 10-20 s)"


@contextmanager
def progress_bar(total: int, quiet: bool) -> Iterator[Any]:
    """A rich progress bar on stderr, silent when quiet or not a terminal."""
    if quiet or not err.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.percentage:>3.0f}%"), TimeRemainingColumn(), console=err,
                  transient=True) as bar:
        # Until the first chunk is done the kernels may be compiling (numba, first use after
        # an install or upgrade: 10-20 s); say so rather than sit at 0% in silence.
        task = bar.add_task(STARTING, total=total)

        def advance(done: int) -> None:
            bar.update(task, advance=done, description="simulating")

        yield advance


@contextmanager
def status(message: str, quiet: bool) -> Iterator[None]:
    """A spinner with ``message`` on stderr while a slow step runs; silent when quiet or when
    stderr is not a terminal (so --json output and pipes stay clean)."""
    if quiet or not err.is_terminal:
        yield
        return
    with err.status(clean(message)):
        yield


@app.command()
def run(
    ctx: typer.Context,
    file: FileArg,
    iterations: Iterations = api.DEFAULT_ITERATIONS,
    seed: Seed = api.DEFAULT_SEED,
    ci: Ci = 0.90,
    set_: Sets = None,
    json_: Json = False,
    samples: Annotated[Path | None, typer.Option(
        "--samples", help="Write every iteration to a .csv or .parquet file.")] = None,
    point: Annotated[bool, typer.Option(
        "--point", help="Evaluate once with every point value: the published arithmetic.")] = False,
    threads: Threads = None,
    quiet: Quiet = False,
    variant: Variant = None,
    scheduler: Scheduler = None,
    precision: Annotated[float | None, typer.Option(
        "--precision", help="Add iterations until the MCSE of every mean and interval end is "
        "below this share (e.g. 0.01); -n is then ignored.")] = None,
    max_iterations: Annotated[int, typer.Option(
        "--max-iterations", help="Upper limit for --precision.")] = 10_000_000,
    lang: Annotated[str, typer.Option(
        "--lang", help="Language of the table and sentences: en or nl.")] = "en",
    prior: Prior = False,
) -> None:
    """Simulate a scenario: per output the mean, median, interval, MCSE and the claim's place."""
    session = ctx.ensure_object(Session)
    with user_errors():
        check_options(iterations, ci, seed, threads)
        if lang not in terminal.LANGUAGES:
            raise ScenarioError(f"--lang {lang!r}: use one of {', '.join(terminal.LANGUAGES)}")
        if samples is not None:
            files.check_target(samples, files.TABLE_FORMATS, "--samples", session.guard)
        scenario = session.load(file, overrides(set_), variant, prior=prior)
        if point:
            result = api.point(scenario)
            if json_:
                print(strict_json.dumps(result.to_json(), indent=2))
            else:
                terminal.render_point(result, out, lang)
            return
        if precision is not None:
            outcome, _ = api.simulate_to_precision(
                scenario, precision, max_iterations, seed, ci=ci, threads=threads,
                store="all" if samples else "outputs", scheduler=scheduler)
        else:
            with progress_bar(iterations, quiet or json_) as advance:
                outcome = api.simulate(scenario, iterations, seed, ci=ci, threads=threads,
                                       store="all" if samples else "outputs",
                                       progress=advance, scheduler=scheduler)
        if samples is not None:
            files.write_table(outcome.samples, samples, session.guard)
        if json_:
            print(strict_json.dumps(outcome.to_json(), indent=2))
        else:
            _render_run(outcome, lang, samples)


def _render_run(outcome: Any, lang: str, samples: Path | None) -> None:
    """The summary table, what ``--precision`` reached, and where the samples went."""
    terminal.render_result(outcome, out, lang)
    if outcome.convergence is not None:
        c = outcome.convergence
        state = "reached" if c["reached"] else "NOT reached"
        out.print(f"precision {c['target']:g}: {state} with {c['iterations']:,} "
                  f"iterations (worst relative MCSE {c['worst']['relative_mcse']:.2g}, "
                  f"{clean(c['worst']['output'])})", style="dim")
    if samples is not None:
        out.print(f"samples written to {clean(samples)}", style="dim")


@app.command()
def validate(
    ctx: typer.Context,
    files_: Annotated[list[Path], typer.Argument(help="Scenario files.", show_default=False)],
    json_: Json = False,
) -> None:
    """Load scenario files only and report every problem found (exit 2 if any)."""
    session = ctx.ensure_object(Session)
    reports = []
    for path in files_:
        warnings: list[str] = []
        try:
            scenario = session.load(path)
            warnings = list(scenario.domain.warnings if scenario.domain else ())
            reports.append({"file": str(path), "valid": True, "problems": [],
                            "parameters": len(scenario.user_parameters),
                            "outputs": len(scenario.outputs), "warnings": warnings})
        except ScenarioError as exc:
            reports.append({"file": str(path), "valid": False, "problems": [
                {"path": p.path, "line": p.line, "message": p.message, "hint": p.hint}
                for p in exc.problems]})
            if not json_:
                for problem in exc.problems:
                    err.print(f"[red]error:[/] {clean(problem.render(OPTION_NAMES))}",
                              soft_wrap=True)
        if not json_ and reports[-1]["valid"]:
            out.print(f"[green]ok[/] {clean(path)}: {reports[-1]['parameters']} parameters, "
                      f"{reports[-1]['outputs']} outputs")
            for warning in warnings:  # e.g. stacked counterfactuals (domain.py)
                out.print(f"[yellow]warning:[/] {clean(warning)}", soft_wrap=True)
    if json_:
        print(strict_json.dumps({"files": reports,
                          "valid": all(r["valid"] for r in reports)}, indent=2))
    if not all(r["valid"] for r in reports):
        raise typer.Exit(2)


@app.command()
def check(
    ctx: typer.Context,
    files_: Annotated[list[Path], typer.Argument(help="Scenario files.", show_default=False)],
    iterations: Iterations = api.DEFAULT_ITERATIONS,
    seed: Seed = api.DEFAULT_SEED,
    set_: Sets = None,
    expect: Annotated[list[str] | None, typer.Option(
        "--expect", help="An extra check, e.g. 'P(net_benefit > 0) >= 0.9'. Repeatable.")] = None,
    json_: Json = False,
    threads: Threads = None,
    junit: Annotated[Path | None, typer.Option(
        "--junit", help="Also write the results as JUnit XML (one testcase per check).")] = None,
    variant: Annotated[list[str] | None, typer.Option(
        "--variant", help="Check this \\[variants.NAME] of every file. Repeatable.")] = None,
    all_variants: Annotated[bool, typer.Option(
        "--all-variants", help="Check every \\[variants.NAME] of each file (a file without "
        "variants is checked as written).")] = False,
    prior: Prior = False,
) -> None:
    r"""Run scenarios and evaluate their \[\[checks]]; exit 1 if any check fails."""
    session = ctx.ensure_object(Session)
    documents = []
    with user_errors():
        check_options(iterations, 0.9, seed, threads)
        if junit is not None:
            files.check_target(junit, {".xml"}, "--junit", session.guard)
        for text in expect or []:  # every expectation is parsed before anything runs
            try:
                api.parse_check(text)
            except ValueError as exc:
                raise ScenarioError(f"--expect: {exc}") from None
        targets: list[tuple[Path, str | None]] = []
        for path in files_:
            names: list[str | None] = (list(session.load(path).variants) if all_variants
                                       else list(variant or []))
            targets.extend((path, name) for name in names or [None])
        for path, name in targets:
            scenario = session.load(path, overrides(set_), name, prior=prior)
            result, outcomes = api.check(scenario, iterations, seed, expect=expect or (),
                                         threads=threads)
            documents.append({"file": str(path), "passed": all(o.passed for o in outcomes),
                              "iterations": iterations, "seed": result.seed,
                              "checks": [o.as_dict() for o in outcomes]})
            if name is not None:
                documents[-1]["variant"] = name
            if not json_:
                terminal.render_checks(str(path) + (f" [{name}]" if name else ""), outcomes, out)
        if junit is not None:
            write_junit(documents, junit, session.guard)
    passed = all(d["passed"] for d in documents)
    if json_:
        doc = documents[0] if len(documents) == 1 else {"passed": passed, "files": documents}
        print(strict_json.dumps(doc, indent=2))
    if not passed:
        raise typer.Exit(1)


def main() -> None:
    """Entry point of the ``onzekerheid`` command."""
    session = Session()
    guard.install_signal_handlers(lambda: session.guard)
    try:
        app(obj=session)
    except KeyboardInterrupt as exc:  # before a command's own handler is active (imports)
        err.print("interrupted; nothing was written")
        sys.exit(128 + getattr(exc, "signum", 2))
    except Exception as exc:  # an unexpected internal error: short message, no traceback
        if os.environ.get("ONZEKERHEID_DEBUG"):
            raise
        err.print(f"[red]internal error:[/] {clean(type(exc).__name__)}: {clean(exc)}\n"
                  "This is a bug in onzekerheid; run with ONZEKERHEID_DEBUG=1 for details.")
        sys.exit(3)
