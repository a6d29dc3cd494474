"""`sensitivity`, `voi` and `switching`: which inputs drive an output, and what is worth knowing."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from .. import api
from ..errors import ScenarioError
from ..report import files, strict_json
from ..report.guard import Guard
from ..report.i18n import label_of, unit_of
from ..report.numbers import estimate, quantity, standard_error
from ..report.terminal import clean, number
from .app import (
    MAX_YEARS,
    FileArg,
    Json,
    Prior,
    Scheduler,
    Seed,
    Session,
    Sets,
    Threads,
    Variant,
    app,
    check_options,
    out,
    overrides,
    status,
    user_errors,
)

METHODS = api.SENSITIVITY_METHODS
Output = Annotated[str | None, typer.Option(
    "--output", help="The output to analyse (default net_benefit, else the first).")]
OutputFile = Annotated[Path | None, typer.Option(
    "-o", "--output-file", help="Also write the JSON document to this .json file.",
    show_default=False)]


def _emit(doc: dict[str, Any], json_: bool, output_file: Path | None, guard: Guard) -> bool:
    """Write ``doc`` to ``-o`` (atomically) and/or stdout; True when the table is not wanted."""
    text = strict_json.dumps(doc, indent=2)
    if output_file is not None:
        files.write_text(text + "\n", output_file, guard)
    if json_:
        print(text)
    return json_


def _check_file(output_file: Path | None, guard: Guard) -> None:
    if output_file is not None:
        files.check_target(output_file, {".json"}, "-o", guard)


def _who(scenario: Any, name: str) -> str:
    """A parameter as the terminal shows it: its label and, when different, its name."""
    label = label_of(scenario, name, "en")
    return clean(name if label == name.replace("_", " ") else f"{label} ({name})")


@app.command()
def sensitivity(
    ctx: typer.Context,
    file: FileArg,
    output: Output = None,
    method: Annotated[str, typer.Option(
        "--method", "-m", help="sobol | tornado | rank | regional.")] = "sobol",
    iterations: Annotated[int | None, typer.Option(
        "-n", "--iterations", help="Sobol: base sample size, a power of two (default 16384); "
        "rank/regional: iterations (default 100000); tornado: rows averaged per setting when "
        "the scenario has per-case randomness (default 4096).")] = None,
    threshold: Annotated[float, typer.Option(
        "--threshold", help="regional: split iterations at output < THRESHOLD.")] = 0.0,
    seed: Seed = api.DEFAULT_SEED,
    set_: Sets = None,
    variant: Variant = None,
    json_: Json = False,
    threads: Threads = None,
    output_file: OutputFile = None,
    scheduler: Scheduler = None,
    prior: Prior = False,
) -> None:
    """Which inputs drive an output: Sobol' indices, tornado, rank correlations or regional."""
    session = ctx.ensure_object(Session)
    with user_errors():
        check_options(1 if iterations is None else iterations, 0.9, seed, threads)
        if method not in METHODS:
            raise ScenarioError(f"--method {method!r}: use one of {', '.join(METHODS)}")
        _check_file(output_file, session.guard)
        scenario = session.load(file, overrides(set_), variant, prior=prior)
        name = api.check_output(scenario, output)
        with status(f"{method} sensitivity of {name}", json_):
            result = api.sensitivity(scenario, name, method=method, iterations=iterations,
                                     threshold=threshold, seed=seed, threads=threads,
                                     scheduler=scheduler)
        doc = result.to_json()
        if _emit(doc, json_, output_file, session.guard):
            return
        _render_sensitivity(doc, scenario)


@app.command()
def voi(
    ctx: typer.Context,
    file: FileArg,
    output: Output = None,
    group: Annotated[list[str] | None, typer.Option(
        "--group", help="A named group of parameters learnt together: NAME=a,b,c. "
        "Repeatable.")] = None,
    population: Annotated[float, typer.Option(
        "--population", help="Units the decision applies to (e.g. schools).")] = 1.0,
    years: Annotated[int, typer.Option(
        "--years", help="Years the decision applies; year t = 0, 1, ... is discounted by "
        "(1 + discount)^-t, so the first year is not discounted.")] = 1,
    discount: Annotated[float, typer.Option(
        "--discount", help="Yearly discount rate for --years (a fraction: 0.0225 for 2.25%); "
        "the first year undiscounted.")] = 0.0225,
    iterations: Annotated[int, typer.Option("-n", "--iterations")] = 100_000,
    seed: Seed = api.DEFAULT_SEED,
    set_: Sets = None,
    variant: Variant = None,
    json_: Json = False,
    threads: Threads = None,
    output_file: OutputFile = None,
    scheduler: Scheduler = None,
    prior: Prior = False,
) -> None:
    """Expected value of perfect (and partial perfect) information: what research is worth."""
    session = ctx.ensure_object(Session)
    with user_errors():
        check_options(iterations, 0.9, seed, threads)
        if not (0 < population < math.inf and 1 <= years <= MAX_YEARS and 0 <= discount < 1):
            raise ScenarioError(f"--population must be a finite number > 0, --years in "
                                f"1..{MAX_YEARS} and --discount in 0..1, got {population:g}, "
                                f"{years}, {discount:g}")
        groups = dict(_group(text) for text in group or [])
        _check_file(output_file, session.guard)
        scenario = session.load(file, overrides(set_), variant, prior=prior)
        name = api.check_output(scenario, output)
        with status(f"value of information for {name}", json_):
            result = api.value_of_information(
                scenario, name, groups=groups, iterations=iterations, population=population,
                years=years, discount=discount, seed=seed, threads=threads, scheduler=scheduler)
        doc = result.to_json()
        if not _emit(doc, json_, output_file, session.guard):
            _render_voi(doc, scenario, name)


def _render_voi(doc: dict[str, Any], scenario: Any, name: str) -> None:
    """The ``voi`` document as a table of EVPPI per parameter or group, then the decision,
    the scale, the warnings and the studies."""
    table = Table(title=f"{clean(scenario.title)}: value of information on {clean(name)}",
                  title_justify="left")
    table.add_column("parameter or group")
    table.add_column("EVPPI", justify="right")
    table.add_column("MCSE", justify="right")
    table.add_column("share of EVPI", justify="right")
    unit = unit_of(scenario, name)
    table.add_row("[b]all (EVPI)[/]", *_with_error(doc["evpi"], doc["evpi_mcse"], unit),
                  "100%")
    entries = list(doc["groups"].items()) + sorted(
        doc["parameters"].items(), key=lambda kv: -(kv[1]["evppi"] or 0.0))
    for key, entry in entries:
        share = entry["evppi"] / doc["evpi"] if doc["evpi"] > 0 else 0.0
        who = _who(scenario, key) if key in scenario.parameters else clean(key)
        table.add_row(who, *_with_error(entry["evppi"], entry.get("evppi_mcse"), unit),
                      f"{share:.0%}")
    out.print(table)
    scale = doc["scale"]
    out.print(f"decision: {clean(doc['decision'])} (expected {number(doc['expected'])}); "
              f"{doc['iterations']:,} iterations, EVPI MCSE {number(doc['evpi_mcse'], 2)}; "
              f"scaled by {number(scale['factor'])} (population {scale['population']:g}, "
              f"{scale['years']} years at {scale['discount']:.2%}, the first "
              "undiscounted)", style="dim")
    for warning in doc["warnings"]:
        out.print(f"[yellow]warning:[/] {clean(warning)}")
    if doc.get("studies"):
        _render_studies(doc["studies"], unit)


@app.command()
def switching(
    ctx: typer.Context,
    file: FileArg,
    output: Output = None,
    target: Annotated[str, typer.Option(
        "--target", help="zero, claim, or a number.")] = "zero",
    statistic: Annotated[str, typer.Option(
        "--statistic", help="median (P(output > target) = 1/2) or mean.")] = "median",
    target_probability: Annotated[float | None, typer.Option(
        "--target-probability", help="Goal seek: the value at which P(output >= target) "
        "equals this, e.g. 0.9.")] = None,
    target_quantile: Annotated[float | None, typer.Option(
        "--target-quantile", help="Goal seek: the value at which this quantile of the output "
        "equals the target, e.g. 0.1.")] = None,
    iterations: Annotated[int, typer.Option("-n", "--iterations")] = 2**14,
    seed: Seed = api.DEFAULT_SEED,
    set_: Sets = None,
    variant: Variant = None,
    json_: Json = False,
    threads: Threads = None,
    output_file: OutputFile = None,
    scheduler: Scheduler = None,
    prior: Prior = False,
) -> None:
    """Switching values: per parameter, the value at which the conclusion changes."""
    session = ctx.ensure_object(Session)
    with user_errors():
        check_options(iterations, 0.9, seed, threads)
        _check_file(output_file, session.guard)
        statistic, level = _goal(statistic, target_probability, target_quantile)
        scenario = session.load(file, overrides(set_), variant, prior=prior)
        name = api.check_output(scenario, output)
        value, label = _target(target, scenario.claims.get(name), name)
        with status(f"switching values of {name}", json_):
            result = api.switching_values(
                scenario, name, target=value, target_label=label, statistic=statistic,
                iterations=iterations, seed=seed, threads=threads, scheduler=scheduler,
                quantile=level, warnings=tuple(api.switching_warnings(scenario, name, label)))
        doc = result.to_json()
        if _emit(doc, json_, output_file, session.guard):
            return
        what = (f"the {clean(statistic)} of {clean(name)} crosses" if statistic != "quantile"
                else f"P({clean(name)} >= target) reaches {1 - level:.3g} as the output")
        table = Table(title=f"{clean(scenario.title)}: where {what} {number(value)} ({label})",
                      title_justify="left")
        for column in ("parameter", "point", "plausible range (1%–99%)", "switching value",
                       "MCSE"):
            table.add_column(column, justify="left" if column == "parameter" else "right")
        # most fragile first: a switch near the middle of the plausible range (percentile
        # closest to 50), then switches further out, then parameters that never switch
        ranked = sorted(doc["parameters"].items(), key=lambda kv: (
            kv[1]["quantile"] is None, abs((kv[1]["quantile"] or 0.0) - 0.5)))
        for key, entry in ranked:
            low, high = entry["range"]
            table.add_row(_who(scenario, key), number(entry["point"]),
                          f"{number(low)} – {number(high)}", clean(entry["message"]),
                          number(entry["mcse"], 2))
        out.print(table)
        for warning in doc["warnings"]:
            out.print(f"[yellow]note:[/] {clean(warning)}")


def _goal(statistic: str, probability: float | None, quantile: float | None
          ) -> tuple[str, float]:
    """``(statistic, quantile sought)`` from --statistic and the two goal-seek options."""
    if probability is not None and quantile is not None:
        raise ScenarioError("--target-probability and --target-quantile ask the same question "
                            "(P = 1 - q); give one of them")
    given = probability if probability is not None else quantile
    if given is None:
        return statistic, 0.5
    flag = "--target-probability" if probability is not None else "--target-quantile"
    if not 0.0 < given < 1.0:
        raise ScenarioError(f"{flag} must lie strictly between 0 and 1, got {given:g}")
    if statistic != "median":
        raise ScenarioError(f"{flag} seeks a quantile; it cannot be combined with "
                            f"--statistic {statistic}")
    return "quantile", 1.0 - given if probability is not None else given


def _with_error(value: float | None, mcse: float | None, unit: str) -> tuple[str, str]:
    """A Monte Carlo estimate in its unit, rounded to what its MCSE justifies, and the MCSE."""
    return (clean(estimate(value, mcse, unit, "en")),
            clean(standard_error(mcse, value, "en")))


def _render_studies(studies: dict[str, Any], unit: str) -> None:
    from ..report.studies import study_sentence

    for name, entry in studies.items():
        table = Table(title=f"study {clean(name)}: {clean(entry['likelihood'])} on "
                      f"{clean(entry['parameter'])}",
                      title_justify="left")
        for column in ("size", "EVSI", "± MCSE", "cost", "ENBS"):
            table.add_column(column, justify="right")
        for i, size in enumerate(entry["sizes"]):
            best = "[b]" if size == entry["optimal_size"] else ""
            evsi, mcse = entry["evsi"][i], entry["evsi_mcse"][i]
            enbs = clean(estimate(entry["enbs"][i], mcse, unit, "en"))  # EVSI's error
            table.add_row(f"{best}{size}", *_with_error(evsi, mcse, unit),
                          clean(quantity(entry["cost"][i], unit, "en")), f"{best}{enbs}")
        out.print(table)
        out.print(clean(study_sentence(name, entry, "en")))


def _group(text: str) -> tuple[str, list[str]]:
    name, _, members = text.partition("=")
    parts = [m.strip() for m in members.split(",") if m.strip()]
    if not name.strip() or not parts:
        raise ScenarioError(f"--group {text!r}: expected NAME=a,b,c", )
    return name.strip(), parts


def _target(text: str, claim: float | None, output: str) -> tuple[float, str]:
    if text == "zero":
        return 0.0, "zero"
    if text == "claim":
        if claim is None:
            raise ScenarioError(f"--target claim: {output} has no [claim]; give a number")
        return claim, "claim"
    try:
        value = float(text)
    except ValueError:
        raise ScenarioError(f"--target {text!r}: use zero, claim or a number") from None
    if not math.isfinite(value):
        raise ScenarioError(f"--target {text!r}: must be a finite number (or zero, claim)")
    return value, "value"


# the key each method's table is sorted by, largest first (by absolute value)
SORT_KEY = {"sobol": "total", "tornado": "swing", "rank": "spearman", "regional": "ks"}


def _render_sensitivity(doc: dict[str, Any], scenario: Any) -> None:
    title = scenario.title  # cleaned where it is printed
    unit = unit_of(scenario, doc["output"])
    method = doc["method"]
    # (heading, field) per column; a (low, high) pair of fields makes an interval cell
    by_method: dict[str, list[tuple[str, str | tuple[str, str]]]] = {
        "sobol": [("first", "first"), ("first 95%", ("first_low", "first_high")),
                  ("total", "total"), ("total 95%", ("total_low", "total_high"))],
        "tornado": [("at 5th pct", "low"), ("at 95th pct", "high"), ("swing", "swing")],
        "rank": [("Spearman", "spearman"), ("partial (PRCC)", "prcc")],
        "regional": [("KS distance", "ks"), ("median below", "median_below"),
                     ("median above", "median_above")],
    }
    columns = by_method[method]
    table = Table(title=f"{clean(title)}: {method} sensitivity of {clean(doc['output'])}",
                  title_justify="left")
    table.add_column("parameter")
    for label, _ in columns:
        table.add_column(label, justify="right")
    key_of = SORT_KEY[method]
    ranked = sorted(doc["parameters"].items(),
                    key=lambda kv: -abs(kv[1].get(key_of) or 0.0))
    for key, entry in ranked:
        cells = []
        for _, field in columns:
            if isinstance(field, tuple):
                cells.append(f"{number(entry[field[0]], 2)} – {number(entry[field[1]], 2)}")
            elif field in ("low", "high", "swing", "median_below", "median_above"):
                cells.append(quantity(entry[field], unit, "en"))  # in the output's unit
            else:
                cells.append(number(entry[field], 3))
        table.add_row(_who(scenario, key), *cells)
    out.print(table)
    if method == "sobol":
        note = (f"Sobol' base sample {doc['iterations']:,} (a power of two), "
                f"{doc['evaluations']:,} model evaluations; {doc['estimator']}")
    elif method == "tornado":
        note = f"base (all at medians) {quantity(doc['base'], unit, 'en')}"
    elif method == "rank":
        note = f"{doc['iterations']:,} iterations"
    else:
        note = (f"threshold {doc['threshold']:g}: {doc['share_below']:.1%} of "
                f"{doc['iterations']:,} iterations below")
    out.print(clean(note), style="dim")
    for warning in doc.get("warnings", []):
        out.print(f"[yellow]warning:[/] {clean(warning)}")
