"""``report``, ``plot`` and ``summary``: what people read (HTML, figures, memo tables)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import typer

from .. import api
from ..analysis import posterior
from ..errors import OnzekerheidError, ScenarioError
from ..report import strict_json
from ..report.terminal import clean, visible
from ..scenario.variants import variant_names
from .app import (
    MAX_YEARS,
    Ci,
    FileArg,
    Iterations,
    Prior,
    Quiet,
    Seed,
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
SOBOL_BASE = 2**13  # report default: intervals of about ±0.02 on the indices, a few seconds


@app.command()
def report(
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
    from ..report import files, html, i18n

    with user_errors():
        i18n.check_lang(lang)
        check_options(iterations, ci, seed, threads)
        files.check_target(output_file, {".html", ".htm"}, "-o")
        scenario = api.load(file, overrides(set_), variant, prior=prior)
        result = _simulate(scenario, iterations, seed, ci, threads, quiet)
        _need_finite(result[html.main_output(result)], html.main_output(result), file)
        extras = _extras(result, seed, threads, sensitivity, set_ or [], quiet, variant)
        extras = _research(extras, result, file, set_ or [], population, years, quiet, threads)
        command = html.reproduce_command(result, set_ or [], lang=lang, variant=variant,
                                         output_file=str(output_file), sensitivity=sensitivity,
                                         prior=prior)
        extras = replace(extras, command=command)
        document = html.render(result, lang=lang, point=api.point(scenario), extras=extras)
        files.write_text(document, output_file)
    if not quiet:
        err.print(f"report written to {clean(output_file)}", style="dim")


@app.command()
def plot(
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
    from ..report import curves, files, html, i18n, plots

    with user_errors():
        i18n.check_lang(lang)
        check_options(iterations, ci, seed, threads)
        if kind not in KINDS:
            raise ScenarioError(f"--kind {kind!r}: unknown; use one of {', '.join(KINDS)}")
        files.check_target(output_file, plots.FORMATS, "-o")
        scenario = api.load(file, overrides(set_), variant)
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
                curve = curves.break_even_curve(scenario, name, parameter,
                                                iterations=min(iterations, 20_000), seed=seed,
                                                threads=threads)
                figure = plots.break_even(curve, lang=lang, scenario=scenario)
            else:
                assert cost is not None and effect is not None
                figure = plots.cost_effect(result[cost], result[effect], cost_name=cost,
                                           effect_name=effect, lang=lang, reference=price)
        plots.save(figure, output_file)
    if not quiet:
        err.print(f"figure written to {clean(output_file)}", style="dim")


@app.command()
def summary(
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
    from ..report import files, i18n
    from ..report.export import summary_csv, summary_markdown, write_xlsx

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
                               {".csv", ".json", ".md", ".markdown", ".txt"}, "-o")
        if format_ == "xlsx":
            try:
                import openpyxl  # noqa: F401  (optional dependency)
            except ImportError:
                raise ScenarioError("--format xlsx needs openpyxl: pip install "
                                    "'onzekerheid[spreadsheets]'") from None
        scenario = api.load(file, overrides(set_), variant)
        result = _simulate(scenario, iterations, seed, ci, threads,
                           quiet or output_file is None, store="outputs")
        if format_ == "xlsx":
            assert output_file is not None
            files.write_atomic(output_file, lambda p: write_xlsx(result, lang, str(p)))
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
            files.write_text(text, output_file)


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
    from ..analysis.model import check_output, model_of
    from ..analysis.voi import Scale, value_of_information
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
    doc = value_of_information(model_of(scenario), check_output(scenario, output),
                               iterations=max(iterations, 1000), seed=seed, threads=threads,
                               studies=chosen, scale=Scale(population)).to_json()
    return studies.study_figure(name, doc["studies"][name], lang)


def _research(extras: Any, result: Any, file: Path, sets: list[str], population: float,
              years: int, quiet: bool, threads: int | None) -> Any:
    """[[studies]] valued on voi's default output, and the claims' chances under --prior."""
    from ..analysis.model import check_output, model_of
    from ..analysis.voi import Scale, value_of_information

    if not (0 < population < math.inf and 1 <= years <= MAX_YEARS):
        raise ScenarioError(f"--population must be a finite number > 0 and --years in "
                            f"1..{MAX_YEARS}, got {population:g}, {years}")
    scenario = result.scenario
    found: dict[str, Any] = {}
    if scenario.studies:
        try:
            with status("value of the studies", quiet):
                found["studies"] = value_of_information(
                    model_of(scenario), check_output(scenario, None),
                    iterations=min(result.iterations, 100_000), seed=result.seed,
                    threads=threads, studies=scenario.studies,
                    scale=Scale(population, years)).to_json()
        except OnzekerheidError as exc:
            err.print(f"[yellow]note:[/] the report leaves out the studies: {clean(exc)}",
                      soft_wrap=True)
    if any(u.applied for u in scenario.evidence) and scenario.claims:
        with status("the same run without the evidence (--prior)", quiet):
            before = api.simulate(api.load(file, overrides(sets), prior=True),
                                  result.iterations, result.seed, ci=result.ci,
                                  threads=threads, store="outputs")
        found["prior_chances"] = {n: 1.0 - p for n in scenario.claims
                                  if (p := before.summary_of(n).claim_percentile) is not None}
    return replace(extras, **found)


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
    from ..analysis import model as models
    from ..analysis import sensitivity
    from ..report import plots

    model = models.model_of(scenario)
    name = models.check_output(scenario, output)
    if kind in ("tornado", "spider"):
        doc = sensitivity.tornado(model, name, seed=seed, threads=threads).to_json()
        if doc["base"] is None or any(p["swing"] is None for p in doc["parameters"].values()):
            _need_finite(np.array([np.nan]), name, Path(scenario.file))
        if kind == "spider":
            return plots.spider(spider_doc(model, name, doc, seed, threads), lang=lang,
                                scenario=scenario)
        return plots.tornado(doc["parameters"], name, doc["base"], lang=lang, scenario=scenario)
    if kind == "voi":
        from ..analysis import voi

        doc = voi.value_of_information(model, name, iterations=50_000, seed=seed,
                                       threads=threads).to_json()
        return plots.voi_bars(doc, lang=lang, scenario=scenario)
    doc = sensitivity.sobol(model, name, base=SOBOL_BASE, seed=seed, threads=threads).to_json()
    return plots.sobol(doc["parameters"], name, lang=lang, scenario=scenario)


def _extras(result: Any, seed: int, threads: int | None, sensitivity: bool,
            sets: list[str], quiet: bool = False, variant: str | None = None) -> Any:
    """Break-even curve, and (when wanted and available) tornado, Sobol' and VOI documents."""
    from ..report import curves, html

    main = html.main_output(result)
    scenario = result.scenario
    found: dict[str, Any] = {"sets": tuple(sets)}
    rho = curves.rank_correlations(result, main)
    parameter = curves.break_even_parameter(scenario, rho)
    if parameter is not None and html.wants_break_even(result, main) \
            and not posterior.weighted(scenario):  # the curve cannot resample
        with status(f"break-even curve over {parameter}", quiet):
            found["break_even"] = curves.break_even_curve(
                scenario, main, parameter, iterations=min(result.iterations, 20_000),
                seed=seed, threads=threads)
    variants = variant_names(scenario.raw)
    if len(variants) >= 2 and variant is None:  # the variants side by side, same numbers
        from ..analysis.compare import compare

        with status("variants side by side", quiet):
            labelled = {v: api.load(scenario.file, overrides(sets), v) for v in variants}
            found["variants"] = compare(labelled, result.iterations, seed, ci=result.ci,
                                        threads=threads).to_json()
    if not sensitivity:
        return html.Extras(**found)
    try:  # the analyses live in their own modules; a report without them is still a report
        from ..analysis import model as models
        from ..analysis import sensitivity as sa
        from ..analysis import voi
    except ImportError:
        return html.Extras(**found)
    model = models.model_of(scenario)
    steps: dict[str, Callable[[], dict[str, Any]]] = {
        "tornado": lambda: sa.tornado(model, main, seed=seed, threads=threads).to_json(),
        "sobol": lambda: sa.sobol(model, main, base=SOBOL_BASE, seed=seed,
                                  threads=threads).to_json(),
    }
    if main.startswith("net_benefit"):  # VOI's decision: go ahead when net benefit > 0
        steps["voi"] = lambda: voi.value_of_information(
            model, main, iterations=min(result.iterations, 100_000), seed=seed,
            threads=threads).to_json()
    for key, step in steps.items():
        try:
            with status(f"{key} of {main}", quiet):
                found[key] = step()
        except OnzekerheidError as exc:
            err.print(f"[yellow]note:[/] the report leaves out {key}: {clean(exc)}",
                      soft_wrap=True)
    if "tornado" in found:
        try:
            with status("spider plot of the main assumptions", quiet):
                found["spider"] = spider_doc(model, main, found["tornado"], seed, threads)
        except OnzekerheidError as exc:
            err.print(f"[yellow]note:[/] the report leaves out the spider plot: "
                      f"{clean(exc)}", soft_wrap=True)
        try:
            with status("switching values of the two main assumptions", quiet):
                found["switching"] = _switching(model, main, found["tornado"], seed, threads)
        except OnzekerheidError as exc:
            err.print(f"[yellow]note:[/] the report leaves out switching values: "
                      f"{clean(exc)}", soft_wrap=True)
    return html.Extras(**found)


SPIDER_PERCENTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def spider_doc(model: Any, output: str, tornado: dict[str, Any], seed: int,
               threads: int | None, top: int = 6) -> dict[str, Any]:
    """The output with each of the ``top`` widest tornado assumptions at its 5th, 25th, 50th,
    75th and 95th percentile, the others at their medians.

    As in the tornado (same seed, same case draws in every setting), a model with per-case
    randomness is averaged over ``TORNADO_CASE_ITERATIONS`` rows per setting.
    """
    import numpy as np

    from ..analysis.model import evaluate
    from ..analysis.sensitivity import TORNADO_CASE_ITERATIONS

    ranked = sorted(tornado["parameters"].items(), key=lambda kv: -abs(kv[1]["swing"] or 0.0))
    names = [n for n, _ in ranked[:top] if n in model.names]
    medians = np.array([float(d.ppf(0.5)) for d in model.dists])
    settings = [medians.copy()]
    inputs: dict[str, list[float]] = {}
    for name in names:
        i = model.names.index(name)
        inputs[name] = [float(model.dists[i].ppf(q)) for q in SPIDER_PERCENTILES]
        for value in inputs[name]:
            row = medians.copy()
            row[i] = value
            settings.append(row)
    m = TORNADO_CASE_ITERATIONS if model.stochastic else 1
    rows = np.repeat(np.array(settings), m, axis=0)
    keys = np.tile(np.arange(m, dtype=np.int64), len(settings)) if model.has_cases else None
    f = evaluate(model, [output], {n: rows[:, j] for j, n in enumerate(model.names)},
                 len(rows), seed, case_keys=keys, threads=threads)[:, 0]
    means = f.reshape(len(settings), m).mean(axis=1)
    k = len(SPIDER_PERCENTILES)
    return {"output": output, "base": float(means[0]), "percentiles": list(SPIDER_PERCENTILES),
            "parameters": {name: {"inputs": inputs[name],
                                  "outputs": [float(v) for v in means[1 + j * k:1 + (j + 1) * k]]}
                           for j, name in enumerate(names)}}


def _switching(model: Any, output: str, tornado: dict[str, Any], seed: int,
               threads: int | None) -> dict[str, Any]:
    """Switching values (median of ``output`` reaching 0) of the two widest tornado bars."""
    from ..analysis.switching import switching_values

    ranked = sorted(tornado["parameters"].items(), key=lambda kv: -abs(kv[1]["swing"] or 0.0))
    top = [name for name, _ in ranked[:2] if name in model.names]
    dists = tuple(model.dists[model.names.index(n)] for n in top)
    if not top:
        return {}
    subset = replace(model, names=tuple(top), dists=dists)
    return switching_values(subset, output, iterations=2**12, seed=seed,
                            threads=threads).to_json()
