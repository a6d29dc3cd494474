"""``report``, ``plot`` and ``summary``: what people read (HTML, figures, memo tables)."""

from __future__ import annotations

from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from .. import api
from ..errors import ScenarioError
from ..report import files, i18n, strict_json
from ..report.export import summary_csv, summary_markdown, write_xlsx
from ..report.terminal import clean, visible
from .app import (
    Ci,
    FileArg,
    Iterations,
    Prior,
    Quiet,
    Seed,
    Session,
    Sets,
    Threads,
    Variant,
    app,
    check_options,
    err,
    overrides,
    progress_bar,
    status,
    user_errors,
)

Lang = Annotated[str, typer.Option("--lang", help="Language of the text: nl or en.")]
KINDS = api.FIGURE_KINDS
SUMMARY_FORMATS = ("csv", "json", "markdown", "xlsx")
SOBOL_BASE = api.REPORT_SOBOL_BASE


@app.command()
def report(
    ctx: typer.Context,
    file: FileArg,
    output_file: Annotated[Path, typer.Option(
        "-o", "--output-file", help="The HTML file to write.", show_default=False)],
    lang: Lang = "nl",
    iterations: Iterations = api.DEFAULT_ITERATIONS,
    seed: Seed = api.DEFAULT_SEED,
    ci: Ci = 0.90,
    set_: Sets = None,
    sensitivity: Annotated[bool, typer.Option(
        "--sensitivity/--no-sensitivity",
        help="Include tornado, Sobol' indices and value of information (slower).")] = True,
    threads: Threads = None,
    quiet: Quiet = False,
    variant: Variant = None,
    prior: Prior = False,
    population: Annotated[float, typer.Option(
        "--population", help="[[studies]]: units the decision applies to, as voi.")] = 1.0,
    years: Annotated[int, typer.Option(
        "--years", help="[[studies]]: years the decision applies, as voi.")] = 1,
) -> None:
    """Write a self-contained HTML report: a one-page summary, then the details."""
    session = ctx.ensure_object(Session)
    with user_errors():
        i18n.check_lang(lang)
        check_options(iterations, ci, seed, threads)
        files.check_target(output_file, {".html", ".htm"}, "-o", session.guard)
        scenario = session.load(file, overrides(set_), variant, prior=prior)
        with ExitStack() as bar:
            advance = bar.enter_context(progress_bar(iterations, quiet))

            def step(what: str) -> AbstractContextManager[None]:
                bar.close()  # the run is done: its bar gives way to the steps' spinner
                return status(what, quiet)

            made = api.report(scenario, iterations, seed, ci=ci, threads=threads,
                              sensitivity=sensitivity, population=population, years=years,
                              sets=set_ or [], progress=advance, step=step)
        for key, reason in made.left_out:
            err.print(f"[yellow]note:[/] the report leaves out {key}: {clean(reason)}",
                      soft_wrap=True)
        files.write_text(made.html(lang, str(output_file)), output_file, session.guard)
    if not quiet:
        err.print(f"report written to {clean(output_file)}", style="dim")


@app.command()
def plot(
    ctx: typer.Context,
    file: FileArg,
    kind: Annotated[str, typer.Option("--kind", help=f"One of: {', '.join(KINDS)}.")],
    output_file: Annotated[Path, typer.Option(
        "-o", "--output-file", help="The .png or .svg file to write.", show_default=False)],
    output: Annotated[str | None, typer.Option(
        "--output", help="Output to plot (default: net_benefit, else the first claimed). For "
        "who-gains: the name before '.<stakeholder>'.")] = None,
    parameter: Annotated[str | None, typer.Option(
        "--parameter", help="break-even: the parameter to vary (default: the strongest "
        "driver).")] = None,
    cost: Annotated[str | None, typer.Option("--cost", help="cost-effect: the extra-cost output.")
                    ] = None,
    effect: Annotated[str | None, typer.Option(
        "--effect", help="cost-effect: the extra-effect output.")] = None,
    price: Annotated[float | None, typer.Option(
        "--price", help="cost-effect: reference price per unit of effect, e.g. 20000.")] = None,
    study: Annotated[str | None, typer.Option(
        "--study", help="evsi: the \\[\\[studies]] entry to draw (default the first).")] = None,
    population: Annotated[float, typer.Option(
        "--population", help="evsi: units the decision applies to, as voi.")] = 1.0,
    lang: Lang = "nl",
    iterations: Iterations = api.DEFAULT_ITERATIONS,
    seed: Seed = api.DEFAULT_SEED,
    ci: Ci = 0.90,
    set_: Sets = None,
    threads: Threads = None,
    quiet: Quiet = False,
    variant: Variant = None,
) -> None:
    """Draw one figure of a scenario as PNG or SVG."""
    from ..report import plots

    session = ctx.ensure_object(Session)
    with user_errors():
        i18n.check_lang(lang)
        check_options(iterations, ci, seed, threads)
        if kind not in KINDS:
            raise ScenarioError(f"--kind {kind!r}: unknown; use one of {', '.join(KINDS)}")
        files.check_target(output_file, plots.FORMATS, "-o", session.guard)
        scenario = session.load(file, overrides(set_), variant)
        if kind == "cost-effect" and (cost is None or effect is None):
            raise ScenarioError("--kind cost-effect needs --cost NAME and --effect NAME "
                                f"(outputs of {file})")
        with progress_bar(iterations, quiet or kind in api.ANALYSIS_KINDS) as advance:
            figure = api.figure(scenario, kind, output=output, parameter=parameter, cost=cost,
                                effect=effect, price=price, study=study, population=population,
                                lang=lang, iterations=iterations, seed=seed, ci=ci,
                                threads=threads, progress=advance)
        plots.save(figure, output_file, guard=session.guard, name="-o")
    if not quiet:
        err.print(f"figure written to {clean(output_file)}", style="dim")


@app.command()
def summary(
    ctx: typer.Context,
    file: FileArg,
    format_: Annotated[str, typer.Option(
        "--format", help="csv (plain numbers), json (as run --json), markdown (formatted "
        "in --lang, with the summary sentences: for a memo) or xlsx (a workbook; needs -o)."
    )] = "markdown",
    output_file: Annotated[Path | None, typer.Option(
        "-o", "--output-file", help="Write to this file instead of standard output.")] = None,
    lang: Lang = "nl",
    iterations: Iterations = api.DEFAULT_ITERATIONS,
    seed: Seed = api.DEFAULT_SEED,
    ci: Ci = 0.90,
    set_: Sets = None,
    threads: Threads = None,
    quiet: Quiet = False,
    variant: Variant = None,
) -> None:
    """Export the per-output summary as CSV, JSON, a Markdown table or an Excel workbook."""
    session = ctx.ensure_object(Session)
    with user_errors():
        i18n.check_lang(lang)
        check_options(iterations, ci, seed, threads)
        if format_ not in SUMMARY_FORMATS:
            raise ScenarioError(f"--format {format_!r}: unknown; use one of "
                                f"{', '.join(SUMMARY_FORMATS)}")
        if format_ == "xlsx" and output_file is None:
            raise ScenarioError("--format xlsx writes a workbook: give the file with "
                                "-o out.xlsx")
        if output_file is not None:
            files.check_target(output_file, {".xlsx"} if format_ == "xlsx" else
                               {".csv", ".json", ".md", ".markdown", ".txt"}, "-o",
                               session.guard)
        if format_ == "xlsx":
            try:
                import openpyxl  # noqa: F401  (optional dependency)
            except ImportError:
                raise ScenarioError("--format xlsx needs openpyxl: pip install "
                                    "'onzekerheid[spreadsheets]'") from None
        scenario = session.load(file, overrides(set_), variant)
        result = _simulate(scenario, iterations, seed, ci, threads,
                           quiet or output_file is None, store="outputs")
        if format_ == "xlsx":
            assert output_file is not None
            files.write_atomic(output_file, lambda p: write_xlsx(result, lang, str(p)),
                               session.guard)
            return
        if format_ == "json":
            text = strict_json.dumps(result.to_json(), indent=2) + "\n"
        elif format_ == "csv":
            text = summary_csv(result)
        else:
            text = summary_markdown(result, lang)
        if output_file is None:
            typer.echo(visible(text), nl=False)  # a title's ESC shown, not obeyed
        else:
            files.write_text(text, output_file, session.guard)


def _simulate(scenario: Any, iterations: int, seed: int, ci: float, threads: int | None,
              quiet: bool, store: Literal["all", "outputs"] = "all") -> Any:
    with progress_bar(iterations, quiet) as advance:
        return api.simulate(scenario, iterations, seed, ci=ci, threads=threads,
                            store=store, progress=advance)
