"""What a publication claimed about an output, as stated: ``[claim]`` values to :class:`Claim`.

The forms (see the README, "Claims, judgements and goal seek")::

    [claim]
    net_benefit = 1800000                    # "at least this good", following the output's better
    bcr = { at_least = 2 }                   # savings at least double the cost
    costs_per_year = { at_most = 3800000 }
    ratio = { between = [1.40, 2.0] }        # "1.40 to 2"
    share = { value = 0.43, rounded = 0.01 } # a rounded figure: holds within +- rounded / 2
    net_benefit.gemeente = 250000            # claims on a group of outputs, dotted

A bare number (or ``{ value = x }`` without ``rounded``) is "at least this good": at least ``x``
for an output whose ``better`` is ``"higher"``, at most ``x`` when it is ``"lower"``; an output
with ``better = "none"`` needs one of the explicit forms. A claim holds for a value ``y`` when
``low <= y <= high`` (the bounds included, an open side infinite).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import Problems

FORMS = ("at_least", "at_most", "between", "value")
FORM_KEYS = frozenset((*FORMS, "rounded"))
HINT = ("a number, { at_least = X }, { at_most = X }, { between = [A, B] } or "
        "{ value = X, rounded = R }")


@dataclass(frozen=True)
class Claim:
    """One claim as stated: it holds when ``low <= value <= high``.

    ``form`` is ``at_least``, ``at_most``, ``between`` or ``value`` (a rounded figure);
    ``figure`` is the one number that stands for it in percentiles and tables (the bound of a
    one-sided claim; of a range the end in the output's bad direction, the least the reader
    was promised: its low end when higher is better, its high end when lower is, the middle
    when the output has no direction; the rounded value); ``rounded`` the rounding step
    of a ``value`` claim (nan otherwise); ``direction`` is ``"higher"`` when the claim says
    "at least", ``"lower"`` for "at most" and ``"none"`` for a two-sided claim.
    """

    form: str
    low: float
    high: float
    figure: float
    rounded: float = math.nan

    @property
    def direction(self) -> str:
        if self.form == "at_least":
            return "higher"
        return "lower" if self.form == "at_most" else "none"

    def holds(self, values: np.ndarray) -> np.ndarray:
        """Boolean per value: whether the claim holds for it (nan never holds)."""
        return (values >= self.low) & (values <= self.high)

    def as_dict(self) -> dict[str, Any]:
        """The claim as the scenario file would write it (JSON-ready)."""
        if self.form == "at_least":
            return {"at_least": self.low}
        if self.form == "at_most":
            return {"at_most": self.high}
        if self.form == "between":
            return {"between": [self.low, self.high]}
        return {"value": self.figure, "rounded": self.rounded}


def at_least_as_good(figure: float, better: str) -> Claim:
    """A bare number: at least ``figure`` (``better`` higher or none), at most it (lower)."""
    if better == "lower":
        return Claim("at_most", -math.inf, figure, figure)
    return Claim("at_least", figure, math.inf, figure)


def is_form(value: Any) -> bool:
    """A ``[claim]`` table that is one claim's form rather than a group of outputs' claims."""
    return isinstance(value, dict) and bool(FORM_KEYS & set(value))


def flatten(name: str, value: Any) -> list[tuple[str, Any]]:
    """``(output, written value)`` pairs of a ``[claim]`` entry; groups become dotted names."""
    if isinstance(value, dict) and not is_form(value):
        pairs: list[tuple[str, Any]] = []
        for sub, subvalue in value.items():
            pairs.extend(flatten(f"{name}.{sub}", subvalue))
        return pairs
    return [(name, value)]


def parse_claim(value: Any, better: str, path: str, problems: Problems) -> Claim | None:
    """One claim as written (a number or a form table) for an output whose ``better`` is given.

    Problems (a non-number, an unknown key, an empty range, a bare number on an output
    without direction) are added with ``path``; the result is then None.
    """
    if _number(value):
        if better == "none":
            problems.add(path, "a bare number says 'at least this good', but this output has "
                         "better = \"none\"", "write { at_least = X }, { at_most = X }, "
                         "{ between = [A, B] } or { value = X, rounded = R }")
            return None
        return at_least_as_good(float(value), better)
    if not isinstance(value, dict):
        problems.add(path, f"a claim must be a number, got {value!r}", "or a table: " + HINT)
        return None
    unknown = sorted(set(value) - FORM_KEYS)
    for key in unknown:
        problems.add(f"{path}.{key}", f"unknown key '{key}' in a claim", HINT)
    forms = [k for k in FORMS if k in value]
    if unknown:
        return None
    if len(forms) != 1:
        problems.add(path, "a claim takes exactly one of at_least, at_most, between, value"
                     + (f"; got {', '.join(forms)}" if forms else ""),
                     "for both bounds write { between = [A, B] }" if len(forms) > 1 else HINT)
        return None
    form = forms[0]
    if "rounded" in value and form != "value":
        problems.add(f"{path}.rounded", "rounded belongs to a value claim",
                     "write { value = X, rounded = R }")
        return None
    return _PARSERS[form](value, better, path, problems)


def _one_sided(value: dict[str, Any], better: str, path: str, problems: Problems
               ) -> Claim | None:
    key = "at_least" if "at_least" in value else "at_most"
    bound = value[key]
    if not _number(bound):
        problems.add(f"{path}.{key}", f"{key} must be a finite number, got {bound!r}")
        return None
    x = float(bound)
    return Claim(key, x, math.inf, x) if key == "at_least" else Claim(key, -math.inf, x, x)


def _between(value: dict[str, Any], better: str, path: str, problems: Problems) -> Claim | None:
    pair = value["between"]
    if not (isinstance(pair, list) and len(pair) == 2 and all(_number(v) for v in pair)):
        problems.add(f"{path}.between", f"between needs two finite numbers, got {pair!r}",
                     "e.g. { between = [1.40, 2.0] }")
        return None
    low, high = float(pair[0]), float(pair[1])
    if not low < high:
        problems.add(f"{path}.between", f"between = [{pair[0]}, {pair[1]}]: the first number "
                     "must be below the second", "e.g. { between = [1.40, 2.0] }")
        return None
    # its figure is the weaker end (the least a reader was promised), the middle without direction
    figure = {"higher": low, "lower": high}.get(better, (low + high) / 2.0)
    return Claim("between", low, high, figure)


def _value(value: dict[str, Any], better: str, path: str, problems: Problems) -> Claim | None:
    x = value["value"]
    if not _number(x):
        problems.add(f"{path}.value", f"value must be a finite number, got {x!r}")
        return None
    if "rounded" not in value:  # a figure without its rounding reads as a bare number
        return parse_claim(x, better, path, problems)
    step = value["rounded"]
    if not _number(step) or step <= 0:
        problems.add(f"{path}.rounded", f"rounded must be a positive number, got {step!r}",
                     "the rounding step: 0.01 for a figure given as 43%, 1000 for thousands")
        return None
    half = float(step) / 2.0
    return Claim("value", float(x) - half, float(x) + half, float(x), float(step))


_PARSERS: dict[str, Callable[[dict[str, Any], str, str, Problems], Claim | None]] = {
    "at_least": _one_sided, "at_most": _one_sided, "between": _between, "value": _value}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
