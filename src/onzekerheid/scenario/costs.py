"""Costs of the social-domain model: who pays what, risks and transfers between parties.

Every cost has a payer (its own ``payer``, else ``[costs] payer``, else the first
stakeholder). ``costs_per_year`` is the societal resource cost; ``costs_per_year.<s>`` what
stakeholder ``s`` pays, transfers included. A risk with ``transfer_to`` (VAT: 21% of the
team's costs paid to the state) is a cost for its payer and a gain for the receiver, so it
appears in both parties' balances and in no societal total. One-off costs
(``[[costs.one_off]]``) belong to the time horizon (:mod:`.horizon`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import did_you_mean
from .builder import INTERVENTION_KEYS, ONE_OFF_KEYS, RISK_KEYS, _Builder, total


@dataclass
class CostModel:
    """The cost side as expressions: societal, per payer, and the one-off costs."""

    societal: str
    paid_by: dict[str, str]
    one_offs: list[tuple[str, int, str]] = field(default_factory=list)  # (ref, year, payer)


def build_costs(b: _Builder, costs: dict[str, Any], rate: str | None,
                stakeholders: tuple[str, ...], on_horizon: bool) -> CostModel | None:
    """Check ``[costs]`` and return its expressions (None without any cost)."""
    payer = _payer(b, costs.get("payer"), "costs.payer", stakeholders)
    terms: list[tuple[str, str]] = []  # (expression, payer)
    if "hours_per_case" in costs:
        hours = b.value("costs.hours_per_case", costs["hours_per_case"], "costs.hours_per_case",
                        positive=True)
        if rate is None:
            b.problems.add("costs.hours_per_case", "hours_per_case needs hourly_rate")
        elif hours:
            terms.append((f"{hours} * {rate} * extrapolation.cases_per_year", payer))
    if "fte" in costs or "cost_per_fte" in costs:
        if not ("fte" in costs and "cost_per_fte" in costs):
            b.problems.add("costs", "fte and cost_per_fte go together")
        else:
            fte = b.value("costs.fte", costs["fte"], "costs.fte", positive=True)
            each = b.value("costs.cost_per_fte", costs["cost_per_fte"], "costs.cost_per_fte",
                           positive=True)
            terms.append((f"{fte} * {each}", payer))
    terms += _interventions(b, costs, payer, stakeholders)
    base = total([t for t, _ in terms])
    risks = _risks(b, costs, base, payer, stakeholders)
    one_offs = _one_offs(b, costs, payer, stakeholders, on_horizon)
    if not terms and not risks and not one_offs:
        if costs:
            b.problems.add("costs", "no costs given: add hours_per_case, fte + cost_per_fte or "
                           "[[costs.interventions]]")
        return None
    societal = total([t for t, _ in terms] + [e for e, _, to in risks if not to])
    paid_by: dict[str, list[str]] = {s: [] for s in stakeholders}
    for expression, who in terms:
        paid_by.setdefault(who, []).append(expression)
    for expression, who, to in risks:
        paid_by.setdefault(who, []).append(expression)
        if to:
            paid_by.setdefault(to, []).append(f"(-{expression})")
    return CostModel(societal, {s: total(paid_by.get(s, [])) for s in stakeholders}, one_offs)


def _payer(b: _Builder, value: Any, path: str, stakeholders: tuple[str, ...],
           default: str | None = None) -> str:
    if value is None:
        return default if default is not None else (stakeholders[0] if stakeholders else "")
    if value not in stakeholders:
        b.problems.add(path, f"unknown stakeholder {value!r}",
                       did_you_mean(str(value), stakeholders) or "list it in [cases] "
                       "stakeholders")
    return str(value)


def _list(b: _Builder, table: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        b.problems.add(f"costs.{key}", f"write each entry as [[costs.{key}]]")
        return []
    return value


def _interventions(b: _Builder, costs: dict[str, Any], payer: str,
                   stakeholders: tuple[str, ...]) -> list[tuple[str, str]]:
    terms = []
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
        who = _payer(b, entry.get("payer"), f"{path}.payer", stakeholders, payer)
        terms.append((f"{count} * {unit}", who))
    return terms


def _risks(b: _Builder, costs: dict[str, Any], base: str, payer: str,
           stakeholders: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """``(expression, payer, transfer_to)`` per risk: ``happens x (share x base or amount)``.

    ``happens`` is a Bernoulli draw on the risk's probability; its point value 0 means the
    published claim assumed the risk does not happen. Its arguments depend on the probability,
    so the analyses attribute its effect to the probability (it is no assumption of its own).
    """
    risks = []
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
        if probability is None:
            continue
        happens = b.value(f"costs.risks.{name}.happens",
                          {"dist": "bernoulli", "p": probability, "point": 0},
                          path, internal=True)
        who = _payer(b, entry.get("payer"), f"{path}.payer", stakeholders, payer)
        to = ""
        if "transfer_to" in entry:
            to = _payer(b, entry["transfer_to"], f"{path}.transfer_to", stakeholders)
            if to == who:
                b.problems.add(f"{path}.transfer_to", "a transfer goes to another stakeholder "
                               "than the payer", "name the receiver, e.g. transfer_to = "
                               '"rijk"')
        risks.append((f"{happens} * {effect}", who, to))
    return risks


def _one_offs(b: _Builder, costs: dict[str, Any], payer: str, stakeholders: tuple[str, ...],
              on_horizon: bool) -> list[tuple[str, int, str]]:
    entries = _list(b, costs, "one_off")
    if entries and not on_horizon:
        b.problems.add("costs.one_off", "one-off costs need a time horizon to fall in",
                       "add [horizon] years = ... (year 0 is the first year)")
        return []
    found = []
    for i, entry in enumerate(entries):
        path = f"costs.one_off.{i}"
        b.keys(entry, ONE_OFF_KEYS, path)
        name = entry.get("name", f"one_off{i}")
        if "amount" not in entry:
            b.problems.add(f"{path}.amount", "a one-off cost needs amount",
                           'e.g. name = "opstart", amount = 250000, year = 0')
            continue
        year = entry.get("year", 0)
        if isinstance(year, bool) or not isinstance(year, int) or year < 0:
            b.problems.add(f"{path}.year", f"year is the 0-based year of the cost, got "
                           f"{year!r}", "year = 0 for the first year")
            continue
        ref = b.value(f"costs.one_off.{name}.amount", entry["amount"], f"{path}.amount",
                      positive=True)
        who = _payer(b, entry.get("payer"), f"{path}.payer", stakeholders, payer)
        if ref:
            found.append((ref, year, who))
    return found
