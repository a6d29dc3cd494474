"""The social-domain model's report data: who gains and who pays ("verdelingseffecten"),
the effects left unpriced, the load-time warnings and the yearly cash flow of a horizon.

Everything here reads outputs the model already generated (see
:mod:`onzekerheid.scenario.domain`); nothing is recomputed.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .result import Result

# (gains, pays, net) per stakeholder, first match wins: the horizon's present values, the
# yearly figures, or the savings per case alone.
BALANCES = (("benefits_pv", "costs_pv", "npv"),
            ("savings_per_year", "costs_per_year", "net_benefit"),
            ("savings_per_case", "", ""))


def balance_keys(result: Result) -> tuple[str, str, str] | None:
    """The (gains, pays, net) output bases the scenario has, or None."""
    stakeholders = result.scenario.stakeholders
    for keys in BALANCES:
        if stakeholders and f"{keys[0]}.{stakeholders[0]}" in result.outputs:
            return keys
    return None


def _brief(result: Result, name: str) -> dict[str, float | None] | None:
    if name not in result.outputs:
        return None
    s = result.summary_of(name)
    return {k: (float(v) if v is not None and math.isfinite(v) else None)
            for k, v in (("mean", s.mean), ("median", s.median), ("low", s.low),
                         ("high", s.high))}


def balance(result: Result) -> dict[str, Any]:
    """Per stakeholder and societally: what is gained, what is paid, and the net."""
    keys = balance_keys(result)
    if keys is None:
        return {}
    rows: dict[str, Any] = {}
    for who in (*result.scenario.stakeholders, ""):
        suffix = f".{who}" if who else ""
        rows[who or "societal"] = {
            base: _brief(result, f"{base}{suffix}") for base in keys if base}
    return {"outputs": [k for k in keys if k], "rows": rows}


def cash_flow(result: Result) -> dict[str, Any]:
    """The yearly net cash flow (undiscounted) as a fan: median and interval per year, and
    the share of iterations that never pay back."""
    domain = result.scenario.domain
    if domain is None or not domain.years:
        return {}
    years = [_brief(result, name) for name in domain.cash_flow]
    doc: dict[str, Any] = {"years": list(range(1, domain.years + 1)),
                           **{k: [y[k] if y else None for y in years]
                              for k in ("mean", "median", "low", "high")}}
    if "payback_year" in result.columns:
        payback = result["payback_year"]
        doc["never_pays_back"] = float(np.mean(np.isposinf(payback)))
    return doc


def domain_json(result: Result) -> dict[str, Any]:
    """The ``domain`` part of ``run --json`` (empty without the social-domain model)."""
    domain = result.scenario.domain
    if domain is None:
        return {}
    return {"domain": {
        "stakeholders": list(domain.stakeholders),
        "balance": balance(result),
        "unpriced": [dict(u) for u in domain.unpriced],
        "warnings": list(domain.warnings),
        "cash_flow": cash_flow(result),
        "price_year": domain.price_year,
    }}
