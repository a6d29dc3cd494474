"""Evaluating ``[[checks]]`` assertions on simulated samples."""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

import numpy as np

from ..scenario.model import Check
from .mcse import mean_mcse, probability_mcse, quantile_mcse, sd_mcse
from .result import Result

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


def evaluate_check(check: Check, samples: np.ndarray, batch: int = 1) -> CheckOutcome:
    """Value of the check's statistic on ``samples`` (run order; non-finite iterations left out).

    ``mcse`` by :mod:`.mcse` with ``batch`` rows per batch: batch means with correlations, the
    fourth-moment delta method for ``sd``, order statistics for quantiles, the rule of three
    for a probability estimated at 0 or 1.
    """
    x = samples[np.isfinite(samples)]
    n = x.size
    if n == 0:
        return CheckOutcome(check.expect, math.nan, False, math.nan)
    if check.stat == "P":
        hits = _OPS[check.inner_op](samples, check.inner_value)
        value = float(np.count_nonzero(hits[np.isfinite(samples)]) / n)
        mcse = probability_mcse(samples, hits, batch)
    elif check.stat == "mean":
        value = float(x.mean())
        mcse = mean_mcse(samples, batch)
    elif check.stat == "sd":
        value = float(x.std(ddof=1)) if n > 1 else 0.0
        mcse = sd_mcse(samples, batch)
    else:
        q = 0.5 if check.stat == "median" else float(check.stat[1:]) / 100.0
        value = float(np.quantile(x, q))
        mcse = quantile_mcse(samples, q, batch)
    return CheckOutcome(check.expect, value, bool(_OPS[check.op](value, check.threshold)), mcse)


def evaluate_checks(result: Result, checks: tuple[Check, ...] | list[Check]) -> list[CheckOutcome]:
    return [evaluate_check(check, result[check.output], result.batch) for check in checks]
