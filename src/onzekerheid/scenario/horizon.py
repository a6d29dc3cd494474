"""``[horizon]``: the programme over several years, benefits and costs on one time basis.

Each year ``t = 0 .. years-1`` a cohort of ``P = cases_per_year x damping x (1 -
safety_margin)`` cases starts. An item with value ``V`` per case, delay ``L``, duration ``T``
and drop-off ``d`` yields, for a case that started in year ``c``, ``V (1 - d)^k`` in year
``c + L + k`` for ``k = 0 .. T-1``; what falls after the horizon is not counted. Summed over
the cohorts, year ``t`` holds

    ``B_t = P x sum_i s_i V_i F_it``,  ``F_it = sum_{k=0}^{m-1} (1 - d_i)^k``,
    ``m = max(0, min(t - L_i + 1, T_i))``

(``s_i`` = -1 for an extra cost). Recurring costs ``C`` fall in every year, one-off costs in
their own year. Year ``t`` is discounted by ``(1 + r)^-t`` (the first year undiscounted),
benefits and costs alike (Werkgroep discontovoet 2020: r = 2.25%):

    ``benefits_pv = sum_t B_t (1 + r)^-t``, ``costs_pv = C x sum_t (1 + r)^-t + sum_o A_o
    (1 + r)^-y_o``, ``npv = benefits_pv - costs_pv``, ``bcr = benefits_pv / costs_pv``,

and ``payback_year`` is the 1-based year in which the cumulative discounted net benefit first
reaches 0 (+inf when it never does). ``cash_flow.yearN`` is year N's net flow, undiscounted.
"""

from __future__ import annotations

from typing import Any

from .builder import HORIZON_KEYS, _Builder, total
from .costs import CostModel

DEFAULT_DISCOUNT_RATE = 0.0225
MAX_YEARS = 100
NEVER = "1e999"  # +inf: the payback year of a programme that never pays back


def build_horizon(b: _Builder, table: dict[str, Any], items: list[dict[str, Any]],
                  values: dict[str, str], groups: dict[str, list[tuple[str, str]]],
                  per_year: str, cost: CostModel, stakeholders: tuple[str, ...],
                  default_rate: Any = None) -> int:
    """Generate the horizon's outputs; returns the number of years (0 after a problem).

    The rate is ``[horizon] discount_rate``, else ``[options] discount_rate``, else 2.25%.
    """
    b.keys(table, HORIZON_KEYS, "horizon")
    found = _years_and_rate(b, table, cost, default_rate)
    if found is None:
        return 0
    years, rate = found
    discount = [b.expression(f"horizon.discount{t}", f"1 / (1 + {rate}) ** {t}")
                for t in range(years)]
    factors = {i["name"]: [_factor(i, t) for t in range(years)] for i in items}
    flows = _Flows(b, values, groups, per_year, cost, discount, factors)
    flows.present_values(stakeholders)
    flows.cash_flows(years)
    return years


def _years_and_rate(b: _Builder, table: dict[str, Any], cost: CostModel, default_rate: Any
                    ) -> tuple[int, str] | None:
    """``[horizon] years`` and the discount rate as an expression; None after a problem (every
    one found is added to ``b.problems``)."""
    years = table.get("years", 1)
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
        b.problems.add("horizon.years", f"years must be a whole number in 1..{MAX_YEARS}, "
                       f"got {years!r}", "e.g. years = 10")
        return None
    rate_value = table.get("discount_rate", DEFAULT_DISCOUNT_RATE if default_rate is None
                           else default_rate)
    if isinstance(rate_value, int | float) and not isinstance(rate_value, bool) and (
            rate_value >= 1 or rate_value <= -1):
        b.problems.add("horizon.discount_rate", f"discount_rate = {rate_value:g} is not a "
                       "rate", "a fraction: 0.0225 for 2.25%")
        return None
    rate = b.value("horizon.discount_rate", rate_value, "horizon.discount_rate")
    for ref, year, _ in cost.one_offs:
        if year >= years:
            b.problems.add("costs.one_off", f"'{ref}' falls in year {year}, after the horizon "
                           f"of {years} years (years 0..{years - 1})",
                           "move it into the horizon or lengthen it")
    if rate is None or b.problems:
        return None
    return years, rate


class _Flows:
    """The horizon's generated outputs, from the items' yearly factors and the discount."""

    def __init__(self, b: _Builder, values: dict[str, str],
                 groups: dict[str, list[tuple[str, str]]], per_year: str, cost: CostModel,
                 discount: list[str], factors: dict[str, list[str]]) -> None:
        self.b, self.values, self.groups, self.per_year = b, values, groups, per_year
        self.cost, self.discount, self.factors = cost, discount, factors

    def signed(self, sign: str, name: str, factor: str) -> str:
        term = f"{self.values[name]} * {factor}"
        return f"(-{term})" if sign else term

    def present_values(self, stakeholders: tuple[str, ...]) -> None:
        """``benefits_pv``, ``costs_pv``, ``npv`` and ``bcr``, societal and per group."""
        b, cost, discount = self.b, self.cost, self.discount
        pv = {name: b.expression(f"items.{name}.pv_factor", total(
            [f"{f} * {d}" for f, d in zip(fs, discount, strict=True) if f != "0"]))
            for name, fs in self.factors.items()}
        annuity = b.expression("horizon.annuity", total(discount))
        for suffix, terms in self.groups.items():
            b.output(f"benefits_pv{suffix}",
                     f"{self.per_year} * ({total([self.signed(s, n, pv[n]) for s, n in terms])})")
        societal_once = [(ref, y) for ref, y, _ in cost.one_offs]
        b.output("costs_pv", _costs_pv("costs_per_year", annuity, societal_once, discount))
        for s in stakeholders:
            own = [(ref, y) for ref, y, who in cost.one_offs if who == s]
            b.output(f"costs_pv.{s}", _costs_pv(f"costs_per_year.{s}", annuity, own, discount))
        for suffix in self.groups:
            paid = ("costs_pv" if suffix in ("", ".material")
                    else f"costs_pv{suffix}" if suffix[1:] in stakeholders else None)
            if paid is not None:
                b.output(f"npv{suffix}", f"benefits_pv{suffix} - {paid}")
            if suffix != ".immaterial":
                b.output(f"bcr{suffix}", f"benefits_pv{suffix} / costs_pv")

    def cash_flows(self, years: int) -> None:
        """``cash_flow.yearN`` (undiscounted) and ``payback_year`` (discounted, NEVER if not)."""
        b = self.b
        cumulative = "0"
        payback = []
        for t in range(years):
            benefit = total([self.signed(s, n, self.factors[n][t]) for s, n in self.groups[""]
                             if self.factors[n][t] != "0"])
            once = [ref for ref, y, _ in self.cost.one_offs if y == t]
            net = b.expression(f"horizon.net{t}", f"{self.per_year} * ({benefit}) - "
                               f"({total(['costs_per_year', *once])})")
            b.output(f"cash_flow.year{t + 1}", net)
            cumulative = b.expression(f"horizon.cumulative{t}",
                                      f"{cumulative} + {net} * {self.discount[t]}")
            payback.append(f"where({cumulative} >= 0, {t + 1}, {NEVER})")
        b.output("payback_year", f"min({', '.join(payback)}, {NEVER})")


def _factor(item: dict[str, Any], t: int) -> str:
    """``F_it``: what one case of each cohort so far yields in year ``t``, in units of V."""
    m = max(0, min(t - item["delay"] + 1, item["duration"]))
    dropoff = item["dropoff"]
    if m == 0:
        return "0"
    if dropoff is None or m == 1:
        return str(m)
    q = f"(1 - {dropoff})"
    return f"where({q} == 1, {m}, (1 - {q} ** {m}) / (1 - {q}))"


def _costs_pv(recurring: str, annuity: str, once: list[tuple[str, int]],
              discount: list[str]) -> str:
    return total([f"{recurring} * {annuity}", *(f"{ref} * {discount[y]}" for ref, y in once)])
