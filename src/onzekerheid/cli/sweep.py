"""``sweep`` (outputs over a grid of parameter values) and ``compare`` (variants or files side
by side, with the distribution of their difference)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.table import Table

from .. import api
from ..errors import Problem, ScenarioError
from ..report import files, numbers, strict_json
from ..report.guard import Guard
from ..report.i18n import label_of, unit_of
from ..report.terminal import clean, number, percent
from .app import (
    Ci,
    Iterations,
    Json,
    Quiet,
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
    progress_bar,
    user_errors,
)

PLOT_FORMATS = {".png", ".pdf", ".svg"}
PROBABILITIES = {"p_positive", "claim_percentile"}
VARY_HINT = "e.g. --vary worker_cost=60000:90000:7 or --vary worker_cost=60000,75000,90000"
MAX_COUNT_DIGITS = 9  # a COUNT longer than this is refused unread (MAX_GRID_POINTS is 10**6)


def parse_vary(texts: Sequence[str]) -> dict[str, tuple[float, ...]]:
    """Repeated ``--vary`` options as the API's grid (name -> values).

    Each is ``NAME=START:STOP:COUNT`` (COUNT evenly spaced values, both ends included) or
    ``NAME=v1,v2,...``. Every option is read and the grid's size checked (a name given twice,
    more than ``api.MAX_GRID_POINTS`` combinations) before any range is laid out, so
    ``--vary x=1:2:100000000`` allocates nothing.
    """
    specs = [_vary_spec(text) for text in texts]
    names = [name for name, _, _ in specs]
    for name in names:
        if names.count(name) > 1:
            raise ScenarioError(Problem(f"--vary: '{name}' is varied twice",
                                        hint="give each name once, with all its values"))
    size = math.prod(count for _, count, _ in specs)
    if size > api.MAX_GRID_POINTS:
        raise ScenarioError(Problem(f"--vary: the grid has {size:,} points, more than "
                                    f"{api.MAX_GRID_POINTS:,}", hint="use fewer values per name"))
    return {name: make() for name, _, make in specs}


def _vary_spec(text: str) -> tuple[str, int, Callable[[], tuple[float, ...]]]:
    """One ``--vary``: its name, its number of values, and how to make them."""
    name, sep, spec = text.partition("=")
    name, spec = name.strip(), spec.strip()
    if not sep or not name or not spec:
        raise ScenarioError(Problem(f"--vary {text!r}: expected NAME=START:STOP:COUNT or "
                                    "NAME=v1,v2,...", hint=VARY_HINT))
    try:
        if ":" in spec:
            start, stop, count = _range(spec)
            return name, count, lambda: tuple(np.linspace(start, stop, count).tolist())
        values = tuple(_finite(v) for v in spec.split(","))
    except ValueError as exc:
        raise ScenarioError(Problem(f"--vary {text!r}: {exc}", hint=VARY_HINT)) from None
    return name, len(values), lambda: values


def _range(spec: str) -> tuple[float, float, int]:
    parts = spec.split(":")
    if len(parts) != 3:
        raise ValueError("a range needs exactly START:STOP:COUNT")
    start, stop = _finite(parts[0]), _finite(parts[1])
    count = parts[2].strip()
    if not (count.isascii() and count.isdigit() and len(count) <= MAX_COUNT_DIGITS
            and 1 <= int(count) <= api.MAX_GRID_POINTS):  # before anything is allocated
        raise ValueError(f"COUNT must be a whole number in 1..{api.MAX_GRID_POINTS:,}, got "
                         f"{parts[2]!r}")
    return start, stop, int(count)


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("every value must be a number") from None
    if not math.isfinite(value):
        raise ValueError("values must be finite numbers")
    return value


@app.command("sweep")
def sweep_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Scenario file (TOML).", show_default=False)],
    vary: Annotated[list[str], typer.Option(
        "--vary", help="NAME=START:STOP:COUNT or NAME=v1,v2,... Repeatable: a full grid.",
        show_default=False)],
    iterations: Iterations = api.DEFAULT_ITERATIONS,
    seed: Seed = api.DEFAULT_SEED,
    ci: Ci = 0.90,
    set_: Sets = None,
    variant: Variant = None,
    json_: Json = False,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output-file", help="Write one row per grid point and output (.csv or "
        ".parquet).")] = None,
    plot: Annotated[Path | None, typer.Option(
        "--plot", help="Plot --stat of --output-name over one varied name (line with band) or "
        "two (heatmap): .png, .pdf or .svg.")] = None,
    stat: Annotated[str, typer.Option(
        "--stat", help="Statistic to plot and show: mean, median, p_positive, "
        "claim_percentile, sd, low, high, mcse.")] = "p_positive",
    output_name: Annotated[str | None, typer.Option(
        "--output", "--output-name", help="The output to plot and show (default: the decision "
        "output and the claimed ones shown, the decision output plotted).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Show every output, not only the "
                                       "decision output and the claimed ones.")] = False,
    threads: Threads = None,
    scheduler: Scheduler = None,
    quiet: Quiet = False,
) -> None:
    """Every output over a grid of parameter values, with common random numbers (one seed)."""
    session = ctx.ensure_object(Session)
    with user_errors():
        _not_a_file(output_name)
        check_options(iterations, ci, seed, threads)
        axes = parse_vary(vary)
        _check_files(output, plot, len(axes), session.guard)
        scenario = session.load(file, overrides(set_), variant)
        total = math.prod(len(values) for values in axes.values())
        with progress_bar(total, quiet or json_) as advance:
            result = api.sweep(scenario, axes, iterations, seed, ci=ci, threads=threads,
                           scheduler=scheduler, progress=advance)
        if output_name is not None and output_name not in result.outputs:
            raise ScenarioError(f"--output {output_name}: not an output of {file}; outputs: "
                                f"{', '.join(result.outputs)}")
        listed = (result.outputs if all_ else
                  api.decision_outputs(result.scenario, result.outputs, most=len(result.outputs)))
        shown = listed if output_name is None else (output_name,)
        name = output_name or api.main_of(result.scenario, result.outputs)
        values = result.statistic(name, stat)  # checks the names before anything is written
        if output is not None:
            files.write_table(result.table(), output, session.guard)
        if plot is not None:
            plot_sweep(result, name, stat, values, plot, session.guard)
        if json_:
            print(strict_json.dumps(result.to_json(), indent=2))
        else:
            _render_sweep(result, shown, stat, (output, plot))


def _check_files(output: Path | None, plot: Path | None, varied: int, guard: Guard) -> None:
    """The table (``-o``) and figure (``--plot``) files writable, and a plot drawable."""
    if output is not None:
        files.check_target(output, files.TABLE_FORMATS, "-o", guard)
    if plot is not None:
        files.check_target(plot, PLOT_FORMATS, "--plot", guard)
        if varied > 2:
            raise ScenarioError(f"--plot: {varied} names are varied; a plot shows one "
                                "(line) or two (heatmap): leave --plot out or vary fewer")


def _render_sweep(result: api.SweepResult, shown: Sequence[str], stat: str,
                  written: tuple[Path | None, ...]) -> None:
    """A table per shown output, the run's note, and the files written."""
    for shown_name in shown:
        out.print(sweep_table(result, shown_name, stat))
    hidden = len(result.outputs) - len(shown)
    out.print(f"{result.iterations:,} iterations per point, seed {result.seed} at every "
              "point (common random numbers)"
              + (f"; {hidden} more outputs with --all" if hidden > 0 else ""), style="dim")
    for path in written:
        if path is not None:
            out.print(f"written: {clean(path)}", style="dim")


def sweep_table(result: api.SweepResult, name: str, stat: str) -> Table:
    """One row per grid point: the varied values, mean, interval, P(> 0) and ``stat``."""
    unit = unit_of(result.scenario, name)
    table = Table(title=clean(f"{result.scenario.title}: {label_of(result.scenario, name, 'en')}"
                               f" ({name})"), title_justify="left")
    for axis in result.axes:
        table.add_column(clean(axis.name), justify="right")
    for column in ("mean", f"{result.ci:.0%} interval", "P(> 0)"):
        table.add_column(column, justify="right")
    extra = stat not in ("mean", "p_positive")
    if extra:
        table.add_column(stat, justify="right")
    never = [n.get(name) for n in result.never] if result.never else []
    if any(share is not None for share in never):
        table.add_column("never pays back", justify="right")
    for i, (values, summaries) in enumerate(zip(result.points, result.summaries, strict=True)):
        s = summaries[name]
        row = [number(values[a.name]) for a in result.axes]
        row += [numbers.estimate(s.mean, s.mcse, unit, "en"),
                numbers.interval(s.low, s.high, unit, "en", (s.low_mcse, s.high_mcse)),
                numbers.percent(s.p_positive, "en")]
        if extra:
            value = getattr(s, stat)  # +inf (never pays back) shown as such, not as null
            row.append(percent(value) if stat in PROBABILITIES else number(value))
        if any(share is not None for share in never):
            row.append(numbers.percent(never[i], "en"))
        table.add_row(*row)
    return table


def plot_sweep(result: api.SweepResult, name: str, stat: str, values: np.ndarray, path: Path,
               guard: Guard | None = None) -> None:
    """A line with a band (one varied name) or a heatmap (two), written atomically.

    Band: for ``mean``/``median`` the output's ``ci`` interval (``low``..``high``) at each
    point; for a probability ``p`` the Monte Carlo interval ``p +- 2 sqrt(p (1-p) / n)``; for
    other statistics no band.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    if len(result.axes) == 1:
        x = np.asarray(result.axes[0].values)
        ax.plot(x, values, marker="o", color="C0", label=f"{stat} of {name}")
        band = _band(result, name, stat, values)
        if band is not None:
            ax.fill_between(x, band[0], band[1], color="C0", alpha=0.2, label=band[2])
        ax.set_xlabel(result.axes[0].name)
        ax.set_ylabel(f"{stat}({name})")
        ax.legend(loc="best")
        ax.grid(alpha=0.3)
    else:
        x, y = (np.asarray(a.values) for a in result.axes)
        mesh = ax.pcolormesh(y, x, values, shading="nearest", cmap="viridis")
        fig.colorbar(mesh, ax=ax, label=f"{stat}({name})")
        if stat in PROBABILITIES and min(values.shape) > 1:
            lines = ax.contour(y, x, values, levels=[0.5, 0.9], colors="white", linewidths=1)
            ax.clabel(lines, fmt="%.1f")
        ax.set_xlabel(result.axes[1].name)
        ax.set_ylabel(result.axes[0].name)
    ax.set_title(f"{result.scenario.title}\n{result.iterations:,} iterations per point, "
                 f"seed {result.seed}", fontsize=9)
    try:
        files.write_atomic(path, lambda p: fig.savefig(p, format=path.suffix[1:].lower(),
                                                       dpi=120), guard)
    finally:
        plt.close(fig)


def _band(result: api.SweepResult, name: str, stat: str, values: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray, str] | None:
    if stat in ("mean", "median"):
        return (result.statistic(name, "low"), result.statistic(name, "high"),
                f"{result.ci:.0%} interval of {name}")
    if stat in PROBABILITIES:
        half = 2.0 * np.sqrt(values * (1.0 - values) / result.iterations)
        return values - half, values + half, "± 2 Monte Carlo standard errors"
    return None


@app.command("compare")
def compare_command(
    ctx: typer.Context,
    files_: Annotated[list[Path], typer.Argument(
        help="One file (compare its variants) or several files.", show_default=False)],
    iterations: Iterations = api.DEFAULT_ITERATIONS,
    seed: Seed = api.DEFAULT_SEED,
    ci: Ci = 0.90,
    set_: Sets = None,
    variant: Annotated[list[str] | None, typer.Option(
        "--variant", help="With one file: compare only these variants. Repeatable.")] = None,
    baseline: Annotated[str | None, typer.Option(
        "--baseline", help="Label differences are taken from (default: the first).")] = None,
    output_name: Annotated[str | None, typer.Option(
        "--output", "--output-name", help="Show only this output.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Show every output, not only the "
                                       "decision output and the claimed ones.")] = False,
    json_: Json = False,
    threads: Threads = None,
    scheduler: Scheduler = None,
) -> None:
    """Variants of one file, or several files, side by side on the same seed, with the
    distribution of each one's difference from the baseline (common random numbers)."""
    session = ctx.ensure_object(Session)
    with user_errors():
        _not_a_file(output_name)
        check_options(iterations, ci, seed, threads)
        scenarios = _compared(session, files_, overrides(set_), variant or [])
        result = api.compare(scenarios, iterations, seed, ci=ci, baseline=baseline, threads=threads,
                         scheduler=scheduler)
        if output_name is not None and output_name not in result.outputs:
            raise ScenarioError(f"--output {output_name}: not an output in common; "
                                f"outputs: {', '.join(result.outputs)}")
        if json_:
            print(strict_json.dumps(result.to_json(), indent=2))
            return
        first = result.results[result.baseline]
        listed = (list(result.outputs) if all_ else
                  api.decision_outputs(first.scenario, list(result.outputs),
                                   most=len(result.outputs)))
        shown = listed if output_name is None else [output_name]
        for name in shown:
            out.print(compare_table(result, name))
            out.print(difference_table(result, name))
        hidden = len(result.outputs) - len(shown)
        out.print(f"{first.iterations:,} iterations, seed {first.seed} for every scenario "
                  "(common random numbers); P(higher) = share of iterations in which the "
                  "scenario's value is above the baseline's"
                  + (f"; {hidden} more outputs with --all" if hidden > 0 else ""), style="dim")


def _compared(session: Session, files_: list[Path], sets: dict[str, Any], variants: list[str]
              ) -> dict[str, api.Scenario]:
    """The scenarios to compare, by label: one file's variants (those named, else all), or
    several files as written (labelled by their names)."""
    if len(files_) == 1:
        base = session.load(files_[0], sets)
        names = list(variants) or list(base.variants)
        if len(names) < 2:
            raise ScenarioError(f"compare {files_[0]}: needs two or more variants; add "
                                "[variants.NAME] sections, or give two or more files")
        return {n: api.with_variant(base, n) for n in names}
    if variants:
        raise ScenarioError("--variant: only with one file; with several files each "
                            "is compared as written")
    scenarios = {}
    for path in files_:
        label = path.stem if path.stem not in scenarios else str(path)
        scenarios[label] = session.load(path, sets)
    return scenarios


def _not_a_file(name: str | None) -> None:
    """``--output`` names an output; a file name there is a mistake with a clear fix."""
    if name is not None and Path(name).suffix.lower() in (".csv", ".parquet", ".json"):
        raise ScenarioError(f"--output {name}: --output names the output to show; write a "
                            f"file with -o {name}")


def compare_table(result: api.Comparison, name: str) -> Table:
    """One row per scenario: its summary of ``name``, in the output's unit."""
    first = next(iter(result.results.values()))
    level = f"{first.ci:.0%}"
    unit = unit_of(first.scenario, name)
    table = Table(title=clean(f"{label_of(first.scenario, name, 'en')} ({name})"),
                  title_justify="left")
    table.add_column("scenario", no_wrap=True)
    for column in ("mean", "median", f"{level} interval", "P(> 0)", "claim pct"):
        table.add_column(column, justify="right")
    never = result.never() if name == "payback_year" else {}
    if never:
        table.add_column("never pays back", justify="right")
    for label, run in result.results.items():
        s = run.summary_of(name)
        table.add_row(clean(label), numbers.estimate(s.mean, s.mcse, unit, "en"),
                      numbers.estimate(s.median, s.median_mcse, unit, "en"),
                      numbers.interval(s.low, s.high, unit, "en", (s.low_mcse, s.high_mcse)),
                      numbers.percent(s.p_positive, "en"),
                      numbers.percent(s.claim_percentile, "en"),
                      *([numbers.percent(never[label], "en")] if never else []))
    return table


def difference_table(result: api.Comparison, name: str) -> Table:
    """One row per non-baseline scenario: the paired difference from the baseline."""
    first = next(iter(result.results.values()))
    level = f"{first.ci:.0%}"
    unit = unit_of(first.scenario, name)
    table = Table(title=clean(f"{name}: scenario − {result.baseline}, per iteration"),
                  title_justify="left")
    table.add_column("scenario", no_wrap=True)
    for column in ("mean", "median", f"{level} interval", "P(higher)"):
        table.add_column(column, justify="right")
    for label in result.labels:
        if label != result.baseline:
            d = result.difference_summary(label, name)
            table.add_row(clean(label), numbers.quantity(d.mean, unit, "en"),
                          numbers.quantity(d.median, unit, "en"),
                          numbers.interval(d.low, d.high, unit, "en"),
                          numbers.percent(d.p_positive, "en"))
    return table
