"""Shared pieces of the social-domain model: its keys, and the builder that registers the
parameters and outputs it generates (see :mod:`.domain`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import Problems, allowed, did_you_mean
from . import cpi
from .expressions import parse
from .model import Output, Parameter
from .parameters import _INTERVAL, check_name, parse_parameter

CASES_KEYS = {"count", "stakeholders", "heterogeneity", "table", "resample", "note", "source",
              "sheet", "header_row", "last_row", "columns", "number_format", "separator"}
SUCCESS_KEYS = {"rate", "survey", "failure_yield", "dropout", "note", "source"}
BIAS_KEYS = {"systematic", "per_case", "note", "source"}
ITEM_KEYS = {
    "name", "stakeholder", "kind", "amount", "price", "quantity", "column", "probability",
    "attribution", "deadweight", "displacement", "overlap", "duration", "dropoff", "delay",
    "discount_rate", "price_factor", "price_year", "transfer_from", "note", "source",
}
BENEFIT_ADJUSTMENTS = ("probability", "attribution", "deadweight", "displacement", "overlap")
SHARE_FIELDS = {"probability", "attribution", "deadweight", "displacement", "overlap",
                "dropoff", "rate", "failure_yield", "dropout", "damping", "safety_margin",
                "share"}
EXTRAPOLATION_KEYS = {"cases_per_year", "damping", "safety_margin", "note", "source"}
COSTS_KEYS = {"hours_per_case", "hourly_rate", "fte", "cost_per_fte", "interventions", "risks",
              "one_off", "payer", "note", "source"}
INTERVENTION_KEYS = {"name", "count", "unit_cost", "payer", "note", "source"}
RISK_KEYS = {"name", "probability", "share", "amount", "payer", "transfer_to", "note", "source"}
ONE_OFF_KEYS = {"name", "amount", "year", "payer", "note", "source"}
HORIZON_KEYS = {"years", "discount_rate", "note", "source"}
UNPRICED_KEYS = {"name", "direction", "stakeholder", "note", "source"}
DIRECTIONS = ("positive", "negative", "unknown")
OPTIONS_KEYS = {"immaterial", "discount_rate", "price_year"}
KINDS = ("material", "immaterial")
ITEM_KINDS = ("material", "immaterial", "extra_cost")
DEFAULT_DISCOUNT_RATE = 0.0225  # Dutch MKBA standard rate since 2021 (Werkgroep discontovoet)
MAX_CASES = 1_000_000
BUILTINS = ("savings_per_case", "break_even_hours", "savings_per_year", "costs_per_year",
            "net_benefit", "bcr", "extra_cost_per_case", "benefits_pv", "costs_pv", "npv",
            "payback_year", "cash_flow")

DOMAIN_SECTIONS = ("cases", "success", "bias", "prices", "items", "extrapolation", "costs",
                   "options", "horizon", "unpriced")
_ARRAYS = ("items", "unpriced")


class _Builder:
    """Collects generated parameters and outputs while checking the domain sections."""

    def __init__(self, parameters: dict[str, Parameter], outputs: dict[str, Output],
                 problems: Problems) -> None:
        self.parameters = parameters
        self.outputs = outputs
        self.problems = problems
        self.warnings: list[str] = []

    def value(self, name: str, value: Any, path: str, *, share: bool = False,
              positive: bool = False, internal: bool = False) -> str | None:
        """Register ``value`` (number, "A to B", expression or distribution) as parameter.

        A share given by a number or distribution must lie in 0..1; given by the name of a
        parameter, that parameter's support must; given by an expression, each iteration
        outside 0..1 (or nan) becomes nan, counted as non-finite and never used.
        """
        if not check_name(name, path, self.problems):
            return None
        if name in self.parameters:
            self.problems.add(path, f"'{name}' is defined twice",
                              "rename the parameter in [parameters]")
            return None
        if share and isinstance(value, str):
            value = _share_interval(value)
        parameter = parse_parameter(name, value, path, self.problems, internal=internal)
        if parameter is None:
            return None
        if share:
            parameter = self._share(parameter, path)
            if parameter is None:
                return None
        if positive and not _mostly_positive(parameter):
            self.problems.add(path, f"{path.split('.')[-1]} cannot be negative",
                              "use a lognormal, gamma or a truncated distribution")
            return None
        self.parameters[name] = parameter
        return name

    def _share(self, parameter: Parameter, path: str) -> Parameter | None:
        key = path.split(".")[-1]
        fix = "use a beta distribution or a number between 0 and 1"
        target = parameter
        node = parameter.node
        if parameter.kind == "expression" and node is not None and node.kind == "name":
            referenced = self.parameters.get(node.name)
            if referenced is not None and referenced.kind != "expression":
                target = referenced
                fix = f"give '{node.name}' a distribution inside 0..1 (e.g. a beta)"
        if target.kind != "expression":
            if not _within(target, 0.0, 1.0):
                where = f" ('{target.name}')" if target is not parameter else ""
                self.problems.add(path, f"{key} is a share or probability; its values must "
                                  f"lie in 0..1{where}", fix)
                return None
            return parameter
        text = parameter.expression
        guarded = f"where(({text}) >= 0, where(({text}) <= 1, ({text}), 0 / 0), 0 / 0)"
        return replace(parameter, expression=guarded, node=parse(guarded))

    def internal(self, name: str, parameter: Parameter, path: str = "") -> None:
        """Add a generated parameter; a user's parameter of the same name is an error."""
        if name in self.parameters:
            self.problems.add(path or f"parameters.{name}", f"'{name}' is a name the "
                              "social-domain model generates", "rename your parameter")
            return
        self.parameters[name] = parameter

    def expression(self, name: str, text: str) -> str:
        """An internal expression parameter (a named intermediate)."""
        self.internal(name, Parameter(name, "expression", expression=text, node=parse(text),
                                      written=text, internal=True))
        return name

    def output(self, name: str, expression: str) -> None:
        if self.problems:  # the file fails to load anyway; keep later messages about it
            self.outputs.setdefault(name, Output(name, "0", parse("0"), builtin=True))
            return
        if name in self.outputs:
            self.problems.add(f"outputs.{name}", f"'{name}' is a built-in output of the "
                              "social-domain model", "choose another name")
            return
        self.outputs[name] = Output(name, expression, parse(expression), builtin=True)

    def keys(self, table: dict[str, Any], known: set[str], path: str) -> None:
        for key in table:
            if key not in known:
                self.problems.add(f"{path}.{key}", f"unknown key '{key}'",
                                  did_you_mean(key, known) or allowed(known))


def total(terms: list[str]) -> str:
    """A sum written as a balanced tree of parentheses (the parser limits a chain's depth)."""
    if not terms:
        return "0"
    if len(terms) == 1:
        return terms[0]
    if len(terms) <= 8:
        return " + ".join(terms)
    half = len(terms) // 2
    return f"({total(terms[:half])}) + ({total(terms[half:])})"


def _share_interval(text: str) -> Any:
    """``"0.75 to 0.80"`` for a share: a beta with that 90% interval (not a lognormal)."""
    match = _INTERVAL.match(text)
    if match:
        low, high = float(match.group(1)), float(match.group(2))
        if 0.0 < low < high < 1.0:
            return {"dist": "beta", "ci": [low, high], "note": f"{text} (90% interval)"}
    return text


def _within(parameter: Parameter, low: float, high: float) -> bool:
    if parameter.kind == "fixed":
        return low <= parameter.value <= high
    if parameter.kind == "random" and parameter.dist is not None:
        lo, hi = parameter.dist.support()
        return low <= lo and hi <= high
    return True  # expressions are checked where they are evaluated


def _mostly_positive(parameter: Parameter) -> bool:
    """Fixed values >= 0; distributions with at most 0.1% of their mass below zero."""
    if parameter.kind == "fixed":
        return parameter.value >= 0
    if parameter.kind == "random" and parameter.dist is not None:
        return parameter.dist.support()[0] >= 0 or float(parameter.dist.ppf(0.001)) >= 0
    return True


def _price_year(value: Any, path: str, problems: Problems) -> int | None:
    if value is None:
        return None
    first, last = cpi.years()
    if isinstance(value, bool) or not isinstance(value, int) or not first <= value <= last:
        problems.add(path, f"price_year must be a year in {first}..{last} (the CBS consumer "
                     f"price index shipped with onzekerheid), got {value!r}",
                     "e.g. price_year = 2024")
        return None
    return value


def index_parameter(b: _Builder, name: str, year: int, price_year: int, path: str) -> str:
    """An internal fixed parameter: euros of ``price_year`` per euro of ``year`` (CBS CPI)."""
    factor = cpi.factor(year, price_year)
    b.internal(name, Parameter(name, "fixed", value=factor, point=factor, internal=True,
                               written=f"CPI {year} -> {price_year}",
                               source=cpi.source()), path)
    return name
