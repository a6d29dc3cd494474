"""A validated scenario as flat arrays: the only thing the numba kernels ever see.

The plan numbers every quantity as a column of the ``(iterations, columns)`` work matrix:
first the parameters, then the outputs, then temporaries of the expression program. Random
parameters become :class:`DrawRows` (family code, canonical arguments, truncation, stream id);
expressions become a register :class:`Program` of ``(opcode, dst, a, b, c)`` ops in which an
operand ``>= 0`` is a column and ``< 0`` is ``consts[-operand - 1]``.

Random parameters with constant arguments are all drawn first (the draw rows; a mixture's
components are :class:`Components` rows, its cumulative weights in :class:`Tables`). What
follows is a sequence of ``steps`` rows ``(kind, a, b)``: kind ``STEP_OPS`` runs ``ops[a:b]``,
``STEP_DRAW`` draws hierarchical parameter ``a`` (:class:`HierarchicalRows`: its canonical
arguments are operands computed by earlier ops, one value per row), ``STEP_CASES`` runs the
per-case model. A scenario without hierarchical parameters has at most two steps: the per-case model
(when its success rate is known from the start) and the whole program.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .errors import Problem, ScenarioError
from .families import (
    ROW_ACTIVE,
    ROW_ARG0,
    ROW_CODE,
    ROW_LENGTH,
    ROW_LOWER,
    ROW_UPPER,
    kernel_arguments,
)
from .opcodes import CODES as OPCODES
from .opcodes import VARIADIC, apply, operation_of
from .scenario.correlations import TOLERANCE, score_matrix
from .scenario.distributions import CODES, Distribution
from .scenario.expressions import MAX_COLUMNS, Node, names_in
from .scenario.model import CaseBlock, Correlations, Parameter, Scenario

STEP_OPS, STEP_DRAW, STEP_CASES = 0, 1, 2


def stream_id(name: str) -> int:
    """A stable 63-bit random-stream number for a named source of randomness."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little") >> 1


@dataclass(frozen=True)
class CorrelationPlan:
    """Arrays for the engine: correlated columns and the Cholesky factor of the score target."""

    cols: np.ndarray  # int64 (k,) parameter columns
    cholesky: np.ndarray  # float64 (k, k) lower factor of the normal-score correlation
    stream: int


def correlation_plan(correlations: Correlations | None, parameter_cols: dict[str, int],
                     stream: int) -> CorrelationPlan | None:
    """The engine's arrays for the scenario's validated rank correlations (None: none).

    The normal scores get the Pearson correlation ``2 sin(pi rho_s / 6)``
    (:func:`~onzekerheid.scenario.correlations.score_matrix`); its Cholesky factor, with
    ``TOLERANCE`` added to the diagonal so a semi-definite matrix factors, is what
    :func:`onzekerheid.engine.correlations.impose` uses.
    """
    if correlations is None:
        return None
    names = correlations.names
    target = score_matrix(correlations.spearman)
    return CorrelationPlan(
        cols=np.asarray([parameter_cols[n] for n in names], dtype=np.int64),
        cholesky=np.linalg.cholesky(target + TOLERANCE * np.eye(len(names))),
        stream=stream,
    )


@dataclass(frozen=True)
class CasePlan:
    """Arrays of the per-case kernel (see :class:`onzekerheid.scenario.model.CaseBlock`)."""

    count: int
    success_col: int
    failure_col: int
    error: np.ndarray  # float64 row (families.ROW_*): code, p0..p3, lower, upper, active
    heterogeneity: np.ndarray
    table: np.ndarray  # (rows, columns) float64
    out_cols: np.ndarray  # int64, one per table column
    weighted: np.ndarray  # bool, one per table column: False = an extra cost (not shrunk)
    resample: bool
    stream: int
    # the case sample: per table column, the work-matrix column of its mean over the cases
    # drawn (-1: not recorded); recorded for the amounts of a resampled table of 2+ rows
    mean_cols: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    mean_names: tuple[str, ...] = ()  # the recorded columns, as the reader knows them


@dataclass(frozen=True)
class DrawRows:
    """Random parameters drawn from numbers (constant arguments), one row each, file order."""

    cols: np.ndarray  # int64 (k,) the column drawn
    codes: np.ndarray  # int64 (k,) family code (onzekerheid.families), MIXTURE for a mixture
    args: np.ndarray  # float64 (k, 4) canonical arguments; a mixture: first component, count
    bounds: np.ndarray  # float64 (k, 2) lower, upper
    tables: np.ndarray  # int64 (k, 2) offset, length into Tables (a mixture: its weights)
    zero: np.ndarray  # float64 (k,) P(value = 0): zero-inflation
    streams: tuple[int, ...]


@dataclass(frozen=True)
class HierarchicalRows:
    """Parameters whose arguments are drawn too: the arguments are operands (a column, or
    ``consts[-operand - 1]``) that ops compute just before the draw's STEP_DRAW."""

    cols: np.ndarray  # int64 (h,)
    codes: np.ndarray  # int64 (h,)
    args: np.ndarray  # int64 (h, 4) operands of the canonical arguments
    bounds: np.ndarray  # float64 (h, 2)
    zero: np.ndarray  # float64 (h,)
    streams: tuple[int, ...]


@dataclass(frozen=True)
class Components:
    """The components of every mixture, one row each; a mixture's draw row points at its
    first component and count."""

    codes: np.ndarray  # int64 (c,)
    args: np.ndarray  # float64 (c, 4)
    bounds: np.ndarray  # float64 (c, 2)
    tables: np.ndarray  # int64 (c, 2) into Tables


@dataclass(frozen=True)
class Tables:
    """Every discrete distribution's values and cumulative weights, end to end."""

    values: np.ndarray  # float64
    cumw: np.ndarray  # float64


@dataclass(frozen=True)
class Program:
    """The register program and the steps that interleave it with hierarchical draws and the
    per-case model (see the module docstring)."""

    ops: np.ndarray  # int64 (m, 5): opcode, dst, a, b, c
    consts: np.ndarray  # float64
    steps: np.ndarray  # int64 (s, 3): kind, a, b


@dataclass(frozen=True)
class Plan:
    """Everything a kernel needs, as arrays; ``names`` map columns back for the layers above."""

    names: tuple[str, ...]  # column names (parameters, outputs, then temporaries "")
    n_columns: int
    output_cols: dict[str, int]
    parameter_cols: dict[str, int]
    points: np.ndarray  # float64 (n_parameters,) point values in parameter column order
    random_names: tuple[str, ...]
    fixed_cols: np.ndarray  # int64: the fixed parameters' columns ...
    fixed_values: np.ndarray  # float64: ... and their values
    draws: DrawRows
    tables: Tables
    components: Components
    hierarchical: HierarchicalRows
    program: Program
    cases: CasePlan | None = None
    correlations: CorrelationPlan | None = None  # rank correlations, imposed per block


def build_plan(scenario: Scenario) -> Plan:
    """Compile a scenario to a :class:`Plan`.

    Columns are numbered (parameters, then outputs), the random parameters with constant
    arguments become draw rows (:func:`_draw_rows`), and everything else (expressions,
    hierarchical draws, the per-case model) becomes the step program (:func:`_program`).
    """
    names: list[str] = list(scenario.parameters)
    parameter_cols = {n: i for i, n in enumerate(names)}
    output_cols = {}
    for name in scenario.outputs:
        output_cols[name] = len(names)
        names.append(name)
    draws = _draw_rows(scenario, parameter_cols)
    program = _program(scenario, {**parameter_cols, **output_cols}, len(names))
    n_columns = program.compiler.n_columns
    cases = None
    if scenario.cases is not None:
        cases = _case_plan(scenario, parameter_cols, n_columns)
        n_columns += len(cases.mean_names)
    names.extend([""] * (n_columns - len(names)))
    fixed = [(parameter_cols[n], p.value) for n, p in scenario.parameters.items()
             if p.kind == "fixed"]
    return Plan(
        names=tuple(names),
        n_columns=n_columns,
        output_cols=output_cols,
        parameter_cols=parameter_cols,
        points=np.asarray([p.point for p in scenario.parameters.values()], dtype=np.float64),
        random_names=tuple(n for n, p in scenario.parameters.items() if p.kind == "random"),
        fixed_cols=np.asarray([c for c, _ in fixed], dtype=np.int64),
        fixed_values=np.asarray([v for _, v in fixed], dtype=np.float64),
        draws=draws.rows(),
        tables=draws.flat.tables(),
        components=draws.flat.components(),
        hierarchical=program.hierarchical_rows(),
        program=program.program(),
        cases=cases,
        correlations=correlation_plan(scenario.correlations, parameter_cols,
                                      stream_id("correlations")),
    )


class _Draws:
    """The draw rows of random parameters with constant arguments, and their tables."""

    def __init__(self) -> None:
        self.cols: list[int] = []
        self.codes: list[int] = []
        self.args: list[tuple[float, float, float, float]] = []
        self.bounds: list[tuple[float, float]] = []
        self.tables: list[tuple[int, int]] = []
        self.streams: list[int] = []
        self.zero: list[float] = []
        self.flat = _Tables()

    def add(self, col: int, name: str, dist: Distribution) -> None:
        self.cols.append(col)
        self.codes.append(CODES[dist.family])
        self.bounds.append((dist.lower, dist.upper))
        self.zero.append(dist.zero)
        if dist.family == "mixture":
            self.args.append((float(len(self.flat.mix_codes)), float(len(dist.components)),
                              0.0, 0.0))
            self.tables.append(self.flat.add(range(len(dist.components)), dist.weights))
            for component in dist.components:
                self.flat.add_component(component)
        else:
            self.args.append(_canonical_args(dist))
            self.tables.append(self.flat.add(dist.values, dist.weights))
        self.streams.append(stream_id("parameter:" + name))

    def rows(self) -> DrawRows:
        return DrawRows(
            cols=np.asarray(self.cols, dtype=np.int64),
            codes=np.asarray(self.codes, dtype=np.int64),
            args=np.asarray(self.args, dtype=np.float64).reshape(-1, 4),
            bounds=np.asarray(self.bounds, dtype=np.float64).reshape(-1, 2),
            tables=np.asarray(self.tables, dtype=np.int64).reshape(-1, 2),
            zero=np.asarray(self.zero, dtype=np.float64),
            streams=tuple(self.streams),
        )


def _draw_rows(scenario: Scenario, parameter_cols: dict[str, int]) -> _Draws:
    """One draw row per random parameter whose arguments are numbers, in file order."""
    draws = _Draws()
    for name, parameter in scenario.parameters.items():
        if parameter.kind == "random" and parameter.uncertain is None:
            assert parameter.dist is not None
            draws.add(parameter_cols[name], name, parameter.dist)
    return draws


class _Program:
    """The step program: register ops, hierarchical draws and the per-case model, in order."""

    def __init__(self, index: dict[str, int], n_columns: int) -> None:
        self.compiler = _Compiler(index, n_columns)
        self.index = index
        self.hier: list[tuple[int, int, tuple[int, ...], float, float, float, int]] = []
        self.steps: list[tuple[int, int, int]] = []
        self.mark = 0

    def close_ops(self) -> None:
        """End the run of ops emitted since the last step (if any) as one STEP_OPS."""
        if len(self.compiler.ops) > self.mark:
            self.steps.append((STEP_OPS, self.mark, len(self.compiler.ops)))
            self.mark = len(self.compiler.ops)

    def cases(self) -> None:
        self.close_ops()
        self.steps.append((STEP_CASES, 0, 0))

    def hierarchical(self, name: str, drawn: Parameter) -> None:
        """A draw whose canonical arguments are computed by ops just before it."""
        dist, uncertain = drawn.dist, drawn.uncertain
        assert dist is not None and uncertain is not None
        operands = tuple(self.compiler.compile(node)
                         for node in kernel_arguments(uncertain.family, uncertain.nodes))
        self.close_ops()
        self.steps.append((STEP_DRAW, len(self.hier), 0))
        self.hier.append((self.index[name], CODES[dist.family], (operands + (0, 0, 0, 0))[:4],
                          dist.lower, dist.upper, dist.zero, stream_id("parameter:" + name)))

    def program(self) -> Program:
        return Program(ops=np.asarray(self.compiler.ops, dtype=np.int64).reshape(-1, 5),
                       consts=np.asarray(self.compiler.consts, dtype=np.float64),
                       steps=np.asarray(self.steps, dtype=np.int64).reshape(-1, 3))

    def hierarchical_rows(self) -> HierarchicalRows:
        hier = self.hier
        return HierarchicalRows(
            cols=np.asarray([h[0] for h in hier], dtype=np.int64),
            codes=np.asarray([h[1] for h in hier], dtype=np.int64),
            args=np.asarray([h[2] for h in hier], dtype=np.int64).reshape(-1, 4),
            bounds=np.asarray([(h[3], h[4]) for h in hier], dtype=np.float64).reshape(-1, 2),
            zero=np.asarray([h[5] for h in hier], dtype=np.float64),
            streams=tuple(h[6] for h in hier),
        )


def _program(scenario: Scenario, index: dict[str, int], n_columns: int) -> _Program:
    """Compile every expression, hierarchical draw and the per-case model in step order."""
    program = _Program(index, n_columns)
    for name in _step_order(scenario):
        drawn = scenario.parameters.get(name)
        if name == _CASES:
            program.cases()
        elif drawn is not None and drawn.uncertain is not None:
            program.hierarchical(name, drawn)
        else:
            node = (scenario.outputs[name].node if name in scenario.outputs
                    else scenario.parameters[name].node)
            assert node is not None
            program.compiler.emit_into(node, index[name])
    program.close_ops()
    return program


_CASES = "\0cases"  # the per-case model's place among the steps (not a valid name)


class _Tables:
    """Discrete values and cumulative weights, and mixture components, as flat lists."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.cumw: list[float] = []
        self.mix_codes: list[int] = []
        self.mix_args: list[tuple[float, ...]] = []
        self.mix_bounds: list[tuple[float, float]] = []
        self.mix_tables: list[tuple[int, int]] = []

    def add(self, values: Sequence[float], weights: Sequence[float]) -> tuple[int, int]:
        offset = len(self.values)
        self.values.extend(float(v) for v in values)
        self.cumw.extend(np.cumsum(weights).tolist() if len(weights) else [])
        return offset, len(values)

    def add_component(self, dist: object) -> None:
        assert isinstance(dist, Distribution)
        self.mix_codes.append(CODES[dist.family])
        self.mix_args.append(_canonical_args(dist))
        self.mix_bounds.append((dist.lower, dist.upper))
        self.mix_tables.append(self.add(dist.values, dist.weights))

    def tables(self) -> Tables:
        return Tables(values=np.asarray(self.values, dtype=np.float64),
                      cumw=np.asarray(self.cumw, dtype=np.float64))

    def components(self) -> Components:
        return Components(
            codes=np.asarray(self.mix_codes, dtype=np.int64),
            args=np.asarray(self.mix_args, dtype=np.float64).reshape(-1, 4),
            bounds=np.asarray(self.mix_bounds, dtype=np.float64).reshape(-1, 2),
            tables=np.asarray(self.mix_tables, dtype=np.int64).reshape(-1, 2),
        )


def _step_order(scenario: Scenario) -> list[str]:
    """``scenario.order`` with the per-case model placed after what its rates depend on.

    The loader orders expressions and hierarchical parameters; the per-case model reads the
    success rate and failure yield and writes the case sums. What the rates need comes first,
    then the model, then the rest in the loader's order.
    """
    order = list(scenario.order)
    block = scenario.cases
    if block is None:
        return order
    listed = set(order)

    def uses(name: str) -> set[str]:
        parameter = scenario.parameters.get(name)
        if parameter is not None and parameter.uncertain is not None:
            found: set[str] = set()
            for _, _, argument in parameter.uncertain.sources:
                found |= names_in(argument)
            return found
        tree = (scenario.outputs[name].node if name in scenario.outputs
                else scenario.parameters[name].node)
        return names_in(tree) if tree is not None else set()

    needed: set[str] = set()
    pending = [n for n in (block.success, block.failure_yield) if n in listed]
    while pending:
        name = pending.pop()
        if name not in needed:
            needed.add(name)
            pending.extend(n for n in uses(name) if n in listed)
    if needed & set(block.columns) or any(set(block.columns) & uses(n) for n in needed):
        # the loader's implicit edges make this a circular definition first; kept for a
        # Scenario built in Python
        raise ScenarioError(Problem("the success rate of the per-case model depends on the "
                                    "case sums", path="success.rate", file=scenario.file,
                                    hint="define success.rate and failure_yield without "
                                    "savings_per_case, items or cases.sum"))
    first = [n for n in order if n in needed]
    return first + [_CASES] + [n for n in order if n not in needed]


def _canonical_args(dist: object) -> tuple[float, float, float, float]:
    assert isinstance(dist, Distribution)
    padded = kernel_arguments(dist.family, dist.args) + (0.0, 0.0, 0.0, 0.0)
    return padded[0], padded[1], padded[2], padded[3]


def dist_row(dist: object | None, path: str = "") -> np.ndarray:
    """A distribution packed as one float64 row (``families.ROW_*``): code, 4 arguments,
    lower, upper, active flag.

    ``path`` names the factor's key (``bias.per_case``) in the error for one the kernel cannot
    draw (the loader refuses those first).
    """
    row = np.zeros(ROW_LENGTH)
    if dist is None:
        return row
    assert isinstance(dist, Distribution)
    if dist.family in ("discrete", "mixture") or dist.zero:
        raise ScenarioError(Problem("a per-case factor cannot be discrete, a mixture or "
                                    "zero-inflated", path=path,
                                    hint='use a single continuous distribution, e.g. '
                                    '{ dist = "lognormal", mean = 1, sd = 0.5 }'))
    row[ROW_CODE] = CODES[dist.family]
    row[ROW_ARG0:ROW_ARG0 + 4] = _canonical_args(dist)
    row[ROW_LOWER], row[ROW_UPPER], row[ROW_ACTIVE] = dist.lower, dist.upper, 1.0
    return row


def _case_plan(scenario: Scenario, parameter_cols: dict[str, int], free: int) -> CasePlan:
    """The per-case kernel's arrays; the case sample's means go to columns ``free, ...``."""
    block = scenario.cases
    assert block is not None
    table = np.ascontiguousarray(np.asarray(block.table, dtype=np.float64))
    recorded = _case_amounts(block, table)
    mean_cols = np.full(len(block.columns), -1, dtype=np.int64)
    mean_cols[recorded] = free + np.arange(len(recorded))
    error = dist_row(block.error, "bias.per_case")
    heterogeneity = dist_row(block.heterogeneity, "cases.heterogeneity")
    lognormal = CODES["lognormal"]
    bounds = slice(ROW_LOWER, ROW_UPPER + 1)
    if (error[ROW_ACTIVE] and heterogeneity[ROW_ACTIVE]
            and error[ROW_CODE] == heterogeneity[ROW_CODE] == lognormal
            and np.isinf(error[bounds]).all() and np.isinf(heterogeneity[bounds]).all()):
        # The product of two independent lognormal factors is one lognormal with the log-means
        # and log-variances added: the same distribution from one normal draw per case.
        mu, sigma = ROW_ARG0, ROW_ARG0 + 1
        error[mu] += heterogeneity[mu]
        error[sigma] = math.hypot(error[sigma], heterogeneity[sigma])
        heterogeneity[:] = 0.0
    return CasePlan(
        count=block.count,
        success_col=parameter_cols[block.success],
        failure_col=parameter_cols[block.failure_yield],
        error=error,
        heterogeneity=heterogeneity,
        table=table,
        out_cols=np.asarray([parameter_cols[c] for c in block.columns], dtype=np.int64),
        weighted=np.asarray(block.weighted or (True,) * len(block.columns), dtype=np.bool_),
        resample=block.resample,
        stream=stream_id("cases"),
        mean_cols=mean_cols,
        mean_names=tuple(_amount_label(block.columns, j) for j in recorded),
    )


def _case_amounts(block: CaseBlock, table: np.ndarray) -> list[int]:
    """The table columns whose mean over an iteration's cases is recorded: every amount
    (not the column of ones) that varies between rows, when the rows are resampled."""
    if not block.resample or table.shape[0] < 2:
        return []
    return [j for j, name in enumerate(block.columns)
            if name != "cases.sum.all" and np.ptp(table[:, j]) > 0]


def _amount_label(columns: tuple[str, ...], j: int) -> str:
    """``cost_saving``; a benefit column with negative cells is two parts, ``cost_saving > 0``
    (the weighted benefit) and ``cost_saving < 0`` (an extra cost, unweighted)."""
    kind, _, column = columns[j].removeprefix("cases.").partition(".")
    if f"cases.sum.{column}" in columns and f"cases.extra.{column}" in columns:
        return f"{column} {'>' if kind == 'sum' else '<'} 0"
    return column


class _Compiler:
    """Expression trees to register ops, with constant folding."""

    def __init__(self, index: dict[str, int], n_columns: int) -> None:
        self.index = index
        self.n_columns = n_columns
        self.ops: list[tuple[int, int, int, int, int]] = []
        self.consts: list[float] = []
        self.const_index: dict[bytes, int] = {}

    def const(self, value: float) -> int:
        # keyed by the bits, so -0.0 and 0.0 (equal as floats) stay apart: 1 / -0.0 is -inf
        key = np.float64(value).tobytes()
        if key not in self.const_index:
            self.consts.append(float(value))
            self.const_index[key] = -len(self.consts)
        return self.const_index[key]

    def temp(self) -> int:
        self.n_columns += 1
        if self.n_columns > MAX_COLUMNS:  # the loader's register_bound refuses these first
            raise ScenarioError(f"the expressions need more than {MAX_COLUMNS:,} working "
                                "columns (split the model into several scenarios)")
        return self.n_columns - 1

    def emit_into(self, node: Node, dst: int) -> None:
        operand = self.compile(node, dst)
        if operand != dst:
            self.ops.append((OPCODES["copy"], dst, operand, 0, 0))

    def compile(self, node: Node, dst: int | None = None) -> int:
        if node.kind == "num":
            return self.const(node.value)
        if node.kind == "name":
            return self.index[node.name]
        args = [self.compile(arg) for arg in node.args]
        op = operation_of(node.kind, node.name)
        if op in VARIADIC and len(args) > 2:  # variadic: fold pairwise
            acc = args[0]
            for arg in args[1:-1]:
                acc = self._emit(op, [acc, arg], None)
            return self._emit(op, [acc, args[-1]], dst)
        return self._emit(op, args, dst)

    def _emit(self, op: str, args: list[int], dst: int | None) -> int:
        if all(a < 0 for a in args):
            return self.const(apply(op, [self.consts[-a - 1] for a in args]))
        target = self.temp() if dst is None else dst
        padded = (args + [0, 0, 0])[:3]
        self.ops.append((OPCODES[op], target, padded[0], padded[1], padded[2]))
        return target
