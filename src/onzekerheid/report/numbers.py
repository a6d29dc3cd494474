"""Numbers for people: every value a report shows, written in its unit and rounded honestly.

The one formatting module of the renderers (terminal, HTML, plots, exports). A value is written
by its ``unit`` (see :mod:`onzekerheid.scenario.units`): ``"EUR"`` as money, ``"share"`` as a
percentage, ``"ratio"`` as a plain number, ``"hours"``/``"years"`` with the word, any other
word as a count of that thing, and no unit as a plain number. Nothing is money unless its unit
says so. Locale rules (separators, the place of the euro sign, "mln"/"M") come from Babel's
CLDR data (``nl_NL``, ``en_US``), not from tables of our own.

Rounding. A Monte Carlo estimate :math:`\\hat\\theta` with standard error :math:`s` is written
with the significant digits down to the decade of :math:`2s` (the last digit shown is the
first one the noise can change), and never more than :data:`MAX_DIGITS` significant digits:
the published inputs these scenarios encode are stated to two or three digits, so a fourth
digit would claim a precision the inputs do not have (Taylor, *An Introduction to Error
Analysis*, 2nd ed., 1997, §2.2: "the last significant figure in any stated answer should
usually be of the same order of magnitude as the uncertainty").
"""

from __future__ import annotations

import math
import re

from babel import numbers as babel

from ..scenario.units import MONEY, is_money

MAX_DIGITS = 3  # significant digits: the precision of the published inputs
_LOCALES = {"nl": "nl_NL", "en": "en_US"}
_WORDS = {"hours": {"nl": "uur", "en": "hours"}, "years": {"nl": "jaar", "en": "years"}}
_ONE = {"hours": {"nl": "uur", "en": "hour"}, "years": {"nl": "jaar", "en": "year"}}
_HUGE = 1e15  # beyond this a compact amount would read "65300 bln": write a power of ten
NBSP = "\u00a0"


def digits_for(x: float, mcse: float | None = None) -> int:
    """Significant digits of ``x`` that its Monte Carlo standard error ``mcse`` justifies.

    ``floor(log10|x|) - floor(log10(2 mcse)) + 1``, clipped to 1 .. :data:`MAX_DIGITS`; without
    an error (or with none, a constant) :data:`MAX_DIGITS`.
    """
    if not math.isfinite(x) or x == 0:
        return MAX_DIGITS
    if mcse is None or not math.isfinite(mcse) or mcse <= 1e-12 * abs(x):
        return MAX_DIGITS
    wanted = math.floor(math.log10(abs(x))) - math.floor(math.log10(2 * mcse)) + 1
    return max(1, min(MAX_DIGITS, wanted))


def significant(x: float, digits: int = MAX_DIGITS) -> float:
    """``x`` rounded to ``digits`` significant digits (``1799010 -> 1800000``)."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def _locale(lang: str) -> str:
    return _LOCALES.get(lang, "en_US")


def _decimals(x: float, digits: int) -> int:
    """Decimal places that show ``digits`` significant digits of ``x`` (0 for large values)."""
    if x == 0:
        return 0
    return max(0, digits - 1 - math.floor(math.log10(abs(x))))


def plain(x: float | None, lang: str, digits: int = MAX_DIGITS, *, compact: bool = True) -> str:
    """A number with the language's separators, ``digits`` significant: ``1.800`` / ``1,800``.

    From a million up (``compact``) in words: ``1,8 mln`` (nl) / ``1.8M`` (en); beyond
    10^15 as a power of ten.
    """
    if x is None or not math.isfinite(x):
        return _special(x)
    x = significant(x, digits) + 0.0  # + 0.0: no "-0"
    if abs(x) >= _HUGE:
        return babel.format_scientific(x, "0.##E0", locale=_locale(lang)).replace("E", "×10^")
    if compact and abs(x) >= 1e6:
        fraction = _decimals(x / 10 ** (3 * math.floor(math.log10(abs(x)) / 3)), digits)
        written = babel.format_compact_decimal(x, locale=_locale(lang), fraction_digits=fraction)
        return _tidy(written)
    return babel.format_decimal(x, format=_pattern(_decimals(x, digits)), locale=_locale(lang))


CENTS = 2  # money is never written below the cent: € 925,815 would read as 925 thousand


def money(x: float | None, lang: str, digits: int = MAX_DIGITS, *, compact: bool = True) -> str:
    """An amount in euros: ``€ 1,8 mln``, ``€ 8.340``, ``€ -1.200`` (nl); ``€1.8M`` (en).

    The euro sign and the amount are joined by a no-break space, so they never part.
    """
    if x is None or not math.isfinite(x):
        return _special(x)
    x = significant(x, digits) + 0.0
    if abs(x) >= _HUGE:
        return ("€" + NBSP if lang == "nl" else "€") + plain(x, lang, digits)
    x = round(x, CENTS) + 0.0  # an amount has no digits below the cent
    locale = _locale(lang)
    if compact and abs(x) >= 1e6:
        fraction = _decimals(x / 10 ** (3 * math.floor(math.log10(abs(x)) / 3)), digits)
        written = babel.format_compact_currency(x, "EUR", locale=locale,
                                                fraction_digits=fraction)
    else:
        pattern = _pattern(min(_decimals(x, digits), CENTS))
        written = babel.format_currency(x, "EUR", format=("¤ " if lang == "nl" else "¤") + pattern,
                                        locale=locale, currency_digits=False)
    written = _tidy(written).replace("€ ", "€" + NBSP)
    if lang == "nl" and written.startswith("-€"):  # Dutch writes the sign at the amount
        written = "€" + NBSP + "-" + written[2:].lstrip(NBSP + " ")
    return written


def percent(p: float | None, lang: str, decimals: int = 0) -> str:
    """A share as a percentage that never rounds to a certainty it is not.

    ``0.97 -> 97%``; ``0.0026 -> 0,3%`` (one decimal below 1% and above 99%);
    ``0.99988 -> > 99,9%`` (nl) rather than ``100%``; ``0.0002 -> < 0,1%``; exactly 0 and 1
    are ``0%`` and ``100%``.
    """
    if p is None or not math.isfinite(p):
        return _special(p)
    locale = _locale(lang)
    if 0 < p < 1:
        if p < 0.0005:
            return "< " + babel.format_percent(0.001, format="0.0%", locale=locale)
        if p > 0.9995:
            return "> " + babel.format_percent(0.999, format="0.0%", locale=locale)
        if p < 0.01 or p > 0.99:
            decimals = max(decimals, 1)
    written = babel.format_percent(p, format=_pattern(decimals, optional=False) + "%",
                                   locale=locale).replace("\u00a0", "")
    if decimals and re.search(r"[.,]0+%$", written):  # "5,0%" reads as "5%"
        written = re.sub(r"[.,]0+%$", "%", written)
    return written


def chance(p: float | None, lang: str) -> str:
    """A probability in words a council member reads at once: ``1 op 15``, ``9 op 10``.

    Below one half: "1 in N" with N = 1/p to two significant digits; from one half up: "k in
    10" (or "k in 100" when close to certainty); the extremes say "less than 1 in 1.000".
    """
    if p is None or not math.isfinite(p):
        return _special(p)
    word = " op " if lang == "nl" else " in "
    if p <= 0.001:
        return ("minder dan 1" if lang == "nl" else "less than 1") + word + plain(1000, lang)
    if p >= 0.999:
        return ("meer dan 999" if lang == "nl" else "more than 999") + word + plain(1000, lang)
    if p < 0.45:
        odds = 1 / p
        return "1" + word + plain(round(odds) if odds < 10 else significant(odds, 2), lang)
    if p < 0.955:
        return f"{round(10 * p)}{word}10"
    return f"{round(100 * p)}{word}100"


def quantity(x: float | None, unit: str, lang: str, digits: int = MAX_DIGITS) -> str:
    """``x`` written in ``unit``: money, a percentage, hours, years, a count, or a number."""
    if is_money(unit):
        return money(x, lang, digits)
    if unit == "share":
        return percent(x, lang, 0 if x is None or not math.isfinite(x) or 0.1 <= abs(x) <= 0.9
                       else 1)
    if x is None or not math.isfinite(x):
        return _special(x)
    if unit == "ratio" and 0.1 <= abs(x) < 10:  # two decimals: 1,00 is not 1,0001
        return babel.format_decimal(significant(x, digits) + 0.0, format="#,##0.00",
                                    locale=_locale(lang))
    written = plain(x, lang, digits)
    if unit in _WORDS:
        words = _ONE if x == 1 else _WORDS  # "1 year", "2 years"
        return f"{written}{NBSP}{words[unit].get(lang, unit)}"
    if unit and unit != "ratio":
        return f"{written}{NBSP}{unit}"
    return written


EXACT_DIGITS = 6  # a published figure or an input is written as given, not rounded


def exact(x: float | None, unit: str, lang: str) -> str:
    """A published figure or an input value, in its unit, as written (up to 6 digits):
    ``€ 8.336`` stays ``€ 8.336``; only estimates are rounded to their error."""
    return quantity(x, unit, lang, EXACT_DIGITS)


def estimate(x: float | None, mcse: float | None, unit: str, lang: str) -> str:
    """A Monte Carlo estimate, rounded to what its standard error justifies."""
    if x is None:
        return _special(x)
    return quantity(x, unit, lang, digits_for(x, mcse))


def interval(low: float, high: float, unit: str, lang: str,
             mcse: tuple[float | None, float | None] = (None, None)) -> str:
    """``€ 1,8 mln – € 5,9 mln``: both ends in the unit, each rounded by its own error."""
    return f"{estimate(low, mcse[0], unit, lang)} – {estimate(high, mcse[1], unit, lang)}"


def standard_error(mcse: float | None, x: float | None, lang: str) -> str:
    """A Monte Carlo standard error to two digits; ``0`` for a constant (no rounding noise)."""
    if mcse is None or not math.isfinite(mcse):
        return _special(mcse)
    if x is not None and math.isfinite(x) and mcse <= 1e-12 * max(abs(x), 1e-300):
        return "0"
    return plain(mcse, lang, 2)


def axis_formatter(unit: str, lang: str) -> object:
    """A matplotlib tick formatter writing ticks in ``unit`` (money ticks compact)."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: quantity(x, "" if unit in _WORDS else unit, lang)
                         if unit != "share" else percent(x, lang))


def unit_word(unit: str, lang: str) -> str:
    """The unit as words for an axis title: ``euro``, ``%``, ``uur``; empty for none."""
    if is_money(unit):
        return "euro"
    if unit == "share":
        return "%"
    if unit in _WORDS:
        return _WORDS[unit].get(lang, unit)
    return "" if unit in ("", "ratio") else unit


def _pattern(decimals: int, optional: bool = True) -> str:
    """A CLDR number pattern with grouping and ``decimals`` places (trailing zeros dropped
    when ``optional``: ``15`` rather than ``15,0``)."""
    return "#,##0" + ("." + ("#" if optional else "0") * decimals if decimals > 0 else "")


def _tidy(written: str) -> str:
    """Babel's compact Dutch ends in "mln." / "mld."; a Dutch analyst writes "mln"."""
    written = written.replace("\u00a0", " ")
    if written.endswith("."):
        written = written[:-1]
    return written.replace(" ", NBSP)


def _special(x: float | None) -> str:
    if x is None or math.isnan(x):
        return "–"
    return "∞" if x > 0 else "-∞"


__all__ = ["MONEY", "chance", "digits_for", "estimate", "interval", "money", "percent", "plain",
           "quantity", "significant", "standard_error"]
