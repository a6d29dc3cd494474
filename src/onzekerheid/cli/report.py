"""``report``, ``plot`` and ``summary``: what people read (HTML, figures, memo tables)."""

from __future__ import annotations

import math
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import typer

from .. import api
from ..errors import ScenarioError
from ..report import curves, files, i18n, strict_json
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
KINDS = ("distribution", "s-curve", "who-gains", "drivers", "tornado", "spider", "sobol", "voi",
         "break-even", "cost-effect", "cash-flow", "convergence", "evsi")
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
    session = ctx.ensure_object(Session)
    from ..report import html, plots

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
        for name, option in ((cost, "--cost"), (effect, "--effect")):
            if name is not None and name not in scenario.outputs:
                raise ScenarioError(f"{option} {name}: not an output of {file}; outputs: "
                                    f"{', '.join(scenario.outputs)}")
        if kind == "who-gains":
            figure = _who_gains_figure(scenario, output, iterations, seed, ci, threads, quiet,
                                       lang)
        elif kind in ("tornado", "spider", "sobol", "voi"):
            figure = _sensitivity_figure(scenario, kind, output, seed, threads, lang)
        elif kind == "evsi":
            figure = _evsi_figure(scenario, study, output, iterations, seed, threads,
                                  population, lang)
        else:
            result = _simulate(scenario, iterations, seed, ci, threads, quiet)
            name = _output(result, output, html.main_output(result))
            _need_finite(result[name], name, file)
            if kind == "distribution":
                figure = plots.distribution(result, name, lang=lang)
            elif kind == "s-curve":
                figure = plots.s_curve(result, name, lang=lang)
            elif kind == "cash-flow":
                figure = plots.cash_flow(result, lang=lang)
            elif kind == "convergence":
                figure = plots.convergence(result, name, lang=lang)
            elif kind == "drivers":
                figure = plots.drivers(curves.rank_correlations(result, name), name, lang=lang,
                                       scenario=scenario)
            elif kind == "break-even":
                parameter = parameter or curves.break_even_parameter(
                    scenario, curves.rank_correlations(result, name))
                if parameter is None:
                    raise ScenarioError(f"{file}: no parameter to vary; give --parameter NAME")
                curve = api.break_even_curve(scenario, name, parameter,
                                                iterations=min(iterations, 20_000), seed=seed,
                                                threads=threads)
                figure = plots.break_even(curve, lang=lang, scenario=scenario)
            else:
                assert cost is not None and effect is not None
                figure = plots.cost_effect(result[cost], result[effect], cost_name=cost,
                                           effect_name=effect, lang=lang, reference=price)
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


def _need_finite(values: np.ndarray, name: str, file: Path) -> None:
    """Refuse to draw or report an output that is not a finite number in any iteration."""
    if not np.isfinite(values).any():
        raise ScenarioError(f"{file}: {name} is not a finite number in any iteration (a log or "
                            "square root of a negative number, a division by zero?); check its "
                            "expression, or choose another output with --output")


def _evsi_figure(scenario: Any, study: str | None, output: str | None, iterations: int,
                 seed: int, threads: int | None, population: float, lang: str) -> Any:
    from ..report import studies

    names = [s.name for s in scenario.studies]
    if not names:
        raise ScenarioError(f"{scenario.file}: has no [[studies]]; --kind evsi draws one")
    name = study or names[0]
    if name not in names:
        raise ScenarioError(f"--study {name}: not a study of {scenario.file}; studies: "
                            + ", ".join(names))
    if not 0 < population < math.inf:
        raise ScenarioError(f"--population must be a finite number > 0, got {population:g}")
    chosen = [s for s in scenario.studies if s.name == name]
    doc = api.value_of_information(scenario, output, iterations=max(iterations, 1000),
                                   seed=seed, threads=threads, studies=chosen,
                                   population=population).to_json()
    return studies.study_figure(name, doc["studies"][name], lang)


def _output(result: Any, name: str | None, default: str) -> str:
    if name is None:
        return default
    if name not in result.outputs:
        raise ScenarioError(f"--output {name}: not an output of {result.scenario.file}; "
                            f"outputs: {', '.join(result.outputs)}")
    return name


def _who_gains_figure(scenario: Any, base: str | None, iterations: int, seed: int, ci: float,
                      threads: int | None, quiet: bool, lang: str) -> Any:
    from ..report import plots

    bases = list(dict.fromkeys(n.split(".", 1)[0] for n in scenario.outputs
                               if "." in n and n.split(".", 1)[1] in scenario.stakeholders))
    if not bases:
        raise ScenarioError(f"{scenario.file}: no per-stakeholder outputs (NAME.<stakeholder>); "
                            "who-gains needs a scenario with stakeholders")
    base = base or ("net_benefit" if "net_benefit" in bases else bases[0])
    if base not in bases:
        raise ScenarioError(f"--output {base}: no per-stakeholder outputs of that name; use one "
                            f"of {', '.join(bases)}")
    result = _simulate(scenario, iterations, seed, ci, threads, quiet, store="outputs")
    return plots.who_gains(result, base, lang=lang)


def _sensitivity_figure(scenario: Any, kind: str, output: str | None, seed: int,
                        threads: int | None, lang: str) -> Any:
    from ..report import plots

    name = api.check_output(scenario, output)
    if kind in ("tornado", "spider"):
        doc = api.sensitivity(scenario, name, method="tornado", seed=seed,
                              threads=threads).to_json()
        if doc["base"] is None or any(p["swing"] is None for p in doc["parameters"].values()):
            _need_finite(np.array([np.nan]), name, Path(scenario.file))
        if kind == "spider":
            return plots.spider(api.spider_doc(scenario, name, doc, seed, threads), lang=lang,
                                scenario=scenario)
        return plots.tornado(doc["parameters"], name, doc["base"], lang=lang, scenario=scenario)
    if kind == "voi":
        doc = api.value_of_information(scenario, name, iterations=50_000, seed=seed,
                                       threads=threads).to_json()
        return plots.voi_bars(doc, lang=lang, scenario=scenario)
    doc = api.sensitivity(scenario, name, method="sobol", iterations=SOBOL_BASE, seed=seed,
                          threads=threads).to_json()
    return plots.sobol(doc["parameters"], name, lang=lang, scenario=scenario)
