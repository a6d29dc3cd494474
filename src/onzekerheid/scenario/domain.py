"""The social-domain model: cases, stakeholders, adjustments, extrapolation and costs.

A reviewer writes a claim in readable sections; this module translates them into ordinary
parameters (so every assumption can be varied, swept and analysed like any other), a
:class:`CaseBlock` for the per-case randomness, and generated output expressions.

Per iteration (see the README for every key with a worked example):

* each of ``count`` cases succeeds with probability ``success.rate`` (a failure yields
  ``success.failure_yield`` of its value), carries a per-case estimator error ``bias.per_case``
  and a heterogeneity factor ``cases.heterogeneity`` (or is a row resampled from the case
  table); the kernel writes ``cases.sum.<column> = sum_i w_i e_i h_i x_i``;
* an item's value per case is ``base x price_factor x probability x attribution x (1 - deadweight)
  x (1 - displacement) x (1 - overlap) x D`` with ``base`` = ``cases.sum / count`` times the
  item's ``amount`` (or ``price x quantity``), and ``D = sum_{t<duration} q^t``,
  ``q = (1 - dropoff) / (1 + discount_rate)``;
* the systematic bias ``bias.systematic`` (realised / estimated, shared by every case) and the
  uncounted drop-out share multiply everything: ``x bias.systematic x (1 - success.dropout)``;
* ``savings_per_year = savings_per_case x cases_per_year x damping x (1 - safety_margin)``;
* ``costs_per_year = hours_per_case x hourly_rate x cases_per_year + fte x cost_per_fte
  + sum(count x unit_cost) + risks``, a risk adding ``share x (the costs above)`` (or
  ``amount``) when its event happens (probability ``probability``; the claim assumed it does
  not).
"""

from __future__ import annotations

from typing import Any

from ..errors import Problems, allowed, did_you_mean
from . import distributions as dists
from .expressions import parse
from .model import CaseBlock, Output, Parameter

CASES_KEYS = {"count", "stakeholders", "heterogeneity", "table", "resample", "note", "source",
              "sheet", "header_row", "last_row", "columns", "number_format", "separator"}
SUCCESS_KEYS = {"rate", "survey", "failure_yield", "dropout", "note", "source"}
BIAS_KEYS = {"systematic", "per_case", "note", "source"}
ITEM_KEYS = {
    "name", "stakeholder", "kind", "amount", "price", "quantity", "column", "probability",
    "attribution", "deadweight", "displacement", "overlap", "duration", "dropoff",
    "discount_rate", "price_factor", "note", "source",
}
SHARE_FIELDS = {"probability", "attribution", "deadweight", "displacement", "overlap",
                "dropoff", "rate", "failure_yield", "dropout", "damping", "safety_margin",
                "share"}
EXTRAPOLATION_KEYS = {"cases_per_year", "damping", "safety_margin", "note", "source"}
COSTS_KEYS = {"hours_per_case", "hourly_rate", "fte", "cost_per_fte", "interventions", "risks",
              "payer", "note", "source"}
INTERVENTION_KEYS = {"name", "count", "unit_cost", "note", "source"}
RISK_KEYS = {"name", "probability", "share", "amount", "note", "source"}
OPTIONS_KEYS = {"immaterial", "discount_rate"}
KINDS = ("material", "immaterial")
DEFAULT_DISCOUNT_RATE = 0.0225  # Dutch MKBA standard rate since 2021 (Werkgroep discontovoet)
MAX_CASES = 1_000_000
BUILTINS = ("savings_per_case", "break_even_hours", "savings_per_year", "costs_per_year",
            "net_benefit", "bcr")

DOMAIN_SECTIONS = ("cases", "success", "bias", "prices", "items", "extrapolation", "costs",
                   "options")


class _Builder:
    """Collects generated parameters and outputs while checking the domain sections."""

    def __init__(self, parameters: dict[str, Parameter], outputs: dict[str, Output],
                 problems: Problems) -> None:
        self.parameters = parameters
        self.outputs = outputs
        self.problems = problems

    def value(self, name: str, value: Any, path: str, *, share: bool = False,
              positive: bool = False, internal: bool = False) -> str | None:
        """Register ``value`` (number, "A to B", expression or distribution) as parameter."""
        from .loader import check_name, parse_parameter

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
        if share and not _within(parameter, 0.0, 1.0):
            self.problems.add(path, f"{path.split('.')[-1]} is a share or probability; its "
                              "values must lie in 0..1", "use a beta distribution or a "
                              "number between 0 and 1")
            return None
        if positive and not _mostly_positive(parameter):
            self.problems.add(path, f"{path.split('.')[-1]} cannot be negative",
                              "use a lognormal, gamma or a truncated distribution")
            return None
        self.parameters[name] = parameter
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


def _share_interval(text: str) -> Any:
    """``"0.75 to 0.80"`` for a share: a beta with that 90% interval (not a lognormal)."""
    from .loader import _INTERVAL

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


def build_domain(raw: dict[str, Any], parameters: dict[str, Parameter],
                 outputs: dict[str, Output], problems: Problems, directory: str
                 ) -> tuple[CaseBlock | None, tuple[str, ...]]:
    """Translate the social-domain sections; returns the case block and the stakeholders."""
    if not any(section in raw for section in DOMAIN_SECTIONS):
        return None, ()
    b = _Builder(parameters, outputs, problems)
    tables: dict[str, Any] = {}  # [[items]] is a list, every other section a dict
    for section in DOMAIN_SECTIONS:
        value = raw.get(section, [] if section == "items" else {})
        expected = list if section == "items" else dict
        if not isinstance(value, expected):
            form = "[[items]]" if section == "items" else f"[{section}]"
            problems.add(section, f"{form} has the wrong shape",
                         "write it as an array of tables" if section == "items" else "")
            value = expected()
        tables[section] = value

    options = tables["options"]
    b.keys(options, OPTIONS_KEYS, "options")
    include_immaterial = options.get("immaterial", True)
    if not isinstance(include_immaterial, bool):
        problems.add("options.immaterial", "immaterial must be true or false")
        include_immaterial = True

    for name, value in tables["prices"].items():
        b.value(f"prices.{name}", value, f"prices.{name}", positive=True)

    cases = tables["cases"]
    b.keys(cases, CASES_KEYS, "cases")
    stakeholders = _stakeholders(cases, tables["items"], problems)
    items = _items(b, tables["items"], stakeholders, tables["prices"], options)

    success = tables["success"]
    b.keys(success, SUCCESS_KEYS, "success")
    if "rate" in success and "survey" in success:
        problems.add("success", "give either rate or survey, not both")
    rate_value: Any = success.get("rate", 1.0)
    if "survey" in success:
        rate_value = _survey(success["survey"], problems)
    b.value("success.rate", rate_value, "success.rate", share=True)
    b.value("success.failure_yield", success.get("failure_yield", 0.0), "success.failure_yield",
            share=True)
    dropout = "success.dropout" if "dropout" in success else None
    if dropout:
        b.value(dropout, success["dropout"], "success.dropout", share=True)

    bias = tables["bias"]
    b.keys(bias, BIAS_KEYS, "bias")
    systematic = None
    if "systematic" in bias:
        systematic = b.value("bias.systematic", bias["systematic"], "bias.systematic",
                             positive=True)
    per_case = _case_factor(bias.get("per_case"), "bias.per_case", problems)
    heterogeneity = _case_factor(cases.get("heterogeneity"), "cases.heterogeneity", problems)

    block, sums = _case_block(b, cases, items, per_case, heterogeneity, directory)
    if problems:
        return block, stakeholders

    common = " * ".join(n for n in (systematic, dropout and f"(1 - {dropout})") if n)
    values: dict[str, str] = {}
    for item in items:
        value = f"{sums[item['column']]} * {item['base']}"
        if item["adjust"]:
            value += " * " + " * ".join(item["adjust"])
        if common:
            value += " * " + common
        name = f"items.{item['name']}.value"
        parameters[name] = Parameter(name, "expression", expression=value, node=parse(value),
                                     written=value, internal=True)
        values[item["name"]] = name

    def total(selected: list[dict[str, Any]]) -> str:
        names = [values[i["name"]] for i in selected]
        return " + ".join(names) if names else "0"

    counted = [i for i in items if include_immaterial or i["kind"] == "material"]
    groups: dict[str, list[dict[str, Any]]] = {"": counted}
    for stakeholder in stakeholders:
        groups[f".{stakeholder}"] = [i for i in counted if i["stakeholder"] == stakeholder]
    for kind in KINDS:
        groups[f".{kind}"] = [i for i in items if i["kind"] == kind]
    for suffix, selected in groups.items():
        b.output(f"savings_per_case{suffix}", total(selected))

    costs = tables["costs"]
    b.keys(costs, COSTS_KEYS, "costs")
    rate = None
    if "hourly_rate" in costs:
        rate = b.value("costs.hourly_rate", costs["hourly_rate"], "costs.hourly_rate",
                       positive=True)
        for suffix in groups:
            b.output(f"break_even_hours{suffix}", f"savings_per_case{suffix} / {rate}")

    extrapolation = tables["extrapolation"]
    b.keys(extrapolation, EXTRAPOLATION_KEYS, "extrapolation")
    per_year = _extrapolation(b, extrapolation)
    if per_year is None:
        if costs and any(k in costs for k in ("fte", "interventions", "hours_per_case")):
            problems.add("extrapolation", "costs per year need [extrapolation] cases_per_year",
                         "add [extrapolation] with cases_per_year = ...")
        return block, stakeholders
    for suffix in groups:
        b.output(f"savings_per_year{suffix}", f"savings_per_case{suffix} * {per_year}")
    cost = _costs(b, costs, rate, stakeholders)
    if cost is None:
        return block, stakeholders
    b.output("costs_per_year", cost)
    payer = costs.get("payer", stakeholders[0] if stakeholders else "")
    for suffix in groups:
        charged = suffix in ("", ".material", ".immaterial", f".{payer}")
        minus = " - costs_per_year" if charged else ""
        b.output(f"net_benefit{suffix}", f"savings_per_year{suffix}{minus}")
        b.output(f"bcr{suffix}", f"savings_per_year{suffix} / costs_per_year")
    return block, stakeholders


def _stakeholders(cases: dict[str, Any], items: list[Any], problems: Problems
                  ) -> tuple[str, ...]:
    from .loader import _NAME

    declared = cases.get("stakeholders")
    if declared is None:
        found: list[str] = []
        for item in items:
            if (isinstance(item, dict) and isinstance(item.get("stakeholder"), str)
                    and item["stakeholder"] not in found):
                found.append(item["stakeholder"])
        return tuple(found)
    if not isinstance(declared, list) or not all(isinstance(s, str) for s in declared):
        problems.add("cases.stakeholders", "stakeholders must be a list of names",
                     'e.g. stakeholders = ["gemeente", "client", "derden"]')
        return ()
    for name in declared:
        if not _NAME.match(name) or name in KINDS:
            problems.add("cases.stakeholders", f"'{name}' cannot be a stakeholder name",
                         "use letters, digits and _; not 'material' or 'immaterial'")
    if len(set(declared)) != len(declared):
        problems.add("cases.stakeholders", "a stakeholder is listed twice")
    return tuple(declared)


def _items(b: _Builder, raw_items: list[Any], stakeholders: tuple[str, ...],
           prices: dict[str, Any], options: dict[str, Any]) -> list[dict[str, Any]]:
    from .loader import _NAME

    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    default_rate = options.get("discount_rate", DEFAULT_DISCOUNT_RATE)
    for i, entry in enumerate(raw_items):
        path = f"items.{i}"
        if not isinstance(entry, dict):
            b.problems.add(path, "each [[items]] entry must be a table")
            continue
        b.keys(entry, ITEM_KEYS, path)
        name = entry.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            b.problems.add(f"{path}.name", "each item needs a name (letters, digits, _)",
                           'e.g. name = "uithuisplaatsing"')
            continue
        if name in seen:
            b.problems.add(f"{path}.name", f"item '{name}' is defined twice")
            continue
        seen.add(name)
        stakeholder = entry.get("stakeholder", stakeholders[0] if stakeholders else None)
        if stakeholder is not None and stakeholder not in stakeholders:
            b.problems.add(f"{path}.stakeholder", f"unknown stakeholder {stakeholder!r}",
                           did_you_mean(str(stakeholder), stakeholders)
                           or "list it in [cases] stakeholders")
        kind = entry.get("kind", "material")
        if kind not in KINDS:
            b.problems.add(f"{path}.kind", f"kind must be material or immaterial, got {kind!r}")
        prefix = f"items.{name}"
        base: list[str] = []
        if "price" in entry:
            price = entry["price"]
            if price not in prices:
                b.problems.add(f"{path}.price", f"unknown price {price!r}",
                               did_you_mean(str(price), prices) or "define it under [prices]")
            base.append(f"prices.{price}")
            if "amount" in entry:
                b.problems.add(f"{path}.amount", "give either amount or price (x quantity)")
            if "column" not in entry:
                base.append(b.value(f"{prefix}.quantity", entry.get("quantity", 1.0),
                                    f"{path}.quantity", positive=True) or "1")
        elif "column" not in entry:
            if "amount" not in entry:
                b.problems.add(path, f"item '{name}' needs amount, price or column",
                               "amount = euros per case; or price = a name in [prices]")
                continue
            base.append(b.value(f"{prefix}.amount", entry["amount"], f"{path}.amount") or "1")
        elif "amount" in entry or "quantity" in entry:
            b.problems.add(f"{path}.column", "with column, the case table gives the amount "
                           "(or the quantity, with price); drop amount/quantity")
        if "price_factor" in entry:
            base.append(b.value(f"{prefix}.price_factor", entry["price_factor"],
                                f"{path}.price_factor", positive=True) or "1")
        adjust: list[str] = []
        for field, complement in (("probability", False), ("attribution", False),
                                  ("deadweight", True), ("displacement", True),
                                  ("overlap", True)):
            if field in entry:
                ref = b.value(f"{prefix}.{field}", entry[field], f"{path}.{field}", share=True)
                if ref:
                    adjust.append(f"(1 - {ref})" if complement else ref)
        if "duration" in entry:
            adjust.append(_duration(b, entry, prefix, path, default_rate))
        elif "dropoff" in entry or "discount_rate" in entry:
            b.problems.add(path, "dropoff and discount_rate need duration (years)")
        items.append({"name": name, "stakeholder": stakeholder, "kind": kind,
                      "base": " * ".join(base) or "1", "adjust": adjust,
                      "column": entry.get("column", "")})
    if not items and not b.problems:
        b.problems.add("items", "the social-domain model needs at least one [[items]] entry",
                       'e.g. [[items]] name = "gemeente" amount = 3563')
    return items


def _duration(b: _Builder, entry: dict[str, Any], prefix: str, path: str,
              default_rate: Any) -> str:
    years = b.value(f"{prefix}.duration", entry["duration"], f"{path}.duration",
                    positive=True) or "1"
    dropoff = b.value(f"{prefix}.dropoff", entry.get("dropoff", 0.0), f"{path}.dropoff",
                      share=True) or "0"
    rate = b.value(f"{prefix}.discount_rate", entry.get("discount_rate", default_rate),
                   f"{path}.discount_rate") or "0"
    q = f"((1 - {dropoff}) / (1 + {rate}))"
    # sum_{t=0}^{T-1} q^t, with the limit T where q == 1
    return f"where({q} == 1, {years}, (1 - {q} ** {years}) / (1 - {q}))"


def _survey(value: Any, problems: Problems) -> Any:
    if (not isinstance(value, dict) or set(value) != {"positive", "respondents"}
            or not all(isinstance(v, int | float) for v in value.values())):
        problems.add("success.survey", "survey must be { positive = k, respondents = n }",
                     "e.g. survey = { positive = 780, respondents = 1000 }")
        return 1.0
    return {"dist": "beta", "successes": value["positive"], "trials": value["respondents"],
            "point": 1.0, "note": "client survey: Beta(k+1, n-k+1)"}


def _case_factor(value: Any, path: str, problems: Problems) -> dists.Distribution | None:
    if value is None:
        return None
    if not isinstance(value, dict) or "dist" not in value:
        problems.add(path, "a per-case factor is a distribution table",
                     '{ dist = "lognormal", mean = 1, sd = 0.5 }')
        return None
    family = value["dist"]
    if not isinstance(family, str) or family not in dists.FAMILIES:
        problems.add(f"{path}.dist", f"unknown distribution {family!r}",
                     did_you_mean(str(family), dists.FAMILIES) or allowed(dists.FAMILIES))
        return None
    table = {k: v for k, v in value.items() if k not in ("source", "note", "point")}
    try:
        dist = dists.from_table(table)
    except dists.DistributionError as exc:
        problems.add(f"{path}.{exc.key}" if exc.key else path, str(exc), exc.hint)
        return None
    if dist.family == "discrete":
        problems.add(f"{path}.dist", "a per-case factor cannot be discrete")
        return None
    if dist.support()[0] < 0:
        problems.add(path, "a per-case factor must not be negative",
                     "use a lognormal or gamma with mean 1")
        return None
    return dist


def _case_block(b: _Builder, cases: dict[str, Any], items: list[dict[str, Any]],
                error: dists.Distribution | None, heterogeneity: dists.Distribution | None,
                directory: str) -> tuple[CaseBlock | None, dict[str, str]]:
    columns = sorted({i["column"] for i in items if i["column"]})
    sums = {"": "cases.sum.all"}
    if not cases:
        # no sample of cases: the success rate enters as its expectation (one average case)
        expected = "(success.rate + (1 - success.rate) * success.failure_yield)"
        sums.update({c: expected for c in columns})
        sums[""] = expected
        if columns:
            b.problems.add("items", "items with column need [cases] table = \"...\"")
        return None, sums
    table_rows: list[tuple[float, ...]] = []
    if "table" in cases:
        if heterogeneity is not None:
            b.problems.add("cases.heterogeneity", "with a case table the rows are the "
                           "heterogeneity; remove heterogeneity")
        from .cases import read_case_table

        data = read_case_table(cases["table"], columns, directory, b.problems, cases)
        if data is None:
            return None, sums
        table_rows = [(1.0, *row) for row in data]
    else:
        if columns:
            b.problems.add("cases", "items use column = ..., so [cases] needs table = \"...\"")
            return None, sums
        table_rows = [(1.0,)]
    count = cases.get("count", len(table_rows) if "table" in cases else None)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_CASES:
        b.problems.add("cases.count", f"count must be a whole number of cases in "
                       f"1..{MAX_CASES}, got {count!r}")
        return None, sums
    resample = cases.get("resample", True)
    if not isinstance(resample, bool):
        b.problems.add("cases.resample", "resample must be true or false")
        resample = True
    if not resample and "table" in cases and count != len(table_rows):
        b.problems.add("cases.count", f"without resampling, count must equal the table's "
                       f"{len(table_rows)} rows")
    names = ["cases.sum.all"] + [f"cases.sum.{c}" for c in columns]
    for name in names:
        b.parameters[name] = Parameter(name, "fixed", value=0.0, point=0.0, internal=True,
                                       written="per-case model")
    for column in columns:
        sums[column] = f"cases.sum.{column}"
    sums = {k: f"({v} / {count})" for k, v in sums.items()}
    block = CaseBlock(count=count, success="success.rate", failure_yield="success.failure_yield",
                      error=error, heterogeneity=heterogeneity, table=tuple(table_rows),
                      columns=tuple(names), resample=resample)
    return block, sums


def _extrapolation(b: _Builder, table: dict[str, Any]) -> str | None:
    if "cases_per_year" not in table:
        if table:
            b.problems.add("extrapolation.cases_per_year", "cases_per_year is required")
        return None
    parts = [b.value("extrapolation.cases_per_year", table["cases_per_year"],
                     "extrapolation.cases_per_year", positive=True) or "1"]
    if "damping" in table:
        parts.append(b.value("extrapolation.damping", table["damping"],
                             "extrapolation.damping", share=True) or "1")
    if "safety_margin" in table:
        ref = b.value("extrapolation.safety_margin", table["safety_margin"],
                      "extrapolation.safety_margin", share=True)
        parts.append(f"(1 - {ref})" if ref else "1")
    return " * ".join(parts)


def _costs(b: _Builder, costs: dict[str, Any], rate: str | None,
           stakeholders: tuple[str, ...]) -> str | None:
    terms: list[str] = []
    if "hours_per_case" in costs:
        hours = b.value("costs.hours_per_case", costs["hours_per_case"], "costs.hours_per_case",
                        positive=True)
        if rate is None:
            b.problems.add("costs.hours_per_case", "hours_per_case needs hourly_rate")
        elif hours:
            terms.append(f"{hours} * {rate} * extrapolation.cases_per_year")
    if "fte" in costs or "cost_per_fte" in costs:
        if not ("fte" in costs and "cost_per_fte" in costs):
            b.problems.add("costs", "fte and cost_per_fte go together")
        else:
            fte = b.value("costs.fte", costs["fte"], "costs.fte", positive=True)
            each = b.value("costs.cost_per_fte", costs["cost_per_fte"], "costs.cost_per_fte",
                           positive=True)
            terms.append(f"{fte} * {each}")
    for i, entry in enumerate(_list(b, costs, "interventions")):
        path = f"costs.interventions.{i}"
        b.keys(entry, INTERVENTION_KEYS, path)
        name = entry.get("name", f"intervention{i}")
        if not all(k in entry for k in ("count", "unit_cost")):
            b.problems.add(path, "an intervention needs count and unit_cost")
            continue
        prefix = f"costs.interventions.{name}"
        count = b.value(f"{prefix}.count", entry["count"], f"{path}.count", positive=True)
        unit = b.value(f"{prefix}.unit_cost", entry["unit_cost"], f"{path}.unit_cost",
                       positive=True)
        terms.append(f"{count} * {unit}")
    base = " + ".join(terms) if terms else "0"
    risk_terms: list[str] = []
    for i, entry in enumerate(_list(b, costs, "risks")):
        path = f"costs.risks.{i}"
        b.keys(entry, RISK_KEYS, path)
        name = entry.get("name", f"risk{i}")
        if "probability" not in entry or ("share" in entry) == ("amount" in entry):
            b.problems.add(path, "a risk needs probability and either share (of the costs) or "
                           "amount", 'e.g. name = "btw", probability = 0.5, share = 0.21')
            continue
        probability = b.value(f"costs.risks.{name}.probability", entry["probability"],
                              f"{path}.probability", share=True)
        if "share" in entry:
            size = b.value(f"costs.risks.{name}.share", entry["share"], f"{path}.share",
                           positive=True)
            effect = f"{size} * ({base})"
        else:
            size = b.value(f"costs.risks.{name}.amount", entry["amount"], f"{path}.amount")
            effect = str(size)
        # The event: a uniform draw below the probability. Its point value 1 means the
        # published claim assumed the risk does not happen.
        draw = f"costs.risks.{name}.draw"
        b.parameters[draw] = Parameter(
            draw, "random", dist=dists.from_table({"dist": "uniform", "min": 0, "max": 1}),
            point=1.0, internal=True, written="risk event draw")
        risk_terms.append(f"({draw} < {probability}) * {effect}")
    if not terms and not risk_terms:
        if costs:
            b.problems.add("costs", "no costs given: add hours_per_case, fte + cost_per_fte or "
                           "[[costs.interventions]]")
        return None
    payer = costs.get("payer")
    if payer is not None and payer not in stakeholders:
        b.problems.add("costs.payer", f"unknown stakeholder {payer!r}",
                       did_you_mean(str(payer), stakeholders))
    return " + ".join([base, *risk_terms]) if risk_terms else base


def _list(b: _Builder, table: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        b.problems.add(f"costs.{key}", f"write each entry as [[costs.{key}]]")
        return []
    return value

