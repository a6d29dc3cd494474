"""``[[studies]]``: research one could do, valued by ``voi`` (expected value of sample information).

A study informs one random parameter ``theta`` of the scenario through ``n`` units (the
``sizes`` to compare):

* ``likelihood = "binomial"``: ``n`` cases followed, ``k ~ Binomial(n, theta)`` successes
  (``theta`` a share, its support inside 0..1);
* ``likelihood = "normal"``: ``n`` observations ``y_i ~ Normal(theta, sd)``, or with
  ``scale = "log"`` ``y_i ~ Normal(log theta, sd)`` (log ratios such as realised / estimated);
* ``parameter = "cases"`` (normal only): ``n`` more cases measured like the rows of the
  ``[cases]`` table, each new case's amounts ``y_i ~ Normal(mu, Sigma)`` with ``Sigma`` the
  table's sample covariance (so no ``sd``); ``mu`` is the mean of the cases an iteration
  resamples (:mod:`onzekerheid.analysis.evsi_cases`).

Its cost is ``fixed_cost + cost_per_unit x n`` (money of the scenario's currency).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..errors import Problems, allowed, did_you_mean
from .model import CaseBlock, Parameter

STUDY_KEYS = {"name", "parameter", "likelihood", "sizes", "cost_per_unit", "fixed_cost", "sd",
              "scale", "note", "source"}
LIKELIHOODS = ("binomial", "normal")
SCALES = ("identity", "log")
MAX_SIZE = 100_000
CASES = "cases"  # the case sample as a study's parameter or a voi group member
INSTEAD = ("instead, learn about success.rate by following clients up, or about bias.systematic "
           "by checking estimates against outcomes")


@dataclass(frozen=True)
class Study:
    """One ``[[studies]]`` entry, validated."""

    name: str
    parameter: str
    likelihood: str
    sizes: tuple[int, ...]
    cost_per_unit: float = 0.0
    fixed_cost: float = 0.0
    sd: float = math.nan  # noise sd of one observation (normal likelihood)
    scale: str = "identity"
    note: str = ""
    source: str = ""

    def cost(self, size: int) -> float:
        """``fixed_cost + cost_per_unit x size``."""
        return self.fixed_cost + self.cost_per_unit * size


def case_sample_problem(cases: CaseBlock | None) -> str:
    """Why the scenario has no case sample to learn more about ("" when it has one).

    A case sample is a ``[cases]`` table of two or more rows that are resampled each iteration
    (with ``resample = false`` the table is the whole population) and whose amounts vary.
    """
    if cases is None or cases.columns == ("cases.sum.all",):
        return "there is no [cases] table"
    if len(cases.table) < 2:
        return "the [cases] table has one row"
    if not cases.resample:
        return ("[cases] resample = false: the table is the whole population, not a sample "
                "of it")
    amounts = [j for j, name in enumerate(cases.columns) if name != "cases.sum.all"]
    if all(len({row[j] for row in cases.table}) == 1 for j in amounts):
        return "the amounts of the [cases] table are the same in every row"
    return ""


def parse_studies(raw: Any, parameters: dict[str, Parameter], problems: Problems,
                  cases: CaseBlock | None = None) -> tuple[Study, ...]:
    """Validate ``[[studies]]`` against the scenario's parameters and case table ``cases``,
    collecting every problem."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.add("studies", "[[studies]] must be an array of tables",
                     'write each study as [[studies]] name = "follow_up" ...')
        return ()
    studies: list[Study] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        path = f"studies.{i}"
        if not isinstance(entry, dict):
            problems.add(path, "each [[studies]] entry must be a table")
            continue
        before = len(problems.items)
        study = _study(entry, path, parameters, problems, cases)
        if study is None or len(problems.items) > before:
            continue
        if study.name in seen:
            problems.add(f"{path}.name", f"study '{study.name}' is defined twice",
                         "give every study its own name")
            continue
        seen.add(study.name)
        studies.append(study)
    return tuple(studies)


def _study(entry: dict[str, Any], path: str, parameters: dict[str, Parameter],
           problems: Problems, cases: CaseBlock | None) -> Study | None:
    before = len(problems.items)
    for key in entry:
        if key not in STUDY_KEYS:
            problems.add(f"{path}.{key}", f"unknown key '{key}'",
                         did_you_mean(key, STUDY_KEYS) or allowed(STUDY_KEYS))
    for key in ("name", "parameter", "likelihood", "sizes"):
        if key not in entry:
            problems.add(f"{path}", f"a study needs '{key}'",
                         'e.g. name = "follow_up", parameter = "success.rate", '
                         'likelihood = "binomial", sizes = [25, 50, 100]')
    if any(k not in entry for k in ("name", "parameter", "likelihood", "sizes")):
        return None
    name, parameter, likelihood = entry["name"], entry["parameter"], entry["likelihood"]
    if not isinstance(name, str) or not name.replace("_", "a").isalnum():
        problems.add(f"{path}.name", f"name must be a word (letters, digits, _), got {name!r}")
    if parameter == CASES:
        _cases_study(entry, path, cases, problems)
    elif not isinstance(parameter, str) or parameter not in parameters:
        problems.add(f"{path}.parameter", f"'{parameter}' is not a parameter of the scenario",
                     did_you_mean(str(parameter), parameters)
                     or "name a random parameter, or \"cases\" (measure more cases)")
    if likelihood not in LIKELIHOODS:
        problems.add(f"{path}.likelihood", f"unknown likelihood {likelihood!r}",
                     allowed(LIKELIHOODS))
    sizes = _sizes(entry["sizes"], f"{path}.sizes", problems)
    costs = {key: _money(entry.get(key, 0.0), f"{path}.{key}", problems)
             for key in ("cost_per_unit", "fixed_cost")}
    scale = entry.get("scale", "identity")
    if scale not in SCALES:
        problems.add(f"{path}.scale", f"unknown scale {scale!r}", allowed(SCALES))
    sd = math.nan
    if parameter == CASES:
        pass  # the noise is the case table's covariance (_cases_study)
    elif likelihood == "normal":
        sd = _noise_sd(entry.get("sd"), f"{path}.sd", problems)
    elif "sd" in entry or "scale" in entry:
        problems.add(f"{path}.{'sd' if 'sd' in entry else 'scale'}",
                     "a binomial study counts successes; sd and scale belong to a normal study",
                     'remove it, or use likelihood = "normal"')
    for key in ("note", "source"):
        if not isinstance(entry.get(key, ""), str):
            problems.add(f"{path}.{key}", f"{key} must be text")
    if len(problems.items) > before:
        return None
    study = Study(name, parameter, likelihood, sizes, costs["cost_per_unit"],
                  costs["fixed_cost"], sd, scale, entry.get("note", ""), entry.get("source", ""))
    if parameter != CASES:
        support_problem(study, parameters[parameter], path, problems)
    return study


def _cases_study(entry: dict[str, Any], path: str, cases: CaseBlock | None,
                 problems: Problems) -> None:
    """A study of the case sample: normal, its noise from the table, a table to sample."""
    reason = case_sample_problem(cases)
    if reason:
        problems.add(f"{path}.parameter", f"parameter = \"cases\" measures more cases, but "
                     f"{reason}: there is nothing to learn from more cases", INSTEAD)
    if entry["likelihood"] == "binomial":
        problems.add(f"{path}.likelihood", "a study of the cases measures their amounts, "
                     f"not a count of successes, got likelihood = {entry['likelihood']!r}",
                     'use likelihood = "normal"; to count successes, study success.rate')
    for key in ("sd", "scale"):
        if key in entry:
            problems.add(f"{path}.{key}", f"a study of the cases takes its noise from the "
                         "[cases] table (the sample covariance of its amounts), so it has "
                         f"no {key}", f"remove {key}")


def support_problem(study: Study, parameter: Parameter, path: str, problems: Problems) -> None:
    """A binomial study needs a share (support in 0..1), a log-scale study a positive one."""
    if parameter.kind != "random" or parameter.dist is None:
        return  # checked when the study is valued (an override may have fixed it)
    low, high = parameter.dist.support()
    if study.likelihood == "binomial" and not (low >= 0.0 and high <= 1.0):
        problems.add(f"{path}.parameter", f"a binomial study needs a share, but "
                     f"'{study.parameter}' ranges over {low:g}..{high:g}",
                     "give the parameter a beta distribution, or use a normal study")
    if study.scale == "log" and low < 0.0:
        problems.add(f"{path}.scale", f"scale = \"log\" needs a positive parameter, but "
                     f"'{study.parameter}' can be {low:g}", "use a lognormal or gamma, or drop "
                     "scale")


def _sizes(value: Any, path: str, problems: Problems) -> tuple[int, ...]:
    hint = "a list of whole numbers of cases or observations, e.g. [25, 50, 100, 200]"
    if not isinstance(value, list) or not value:
        problems.add(path, "sizes must be a non-empty list", hint)
        return ()
    if not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_SIZE
               for v in value):
        problems.add(path, f"every size must be a whole number in 1..{MAX_SIZE}, got {value}",
                     hint)
        return ()
    if len(set(value)) != len(value):
        problems.add(path, f"sizes repeat a value: {value}", "list each size once")
        return ()
    return tuple(sorted(value))


def _money(value: Any, path: str, problems: Problems) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
            math.isfinite(value) and value >= 0):
        problems.add(path, f"{path.rsplit('.', 1)[-1]} must be a number >= 0, got {value!r}",
                     "money in the scenario's currency")
        return 0.0
    return float(value)


def _noise_sd(value: Any, path: str, problems: Problems) -> float:
    if value is None:
        problems.add(path, "a normal study needs sd: the noise of one observation",
                     "e.g. sd = 0.47 (on the log scale with scale = \"log\")")
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
            math.isfinite(value) and value > 0):
        problems.add(path, f"sd must be a number > 0, got {value!r}")
        return math.nan
    return float(value)
