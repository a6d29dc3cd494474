"""Which outputs carry a decision: the refusals and warnings of ``voi`` and ``switching``.

Value of information values the decision "go ahead when the expected output is positive"; a
switching value at the default target 0 asks where that decision turns. Both presume the
output is a net benefit (societal, per stakeholder or discounted). For other outputs:

* ``voi`` refuses a cost (``better = "lower"``), an output without direction
  (``better = "none"``) and a ratio, share, number of hours or years (their break-even is not
  0: a benefit-cost ratio breaks even at 1; an output without a unit named ``bcr`` or
  ``...ratio...`` counts as a ratio), and warns for a saving or benefit (the costs are
  left out, so "positive" decides nothing);
* ``switching`` against 0 warns for the same outputs and names the target that makes sense;
  with the claim or another number as target it asks a well-posed question and says nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import argument_error
from ..scenario.model import Scenario

NET = ("net_benefit", "npv")  # built-in outputs that are net benefits
GROSS = ("savings_per_case", "savings_per_year", "benefits_pv")  # benefits without the costs
NOT_AMOUNTS = ("ratio", "share", "hours", "years")


def _not_decision(scenario: Scenario, output: str) -> tuple[bool, str]:
    """``(refuse, reason)`` for an output that is not a net benefit; reason '' when it is."""
    spec = scenario.outputs[output]
    base = output.split(".", 1)[0]
    if spec.better == "lower":
        return True, (f"{output} is a cost (better = \"lower\"), not a net benefit; whether it "
                      "is positive decides nothing")
    if spec.better == "none":
        return True, (f"{output} has no good direction (better = \"none\"), so no decision "
                      "rests on it")
    if spec.unit in NOT_AMOUNTS or _named_ratio(spec.unit, base) or (
            spec.builtin and base in ("break_even_hours", "payback_year")):
        kind = spec.unit or ("ratio" if _named_ratio("", base) else "number of hours or years")
        return True, (f"{output} is a {kind}, not an amount of money: it does not break even "
                      "at 0 (a benefit-cost ratio breaks even at 1)")
    if spec.builtin and base in GROSS:
        return False, (f"{output} is a benefit without its costs, not a net benefit: "
                       "'go ahead when positive' ignores what the intervention costs")
    return False, ""


def _named_ratio(unit: str, base: str) -> bool:
    """An output without a unit whose name says it is a ratio (``bcr``, ``cost_effect_ratio``)."""
    return not unit and (base == "bcr" or "ratio" in base.lower())


def _nets(scenario: Scenario) -> str:
    nets = [n for n in scenario.outputs if n.split(".", 1)[0] in NET]
    return f"analyse a net benefit instead, such as {nets[0]}" if nets else \
        "analyse an output that is benefits minus costs"


def voi_warnings(scenario: Scenario, output: str) -> list[str]:
    """Warnings for ``voi`` on ``output``; raises :class:`ScenarioError` when it is refused."""
    refuse, reason = _not_decision(scenario, output)
    if refuse:
        raise argument_error("output", output, f"{reason}; value of information values the "
                             "decision 'go ahead when the expected value is positive' "
                             f"({_nets(scenario)})")
    return [reason] if reason else []


def switching_warnings(scenario: Scenario, output: str, target_label: str) -> list[str]:
    """Warnings for ``switching`` on ``output`` against ``target_label`` (zero/claim/value)."""
    if target_label != "zero":
        return []
    refuse, reason = _not_decision(scenario, output)
    if not reason:
        return []
    better = "the claim as target" if output in scenario.claims else "a number as target"
    unit = scenario.outputs[output].unit
    if unit == "ratio" or _named_ratio(unit, output.split(".", 1)[0]):
        better = "the target 1 (break-even)" + (" or the claim"
                                                if output in scenario.claims else "")
    return [f"{reason}; a switch at 0 is rarely the question: use {better}"]


def no_decision_warning(output: str, evpi: float, expected: float) -> list[str]:
    """A warning when EVPI is 0: the output has one sign in every iteration."""
    if evpi == 0.0:
        side = "positive" if expected > 0 else "zero or negative"
        return [f"{output} is {side} in every iteration: no decision is at stake, so the "
                "value of information is 0"]
    return []


def main_of(scenario: Scenario, names: Sequence[str]) -> str:
    """The decision output among ``names``.

    ``[scenario] headline`` when the scenario names one; else ``npv``, else ``net_benefit``;
    else the first claimed output; else the first output.
    """
    if scenario.headline in names:
        return scenario.headline
    for wanted in ("npv", "net_benefit"):
        if wanted in names:
            return wanted
    for name in names:
        if name.split(".", 1)[0] in ("npv", "net_benefit"):
            return name
    claimed = [n for n in names if n in scenario.claims]
    return claimed[0] if claimed else names[0]


def decision_outputs(scenario: Scenario, names: Sequence[str], most: int = 6) -> list[str]:
    """The outputs a compact listing shows: the decision output, then the claimed ones."""
    main = main_of(scenario, names)
    claimed = [n for n in names if n in scenario.claims and n != main]
    return ([main] + claimed)[:most]
