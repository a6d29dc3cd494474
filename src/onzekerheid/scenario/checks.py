"""The ``[[checks]]`` mini-language: ``P(output op x) op p`` and ``stat(output) op x``."""

from __future__ import annotations

import re

from .model import Check

_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_NAME = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_OP = r"<=|>=|<|>"
_PROBABILITY = re.compile(
    rf"^\s*P\s*\(\s*(?P<output>{_NAME})\s*(?P<inner_op>{_OP})\s*(?P<inner>{_NUM})\s*\)"
    rf"\s*(?P<op>{_OP})\s*(?P<value>{_NUM})\s*$"
)
_STATISTIC = re.compile(
    rf"^\s*(?P<stat>mean|median|sd|q\d{{1,2}}(?:\.\d+)?)\s*\(\s*(?P<output>{_NAME})\s*\)"
    rf"\s*(?P<op>{_OP})\s*(?P<value>{_NUM})\s*$"
)
FORMS = ('P(<output> <op> <number>) <op> <probability>', "<stat>(<output>) <op> <number>")


def parse_check(text: object) -> Check:
    """Parse one check; raise ``ValueError`` with the allowed forms when it does not fit."""
    if not isinstance(text, str):
        raise ValueError(f"expect must be text, got {text!r}")
    match = _PROBABILITY.match(text)
    if match:
        probability = float(match["value"])
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"{text!r}: a probability must lie in 0..1, got {probability:g}")
        return Check(text, "P", match["output"], match["op"], probability,
                     match["inner_op"], float(match["inner"]))
    match = _STATISTIC.match(text)
    if match:
        stat = match["stat"]
        if stat.startswith("q") and not 0 < float(stat[1:]) < 100:
            raise ValueError(f"{text!r}: {stat} must be a percentile between q01 and q99")
        return Check(text, stat, match["output"], match["op"], float(match["value"]))
    raise ValueError(
        f"cannot read check {text!r}; write {FORMS[0]} or {FORMS[1]} "
        "(stat: mean, median, sd, qNN; op: < <= > >=), e.g. \"P(net_benefit > 0) >= 0.9\""
    )
