"""Starting points for a new scenario: a commented skeleton, or a copy of a shipped scenario.

:func:`skeleton` turns a few answers (title, number of cases, the published saving per case for
each stakeholder, an hourly rate) into a social-domain scenario whose point values reproduce
those figures, with every assumption marked ``ASSUMPTION: source this``. :func:`shipped` reads
the scenarios that come with the package (copies of the repository's ``scenarios/`` folder) and
the case tables they use.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from ..errors import argument_error, did_you_mean

ASSUMPTION = "ASSUMPTION: source this"
RESERVED = ("material", "immaterial")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:[.,]\d{3})+$")


@dataclass(frozen=True)
class Answers:
    """What ``onzekerheid new`` asks; ``stakeholders`` maps a name to its saving per case."""

    title: str
    stakeholders: dict[str, float]
    source: str = ""
    cases: int | None = None
    hourly_rate: float | None = None
    currency: str = "EUR"


def stakeholder_name(text: str) -> str:
    """A stakeholder name as the scenario needs it (letters, digits, _), or ValueError."""
    name = text.strip()
    if not _NAME.match(name) or name in RESERVED:
        raise ValueError(f"'{name}' cannot be a stakeholder name: use letters, digits and _ "
                         "(e.g. gemeente, client, derden), not 'material' or 'immaterial'")
    return name


def amount(text: str) -> float:
    """A figure typed by a person; refuses '3.563' (Dutch thousands or a decimal point?)."""
    cleaned = text.strip().replace("_", "")
    if _THOUSANDS.match(cleaned):
        raise ValueError(f"'{text.strip()}' is ambiguous (thousands separator or decimal "
                         "point?); write it without thousands separators, e.g. 3563 or 3563.5")
    try:
        value = float(cleaned.replace(",", "."))
    except ValueError:
        raise ValueError(f"'{text.strip()}' is not a number; e.g. 3563 or 3563.5") from None
    if not math.isfinite(value):
        raise ValueError(f"'{text.strip()}' is not a finite number")
    return value


def skeleton(answers: Answers) -> str:
    """The TOML text of a commented scenario skeleton for ``answers``.

    Every parameter the published figures did not state carries ``note = "ASSUMPTION: source
    this ..."`` and a ``point`` equal to what the claim implicitly assumed, so ``run --point``
    gives back exactly ``savings_per_case.<stakeholder>`` = the figure entered and their sum.
    """
    out = (_header(answers) + _cases_and_adjustments(answers) + _items(answers)
           + _costs(answers) + _claim_and_checks(answers))
    return "\n".join(out) + "\n"


def _header(answers: Answers) -> list[str]:
    source = answers.source or "ASSUMPTION: name the publication (title, year, page)"
    return [
        "# Scenario skeleton written by `onzekerheid new`. The figures under [[items]] and",
        "# [claim] are the published ones; every line marked ASSUMPTION is a placeholder to",
        "# replace with a sourced value (say where it comes from in source = \"...\") or to",
        "# keep with a reason. Then:",
        "#   onzekerheid validate FILE       # the file loads",
        "#   onzekerheid run FILE --point    # reproduces the published figures",
        "#   onzekerheid run FILE            # their range once the assumptions are uncertain",
        "# Every key is described in the README's scenario reference.",
        "",
        "[scenario]",
        f"title = {_text(answers.title)}",
        f"source = {_text(source)}",
        f"currency = {_text(answers.currency)}",
        "",
        "[cases]",
    ]


def _cases_and_adjustments(answers: Answers) -> list[str]:
    """``[cases]`` (count, stakeholders, spread), ``[success]`` and ``[bias]``."""
    if answers.cases is None:
        out = ["count = 100   # ASSUMPTION: source this - the number of cases in the study"]
    else:
        out = [f"count = {answers.cases}   # cases in the study"]
    return out + [
        f"stakeholders = [{', '.join(_text(n) for n in answers.stakeholders)}]",
        _inline("heterogeneity", "lognormal", "mean = 1, sd = 1",
                "case-to-case spread of the amounts (mean 1); the study publishes averages"),
        '# table = "cases.xlsx"   # or the study\'s own case table (one row per case); see README',
        '# sheet = "Casussen"     # with header_row = 2, columns = { gemeente = "Besparing '
        'gemeente" },',
        '#                        # number_format = "nl" for 8.336,50 (and [[items]] column = ...)',
        "",
        "[success]",
        "# The published figures count every intervention as a success (point = 1).",
        _inline("rate", "beta", "ci = [0.70, 0.85], point = 1",
                "share of interventions that succeed; client surveys (CEO Wmo) report "
                "70-80% positive"),
        _inline("dropout", "beta", "ci = [0.01, 0.10], point = 0",
                "clients who gave up or got nothing and are not among the cases"),
        "",
        "[bias]",
        "# Workers estimated the value of their own cases; the claim took the estimates as true.",
        _inline("systematic", "lognormal", "median = 0.8, sigma = 0.25, point = 1",
                "realised / estimated value, shared by every case; no published figure exists"),
        _inline("per_case", "lognormal", "mean = 1, sd = 0.5",
                "per-case estimation noise around the truth"),
    ]


def _items(answers: Answers) -> list[str]:
    """One ``[[items]]`` per stakeholder: the published saving, or an extra cost."""
    published = answers.source or "published"
    out: list[str] = []
    for name, value in answers.stakeholders.items():
        cost = value < 0  # a negative saving is a cost the intervention causes (not shrunk)
        out += [
            "",
            "[[items]]",
            f"name = {_text(name)}",
            f"stakeholder = {_text(name)}",
            *(['kind = "extra_cost"'] if cost else []),
            f"amount = {_number(-value if cost else value)}",
            f"source = {_text(f'{published}: average saving per case for {name}')}",
            "# probability = ..., attribution = ..., deadweight = ..., duration = ... (README)"
            if not cost else "# an extra cost: success, bias and attribution leave it alone",
        ]
    return out


def _costs(answers: Answers) -> list[str]:
    """``[costs]`` when an hourly rate was given (+-20% around it)."""
    if answers.hourly_rate is None:
        return []
    rate = answers.hourly_rate
    return [
        "",
        "[costs]",
        _inline("hourly_rate", "pert", f"min = {_number(round(0.8 * rate, 2))}, mode = "
                f"{_number(rate)}, max = {_number(round(1.2 * rate, 2))}, point = "
                f"{_number(rate)}", "range of the hourly cost of a worker (here +-20%)"),
        "# hours_per_case = ...   with [extrapolation] cases_per_year = ... gives costs,",
        "# net benefit and benefit-cost ratio per year (README)",
    ]


def _claim_and_checks(answers: Answers) -> list[str]:
    """``[claim]`` (the total and each stakeholder's figure) and the two checks."""
    total = sum(answers.stakeholders.values())
    out = ["", "[claim]", f"savings_per_case = {_number(total)}"]
    out += [f'"savings_per_case.{n}" = {_number(v)}' for n, v in answers.stakeholders.items()]
    out += [
        "",
        "[[checks]]",
        'expect = "P(savings_per_case > 0) >= 0.9"',
        f"note = {_text(ASSUMPTION + '. The probability you require is yours to set')}",
    ]
    if answers.hourly_rate is not None:
        out += [
            "",
            "[[checks]]",
            f'expect = "q05(break_even_hours.{next(iter(answers.stakeholders))}) >= 1"',
            f"note = {_text(ASSUMPTION + '. The hours a case takes in practice')}",
        ]
    return out


def _inline(key: str, dist: str, arguments: str, why: str) -> str:
    return (f'{key} = {{ dist = "{dist}", {arguments}, '
            f"note = {_text(f'{ASSUMPTION}. {why[0].upper()}{why[1:]}')} }}")


def _text(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; DEL must be escaped too)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007F")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(value)


def shipped_names() -> list[str]:
    """The names of the shipped scenarios (``schiedam``, ``den_haag``, ...), sorted."""
    folder = resources.files("onzekerheid") / "data" / "scenarios"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def shipped(name: str) -> tuple[bytes, dict[str, bytes]]:
    """A shipped scenario's bytes and those of the case tables it names (file name -> bytes).

    Raises
    ------
    ScenarioError
        When no scenario of that name ships with the package.
    """
    names = shipped_names()
    if name not in names:
        hint = did_you_mean(name, names)
        raise argument_error("name", name, f"no such shipped scenario; "
                             f"{hint + ' ' if hint else ''}shipped: {', '.join(names)}")
    folder = resources.files("onzekerheid") / "data" / "scenarios"
    text = (folder / f"{name}.toml").read_bytes()
    tables: dict[str, bytes] = {}
    cases = tomllib.loads(text.decode("utf-8")).get("cases", {})
    if isinstance(cases, dict) and isinstance(cases.get("table"), str):
        tables[cases["table"]] = (folder / cases["table"]).read_bytes()
    return text, tables
