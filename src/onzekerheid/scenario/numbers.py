"""Numbers written as text in a case table, in plain, Dutch or English notation.

``number_format`` in ``[cases]`` says how text cells are read (cells a spreadsheet already
stores as numbers are taken as they are):

* ``"plain"`` (default): ``1234.5``, ``-3e4`` — a bare number, nothing else;
* ``"nl"``: ``8.336,50``, ``€ 1.234``, ``€ 1.234,-``, ``12,5%`` — ``.`` groups thousands,
  ``,`` is the decimal comma;
* ``"en"``: ``8,336.50``, ``€1,234``, ``12.5%``.

In ``nl`` and ``en`` a currency sign or code (``€``, ``EUR``, ``$``) and spaces (any Unicode
space) are ignored,
and a trailing ``%`` divides by 100. Thousands separators must group digits by three, so a number in
the wrong notation (``8336.50`` read as Dutch) is reported rather than misread.
"""

from __future__ import annotations

import re

NUMBER_FORMATS = ("plain", "nl", "en")

_CURRENCY = re.compile(r"^(?P<sign>[+-]?)\s*(?:€|EUR|\$|USD)?\s*(?P<rest>.*?)\s*(?:€|EUR)?$",
                       re.IGNORECASE)
_GROUPED = {
    "nl": re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d*)?$|^\d+(?:,\d*)?$|^,\d+$"),
    "en": re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d*)?$|^\d+(?:\.\d*)?$|^\.\d+$"),
}
EXAMPLES = {"plain": "1234.5", "nl": "1.234,50", "en": "1,234.50"}


def parse_number(text: str, number_format: str = "plain") -> float:
    """The number ``text`` writes in ``number_format``.

    Parameters
    ----------
    text : str
        The cell's text, e.g. ``"€ 8.336,50"`` or ``"12,5%"``.
    number_format : {"plain", "nl", "en"}
        The notation; see the module docstring.

    Returns
    -------
    float
        The value; a percentage is divided by 100 (``"12,5%"`` gives 0.125).

    Raises
    ------
    ValueError
        When ``text`` is not a number in that notation.
    """
    if number_format == "plain":
        body = text.strip()
        if not body or "_" in body:  # float() would take "1_000"
            raise ValueError(text)
        return float(body)
    cleaned = "".join(text.split())  # every Unicode space, in one linear pass
    percent = cleaned.endswith("%")
    if percent:
        cleaned = cleaned[:-1]
    match = _CURRENCY.match(cleaned)
    if match is None:  # pragma: no cover - the pattern matches every string
        raise ValueError(text)
    sign, body = match.group("sign"), match.group("rest")
    if body.startswith(("-", "+")) and not sign:  # "€ -1.234": the sign after the currency
        sign, body = body[0], body[1:]
    if number_format == "nl" and body.endswith(",-"):  # "€ 1.234,-": whole euros
        body = body[:-2]
    if not _GROUPED[number_format].match(body):
        raise ValueError(text)
    thousands, decimal = (".", ",") if number_format == "nl" else (",", ".")
    value = float(body.replace(thousands, "").replace(decimal, "."))
    if sign == "-":
        value = -value
    return value / 100.0 if percent else value
