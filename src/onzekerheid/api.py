"""The Python API: what notebooks and the command line call.

>>> import onzekerheid as oz
>>> scenario = oz.load("scenarios/school_jeugdzorg.toml")
>>> result = oz.simulate(scenario, iterations=100_000, seed=1)
>>> result.summary()           # one row per output
>>> result.samples             # one row per iteration

Every workflow of the command line is a function here, returning a typed result: the CLI
parses options, calls one of these and renders what comes back. Errors name the Python
arguments (``scheduler``, ``output``, ...); the CLI renames them to its options.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .analysis import curves, posterior
from .analysis.checks import CheckOutcome, evaluate_checks
from .analysis.compare import Comparison, compare
from .analysis.convergence import Convergence, run_to_precision
from .analysis.decisions import (
    decision_outputs,
    main_of,
    no_decision_warning,
    switching_warnings,
    voi_warnings,
)
from .analysis.model import check_output, evaluate, model_of
from .analysis.result import PointResult, Result
from .analysis.sweep import MAX_POINTS as MAX_GRID_POINTS
from .analysis.sweep import Axis, Grid, SweepResult, sweep
from .engine import distributed, runner
from .errors import OnzekerheidError, ScenarioError, SimulationError, argument_error
from .plan import build_plan
from .report.curves import break_even_parameter, parameter_unit, rank_correlations
from .report.i18n import check_lang
from .scenario import Scenario
from .scenario import load as _load
from .scenario.checks import parse_check
from .scenario.loader import with_prior, with_variant
from .scenario.schema import scenario_schema

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .report.html import Extras

# the workflows the command line uses, as they are in the analysis layer
__all__ = [
    "DEFAULT_ITERATIONS", "DEFAULT_SEED", "MAX_GRID_POINTS", "Axis", "Comparison", "Grid",
    "Scenario", "SweepResult", "break_even_curve", "check", "check_output", "compare", "load",
    "parse_check",
    "point", "report_extras", "sensitivity", "simulate", "simulate_to_precision", "sweep",
    "switching_values", "switching_warnings", "value_of_information", "voi_warnings",
    "no_decision_warning", "with_variant", "scenario_schema", "spider_doc",
    "decision_outputs", "main_of", "Report", "report", "MAX_YEARS", "figure", "FIGURE_KINDS",
    "ANALYSIS_KINDS", "check_scale",
]

DEFAULT_ITERATIONS = 100_000
DEFAULT_SEED = runner.DEFAULT_SEED
MAX_YEARS = 1000  # voi/report years: a decision horizon; discounting shrinks later years anyway


def load(path: str | Path, overrides: dict[str, Any] | None = None,
         variant: str | None = None, *, allow_outside: bool = False,
         prior: bool = False) -> Scenario:
    """Read and validate a scenario file (see :func:`onzekerheid.scenario.load`); ``prior``
    leaves its ``[[evidence]]`` out, ``allow_outside`` lets case tables lie outside its folder.

    Every file it read is in ``scenario.inputs`` (a command protects them in its
    :class:`onzekerheid.report.guard.Guard`, so no output replaces them).
    """
    return _load(path, overrides, variant, allow_outside=allow_outside, prior=prior)


def simulate(
    scenario: Scenario,
    iterations: int = DEFAULT_ITERATIONS,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
    *,
    ci: float = 0.90,
    threads: int | None = None,
    store: Literal["all", "outputs"] = "all",
    chunk_blocks: int = runner.DEFAULT_CHUNK_BLOCKS,
    progress: Callable[[int], None] | None = None,
    scheduler: str | None = None,
) -> Result:
    """Monte Carlo simulation of a scenario.

    Parameters
    ----------
    scenario
        From :func:`load`.
    iterations
        Number of iterations (draws of every parameter).
    seed
        ``int`` (0 is a seed), a numpy ``Generator`` (one int is drawn from it) or ``None``
        (fresh entropy; the seed used is in ``result.seed``).
    ci
        Level of the equal-tailed interval reported as ``low``/``high``.
    threads
        Worker threads (default: all cores). The numbers do not depend on it.
    store
        ``"all"`` keeps random and expression parameters besides the outputs (what ``samples``
        shows); ``"outputs"`` keeps only outputs, so memory grows with outputs only.
    scheduler
        ``None`` (default): in-process threads. ``"local:N"`` or a dask scheduler address:
        chunks of iterations run as dask tasks (:mod:`onzekerheid.engine.distributed`), with
        bitwise the same result.

    Returns
    -------
    Result
        ``result.samples`` (pandas, iterations x columns), ``result.summary()``.
    """
    if not 0.0 < ci < 1.0:
        raise SimulationError(f"ci must lie strictly between 0 and 1, got {ci}")
    seed = runner.seed_from(seed)
    plan = build_plan(scenario)
    outputs = tuple(scenario.outputs)
    columns, extra = _stored_columns(scenario, store)
    keep = [plan.names.index(n) for n in columns + extra]
    run = functools.partial(runner.run, threads=threads) if scheduler is None else \
        functools.partial(distributed.run, scheduler=scheduler)
    data = run(plan, int(iterations), seed, keep, chunk_blocks=chunk_blocks, progress=progress)
    evidence = None
    if scenario.evidence:
        data, evidence = posterior.resample(scenario, data, columns + extra, seed)
        if extra:
            data = np.ascontiguousarray(data[:, :len(columns)])
    result = Result(scenario, int(iterations), seed, ci, data, columns, outputs)
    result.evidence = evidence
    return result


def _stored_columns(scenario: Scenario, store: Literal["all", "outputs"]
                    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The result's columns (with ``store="all"`` the random and expression parameters, then
    the outputs), and the parameters evidence weights that are kept for resampling only."""
    stored = ([n for n, p in scenario.parameters.items() if p.kind != "fixed" and not p.internal]
              if store == "all" else [])
    columns = tuple(stored) + tuple(scenario.outputs)
    extra = tuple(u.parameter for u in posterior.weighted(scenario) if u.parameter not in columns)
    return columns, extra


def point(scenario: Scenario) -> PointResult:
    """Evaluate once with every parameter at its ``point`` value: the published arithmetic."""
    plan = build_plan(scenario)
    row = runner.evaluate_points(plan)
    values = {name: float(row[i]) for i, name in enumerate(plan.names) if name}
    return PointResult(scenario, values, tuple(scenario.outputs))


def break_even_curve(scenario: Scenario, output: str, parameter: str,
                     values: np.ndarray | None = None, *, iterations: int = 20_000,
                     seed: int = DEFAULT_SEED, threshold: float = 0.0,
                     threads: int | None = None) -> curves.BreakEven:
    """P(output > threshold) as ``parameter`` varies (see
    :func:`onzekerheid.analysis.curves.break_even_curve`), with the unit the report writes the
    parameter's values in."""
    param = scenario.parameters.get(parameter)
    unit = parameter_unit(param) if param is not None else "number"
    return curves.break_even_curve(scenario, output, parameter, values, iterations=iterations,
                                   seed=seed, threshold=threshold, threads=threads, unit=unit)


def simulate_to_precision(
    scenario: Scenario,
    target: float,
    max_iterations: int = 10_000_000,
    seed: int = DEFAULT_SEED,
    *,
    ci: float = 0.90,
    threads: int | None = None,
    store: Literal["all", "outputs"] = "outputs",
    scheduler: str | None = None,
) -> tuple[Result, Convergence]:
    """:func:`simulate` with iterations added until every output's relative MCSEs (of the mean
    and the interval ends) are at most ``target`` or ``max_iterations`` is reached (see
    :func:`onzekerheid.analysis.convergence.run_to_precision`). The result carries what was
    reached in ``result.convergence``."""
    result, reached = run_to_precision(
        lambda n: simulate(scenario, n, seed, ci=ci, threads=threads, store=store,
                           scheduler=scheduler),
        tuple(scenario.outputs), target, max_iterations, ci)
    result.convergence = reached.to_json()
    return result, reached


@contextlib.contextmanager
def _on(scheduler: Any) -> Iterator[Any]:
    """One dask client for a whole analysis (None: in-process threads)."""
    if scheduler is None:
        yield None
        return
    with distributed.client_for(scheduler) as client:
        yield client


SENSITIVITY_METHODS = ("sobol", "tornado", "rank", "regional")


def sensitivity(scenario: Scenario, output: str | None = None, *, method: str = "sobol",
                iterations: int | None = None, threshold: float = 0.0,
                seed: int = DEFAULT_SEED, threads: int | None = None,
                scheduler: Any = None) -> Any:
    """Which inputs drive ``output`` (default: ``net_benefit``, else the first output).

    ``method``: ``sobol`` (``iterations`` is the base sample size, a power of two), ``tornado``
    (rows averaged per setting when the scenario has per-case randomness), ``rank`` or
    ``regional`` (split at ``output < threshold``); see :mod:`onzekerheid.analysis.sensitivity`.
    ``scheduler`` as for :func:`simulate`: bitwise the in-process numbers.
    """
    from .analysis import sensitivity as sa  # lazy (LAZY in tests/test_architecture.py)

    if method not in SENSITIVITY_METHODS:
        raise argument_error("method", repr(method),
                             f"use one of {', '.join(SENSITIVITY_METHODS)}")
    name = check_output(scenario, output)
    with _on(scheduler) as client:
        model = model_of(scenario, client)
        if method == "sobol":
            return sa.sobol(model, name, base=iterations or sa.DEFAULT_BASE, seed=seed,
                            threads=threads)
        if method == "tornado":
            return sa.tornado(model, name, seed=seed, threads=threads,
                              case_iterations=iterations or sa.TORNADO_CASE_ITERATIONS)
        if method == "rank":
            return sa.rank(model, name, iterations=iterations or 100_000, seed=seed,
                           threads=threads)
        return sa.regional(model, name, threshold, iterations=iterations or 100_000, seed=seed,
                           threads=threads)


def check_scale(population: float, years: int, discount: float = 0.0) -> None:
    """Refuse a scale of the value of information no decision has: ``population`` a finite
    number > 0, ``years`` in 1..``MAX_YEARS``, ``discount`` in [0, 1)."""
    if not 0 < population < math.inf:
        raise argument_error("population", None, f"must be a finite number > 0, got "
                             f"{population:g}")
    if not 1 <= years <= MAX_YEARS:
        raise argument_error("years", years, f"must lie in 1..{MAX_YEARS}")
    if not 0 <= discount < 1:
        raise argument_error("discount", f"{discount:g}", "must lie in 0..1 (a yearly rate: "
                             "0.0225 for 2.25%)")


def value_of_information(scenario: Scenario, output: str | None = None, *,
                         groups: dict[str, list[str]] | None = None, iterations: int = 100_000,
                         population: float = 1.0, years: int = 1, discount: float = 0.0225,
                         seed: int = DEFAULT_SEED, threads: int | None = None,
                         scheduler: Any = None, studies: Sequence[Any] | None = None) -> Any:
    """EVPI and EVPPI of the decision "go ahead when ``output`` > 0", per parameter and group,
    and the EVSI of ``studies`` (default: the scenario's ``[[studies]]``), scaled to
    ``population`` units over ``years`` discounted at ``discount`` (see
    :mod:`onzekerheid.analysis.voi`). ``scheduler`` as for :func:`simulate`. The result's
    ``warnings`` include the decision's (:func:`voi_warnings`, and EVPI 0 when no decision is
    at stake); an output that is no decision (a ratio, a share) is refused."""
    from .analysis import voi  # lazy (LAZY in tests/test_architecture.py)

    check_scale(population, years, discount)
    name = check_output(scenario, output)
    notes = voi_warnings(scenario, name)  # refuses an output that is no decision (a ratio)
    with _on(scheduler) as client:
        result = voi.value_of_information(
            model_of(scenario, client), name, groups=groups or {}, iterations=iterations,
            seed=seed, threads=threads, scale=voi.Scale(population, years, discount),
            studies=scenario.studies if studies is None else studies)
    notes += no_decision_warning(name, result.evpi, result.mean)
    return dataclasses.replace(result, warnings=(*result.warnings, *notes))


def switching_values(scenario: Scenario, output: str | None = None, *, target: float = 0.0,
                     target_label: str = "zero", statistic: str = "median",
                     iterations: int = 2**14, seed: int = DEFAULT_SEED,
                     threads: int | None = None, scheduler: Any = None, quantile: float = 0.5,
                     warnings: tuple[str, ...] = ()) -> Any:
    """Per random parameter, the value at which ``statistic(output)`` crosses ``target`` (see
    :mod:`onzekerheid.analysis.switching`; ``quantile``: the quantile sought with
    ``statistic="quantile"``, ``warnings`` carried into the result). ``scheduler`` as for
    :func:`simulate`."""
    from .analysis import switching  # lazy (LAZY in tests/test_architecture.py)

    name = check_output(scenario, output)
    with _on(scheduler) as client:
        return switching.switching_values(model_of(scenario, client), name, target=target,
                                          target_label=target_label, statistic=statistic,
                                          iterations=iterations, seed=seed, threads=threads,
                                          quantile=quantile, warnings=warnings)


def check(scenario: Scenario, iterations: int = DEFAULT_ITERATIONS, seed: int = DEFAULT_SEED,
          *, expect: Sequence[str] = (), threads: int | None = None,
          ) -> tuple[Result, list[CheckOutcome]]:
    """Simulate ``scenario`` and evaluate its ``[[checks]]`` and the ``expect`` ones (written
    as in a scenario file, e.g. ``"P(net_benefit > 0) >= 0.5"``); outcomes in that order."""
    checks = list(scenario.checks)
    for text in expect:
        try:
            item = parse_check(text)
        except ValueError as exc:
            raise argument_error("expect", None, str(exc)) from None
        if item.output not in scenario.outputs:
            raise argument_error("expect", repr(item.expect),
                                 f"'{item.output}' is not an output of {scenario.file}")
        checks.append(item)
    if not checks:
        raise argument_error("expect", None, f"not given, and {scenario.file} has no "
                             "[[checks]]", "add [[checks]] to the file or give expectations")
    result = simulate(scenario, iterations, seed, threads=threads, store="outputs")
    return result, evaluate_checks(result, checks)


Step = Callable[[str], AbstractContextManager[Any]]  # wraps a slow step (the CLI: a spinner)
REPORT_SOBOL_BASE = 2**13  # report default: intervals of about ±0.02 on the indices, a few seconds


def report_extras(result: Result, seed: int = DEFAULT_SEED, *, threads: int | None = None,
                  sensitivity: bool = True, sets: Sequence[str] = (),
                  step: Step | None = None,
                  variant: str | None = None) -> tuple[Any, list[tuple[str, str]]]:
    """What the HTML report shows beyond ``result``: the break-even curve over the strongest
    driver, the scenario's own variants side by side (common random numbers) and, with
    ``sensitivity``, tornado, Sobol' indices and (for a net benefit) the value of information.

    ``step(what)`` wraps each slow step (the CLI shows a spinner); ``sets`` are the overrides
    as written, repeated in the report; with ``variant`` (one variant reported) the variants are
    not set side by side. With a tornado come a spider plot and the switching values of the two
    widest bars (the one-page summary's "assumptions that matter"). Returns the
    :class:`onzekerheid.report.html.Extras`
    and the analyses left out, as ``(name, reason)`` (a report without them is still one).
    """
    from .report import html  # lazy (LAZY in tests/test_architecture.py)

    stage = _stage(step)
    main = html.main_output(result)
    found: dict[str, Any] = {"sets": tuple(sets)}
    found.update(_curve_and_variants(result, main, seed, threads, stage,
                                     side_by_side=variant is None))
    left_out: list[tuple[str, str]] = []
    if sensitivity:
        left_out = _sensitivity_extras(result, main, seed, threads, stage, found)
    return html.Extras(**found), left_out


def _curve_and_variants(result: Result, main: str, seed: int, threads: int | None,
                        stage: Step, side_by_side: bool) -> dict[str, Any]:
    """The break-even curve over the strongest driver (when the main output's sign is
    uncertain and nothing needs resampling) and, with ``side_by_side``, the scenario's
    variants compared on common random numbers."""
    from .report import html  # lazy (LAZY in tests/test_architecture.py)

    scenario = result.scenario
    found: dict[str, Any] = {}
    parameter = break_even_parameter(scenario, rank_correlations(result, main))
    if parameter is not None and html.wants_break_even(result, main) \
            and not posterior.weighted(scenario):  # the curve cannot resample
        with stage(f"break-even curve over {parameter}"):
            found["break_even"] = break_even_curve(
                scenario, main, parameter, iterations=min(result.iterations, 20_000),
                seed=seed, threads=threads)
    variants = list(scenario.variants)
    if len(variants) >= 2 and side_by_side:  # the variants side by side, same numbers
        with stage("variants side by side"):
            labelled = {v: with_variant(scenario, v) for v in variants}
            found["variants"] = compare(labelled, result.iterations, seed, ci=result.ci,
                                        threads=threads).to_json()
    return found


def _sensitivity_extras(result: Result, main: str, seed: int, threads: int | None,
                        stage: Step, found: dict[str, Any]) -> list[tuple[str, str]]:
    """Tornado, Sobol' indices and (for a net benefit) VOI of ``main`` into ``found``; then,
    from the tornado, the spider plot and the switching values of the two widest bars.
    Returns what was left out, as ``(name, reason)``."""
    from .analysis import sensitivity as sa  # lazy (LAZY in tests/test_architecture.py)
    from .analysis import voi

    scenario = result.scenario
    model = model_of(scenario)
    steps: dict[str, Callable[[], dict[str, Any]]] = {
        "tornado": lambda: sa.tornado(model, main, seed=seed, threads=threads).to_json(),
        "sobol": lambda: sa.sobol(model, main, base=REPORT_SOBOL_BASE, seed=seed,
                                  threads=threads).to_json(),
    }
    if main.startswith("net_benefit"):  # VOI's decision: go ahead when net benefit > 0
        steps["voi"] = lambda: voi.value_of_information(
            model, main, iterations=min(result.iterations, 100_000), seed=seed,
            threads=threads).to_json()
    left_out = _run_steps(steps, main, stage, found)
    if "tornado" in found:
        left_out += _run_steps({
            "spider": lambda: spider_doc(scenario, main, found["tornado"], seed, threads),
            "switching": lambda: _top_switching(model, main, found["tornado"], seed, threads),
        }, main, stage, found)
    return left_out


def _run_steps(steps: dict[str, Callable[[], dict[str, Any]]], main: str, stage: Step,
               found: dict[str, Any]) -> list[tuple[str, str]]:
    """Run each step into ``found[key]``; a user error leaves it out, as ``(key, reason)``."""
    left_out = []
    for key, run_step in steps.items():
        try:
            with stage(f"{key} of {main}"):
                found[key] = run_step()
        except OnzekerheidError as exc:
            left_out.append((key, str(exc)))
    return left_out


SPIDER_PERCENTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def spider_doc(scenario: Scenario, output: str, tornado: dict[str, Any], seed: int = DEFAULT_SEED,
               threads: int | None = None, top: int = 6) -> dict[str, Any]:
    """The output with each of the ``top`` widest tornado assumptions at its 5th, 25th, 50th,
    75th and 95th percentile, the others at their medians (a spider plot's lines).

    As in the tornado (same seed, same case draws in every setting), a model with per-case
    randomness is averaged over ``TORNADO_CASE_ITERATIONS`` rows per setting.
    """
    from .analysis.sensitivity import TORNADO_CASE_ITERATIONS

    model = model_of(scenario)
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


def _top_switching(model: Any, output: str, tornado: dict[str, Any], seed: int,
                   threads: int | None) -> dict[str, Any]:
    """Switching values (median of ``output`` reaching 0) of the two widest tornado bars."""
    from .analysis.switching import switching_values as values_of

    ranked = sorted(tornado["parameters"].items(), key=lambda kv: -abs(kv[1]["swing"] or 0.0))
    top = [name for name, _ in ranked[:2] if name in model.names]
    if not top:
        return {}
    dists = tuple(model.dists[model.names.index(n)] for n in top)
    return values_of(dataclasses.replace(model, names=tuple(top), dists=dists), output,
                     iterations=2**12,
                     seed=seed, threads=threads).to_json()



@dataclass
class Report:
    """Everything the HTML report shows, computed: :func:`report`'s result.

    ``result`` (with the parameters, for the drivers), ``point`` (the published arithmetic),
    ``extras`` (:class:`onzekerheid.report.html.Extras`: break-even curve, variants,
    sensitivity, value of information, the studies' EVSI, the claims' chances without the
    evidence), ``left_out``: the analyses that could not be made, as ``(name, reason)``.
    """

    result: Result
    point: PointResult
    extras: Extras
    left_out: list[tuple[str, str]]
    sensitivity: bool = True
    population: float = 1.0  # the studies' EVSI scale, as report()'s arguments
    years: int = 1

    def command(self, lang: str = "nl", output_file: str = "rapport.html") -> str:
        """The ``onzekerheid report`` command line that makes this report again."""
        from .report import html  # lazy (LAZY in tests/test_architecture.py)

        scenario = self.result.scenario
        return html.reproduce_command(self.result, self.extras.sets, lang=lang,
                                      variant=scenario.variant, output_file=output_file,
                                      sensitivity=self.sensitivity, prior=scenario.prior,
                                      population=self.population, years=self.years)

    def html(self, lang: str = "nl", output_file: str = "rapport.html") -> str:
        """The report as one HTML document; its footer names ``output_file``."""
        from .report import html  # lazy (LAZY in tests/test_architecture.py)

        check_lang(lang)
        extras = dataclasses.replace(self.extras, command=self.command(lang, output_file))
        return html.render(self.result, lang=lang, point=self.point, extras=extras)


def report(scenario: Scenario, iterations: int = DEFAULT_ITERATIONS, seed: int = DEFAULT_SEED,
           *, ci: float = 0.90, threads: int | None = None, sensitivity: bool = True,
           population: float = 1.0, years: int = 1, sets: Sequence[str] = (),
           progress: Callable[[int], None] | None = None, step: Step | None = None) -> Report:
    """Compute the HTML report of ``scenario``: the run, then :func:`report_extras`, the
    ``[[studies]]``' value (EVSI for ``population`` units over ``years``, as
    :func:`value_of_information`) and, when evidence updates a claimed output, the claims'
    chances without it. ``Report.html(lang)`` renders it.

    ``sets``: the overrides as written, repeated in the report; ``progress`` as for
    :func:`simulate`; ``step(what)`` wraps each slow step (the CLI shows a spinner).
    """
    check_scale(population, years)
    from .report import html  # lazy (LAZY in tests/test_architecture.py)

    result = simulate(scenario, iterations, seed, ci=ci, threads=threads, progress=progress)
    main = html.main_output(result)
    _need_finite(result[main], main, scenario.file)
    extras, left_out = report_extras(result, seed, threads=threads, sensitivity=sensitivity,
                                     sets=sets, step=step, variant=scenario.variant)
    found, missing = _research(result, population, years, threads, _stage(step))
    return Report(result, point(scenario), dataclasses.replace(extras, **found),
                  left_out + missing, sensitivity, population, years)


def _stage(step: Step | None) -> Step:
    return step if step is not None else (lambda what: contextlib.nullcontext())


def _need_finite(values: np.ndarray, name: str, file: str, other: str = "") -> None:
    """Refuse to draw or report an output that is not a finite number in any iteration
    (``other``: what else the caller can do)."""
    if not np.isfinite(values).any():
        raise ScenarioError(f"{file}: {name} is not a finite number in any iteration (a log or "
                            "square root of a negative number, a division by zero?); check its "
                            "expression" + (f", or {other}" if other else ""))


def _research(result: Result, population: float, years: int, threads: int | None,
              stage: Step) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The ``[[studies]]`` valued on voi's default output, and the claims' chances without the
    evidence; with what was left out, as ``(name, reason)``."""
    scenario = result.scenario
    found: dict[str, Any] = {}
    left_out: list[tuple[str, str]] = []
    if scenario.studies:
        try:
            with stage("value of the studies"):
                found["studies"] = value_of_information(
                    scenario, None, iterations=min(result.iterations, 100_000),
                    seed=result.seed, threads=threads, studies=scenario.studies,
                    population=population, years=years).to_json()
        except OnzekerheidError as exc:
            left_out.append(("the studies", str(exc)))
    if any(u.applied for u in scenario.evidence) and scenario.claims:
        with stage("the same run without the evidence (prior)"):
            before = simulate(with_prior(scenario), result.iterations, result.seed,
                              ci=result.ci, threads=threads, store="outputs")
        found["prior_chances"] = {n: 1.0 - p for n in scenario.claims
                                  if (p := before.summary_of(n).claim_percentile) is not None}
    return found, left_out


FIGURE_KINDS = ("distribution", "s-curve", "who-gains", "drivers", "tornado", "spider", "sobol",
                "voi", "break-even", "cost-effect", "cash-flow", "convergence", "evsi")
ANALYSIS_KINDS = ("tornado", "spider", "sobol", "voi", "evsi")  # an analysis, not one run


def figure(scenario: Scenario, kind: str, *, output: str | None = None,
           parameter: str | None = None, cost: str | None = None, effect: str | None = None,
           price: float | None = None, study: str | None = None, population: float = 1.0,
           lang: str = "nl", iterations: int = DEFAULT_ITERATIONS, seed: int = DEFAULT_SEED,
           ci: float = 0.90, threads: int | None = None,
           progress: Callable[[int], None] | None = None) -> Figure:
    """One figure of ``scenario`` (a matplotlib ``Figure``; ``plot --kind KIND``).

    ``kind``: one of ``FIGURE_KINDS``. Those of ``ANALYSIS_KINDS`` run their analysis of
    ``output`` (tornado, spider, Sobol' indices, VOI bars, or the EVSI and ENBS curves of
    ``study`` for ``population`` units); the others simulate once (``iterations``,
    ``progress`` as for :func:`simulate`) and draw ``output`` (default: the decision output;
    for ``who-gains`` the name before ``.<stakeholder>``), the break-even curve over
    ``parameter`` (default: the strongest driver), or ``cost`` against ``effect`` with a
    reference ``price`` per unit of effect.
    """
    check_lang(lang)
    if kind not in FIGURE_KINDS:
        raise argument_error("kind", repr(kind), f"unknown; use one of {', '.join(FIGURE_KINDS)}")
    for name, argument in ((cost, "cost"), (effect, "effect")):
        if name is not None and name not in scenario.outputs:
            raise argument_error(argument, name, f"not an output of {scenario.file}; outputs: "
                                 f"{', '.join(scenario.outputs)}")
    draw = _Drawing(scenario, lang, iterations, seed, ci, threads, progress)
    if kind == "who-gains":
        return draw.who_gains(output)
    if kind == "evsi":
        return draw.evsi(study, output, population)
    if kind in ANALYSIS_KINDS:
        return draw.analysis(kind, output)
    return draw.of_run(kind, output, parameter, (cost, effect, price))


@dataclass(frozen=True)
class _Drawing:
    """What every figure of :func:`figure` is drawn with."""

    scenario: Scenario
    lang: str
    iterations: int
    seed: int
    ci: float
    threads: int | None
    progress: Callable[[int], None] | None

    def run(self, store: Literal["all", "outputs"] = "all") -> Result:
        return simulate(self.scenario, self.iterations, self.seed, ci=self.ci,
                        threads=self.threads, store=store, progress=self.progress)

    def of_run(self, kind: str, output: str | None, parameter: str | None,
               cost_effect: tuple[str | None, str | None, float | None]) -> Figure:
        """A figure of one run: distribution, s-curve, cash-flow, convergence, drivers,
        break-even or cost-effect."""
        from .report import html, plots  # lazy (LAZY in tests/test_architecture.py)

        cost, effect, price = cost_effect
        if kind == "cost-effect" and (cost is None or effect is None):
            raise argument_error("kind", kind, f"needs cost and effect, two outputs of "
                                 f"{self.scenario.file}")
        result = self.run()
        name = html.main_output(result) if output is None else check_output(self.scenario,
                                                                            output)
        _need_finite(result[name], name, self.scenario.file, "choose another output")
        if kind == "break-even":
            return plots.break_even(self.break_even(result, name, parameter), lang=self.lang,
                                    scenario=self.scenario)
        if kind == "cost-effect":
            assert cost is not None and effect is not None
            return plots.cost_effect(result[cost], result[effect], cost_name=cost,
                                     effect_name=effect, lang=self.lang, reference=price)
        if kind == "drivers":
            return plots.drivers(rank_correlations(result, name), name, lang=self.lang,
                                 scenario=self.scenario)
        draw = {"distribution": plots.distribution, "s-curve": plots.s_curve,
                "convergence": plots.convergence}
        if kind in draw:
            return draw[kind](result, name, lang=self.lang)
        return plots.cash_flow(result, lang=self.lang)

    def break_even(self, result: Result, name: str, parameter: str | None) -> curves.BreakEven:
        parameter = parameter or break_even_parameter(self.scenario,
                                                      rank_correlations(result, name))
        if parameter is None:
            raise argument_error("parameter", None, f"not given, and {self.scenario.file} has "
                                 "no parameter to vary; name one")
        return break_even_curve(self.scenario, name, parameter,
                                iterations=min(self.iterations, 20_000), seed=self.seed,
                                threads=self.threads)

    def who_gains(self, base: str | None) -> Figure:
        """The per-stakeholder outputs ``base.<stakeholder>`` side by side."""
        from .report import plots  # lazy (LAZY in tests/test_architecture.py)

        scenario = self.scenario
        bases = list(dict.fromkeys(n.split(".", 1)[0] for n in scenario.outputs
                                   if "." in n and n.split(".", 1)[1] in scenario.stakeholders))
        if not bases:
            raise ScenarioError(f"{scenario.file}: no per-stakeholder outputs "
                                "(NAME.<stakeholder>); who-gains needs a scenario with "
                                "stakeholders")
        base = base or ("net_benefit" if "net_benefit" in bases else bases[0])
        if base not in bases:
            raise argument_error("output", base, "no per-stakeholder outputs of that name; "
                                 f"use one of {', '.join(bases)}")
        return plots.who_gains(self.run(store="outputs"), base, lang=self.lang)

    def analysis(self, kind: str, output: str | None) -> Figure:
        """Tornado, spider, Sobol' indices or VOI bars of ``output``."""
        from .report import plots  # lazy (LAZY in tests/test_architecture.py)

        scenario, seed, threads, lang = self.scenario, self.seed, self.threads, self.lang
        name = check_output(scenario, output)
        if kind == "voi":
            doc = value_of_information(scenario, name, iterations=50_000, seed=seed,
                                       threads=threads).to_json()
            return plots.voi_bars(doc, lang=lang, scenario=scenario)
        if kind == "sobol":
            doc = sensitivity(scenario, name, method="sobol", iterations=REPORT_SOBOL_BASE,
                              seed=seed, threads=threads).to_json()
            return plots.sobol(doc["parameters"], name, lang=lang, scenario=scenario)
        doc = sensitivity(scenario, name, method="tornado", seed=seed, threads=threads).to_json()
        if doc["base"] is None or any(p["swing"] is None for p in doc["parameters"].values()):
            _need_finite(np.array([np.nan]), name, scenario.file, "choose another output")
        if kind == "spider":
            return plots.spider(spider_doc(scenario, name, doc, seed, threads), lang=lang,
                                scenario=scenario)
        return plots.tornado(doc["parameters"], name, doc["base"], lang=lang, scenario=scenario)

    def evsi(self, study: str | None, output: str | None, population: float) -> Figure:
        """The EVSI and ENBS curves of ``study`` (default: the first of ``[[studies]]``)."""
        from .report import studies  # lazy (LAZY in tests/test_architecture.py)

        scenario = self.scenario
        names = [s.name for s in scenario.studies]
        if not names:
            raise argument_error("kind", "evsi", f"{scenario.file} has no [[studies]] to draw")
        name = study or names[0]
        if name not in names:
            raise argument_error("study", name, f"not a study of {scenario.file}; studies: "
                                 + ", ".join(names))
        check_scale(population, 1)
        chosen = [s for s in scenario.studies if s.name == name]
        doc = value_of_information(scenario, output, iterations=max(self.iterations, 1000),
                                   seed=self.seed, threads=self.threads, studies=chosen,
                                   population=population).to_json()
        return studies.study_figure(name, doc["studies"][name], self.lang)
