"""JSON documents that every JSON parser accepts: no NaN, no Infinity.

Python's ``json.dumps`` writes ``NaN`` and ``Infinity`` for non-finite floats, which is not
JSON (RFC 8259) and breaks ``jq``, JavaScript's ``JSON.parse`` and most other readers. Every
``--json`` document and JSON file is written by :func:`dumps`: a non-finite number becomes
``null``, and the document says how many there were (``"nonfinite_numbers"``), so a null
that stands for a failed computation is not mistaken for a value that does not apply.
"""

from __future__ import annotations

import json
import math
from typing import Any

COUNT_KEY = "nonfinite_numbers"


def dumps(doc: Any, indent: int | None = 2) -> str:
    """``doc`` as strict JSON; with non-finite numbers, a dict ``doc`` gains their count.

    Parameters
    ----------
    doc
        Dicts, lists, tuples, strings, numbers (numpy scalars too), booleans and None.
    indent
        As for :func:`json.dumps`.
    """
    count = [0]
    cleaned = _finite(doc, count)
    if count[0] and isinstance(cleaned, dict):
        cleaned[COUNT_KEY] = count[0]
    return json.dumps(cleaned, indent=indent, allow_nan=False)


def _finite(value: Any, count: list[int]) -> Any:
    if isinstance(value, dict):
        return {k: _finite(v, count) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v, count) for v in value]
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float) or hasattr(value, "__float__"):
        number = float(value)
        if not math.isfinite(number):
            count[0] += 1
            return None
        if getattr(getattr(value, "dtype", None), "kind", "") in ("i", "u"):
            return int(value)  # a numpy integer stays an integer
        return number
    return value
