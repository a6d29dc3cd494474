"""Evaluating ``[[checks]]`` assertions on simulated samples."""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

import numpy as np

from ..scenario.model import Check
from .result import Result
from .summary import quantile_mcse

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@dataclass(frozen=True)
class CheckOutcome:
    """A check's value on the samples and whether it holds; ``mcse`` is the value's MC error."""

    expect: str
    value: float
    passed: bool
    mcse: float

    def as_dict(self) -> dict[str, object]:
        value = self.value if math.isfinite(self.value) else None
        mcse = self.mcse if math.isfinite(self.mcse) else None
        return {"expect": self.expect, "value": value, "passed": self.passed, "mcse": mcse}


def evaluate_check(check: Check, samples: np.ndarray) -> CheckOutcome:
    """Value of the check's statistic on ``samples`` (non-finite iterations left out)."""
    x = samples[np.isfinite(samples)]
    n = x.size
    if n == 0:
        return CheckOutcome(check.expect, math.nan, False, math.nan)
    if check.stat == "P":
        hits = _OPS[check.inner_op](x, check.inner_value)
        value = float(np.count_nonzero(hits) / n)
        mcse = math.sqrt(value * (1.0 - value) / n)
    elif check.stat == "mean":
        value = float(x.mean())
        mcse = float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    elif check.stat == "sd":
        value = float(x.std(ddof=1)) if n > 1 else 0.0
        mcse = value / math.sqrt(2.0 * max(n - 1, 1))  # normal-theory approximation
    else:
        q = 0.5 if check.stat == "median" else float(check.stat[1:]) / 100.0
        value = float(np.quantile(x, q))
        mcse = quantile_mcse(x, q)
    return CheckOutcome(check.expect, value, bool(_OPS[check.op](value, check.threshold)), mcse)


def evaluate_checks(result: Result, checks: tuple[Check, ...] | list[Check]) -> list[CheckOutcome]:
    return [evaluate_check(check, result[check.output]) for check in checks]
