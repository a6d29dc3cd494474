"""The social-domain model: cases, stakeholders, adjustments, extrapolation and costs.

A reviewer writes a claim in readable sections; this module translates them into ordinary
parameters (so every assumption can be varied, swept and analysed like any other), a
:class:`CaseBlock` for the per-case randomness, and generated output expressions. Costs,
payers and transfers are in :mod:`.costs`, the time horizon in :mod:`.horizon`.

Per iteration (see the README for every key with a worked example):

* each of ``count`` cases succeeds with probability ``success.rate`` (a failure yields
  ``success.failure_yield`` of its value), carries a per-case estimator error ``bias.per_case``
  and a heterogeneity factor ``cases.heterogeneity`` (or is a row of the case table); the
  kernel writes ``cases.sum.<column> = sum_i w_i e_i h_i x_i`` and, for extra costs (and the
  negative cells of a benefit column), ``cases.extra.<column> = sum_i x_i`` over every case;
* a benefit item's value per case is ``base x price_factor x probability x attribution
  x (1 - deadweight) x (1 - displacement) x (1 - overlap) x D`` with ``base`` = ``cases.sum /
  count`` times the item's ``amount`` (or ``price x quantity``), and ``D = sum_{t<duration}
  q^t``, ``q = (1 - dropoff) / (1 + discount_rate)`` (``D = 1`` under ``[horizon]``, which
  spreads the years itself); the systematic bias ``bias.systematic`` (realised / estimated)
  and the uncounted drop-out share multiply it: ``x bias.systematic x (1 - success.dropout)``;
* an extra cost (``kind = "extra_cost"``) is ``amount x price_factor x D`` per case: success,
  estimator bias and the counterfactual shares describe the benefit and leave it alone;
* a transfer (``transfer_from``) counts for its stakeholder and against ``transfer_from`` and
  in no societal total;
* ``savings_per_year = savings_per_case x cases_per_year x damping x (1 - safety_margin)``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import Problems, allowed, did_you_mean
from . import costs as domain_costs
from . import distributions as dists
from . import horizon as domain_horizon
from .builder import (
    _ARRAYS,
    BIAS_KEYS,
    BUILTINS,
    CASES_KEYS,
    COSTS_KEYS,
    DIRECTIONS,
    DOMAIN_SECTIONS,
    EXTRAPOLATION_KEYS,
    HORIZON_KEYS,
    INTERVENTION_KEYS,
    ITEM_KEYS,
    KINDS,
    MAX_CASES,
    ONE_OFF_KEYS,
    OPTIONS_KEYS,
    RISK_KEYS,
    SUCCESS_KEYS,
    UNPRICED_KEYS,
    _Builder,
    _price_year,
    index_parameter,
    total,
)
from .cases import read_case_table
from .items import parse_items
from .model import CaseBlock, DomainInfo, Output, Parameter
from .parameters import _NAME

__all__ = ["BIAS_KEYS", "BUILTINS", "CASES_KEYS", "COSTS_KEYS", "EXTRAPOLATION_KEYS",
           "HORIZON_KEYS", "INTERVENTION_KEYS", "ITEM_KEYS", "ONE_OFF_KEYS", "OPTIONS_KEYS",
           "RISK_KEYS", "SUCCESS_KEYS", "build_domain"]


def _sections(raw: dict[str, Any], problems: Problems) -> dict[str, Any]:
    tables: dict[str, Any] = {}  # [[items]] and [[unpriced]] are lists, the rest dicts
    for section in DOMAIN_SECTIONS:
        array = section in _ARRAYS
        value = raw.get(section, [] if array else {})
        expected = list if array else dict
        if not isinstance(value, expected):
            form = f"[[{section}]]" if array else f"[{section}]"
            problems.add(section, f"{form} has the wrong shape",
                         "write it as an array of tables" if array else "")
            value = expected()
        tables[section] = value
    return tables


def build_domain(raw: dict[str, Any], parameters: dict[str, Parameter],
                 outputs: dict[str, Output], problems: Problems, directory: str,
                 allow_outside: bool = False
                 ) -> tuple[CaseBlock | None, tuple[str, ...], DomainInfo | None]:
    """Translate the social-domain sections; returns the case block, the stakeholders and
    what the report needs besides the outputs (unpriced effects, warnings, the horizon)."""
    if not any(section in raw for section in DOMAIN_SECTIONS):
        return None, (), None
    b = _Builder(parameters, outputs, problems)
    tables = _sections(raw, problems)
    include_immaterial, price_year = _options(b, tables["options"], problems)
    on_horizon = "horizon" in raw

    index: dict[str, str] = {}
    for name, value in tables["prices"].items():
        value = _strip_price_year(b, name, value, price_year, index)
        b.value(f"prices.{name}", value, f"prices.{name}", positive=True)

    cases = tables["cases"]
    b.keys(cases, CASES_KEYS, "cases")
    stakeholders = _stakeholders(cases, tables["items"], problems)
    items = parse_items(b, tables["items"], stakeholders, tables["prices"], index,
                        tables["options"], price_year, on_horizon)
    unpriced = _unpriced(b, tables["unpriced"], stakeholders)
    dropout = _success(b, tables["success"], problems)
    systematic, per_case = _bias(b, tables["bias"], problems)
    heterogeneity = _case_factor(cases.get("heterogeneity"), "cases.heterogeneity", problems)

    block, sums, extras = _case_block(b, cases, items, per_case, heterogeneity, directory,
                                      allow_outside)
    info = DomainInfo(stakeholders=stakeholders, unpriced=tuple(unpriced),
                      warnings=tuple(b.warnings), price_year=price_year)
    if problems:
        return block, stakeholders, info

    common = " * ".join(n for n in (systematic, dropout and f"(1 - {dropout})") if n)
    values = _item_values(b, items, sums, extras, common)
    groups = _groups(items, stakeholders, include_immaterial)
    _per_case_outputs(b, items, values, groups)
    years = _yearly_outputs(b, tables, items, values, groups, stakeholders, on_horizon)
    return block, stakeholders, info if years is None else _with(info, b, years)


def _options(b: _Builder, options: dict[str, Any], problems: Problems
             ) -> tuple[bool, int | None]:
    """``[options]``: whether immaterial effects count, and the price year."""
    b.keys(options, OPTIONS_KEYS, "options")
    include_immaterial = options.get("immaterial", True)
    if not isinstance(include_immaterial, bool):
        problems.add("options.immaterial", "immaterial must be true or false")
        include_immaterial = True
    _rate_option(options, problems)
    return include_immaterial, _price_year(options.get("price_year"), "options.price_year",
                                           problems)


def _success(b: _Builder, success: dict[str, Any], problems: Problems) -> str | None:
    """``[success]``: the rate (or a survey), the failure yield; the dropout's name, if any."""
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
    return dropout


def _bias(b: _Builder, bias: dict[str, Any], problems: Problems
          ) -> tuple[str | None, dists.Distribution | None]:
    """``[bias]``: the systematic factor's name (if any) and the per-case error."""
    b.keys(bias, BIAS_KEYS, "bias")
    systematic = None
    if "systematic" in bias:
        systematic = b.value("bias.systematic", bias["systematic"], "bias.systematic",
                             positive=True)
    return systematic, _case_factor(bias.get("per_case"), "bias.per_case", problems)


def _per_case_outputs(b: _Builder, items: list[dict[str, Any]], values: dict[str, str],
                      groups: dict[str, Any]) -> None:
    """``savings_per_case`` per group and ``extra_cost_per_case``."""
    for suffix, terms in groups.items():
        b.output(f"savings_per_case{suffix}", total([f"{sign}{values[n]}" if sign == "" else
                                                    f"(-{values[n]})" for sign, n in terms]))
    if any(i["kind"] == "extra_cost" for i in items):
        b.output("extra_cost_per_case", total([values[i["name"]] for i in items
                                               if i["kind"] == "extra_cost"]))


def _yearly_outputs(b: _Builder, tables: dict[str, Any], items: list[dict[str, Any]],
                    values: dict[str, str], groups: dict[str, Any],
                    stakeholders: tuple[str, ...], on_horizon: bool) -> int | None:
    """Break-even hours, the yearly savings, costs, net benefits and BCRs, and the horizon;
    returns the horizon's years (0 without one), or None when the year cannot be built."""
    problems = b.problems
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
        if on_horizon:
            problems.add("horizon", "a horizon needs [extrapolation] cases_per_year (the "
                         "cohort that starts each year)", "add [extrapolation]")
        return None
    for suffix in groups:
        b.output(f"savings_per_year{suffix}", f"savings_per_case{suffix} * {per_year}")
    cost = domain_costs.build_costs(b, costs, rate, stakeholders, on_horizon)
    if cost is None:
        if on_horizon and not problems:
            problems.add("costs", "a horizon needs costs to set the benefits against")
        return None
    b.output("costs_per_year", cost.societal)
    for stakeholder in stakeholders:
        b.output(f"costs_per_year.{stakeholder}", cost.paid_by[stakeholder])
    for suffix in groups:  # one year's flows (under a horizon: a cohort's first year)
        paid = ("costs_per_year" if suffix in ("", ".material")
                else f"costs_per_year{suffix}" if suffix[1:] in stakeholders else None)
        if paid is not None:
            b.output(f"net_benefit{suffix}", f"savings_per_year{suffix} - {paid}")
        if suffix != ".immaterial" and not on_horizon:
            b.output(f"bcr{suffix}", f"savings_per_year{suffix} / costs_per_year")
    if on_horizon:  # bcr becomes benefits_pv / costs_pv
        return domain_horizon.build_horizon(b, tables["horizon"], items, values, groups,
                                            per_year, cost, stakeholders,
                                            tables["options"].get("discount_rate"))
    return 0


def _with(info: DomainInfo, b: _Builder, years: int) -> DomainInfo:
    cash_flow = tuple(f"cash_flow.year{t + 1}" for t in range(years))
    return replace(info, warnings=tuple(b.warnings), years=years, cash_flow=cash_flow)


def _rate_option(options: dict[str, Any], problems: Problems) -> None:
    rate = options.get("discount_rate")
    if isinstance(rate, int | float) and not isinstance(rate, bool) and rate >= 1:
        problems.add("options.discount_rate", f"discount_rate = {rate:g} is not a rate",
                     "a fraction: 0.0225 for 2.25%")


def _strip_price_year(b: _Builder, name: str, value: Any, price_year: int | None,
                      index: dict[str, str]) -> Any:
    """A price ``{ ..., price_year = 2014 }``: the index factor to the scenario's price year
    becomes the internal parameter ``prices.<name>.index``; the price keeps its own euros."""
    if not isinstance(value, dict) or "price_year" not in value:
        return value
    value = dict(value)
    path = f"prices.{name}.price_year"
    year = _price_year(value.pop("price_year"), path, b.problems)
    if year is None:
        return value
    if price_year is None:
        b.problems.add(path, "a price_year on a price needs the scenario's own price year",
                       "add [options] price_year = 2024 (the euros the scenario reports in)")
        return value
    index[name] = index_parameter(b, f"prices.{name}.index", year, price_year, path)
    return value


def _stakeholders(cases: dict[str, Any], items: list[Any], problems: Problems
                  ) -> tuple[str, ...]:
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
        if not _NAME.match(name) or name in (*KINDS, "extra_cost"):
            problems.add("cases.stakeholders", f"'{name}' cannot be a stakeholder name",
                         "use letters, digits and _; not 'material' or 'immaterial'")
    if len(set(declared)) != len(declared):
        problems.add("cases.stakeholders", "a stakeholder is listed twice")
    return tuple(declared)


def _unpriced(b: _Builder, entries: list[Any], stakeholders: tuple[str, ...]
              ) -> list[dict[str, str]]:
    """``[[unpriced]]``: effects the figure leaves out (PM-posten), listed, never summed."""
    found: list[dict[str, str]] = []
    for i, entry in enumerate(entries):
        path = f"unpriced.{i}"
        if not isinstance(entry, dict):
            b.problems.add(path, "each [[unpriced]] entry must be a table")
            continue
        b.keys(entry, UNPRICED_KEYS, path)
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            b.problems.add(f"{path}.name", "each unpriced effect needs a name",
                           'e.g. name = "better school results"')
            continue
        direction = entry.get("direction", "unknown")
        if direction not in DIRECTIONS:
            b.problems.add(f"{path}.direction", f"direction must be one of "
                           f"{', '.join(DIRECTIONS)}, got {direction!r}",
                           "positive: the figure understates the benefit")
        stakeholder = entry.get("stakeholder", "")
        if stakeholder and stakeholder not in stakeholders:
            b.problems.add(f"{path}.stakeholder", f"unknown stakeholder {stakeholder!r}",
                           did_you_mean(str(stakeholder), stakeholders)
                           or "list it in [cases] stakeholders")
        found.append({"name": name, "direction": str(direction),
                      "stakeholder": str(stakeholder), "note": str(entry.get("note", "")),
                      "source": str(entry.get("source", ""))})
    return found


def _item_values(b: _Builder, items: list[dict[str, Any]], sums: dict[str, str],
                 extras: dict[str, str], common: str) -> dict[str, str]:
    """``items.<name>.value`` per item: its money per case (a cost as a positive amount)."""
    values: dict[str, str] = {}
    for item in items:
        column, base = item["column"], item["base"]
        if item["kind"] == "extra_cost":
            value = f"{extras[column]} * {base}" if column else base
        else:
            value = f"{sums[column]} * {base}"
            if item["adjust"]:
                value += " * " + " * ".join(item["adjust"])
            if common:
                value += " * " + common
            if column in extras:  # the negative cells: that case's extra cost, not shrunk
                value = f"{value} + {extras[column]} * {base}"
        if item["time"]:
            value = f"({value}) * {item['time']}"
        values[item["name"]] = b.expression(f"items.{item['name']}.value", value)
    return values


def _groups(items: list[dict[str, Any]], stakeholders: tuple[str, ...],
            include_immaterial: bool) -> dict[str, list[tuple[str, str]]]:
    """Signed item names per output suffix: "" (societal), ".<stakeholder>", ".material",
    ".immaterial". Transfers count for their two parties only; extra costs with a minus."""
    counted = [i for i in items if include_immaterial or i["kind"] != "immaterial"]

    def sign(item: dict[str, Any]) -> str:
        return "-" if item["kind"] == "extra_cost" else ""

    groups: dict[str, list[tuple[str, str]]] = {
        "": [(sign(i), i["name"]) for i in counted if not i["transfer_from"]]}
    for stakeholder in stakeholders:
        terms = []
        for i in counted:
            if i["stakeholder"] == stakeholder:
                terms.append((sign(i), i["name"]))
            if i["transfer_from"] == stakeholder:
                terms.append(("-", i["name"]))
        groups[f".{stakeholder}"] = terms
    groups[".material"] = [(sign(i), i["name"]) for i in items
                           if i["kind"] != "immaterial" and not i["transfer_from"]]
    groups[".immaterial"] = [("", i["name"]) for i in items if i["kind"] == "immaterial"]
    return groups


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


def _item_columns(b: _Builder, items: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """The case-table columns the items read: benefits and extra costs (one column cannot be
    both)."""
    costs = sorted({i["column"] for i in items if i["column"] and i["kind"] == "extra_cost"})
    benefits = sorted({i["column"] for i in items if i["column"] and i["kind"] != "extra_cost"})
    for column in set(costs) & set(benefits):
        b.problems.add("items", f"column '{column}' is used by a benefit and by an extra cost",
                       "give the extra cost its own column of positive amounts")
    return benefits, costs


def _case_rows(b: _Builder, cases: dict[str, Any], columns: list[str],
               heterogeneity: dists.Distribution | None, directory: str, allow_outside: bool
               ) -> list[tuple[float, ...]] | None:
    """The case table's rows of ``columns`` (one empty row without a table); None when the
    table cannot be read or is missing though items need one (reported)."""
    if "table" in cases:
        if heterogeneity is not None:
            b.problems.add("cases.heterogeneity", "with a case table the rows are the "
                           "heterogeneity; remove heterogeneity")
        return read_case_table(cases["table"], columns, directory, b.problems, cases,
                               allow_outside=allow_outside)
    if columns:
        b.problems.add("cases", "items use column = ..., so [cases] needs table = \"...\"")
        return None
    return [()]


def _resample(b: _Builder, cases: dict[str, Any], count: int, rows: int) -> bool:
    """``[cases] resample`` (default true); without it the count must be the table's rows."""
    resample = cases.get("resample", True)
    if not isinstance(resample, bool):
        b.problems.add("cases.resample", "resample must be true or false")
        resample = True
    if not resample and "table" in cases and count != rows:
        b.problems.add("cases.count", f"without resampling, count must equal the table's "
                       f"{rows} rows", f"remove count or set count = {rows}")
    return resample


def _sum_columns(b: _Builder, columns: list[str], benefits: set[str], costs: set[str],
                 data: list[tuple[float, ...]]
                 ) -> tuple[list[str], list[bool], list[tuple[int, str]], dict[str, str]]:
    """The per-case sums: names, whether each is weighted by success and estimator error,
    which cells of the table feed it, and the unweighted sums of the extra costs.

    Each benefit column gives its positive cells to a weighted sum; its negative cells (a
    case where the team cost more) and every extra-cost column to an unweighted one.
    """
    names, weighted, cells = ["cases.sum.all"], [True], [(-1, "one")]
    extras: dict[str, str] = {}
    for j, column in enumerate(columns):
        values = [row[j] for row in data]
        if column in benefits:
            names.append(f"cases.sum.{column}")
            weighted.append(True)
            cells.append((j, "positive"))
        if column in costs and min(values) < 0:
            b.problems.add("cases.table", f"column '{column}' holds extra costs and has "
                           "negative cells", "an extra cost is a positive amount")
        if column in costs or min(values) < 0:
            names.append(f"cases.extra.{column}")
            weighted.append(False)
            cells.append((j, "negative" if column in benefits else "all"))
            extras[column] = f"cases.extra.{column}"
    return names, weighted, cells, extras


def _case_block(b: _Builder, cases: dict[str, Any], items: list[dict[str, Any]],
                error: dists.Distribution | None, heterogeneity: dists.Distribution | None,
                directory: str, allow_outside: bool = False
                ) -> tuple[CaseBlock | None, dict[str, str], dict[str, str]]:
    """The per-case model; returns it with the per-case sums (weighted by success and
    estimator error) and the unweighted sums of extra costs, each as ``(sum / count)``."""
    benefits, costs = _item_columns(b, items)
    columns = benefits + costs
    sums = {"": "cases.sum.all"}
    if not set(cases) & {"count", "table", "heterogeneity", "resample"}:
        # no sample of cases (at most the stakeholders): the success rate enters as its
        # expectation (one average case)
        expected = "(success.rate + (1 - success.rate) * success.failure_yield)"
        sums.update({c: expected for c in columns})
        sums[""] = expected
        if columns:
            b.problems.add("items", "items with column need [cases] table = \"...\"")
        return None, sums, {}
    data = _case_rows(b, cases, columns, heterogeneity, directory, allow_outside)
    count = None if data is None else _count(b, cases, len(data))
    if data is None or count is None:
        return None, sums, {}
    resample = _resample(b, cases, count, len(data))
    names, weighted, cells, extras = _sum_columns(b, columns, set(benefits), set(costs), data)
    sums.update({c: f"cases.sum.{c}" for c in benefits})
    for name in names:
        b.internal(name, Parameter(name, "fixed", value=0.0, point=0.0, internal=True,
                                   written="per-case model"))
    table = tuple(tuple(_cell(row, j, part) for j, part in cells) for row in data)
    sums = {k: f"({v} / {count})" for k, v in sums.items()}
    extras = {k: f"({v} / {count})" for k, v in extras.items()}
    block = CaseBlock(count=count, success="success.rate", failure_yield="success.failure_yield",
                      error=error, heterogeneity=heterogeneity, table=table,
                      columns=tuple(names), resample=resample, weighted=tuple(weighted))
    return block, sums, extras


def _cell(row: tuple[float, ...], j: int, part: str) -> float:
    """One cell of the kernel's table: 1 (the case itself), a column, or its sign part."""
    if part == "one":
        return 1.0
    if part == "positive":
        return max(row[j], 0.0)
    return min(row[j], 0.0) if part == "negative" else row[j]


def _count(b: _Builder, cases: dict[str, Any], rows: int) -> int | None:
    table = "table" in cases
    count = cases.get("count", rows if table else None)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_CASES:
        b.problems.add("cases.count", f"count must be a whole number of cases in "
                       f"1..{MAX_CASES}, got {count!r}")
        return None
    if table and count > rows:
        b.problems.add("cases.count", f"count = {count} is more cases than the table's {rows} "
                       "rows; the interval would shrink as if there were more data",
                       f"remove count (it defaults to the {rows} rows) or add the cases")
        return None
    return count


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
