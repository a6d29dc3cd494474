"""Scenario file (TOML) to a validated :class:`Scenario`, collecting every problem on the way."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
from collections.abc import Set as AbstractSet
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Problems, allowed, did_you_mean
from ..families import kernel_arguments
from . import distributions as dists
from . import units
from ._toml import LineMap, parse_toml_bytes, read_toml
from .arguments import finish
from .checks import Check, parse_check
from .claims import FORM_KEYS as CLAIM_FORM_KEYS
from .claims import Claim, parse_claim
from .claims import flatten as flatten_claim
from .correlations import parse_correlations
from .domain import BUILTINS, build_domain  # the social-domain sections: parameters, outputs
from .evidence import apply_evidence
from .expressions import FUNCTIONS, MAX_COLUMNS, Node, names_in, register_bound
from .mixtures import inline_mixture_names
from .model import CaseBlock, Correlations, DomainInfo, Output, Parameter, Scenario
from .overrides import DOMAIN_SECTIONS, apply_overrides, is_output_table
from .parameters import (
    _INTERVAL,
    _NAME,
    RESERVED,
    _is_number,
    check_name,
    parse_expression,
    parse_parameter,
)
from .studies import parse_studies
from .variants import (
    check_variants,
    variant_claims,
    variant_names,
    variant_overrides,
    variant_tables,
)

if TYPE_CHECKING:
    import numpy as np

__all__ = ["DOMAIN_SECTIONS", "RESERVED", "_INTERVAL", "_NAME", "apply_overrides", "check_name",
           "from_dict", "is_output_table", "load", "loads", "parse_expression",
           "parse_parameter", "with_overrides", "with_variant"]  # names others import here

SECTIONS = {
    "scenario", "parameters", "outputs", "claim", "checks",
    # the social-domain model (see domain.py)
    "cases", "success", "bias", "prices", "items", "extrapolation", "costs", "options",
    "horizon", "unpriced",  # the second version's time horizon and unpriced effects
    "variants",  # named sets of overrides (see variants.py)
    "correlations",  # rank correlations between parameters (see correlations.py)
    "studies", "evidence",  # research to value and data that update (studies.py, evidence.py)
}
SCENARIO_KEYS = {"title", "source", "currency", "description", "url", "year", "headline"}
OUTPUT_KEYS = {"expr", "label", "unit", "better", "note", "source"}


def load(path: str | Path, overrides: dict[str, Any] | None = None,
         variant: str | None = None, *, allow_outside: bool = False,
         prior: bool = False) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path
        The TOML scenario file.
    overrides
        ``{name: value}`` replacing parameters (or outputs) before validation, as ``--set``
        does: a number, an ``"A to B"`` interval, an expression string or a distribution table.
    variant
        The name of a ``[variants.NAME]`` table whose overrides are applied first (``overrides``
        then win over them).
    allow_outside
        Let ``[cases] table`` name a file outside the scenario's folder (off by default: a
        scenario file from someone else cannot read other files on this machine).
    prior
        Leave ``[[evidence]]`` out: every parameter keeps its prior (``--prior``).

    Raises
    ------
    ScenarioError
        With every problem found, each naming the file, key path and line.
    """
    path = Path(path)
    raw, text = read_toml(path)
    digest = hashlib.sha256(text.encode()).hexdigest()
    scenario = from_dict(raw, file=str(path), locate=LineMap(text), digest=digest,
                         directory=str(path.parent), overrides=overrides, variant=variant,
                         allow_outside=allow_outside, prior=prior, _owned=True)
    cases = scenario._document.get("cases")
    table = cases.get("table") if isinstance(cases, dict) else None
    inputs = (str(path),) + ((str(path.parent / table),) if isinstance(table, str) else ())
    return dataclasses.replace(scenario, inputs=inputs)


def loads(text: str, name: str = "<string>", overrides: dict[str, Any] | None = None) -> Scenario:
    """Validate a scenario given as TOML text (for tests and notebooks)."""
    raw, text = parse_toml_bytes(text.encode(), name)
    digest = hashlib.sha256(text.encode()).hexdigest()
    return from_dict(raw, file=name, locate=LineMap(text), digest=digest, directory=".",
                     overrides=overrides, _owned=True)


def from_dict(
    raw: dict[str, Any],
    *,
    file: str = "<dict>",
    locate: Any = None,
    digest: str = "",
    directory: str = ".",
    overrides: dict[str, Any] | None = None,
    variant: str | None = None,
    allow_outside: bool = False,
    prior: bool = False,
    _owned: bool = False,
) -> Scenario:
    """Validate an already-parsed scenario document (arguments as for :func:`load`)."""
    # kept as read (variants and overrides are derived from it); a document just parsed by
    # load/loads, or one the loader keeps, is ours already: one copy, the one validated
    document = raw if _owned else copy.deepcopy(raw)
    problems = Problems(file=file, locate=locate)
    given = dict(overrides or {})
    raw, overrides = _with_overrides(copy.deepcopy(document), given, variant, file, problems)
    meta, parameters, outputs = _declarations(raw, problems)
    (cases, stakeholders, domain), domain_failed = _domain(
        raw, meta, parameters, outputs, problems, directory, allow_outside)
    correlated = _correlations(raw, parameters, problems)
    _names_and_outputs(parameters, outputs, problems)
    order = _order(raw, parameters, outputs, cases, problems)
    claims, claim_forms, checks = _claims_and_checks(raw, variant, outputs, domain_failed,
                                                     problems)
    studies = parse_studies(raw.get("studies"), parameters, problems, cases)
    updates = apply_evidence(raw.get("evidence"), parameters, problems, prior=prior,
                             overridden=set(overrides))
    problems.raise_if_any()
    return Scenario(
        title=str(meta.get("title")), headline=str(meta.get("headline") or ""), file=file,
        parameters=parameters, outputs=outputs, claims=claims, claim_forms=claim_forms,
        case_judgements=_case_judgements(raw), checks=tuple(checks),
        source=str(meta.get("source", "")), currency=str(meta.get("currency", "EUR")),
        digest=digest, cases=cases,
        correlations=None if correlated is None else Correlations(*correlated),
        variants=variant_tables(raw), variant=variant, overrides=given, _document=document,
        allow_outside=allow_outside, prior=prior, directory=directory,
        stakeholders=stakeholders, order=order, domain=domain, studies=studies,
        evidence=updates)


# --------------------------------------------------------------------------------------------


def _with_overrides(raw: dict[str, Any], given: dict[str, Any], variant: str | None, file: str,
                    problems: Problems) -> tuple[dict[str, Any], dict[str, Any]]:
    """``raw`` with the variant's overrides, then the ``given`` ones, applied (the variants
    checked first), and the overrides applied."""
    check_variants(raw, problems)
    overrides = given
    if variant is not None:
        problems.raise_if_any()
        overrides = {**variant_overrides(raw, variant, file), **given}
    if overrides:
        raw = apply_overrides(raw, overrides, file)
    return raw, overrides


def _declarations(raw: dict[str, Any], problems: Problems
                  ) -> tuple[dict[str, Any], dict[str, Parameter], dict[str, Output]]:
    """The ``[scenario]`` header, the parameters (inline mixtures named first) and the
    outputs, each checked."""
    meta = _header(raw, problems)
    inline_mixture_names(raw, problems)
    parameters: dict[str, Parameter] = {}
    for name, value in _table(raw, "parameters", problems).items():
        _collect_parameter(name, value, f"parameters.{name}", parameters, problems)
    return meta, parameters, _outputs(raw, problems)


def _domain(raw: dict[str, Any], meta: dict[str, Any], parameters: dict[str, Parameter],
            outputs: dict[str, Output], problems: Problems, directory: str, allow_outside: bool
            ) -> tuple[tuple[CaseBlock | None, tuple[str, ...], DomainInfo | None], bool]:
    """The social-domain model (:func:`build_domain`: cases, stakeholders, domain), the
    built-in outputs' words and the headline checked; and whether any of it failed."""
    before = len(problems.items)
    built = build_domain(raw, parameters, outputs, problems, directory, allow_outside)
    _builtin_words(outputs)
    _check_headline(meta, outputs, problems)
    return built, len(problems.items) > before


def _claims_and_checks(raw: dict[str, Any], variant: str | None, outputs: dict[str, Output],
                       domain_failed: bool, problems: Problems
                       ) -> tuple[dict[str, float], dict[str, Claim], list[Check]]:
    """The claims (the variant's where it has its own), their written forms and the
    ``[[checks]]``; an output already reported broken, or a built-in output a failed domain
    model did not make, is not reported again."""
    broken_outputs = _declared(raw, "outputs") - set(outputs)  # already reported

    def unbuilt(name: str) -> bool:  # a built-in output the failed domain model did not make
        return domain_failed and name.split(".")[0] in BUILTINS

    claims, claim_forms = _all_claims(raw, variant, outputs, broken_outputs, unbuilt,
                                      problems)
    checks = _checks(raw.get("checks", []), outputs, broken_outputs, unbuilt, problems)
    return claims, claim_forms, checks


def _correlations(raw: dict[str, Any], parameters: dict[str, Parameter], problems: Problems
                  ) -> tuple[tuple[str, ...], np.ndarray] | None:
    """``[correlations]`` validated (None without); a hierarchical parameter is refused."""
    correlated = parse_correlations(raw.get("correlations"), parameters, problems)
    for name in correlated[0] if correlated else ():
        if parameters[name].uncertain is not None:
            problems.add("correlations", f"'{name}' has uncertain arguments and cannot be "
                         "rank-correlated", "correlate the parameters its arguments use")
    return correlated


def _names_and_outputs(parameters: dict[str, Parameter], outputs: dict[str, Output],
                       problems: Problems) -> None:
    """No name both a parameter and an output, and at least one output."""
    for name in outputs:
        if name in parameters:
            problems.add(f"outputs.{name}", f"'{name}' is both a parameter and an output",
                         "rename one of them")
    if not outputs and not problems:
        problems.add("outputs", "the scenario has no outputs",
                     'add [outputs] with at least one expression, e.g. net = "a - b"')


def _order(raw: dict[str, Any], parameters: dict[str, Parameter], outputs: dict[str, Output],
           cases: CaseBlock | None, problems: Problems) -> tuple[str, ...]:
    """The evaluation order (cycles refused), the hierarchical arguments finished against it,
    and the program's size checked (:func:`_check_program_size`)."""
    declared = _declared(raw, "parameters") | _declared(raw, "outputs")
    # the per-case model's sums are computed from its success rate and failure yield: an
    # edge the expressions do not show, so a rate defined from the sums is a cycle too
    implicit = {c: {cases.success, cases.failure_yield} for c in cases.columns} if cases else {}
    order = _evaluation_order(parameters, outputs, problems, declared, implicit)
    finish(parameters, {**{n: p.node for n, p in parameters.items() if p.node is not None},
                        **{n: o.node for n, o in outputs.items()}}, order, problems)
    _check_program_size(parameters, outputs, problems)
    return order


def _header(raw: dict[str, Any], problems: Problems) -> dict[str, Any]:
    """The ``[scenario]`` table, checked; unknown sections and keys are reported."""
    for key in raw:
        if key not in SECTIONS:
            problems.add(key, f"unknown section [{key}]", did_you_mean(key, SECTIONS)
                         or allowed(SECTIONS))
    meta = _table(raw, "scenario", problems, required=True)
    if "scenario" in raw and not isinstance(meta.get("title"), str):
        problems.add("scenario.title", "a title (text) is required",
                     'add title = "what the claim is" under [scenario]')
    for key in meta:
        if key not in SCENARIO_KEYS:
            problems.add(f"scenario.{key}", f"unknown key '{key}'",
                         did_you_mean(key, SCENARIO_KEYS) or allowed(SCENARIO_KEYS))
    for key in ("source", "currency", "description"):
        if key in meta and not isinstance(meta[key], str):
            problems.add(f"scenario.{key}", f"{key} must be text")
    return meta


def _outputs(raw: dict[str, Any], problems: Problems) -> dict[str, Output]:
    """``[outputs]``: each expression, a table of them (``[outputs.group]``) or an output
    table (``{ expr = ..., unit = ... }``)."""
    outputs: dict[str, Output] = {}
    for name, value in _table(raw, "outputs", problems).items():
        path = f"outputs.{name}"
        if isinstance(value, dict) and not is_output_table(value):
            for sub, subvalue in value.items():
                _collect_output(f"{name}.{sub}", subvalue, f"{path}.{sub}", outputs, problems)
        else:
            _collect_output(name, value, path, outputs, problems)
    return outputs


def _all_claims(raw: dict[str, Any], variant: str | None, outputs: dict[str, Output],
                broken: AbstractSet[str], unbuilt: Any, problems: Problems
                ) -> tuple[dict[str, float], dict[str, Claim]]:
    """``[claim]``, with the variant's own ``[variants.NAME.claim]`` winning claim by claim;
    without a variant, every variant's claims are checked for form (names when it is used:
    it may add outputs)."""
    claims, claim_forms = _claims(_table(raw, "claim", problems), "claim", outputs, broken,
                                  unbuilt, problems)
    if variant is not None:
        found = _claims(variant_claims(raw, variant), f"variants.{variant}.claim", outputs,
                        broken, unbuilt, problems)
        claims.update(found[0])
        claim_forms.update(found[1])
    else:
        for name in variant_names(raw):
            _claims(variant_claims(raw, name), f"variants.{name}.claim", outputs, broken,
                    unbuilt, problems, names=False)
    return claims, claim_forms


def _checks(raw_checks: Any, outputs: dict[str, Output], broken: AbstractSet[str],
            unbuilt: Any, problems: Problems) -> list[Check]:
    """``[[checks]]``: each ``expect`` parsed and its output known (a broken one is skipped:
    already reported)."""
    checks: list[Check] = []
    if not isinstance(raw_checks, list):
        problems.add("checks", "[[checks]] must be an array of tables",
                     'write each as [[checks]] expect = "..."')
        raw_checks = []
    for i, entry in enumerate(raw_checks):
        path = f"checks.{i}"
        if not isinstance(entry, dict) or "expect" not in entry:
            problems.add(path, "each [[checks]] needs expect = \"...\"")
            continue
        for key in entry:
            if key not in ("expect", "note", "name"):
                problems.add(f"{path}.{key}", f"unknown key '{key}'",
                             did_you_mean(key, ["expect", "note", "name"])
                             or "allowed: expect, note")
        try:
            check = parse_check(entry["expect"])
        except ValueError as exc:
            problems.add(f"{path}.expect", str(exc))
            continue
        if check.output in broken or unbuilt(check.output):
            continue
        if check.output not in outputs:
            problems.add(f"{path}.expect", f"'{check.output}' is not an output",
                         did_you_mean(check.output, outputs))
            continue
        checks.append(check)
    return checks


def _table(raw: dict[str, Any], key: str, problems: Problems, required: bool = False
           ) -> dict[str, Any]:
    if key not in raw:
        if required:
            problems.add(key, f"missing [{key}] section", f'add [{key}] with title = "..."')
        return {}
    value = raw[key]
    if not isinstance(value, dict):
        problems.add(key, f"[{key}] must be a table, got {type(value).__name__}")
        return {}
    return value


def _collect_parameter(name: str, value: Any, path: str, out: dict[str, Parameter],
                       problems: Problems) -> None:
    if not check_name(name, path, problems):
        return
    if isinstance(value, dict) and "dist" not in value:
        argument_keys = {k for s in dists.ARGUMENT_SETS.values() for k in set().union(*s)}
        if set(value) & (argument_keys | {"point", "ci"}):
            problems.add(path, "a distribution table needs dist = \"...\"",
                         allowed(dists.FAMILIES))
            return
        for sub, subvalue in value.items():  # a group: bias.systematic, prices.melding ...
            _collect_parameter(f"{name}.{sub}", subvalue, f"{path}.{sub}", out, problems)
        return
    parameter = parse_parameter(name, value, path, problems)
    if parameter is not None:
        out[name] = parameter


def _collect_output(name: str, value: Any, path: str, out: dict[str, Output],
                    problems: Problems) -> None:
    if not check_name(name, path, problems):
        return
    words: dict[str, Any] = {}
    if isinstance(value, dict):  # { expr = "...", label = "...", unit = "...", better = "..." }
        unknown = sorted(set(value) - OUTPUT_KEYS)
        for key in unknown:
            problems.add(f"{path}.{key}", f"unknown key '{key}' in output '{name}'",
                         did_you_mean(key, OUTPUT_KEYS) or allowed(OUTPUT_KEYS))
        words = units.descriptive(value, path, problems, judgement=False)
        if "better" in value:
            better = units.better_of(value["better"], f"{path}.better", problems)
            if better is not None:
                words["better"] = better
        if "expr" not in value:
            problems.add(path, f"output '{name}' needs expr = \"...\"",
                         'e.g. { expr = "cases * success_rate", label = "Huishoudens geholpen" }')
            return
        value = value["expr"]
        path = f"{path}.expr"
    if _is_number(value):
        text = repr(float(value))
    elif isinstance(value, str):
        text = value
    else:
        problems.add(path, f"output '{name}' must be an expression (text) or a number",
                     'e.g. net_benefit = "saving - worker_cost"')
        return
    node = parse_expression(text, path, problems)
    if node is not None:
        out[name] = Output(name, text, node, **words)


def _builtin_words(outputs: dict[str, Output]) -> None:
    """Built-in outputs of the social-domain model take their unit and direction by name."""
    for name, output in outputs.items():
        if output.builtin:
            outputs[name] = replace(output, unit=output.unit or units.builtin_unit(name),
                                    better=units.builtin_better(name))


def _check_headline(meta: dict[str, Any], outputs: dict[str, Output], problems: Problems
                    ) -> None:
    """``headline``: the output a report leads with (a name in ``outputs``)."""
    headline = meta.get("headline")
    if headline is not None and (not isinstance(headline, str) or headline not in outputs):
        problems.add("scenario.headline", f"headline must name an output, got {headline!r}",
                     did_you_mean(str(headline), set(outputs)) or allowed(set(outputs)))


def _claims(table: dict[str, Any], section: str, outputs: dict[str, Output],
            skip: AbstractSet[str], unbuilt: Any, problems: Problems, names: bool = True
            ) -> tuple[dict[str, float], dict[str, Claim]]:
    """The claims of a ``[claim]`` table: each output's figure and its :class:`Claim`.

    With ``names`` False a claim on a name that is not an output is passed over (a variant's
    claims are checked against the outputs of the variant when it is used)."""
    figures: dict[str, float] = {}
    forms: dict[str, Claim] = {}
    for name, value in table.items():
        for key, written in flatten_claim(name, value):
            path = f"{section}.{key}"
            if key in skip or unbuilt(key):
                continue
            if key not in outputs:
                base, _, sub = key.rpartition(".")
                if base in outputs:  # { atleast = 1 }: a misspelt form, not a group
                    problems.add(path, f"unknown key '{sub}' in a claim", did_you_mean(
                        sub, CLAIM_FORM_KEYS) or allowed(CLAIM_FORM_KEYS))
                    continue
                if not names:
                    continue
                hint = did_you_mean(key, outputs) or "a claim is keyed by an output name"
                problems.add(path, f"'{key}' is not an output", hint)
                continue
            claim = parse_claim(written, outputs[key].better, path, problems)
            if claim is not None:
                figures[key], forms[key] = claim.figure, claim
    return figures, forms


def _case_judgements(raw: dict[str, Any]) -> tuple[str, ...]:
    """Per-case factors of the domain model written with ``judgement = true``."""
    found = []
    for section, key in (("bias", "per_case"), ("cases", "heterogeneity")):
        table = raw.get(section)
        factor = table.get(key) if isinstance(table, dict) else None
        if isinstance(factor, dict) and factor.get("judgement") is True:
            found.append(f"{section}.{key}")
    return tuple(found)


def _declared(raw: dict[str, Any], section: str) -> set[str]:
    """Names the file defines under [parameters] or [outputs], valid or not."""
    argument_keys = {k for s in dists.ARGUMENT_SETS.values() for k in set().union(*s)}
    names: set[str] = set()

    def walk(table: Any, prefix: str, is_group: Any) -> None:
        if not isinstance(table, dict):
            return
        for key, value in table.items():
            if is_group(value):
                walk(value, f"{prefix}{key}.", is_group)
            else:
                names.add(f"{prefix}{key}")

    if section == "parameters":
        walk(raw.get("parameters"), "", lambda v: isinstance(v, dict) and "dist" not in v
             and not set(v) & (argument_keys | {"point", "ci"}))
    else:
        walk(raw.get("outputs"), "", lambda v: isinstance(v, dict) and not is_output_table(v))
    return names


def _check_program_size(parameters: dict[str, Parameter], outputs: dict[str, Output],
                        problems: Problems) -> None:
    """Refuse expressions too large for the plan's register program (``MAX_COLUMNS``).

    Counts a column per parameter and output and :func:`register_bound` temporaries per
    expression (a hierarchical parameter's canonical arguments included), in the file's
    order, and names the entry at which the count passes the limit.
    """
    used = len(parameters) + len(outputs)
    entries = [(f"parameters.{n}", _trees(p)) for n, p in parameters.items()]
    entries += [(f"outputs.{n}", (o.node,)) for n, o in outputs.items()]
    for path, trees in entries:
        used += sum(register_bound(tree) for tree in trees if isinstance(tree, Node))
        if used > MAX_COLUMNS:
            problems.add(path, f"the expressions need more than {MAX_COLUMNS:,} working "
                         "columns", "split the model into several scenarios or write "
                         "repeated terms once as a parameter or output")
            return


def _trees(parameter: Parameter) -> tuple[Any, ...]:
    if parameter.uncertain is not None:
        return kernel_arguments(parameter.uncertain.family, parameter.uncertain.nodes)
    return (parameter.node,)


def _evaluation_order(parameters: dict[str, Parameter], outputs: dict[str, Output],
                      problems: Problems, declared: AbstractSet[str] = frozenset(),
                      implicit: dict[str, set[str]] | None = None) -> tuple[str, ...]:
    """Expression parameters and outputs in dependency order; unknown names and cycles fail.

    Names in ``declared`` that failed validation already have their own problem, so a use of
    them is not reported again as an unknown name. ``implicit`` adds dependencies computed
    elsewhere (the per-case sums on the success rate): they take part in finding cycles but
    not in the order returned.
    """
    deps = _dependencies(parameters, outputs, problems, declared)
    for name, used in (implicit or {}).items():
        deps[name] = deps.get(name, set()) | used
    deps = {name: {r for r in used if r in deps} for name, used in deps.items()}
    order, complete = _depth_first(deps, outputs, problems)
    if not complete:  # a cycle, reported: the order so far, as found
        return tuple(order)
    return tuple(n for n in order if n not in (implicit or {}))


def _dependencies(parameters: dict[str, Parameter], outputs: dict[str, Output],
                  problems: Problems, declared: AbstractSet[str]) -> dict[str, set[str]]:
    """The names each expression (and each hierarchical parameter's arguments) uses; an
    unknown name is reported, with a hint."""
    nodes: dict[str, Node] = {n: p.node for n, p in parameters.items() if p.node is not None}
    nodes.update({n: o.node for n, o in outputs.items()})
    known = set(parameters) | set(outputs)
    accounted = known | set(declared)  # once: per node it would make loading O(n^2)
    deps: dict[str, set[str]] = {}
    for name, node in nodes.items():
        section = "outputs" if name in outputs else "parameters"
        used = names_in(node)
        for ref in sorted(used - accounted):
            if ref in FUNCTIONS:
                hint = f"{ref} is a function: write {ref}(...)"
            else:
                hint = did_you_mean(ref, known) or "define it under [parameters] or [outputs]"
            text = (outputs[name].expression if name in outputs
                    else parameters[name].expression)
            problems.add(f"{section}.{name}", f"unknown name '{ref}' in expression {text!r}",
                         hint)
        deps[name] = used
    for name, parameter in parameters.items():  # hierarchical: arguments over parameters
        if parameter.uncertain is not None:
            deps[name] = _argument_names(parameter, parameters, outputs, declared, problems)
    return deps


def _depth_first(deps: dict[str, set[str]], outputs: dict[str, Output], problems: Problems
                 ) -> tuple[list[str], bool]:
    """Every name after the names it uses (an iterative depth-first search), and whether the
    search was complete: the first cycle found is reported and ends it (False, with the
    order so far)."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done
    for start in deps:
        if state.get(start):
            continue
        stack: list[tuple[str, list[str]]] = [(start, sorted(deps[start]))]
        state[start] = 1
        trail = [start]
        while stack:
            name, pending = stack[-1]
            if pending:
                nxt = pending.pop()
                if state.get(nxt) == 1:
                    cycle = trail[trail.index(nxt):] + [nxt]
                    section = "outputs" if nxt in outputs else "parameters"
                    problems.add(f"{section}.{nxt}", "circular definition: "
                                 + " -> ".join(cycle), "break the cycle")
                    return order, False
                if not state.get(nxt):
                    state[nxt] = 1
                    trail.append(nxt)
                    stack.append((nxt, sorted(deps[nxt])))
            else:
                stack.pop()
                trail.pop()
                state[name] = 2
                order.append(name)
    return order, True


def _argument_names(parameter: Parameter, parameters: dict[str, Parameter],
                    outputs: dict[str, Output], declared: AbstractSet[str], problems: Problems
                    ) -> set[str]:
    """Names used by the arguments of a hierarchical parameter; only parameters are allowed."""
    assert parameter.uncertain is not None
    used: set[str] = set()
    for key, text, node in parameter.uncertain.sources:
        where = f"{parameter.uncertain.path}.{'ci' if key in ('lo', 'hi') else key}"
        names = names_in(node)
        used |= names
        for ref in sorted(names - set(parameters)):
            if ref in outputs:
                problems.add(where, f"'{ref}' in {text!r} is an output; distribution arguments "
                             "may use parameters only", did_you_mean(ref, parameters)
                             or "move the quantity to [parameters]")
            elif ref not in declared:
                hint = (f"{ref} is a function: write {ref}(...)" if ref in FUNCTIONS
                        else did_you_mean(ref, parameters)
                        or "define it under [parameters]")
                problems.add(where, f"unknown name '{ref}' in argument {text!r}", hint)
    return used


def with_overrides(scenario: Scenario, overrides: dict[str, Any]) -> Scenario:
    """``scenario`` with further overrides on top of those it was loaded with.

    Equal to loading its file with the variant and ``{**scenario.overrides, **overrides}``;
    the file is not read again (the loader keeps the parsed document privately).
    """
    return _rebuild(scenario, scenario.variant, {**scenario.overrides, **overrides})


def with_variant(scenario: Scenario, variant: str | None) -> Scenario:
    """``scenario`` with variant ``variant`` (None: none) and the same explicit overrides."""
    return _rebuild(scenario, variant, scenario.overrides)


def with_prior(scenario: Scenario) -> Scenario:
    """``scenario`` with its ``[[evidence]]`` left out (as loaded with ``prior=True``), the
    same variant and overrides."""
    return _rebuild(scenario, scenario.variant, scenario.overrides, prior=True)


def _rebuild(scenario: Scenario, variant: str | None, overrides: dict[str, Any],
             prior: bool | None = None) -> Scenario:
    derived = from_dict(scenario._document, _owned=True, file=scenario.file,
                        digest=scenario.digest, directory=scenario.directory,
                        overrides=overrides, variant=variant,
                        allow_outside=scenario.allow_outside,
                        prior=scenario.prior if prior is None else prior)
    return dataclasses.replace(derived, inputs=scenario.inputs)


# --------------------------------------------------------------------------------------------
# overrides (--set)
