"""``[[items]]`` of the social-domain model: what each item is worth per case, and how.

An item is a benefit (``kind`` material or immaterial), an extra cost the intervention
causes (``kind = "extra_cost"``), or a transfer (``transfer_from``): money that moves from one
stakeholder to another and cancels societally. The adjustments that describe a benefit
(probability, attribution, deadweight, displacement, overlap; success and estimator bias in
:mod:`.domain`) never shrink an extra cost. See the README for every key.
"""

from __future__ import annotations

from typing import Any

from ..errors import did_you_mean
from .builder import (
    BENEFIT_ADJUSTMENTS,
    DEFAULT_DISCOUNT_RATE,
    ITEM_KEYS,
    ITEM_KINDS,
    _Builder,
    _price_year,
    index_parameter,
)
from .parameters import _NAME

COMPLEMENTS = {"probability": False, "attribution": False, "deadweight": True,
               "displacement": True, "overlap": True}
MAX_YEARS = 100


def parse_items(b: _Builder, raw_items: list[Any], stakeholders: tuple[str, ...],
                prices: dict[str, Any], index: dict[str, str], options: dict[str, Any],
                price_year: int | None, on_horizon: bool) -> list[dict[str, Any]]:
    """Check every ``[[items]]`` entry; returns one dict per item (see :func:`_item`)."""
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw_items):
        path = f"items.{i}"
        if not isinstance(entry, dict):
            b.problems.add(path, "each [[items]] entry must be a table")
            continue
        item = _item(b, entry, path, seen, stakeholders, prices, index, options, price_year,
                     on_horizon)
        if item is not None:
            items.append(item)
    if not items and not b.problems:
        b.problems.add("items", "the social-domain model needs at least one [[items]] entry",
                       'e.g. [[items]] name = "gemeente" amount = 3563')
    return items


def _item(b: _Builder, entry: dict[str, Any], path: str, seen: set[str],
          stakeholders: tuple[str, ...], prices: dict[str, Any], index: dict[str, str],
          options: dict[str, Any], price_year: int | None, on_horizon: bool
          ) -> dict[str, Any] | None:
    b.keys(entry, ITEM_KEYS, path)
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        b.problems.add(f"{path}.name", "each item needs a name (letters, digits, _)",
                       'e.g. name = "uithuisplaatsing"')
        return None
    if name in seen:
        b.problems.add(f"{path}.name", f"item '{name}' is defined twice")
        return None
    seen.add(name)
    stakeholder = entry.get("stakeholder", stakeholders[0] if stakeholders else None)
    _known(b, stakeholder, f"{path}.stakeholder", stakeholders)
    kind = entry.get("kind", "material")
    if kind not in ITEM_KINDS:
        b.problems.add(f"{path}.kind", f"kind must be material, immaterial or extra_cost, "
                       f"got {kind!r}")
    transfer_from = _transfer(b, entry, path, kind, stakeholder, stakeholders)
    cost = kind == "extra_cost"
    base = _base(b, entry, path, name, prices, index, price_year, cost)
    if base is None:
        return None
    adjust: list[str] = []
    for field in BENEFIT_ADJUSTMENTS:
        if field not in entry:
            continue
        if cost:
            b.problems.add(f"{path}.{field}", f"{field} describes a benefit; an extra cost is "
                           "not shrunk by it", f"remove {field} from the extra cost '{name}'")
            continue
        ref = b.value(f"items.{name}.{field}", entry[field], f"{path}.{field}", share=True)
        if ref:
            adjust.append(f"(1 - {ref})" if COMPLEMENTS[field] else ref)
    _stacking(b, entry, path, name)
    item = {"name": name, "stakeholder": stakeholder, "kind": kind,
            "transfer_from": transfer_from, "base": base, "adjust": adjust,
            "column": entry.get("column", ""), "time": "", "duration": 1, "delay": 0,
            "dropoff": None}
    if on_horizon:
        _horizon_timing(b, entry, path, item)
    elif "duration" in entry:
        item["time"] = _duration(b, entry, f"items.{name}", path,
                                 options.get("discount_rate", DEFAULT_DISCOUNT_RATE))
        b.warnings.append(
            f"{path} ('{name}'): duration without [horizon] counts several years of one "
            "year's cases against one year of costs. Add [horizon] years = ... to put benefits "
            "and costs on one time basis.")
    elif "dropoff" in entry or "discount_rate" in entry:
        b.problems.add(path, "dropoff and discount_rate need duration (years)")
    if "delay" in entry and not on_horizon:
        b.problems.add(f"{path}.delay", "delay (years before an effect starts) needs a time "
                       "horizon", "add [horizon] years = ...")
    return item


def _known(b: _Builder, stakeholder: Any, path: str, stakeholders: tuple[str, ...]) -> None:
    if stakeholder is not None and stakeholder not in stakeholders:
        b.problems.add(path, f"unknown stakeholder {stakeholder!r}",
                       did_you_mean(str(stakeholder), stakeholders)
                       or "list it in [cases] stakeholders")


def _transfer(b: _Builder, entry: dict[str, Any], path: str, kind: Any, stakeholder: Any,
              stakeholders: tuple[str, ...]) -> str:
    source = entry.get("transfer_from")
    if source is None:
        return ""
    where = f"{path}.transfer_from"
    if not isinstance(source, str):
        b.problems.add(where, "transfer_from is the name of the stakeholder who pays")
        return ""
    _known(b, source, where, stakeholders)
    if source == stakeholder:
        b.problems.add(where, "a transfer moves money between two different stakeholders",
                       "set transfer_from to the stakeholder who pays")
    if kind != "material":
        b.problems.add(where, "a transfer is money between stakeholders: kind material",
                       "for a payment the other way, swap stakeholder and transfer_from")
    return source


def _base(b: _Builder, entry: dict[str, Any], path: str, name: str, prices: dict[str, Any],
          index: dict[str, str], price_year: int | None, cost: bool) -> str | None:
    """``amount`` (or ``price x quantity``) x ``price_factor`` x the price index, as text."""
    prefix = f"items.{name}"
    base: list[str] = []
    if "price" in entry:
        price = entry["price"]
        if price not in prices:
            b.problems.add(f"{path}.price", f"unknown price {price!r}",
                           did_you_mean(str(price), prices) or "define it under [prices]")
        base.append(f"prices.{price}")
        if price in index:
            base.append(index[price])
        if "amount" in entry:
            b.problems.add(f"{path}.amount", "give either amount or price (x quantity)")
        if "column" not in entry:
            base.append(b.value(f"{prefix}.quantity", entry.get("quantity", 1.0),
                                f"{path}.quantity", positive=True) or "1")
    elif "column" not in entry:
        if "amount" not in entry:
            b.problems.add(path, f"item '{name}' needs amount, price or column",
                           "amount = euros per case; or price = a name in [prices]")
            return None
        base.append(_amount(b, entry, path, prefix, cost) or "1")
    elif "amount" in entry or "quantity" in entry:
        b.problems.add(f"{path}.column", "with column, the case table gives the amount "
                       "(or the quantity, with price); drop amount/quantity")
    if "price_year" in entry:
        year = _price_year(entry["price_year"], f"{path}.price_year", b.problems)
        if "price" in entry:
            b.problems.add(f"{path}.price_year", "the price carries its own price_year",
                           "put price_year on the price under [prices]")
        elif year is not None and price_year is None:
            b.problems.add(f"{path}.price_year", "a price_year needs the scenario's own "
                           "price year", "add [options] price_year = 2024")
        elif year is not None and price_year is not None:
            base.append(index_parameter(b, f"{prefix}.index", year, price_year,
                                        f"{path}.price_year"))
    if "price_factor" in entry:
        base.append(b.value(f"{prefix}.price_factor", entry["price_factor"],
                            f"{path}.price_factor", positive=True) or "1")
    return " * ".join(base) or "1"


def _amount(b: _Builder, entry: dict[str, Any], path: str, prefix: str, cost: bool
            ) -> str | None:
    """The amount per case; a benefit whose point amount is negative is an extra cost."""
    ref = b.value(f"{prefix}.amount", entry["amount"], f"{path}.amount", positive=cost)
    if ref is None or cost:
        return ref
    parameter = b.parameters[ref]
    point = parameter.point if parameter.kind != "expression" else 0.0
    if point < 0:
        b.problems.add(f"{path}.amount", f"a benefit of {point:g} per case is a cost the "
                       "intervention causes; success, bias and the counterfactual shares "
                       "would shrink it", f'write kind = "extra_cost" with amount = '
                       f"{-point:g}")
        return None
    return ref


def _stacking(b: _Builder, entry: dict[str, Any], path: str, name: str) -> None:
    """Warn where two adjustments describe the same counterfactual (double counting)."""
    if "deadweight" not in entry:
        return
    for other in ("probability", "attribution"):
        if other in entry:
            b.warnings.append(
                f"{path} ('{name}'): deadweight and {other} both describe what would have "
                "happened without the intervention; stacked they count the counterfactual "
                f"twice. Keep one, or make sure {other} excludes what deadweight removes.")


def _whole(b: _Builder, value: Any, path: str, low: int, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_YEARS:
        b.problems.add(path, f"{path.split('.')[-1]} under [horizon] is a whole number of "
                       f"years in {low}..{MAX_YEARS}, got {value!r}",
                       "a horizon counts whole years; vary the horizon with variants")
        return default
    return value


def _horizon_timing(b: _Builder, entry: dict[str, Any], path: str, item: dict[str, Any]
                    ) -> None:
    """Under ``[horizon]``: duration and delay in whole years, dropoff a share; the horizon's
    discount rate is the only rate."""
    item["duration"] = _whole(b, entry.get("duration"), f"{path}.duration", 1, 1)
    item["delay"] = _whole(b, entry.get("delay"), f"{path}.delay", 0, 0)
    if "discount_rate" in entry:
        b.problems.add(f"{path}.discount_rate", "under [horizon] the horizon's discount_rate "
                       "is the only rate (benefits and costs alike)",
                       "remove discount_rate from the item")
    if "dropoff" in entry:
        item["dropoff"] = b.value(f"items.{item['name']}.dropoff", entry["dropoff"],
                                  f"{path}.dropoff", share=True)


def _duration(b: _Builder, entry: dict[str, Any], prefix: str, path: str,
              default_rate: Any) -> str:
    """The first version's multi-year factor ``D = sum_{t<T} q^t``, ``q = (1-d)/(1+r)``."""
    years = b.value(f"{prefix}.duration", entry["duration"], f"{path}.duration",
                    positive=True) or "1"
    dropoff = b.value(f"{prefix}.dropoff", entry.get("dropoff", 0.0), f"{path}.dropoff",
                      share=True) or "0"
    rate = entry.get("discount_rate", default_rate)
    if isinstance(rate, int | float) and not isinstance(rate, bool) and rate >= 1:
        b.problems.add(f"{path}.discount_rate", f"discount_rate = {rate:g} is not a rate",
                       "a fraction: 0.0225 for 2.25%")
        rate = DEFAULT_DISCOUNT_RATE
    ref = b.value(f"{prefix}.discount_rate", rate, f"{path}.discount_rate") or "0"
    q = f"((1 - {dropoff}) / (1 + {ref}))"
    # sum_{t=0}^{T-1} q^t, with the limit T where q == 1
    return f"where({q} == 1, {years}, (1 - {q} ** {years}) / (1 - {q}))"
