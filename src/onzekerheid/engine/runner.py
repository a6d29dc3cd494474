"""Chunked, multi-threaded, reproducible runs of a :class:`~onzekerheid.plan.Plan`.

Reproducibility by construction: iterations are cut into fixed blocks of ``BLOCK`` rows, and
every source of randomness (each parameter, the per-case model) draws block ``b`` from its own
stream ``SeedSequence(seed, spawn_key=(stream, b))``. A stream depends on the seed, the name of
what it draws and the block number only, so the numbers are identical on 1 thread or many, with
any chunk size (a chunk is a whole number of blocks), on another machine, and for every grid
point of a sweep (common random numbers: one parameter fixed leaves the others' draws intact).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import cast

import numpy as np

try:
    import resource  # POSIX only: the address-space limit (ulimit -v)
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

from ..errors import SimulationError
from ..plan import STEP_CASES, STEP_DRAW, STEP_OPS, CasePlan, Plan
from . import _composite as mix
from . import _kernels as k
from .correlations import impose

BLOCK = 16_384
DEFAULT_CHUNK_BLOCKS = 4
MAX_ITERATIONS = 10**10
DEFAULT_SEED = 20_240_501
MEMORY_SHARE = 0.8


def seed_from(seed: int | np.random.Generator | None) -> int:
    """Normalise a seed once: an int is used as is (0 is a seed), a Generator or None gives one."""
    if seed is None:
        # numpy types .entropy as the constructor's argument (int | Sequence[int] | None); with
        # no argument it is always the fresh int drawn from the operating system
        return int(cast(int, np.random.SeedSequence().entropy) % (2**63))
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**63))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise SimulationError(f"seed must be a whole number, got {seed!r}")
    if seed < 0:
        raise SimulationError(f"seed must be >= 0, got {seed}")
    return int(seed)


def generator(seed: int, stream: int, block: int) -> np.random.Generator:
    """The random generator of one stream for one block of iterations."""
    sequence = np.random.SeedSequence(seed, spawn_key=(stream, block))
    return np.random.Generator(np.random.PCG64(sequence))


def available_memory() -> int:
    """Bytes a new allocation can take: the least of every limit that applies (Linux first).

    ``MemAvailable`` of ``/proc/meminfo``; the container's cgroup limit less its usage
    (cgroup v2 ``memory.max``/``memory.current``, v1 ``memory.limit_in_bytes``/
    ``memory.usage_in_bytes``); and the address-space limit ``RLIMIT_AS`` (``ulimit -v``)
    less the address space already mapped. Each one unreadable is skipped.
    """
    limits = [_meminfo_available(), _cgroup_room(), _address_space_room()]
    found = [x for x in limits if x is not None]
    if found:
        return max(0, min(found))
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 1 << 62


def _read_number(path: str) -> int | None:
    try:
        with open(path) as handle:
            text = handle.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # "max" (no limit) gives None


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _cgroup_room() -> int | None:
    """Limit less usage of this process's memory cgroup (v2, else v1), or None."""
    for limit_file, usage_file in (("memory.max", "memory.current"),
                                   ("memory.limit_in_bytes", "memory.usage_in_bytes")):
        for folder in _cgroup_folders():
            limit = _read_number(f"{folder}/{limit_file}")
            if limit is not None and limit < 1 << 60:  # v1 writes "no limit" as ~2**63
                usage = _read_number(f"{folder}/{usage_file}") or 0
                return limit - usage
    return None


def _cgroup_folders() -> list[str]:
    """This process's cgroup folders (v2 unified path, v1 memory controller), then the root."""
    folders = []
    try:
        with open("/proc/self/cgroup") as handle:
            for line in handle:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                if controllers == "":
                    folders.append("/sys/fs/cgroup" + path)
                elif "memory" in controllers.split(","):
                    folders.append("/sys/fs/cgroup/memory" + path)
    except (OSError, ValueError):
        pass
    return [*folders, "/sys/fs/cgroup", "/sys/fs/cgroup/memory"]


def _address_space_room() -> int | None:
    """RLIMIT_AS less the address space this process maps already, or None without a limit."""
    if resource is None:  # pragma: no cover - Windows
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    mapped = 0
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmSize:"):
                    mapped = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return soft - mapped


def working_bytes(iterations: int, columns: int, threads: int, chunk_blocks: int) -> int:
    """Bytes of the work matrices: one (rows, columns) float64 matrix per busy thread, where a
    chunk has at most ``chunk_blocks * BLOCK`` rows and no more than ``iterations``."""
    rows = min(iterations, chunk_blocks * BLOCK)
    chunks = -(-iterations // (chunk_blocks * BLOCK))
    return min(threads, chunks) * rows * columns * 8


def check_size(iterations: int, columns: int, plan: Plan, threads: int, chunk_blocks: int) -> None:
    """Refuse, with a clear message, a run whose result would not fit in memory."""
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise SimulationError(
            f"iterations must lie between 1 and {MAX_ITERATIONS:.0e}, got {iterations}"
        )
    check_memory(iterations * max(columns, 1) * 8
                 + working_bytes(iterations, plan.n_columns, threads, chunk_blocks),
                 f"{iterations:,} iterations with {columns} stored columns",
                 "use at most about {fits:,} iterations, or store fewer columns",
                 per_unit=max(columns, 1) * 8)


def check_memory(need: int, what: str, advice: str, per_unit: int = 0) -> None:
    """Refuse ``need`` bytes beyond ``MEMORY_SHARE`` of :func:`available_memory`.

    ``advice`` may hold ``{fits}``: how many units of ``per_unit`` bytes would fit.
    """
    have = available_memory()
    if need > MEMORY_SHARE * have:
        fits = int((MEMORY_SHARE * have) // per_unit) if per_unit else 0
        raise SimulationError(
            f"{what} would need about {need / 2**30:.1f} GiB of memory, but only "
            f"{have / 2**30:.1f} GiB is available; {advice.format(fits=fits)} (available: the "
            "least of free memory, "
            "the container's memory limit and ulimit -v)"
        )


def run(
    plan: Plan,
    iterations: int,
    seed: int,
    keep: Sequence[int],
    *,
    threads: int | None = None,
    chunk_blocks: int = DEFAULT_CHUNK_BLOCKS,
    inputs: dict[int, np.ndarray] | None = None,
    case_keys: np.ndarray | None = None,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Simulate ``iterations`` rows and return the ``keep`` columns, shape (iterations, len(keep)),
    column-major (each column contiguous: analyses read whole columns).

    ``inputs`` maps a parameter column to given values (length ``iterations``) that replace its
    draws: how analyses evaluate the model as a function of chosen inputs.

    ``case_keys`` (int64, length ``iterations``) makes the per-case randomness a function of the
    row's key instead of its block: rows with equal keys and equal inputs get identical case
    draws, whatever their position. Sobol designs use it to treat per-case randomness as one
    input group. It costs one generator per row (about 10 µs), so it is for designs, not runs.
    """
    n_chunks = -(-iterations // (BLOCK * max(chunk_blocks, 1))) if iterations > 0 else 1
    threads = max(1, min(int(threads or os.cpu_count() or 1), n_chunks))
    if chunk_blocks < 1:
        raise SimulationError("chunk_blocks must be at least 1")
    keep_cols = np.asarray(keep, dtype=np.int64)
    check_size(iterations, len(keep_cols), plan, threads, chunk_blocks)
    given = inputs or {}
    _check_rows(iterations, given, case_keys)
    # column-major: every analysis reads whole columns (an output's summary copies and sorts
    # one), and a contiguous column copies 3-4x faster than a strided one
    out = np.empty((iterations, len(keep_cols)), dtype=np.float64, order="F")
    n_blocks = -(-iterations // BLOCK)
    chunks = [(b, min(b + chunk_blocks, n_blocks)) for b in range(0, n_blocks, chunk_blocks)]
    stop_flag = threading.Event()
    scratch = threading.local()  # one work matrix per thread, reused from chunk to chunk

    def work(chunk: tuple[int, int]) -> int:
        first, last = chunk
        start_row = first * BLOCK
        stop_row = min(last * BLOCK, iterations)
        keys = None if case_keys is None else case_keys[start_row:stop_row]
        buf = _work_matrix(scratch, stop_row - start_row, plan.n_columns)
        _simulate_rows(plan, seed, first, last, start_row, stop_row, given, keys, stop_flag,
                       buf)
        for j, col in enumerate(keep_cols):
            out[start_row:stop_row, j] = buf[:, col]
        return stop_row - start_row

    _run_chunks(work, chunks, threads, stop_flag, progress)
    return out


def _check_rows(iterations: int, given: dict[int, np.ndarray], case_keys: np.ndarray | None
                ) -> None:
    """Refuse inputs or case keys whose length is not ``iterations``."""
    if case_keys is not None and len(case_keys) != iterations:
        raise SimulationError(f"case_keys has {len(case_keys)} rows, expected {iterations}")
    for col, values in given.items():
        if len(values) != iterations:
            raise SimulationError(f"input for column {col} has {len(values)} rows, "
                                  f"expected {iterations}")


def _run_chunks(work: Callable[[tuple[int, int]], int], chunks: list[tuple[int, int]],
                threads: int, stop_flag: threading.Event,
                progress: Callable[[int], None] | None) -> None:
    """``work`` every chunk, in order on this thread or on a pool of ``threads``; report each
    chunk's rows to ``progress``. Ctrl-C or an error sets ``stop_flag`` (the other chunks stop
    at their next block) and waits for the pool before raising."""
    if threads == 1 or len(chunks) == 1:
        for chunk in chunks:
            done = work(chunk)
            if progress is not None:
                progress(done)
        return
    pool = ThreadPoolExecutor(max_workers=min(threads, len(chunks)))
    try:
        pending = {pool.submit(work, chunk) for chunk in chunks}
        while pending:
            finished, pending = wait(pending, timeout=0.1, return_when=FIRST_EXCEPTION)
            for future in finished:
                done = future.result()
                if progress is not None:
                    progress(done)
    except BaseException:
        stop_flag.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _work_matrix(scratch: threading.local, rows: int, columns: int) -> np.ndarray:
    """This thread's (rows, columns) work matrix: the one of its previous chunk when the
    shape is the same (every chunk but a shorter last one), else a new one.

    The matrix is column-major (Fortran order): every kernel loops over the rows of one
    column, so a contiguous column is what they stream through (1.7x faster on a 15-parameter
    scenario than row-major). Reusing it saves the page faults of touching fresh memory in
    every chunk (a 40-column chunk is 21 MB). Every cell a chunk reads is written by that
    chunk first (fixed values, inputs, draws, then the program in order), so nothing of the
    previous chunk is ever read.
    """
    buf = getattr(scratch, "buf", None)
    if buf is None or buf.shape != (rows, columns):
        buf = np.empty((rows, columns), dtype=np.float64, order="F")
        scratch.buf = buf
    return buf


def _simulate_rows(plan: Plan, seed: int, first: int, last: int, start_row: int, stop_row: int,
                   given: dict[int, np.ndarray], case_keys: np.ndarray | None,
                   stop_flag: threading.Event, buf: np.ndarray) -> None:
    """Draw and evaluate blocks ``first..last-1`` into ``buf``, a (rows, n_columns)
    column-major matrix (:func:`_work_matrix`)."""
    rows = stop_row - start_row
    if len(plan.fixed_cols):
        buf[:, plan.fixed_cols] = plan.fixed_values
    for col, values in given.items():
        buf[:, col] = values[start_row:stop_row]
    for block in range(first, last):
        if stop_flag.is_set():
            raise KeyboardInterrupt
        lo = block * BLOCK - start_row
        hi = min((block + 1) * BLOCK, stop_row) - start_row
        for j in range(len(plan.draws.cols)):
            if int(plan.draws.cols[j]) not in given:
                _draw_row(plan, j, generator(seed, plan.draws.streams[j], block), buf, lo, hi)
        if plan.correlations is not None:  # Iman-Conover, from the block's own stream
            impose(plan.correlations, buf, lo, hi, given,
                   generator(seed, plan.correlations.stream, block))
    program = plan.program
    for kind, a, b in program.steps:  # the program, hierarchical draws, per-case model, in order
        if kind == STEP_OPS:
            k.run_program(buf, 0, rows, program.ops[a:b], program.consts)
        elif kind == STEP_DRAW:
            _hierarchical_rows(plan, int(a), seed, first, last, start_row, stop_row, given, buf)
        elif kind == STEP_CASES:
            _cases(plan, seed, first, last, start_row, stop_row, given, case_keys, buf)


def _draw_row(plan: Plan, j: int, gen: np.random.Generator, buf: np.ndarray, lo: int, hi: int
              ) -> None:
    """Rows ``lo:hi`` of draw row ``j``'s column: its family (or mixture), then zero-inflation."""
    draws, tables = plan.draws, plan.tables
    col = int(draws.cols[j])
    offset, length = draws.tables[j]
    lower, upper = draws.bounds[j, 0], draws.bounds[j, 1]
    if draws.codes[j] == mix.MIXTURE:
        parts = slice(int(draws.args[j, 0]), int(draws.args[j, 0]) + int(draws.args[j, 1]))
        c = plan.components
        mix.draw_mixture(gen, buf, col, lo, hi, tables.cumw[offset:offset + length],
                         c.codes[parts], c.args[parts], c.bounds[parts], c.tables[parts],
                         tables.values, tables.cumw, lower, upper)
    else:
        k.draw_column(gen, buf, col, lo, hi, draws.codes[j], draws.args[j], lower, upper,
                      tables.values[offset:offset + length], tables.cumw[offset:offset + length])
    if draws.zero[j] > 0.0:  # zero-inflation: one more uniform per row
        mix.zero_fill(gen, buf, col, lo, hi, draws.zero[j])


def _hierarchical_rows(plan: Plan, j: int, seed: int, first: int, last: int, start_row: int,
                       stop_row: int, given: dict[int, np.ndarray], buf: np.ndarray) -> None:
    """Draw hierarchical parameter ``j`` for every block of the chunk from its own stream."""
    rows = plan.hierarchical
    col = int(rows.cols[j])
    if col in given:
        return
    for block in range(first, last):
        lo = block * BLOCK - start_row
        hi = min((block + 1) * BLOCK, stop_row) - start_row
        gen = generator(seed, rows.streams[j], block)
        mix.draw_rows(gen, buf, col, lo, hi, rows.codes[j], rows.args[j], plan.program.consts,
                      rows.bounds[j, 0], rows.bounds[j, 1])
        if rows.zero[j] > 0.0:
            mix.zero_fill(gen, buf, col, lo, hi, rows.zero[j])


def _cases(plan: Plan, seed: int, first: int, last: int, start_row: int, stop_row: int,
           given: dict[int, np.ndarray], case_keys: np.ndarray | None, buf: np.ndarray) -> None:
    """The per-case model for every block of the chunk (per row when ``case_keys`` is given)."""
    cases = plan.cases
    if cases is None or all(int(c) in given for c in cases.out_cols):
        return
    for block in range(first, last):
        lo = block * BLOCK - start_row
        hi = min((block + 1) * BLOCK, stop_row) - start_row
        if case_keys is None:
            _case_rows(cases, generator(seed, cases.stream, block), buf, lo, hi)
        else:
            for row in range(lo, hi):
                gen = generator(seed, cases.stream, 2**62 + int(case_keys[row]))
                _case_rows(cases, gen, buf, row, row + 1)


def _case_rows(cases: CasePlan, gen: np.random.Generator, buf: np.ndarray, lo: int, hi: int
               ) -> None:
    mix.case_block_sums(gen, buf, lo, hi, cases.count, cases.success_col, cases.failure_col,
                        cases.error, cases.heterogeneity, cases.table, cases.out_cols,
                        cases.weighted, cases.resample, cases.mean_cols)


def evaluate_points(plan: Plan, points: np.ndarray | None = None) -> np.ndarray:
    """Evaluate the model once with every parameter at its point value; returns one row.

    The per-case model contributes its expectation at the point values, with per-case factors
    (estimator error, heterogeneity) at 1, i.e. the workers' estimates taken at face value:
    ``count x (rate + (1 - rate) x failure share) x column mean of the case table``, and
    ``count x column mean`` for the unweighted (extra cost) columns.
    """
    values = plan.points if points is None else points
    buf = np.zeros((1, plan.n_columns), dtype=np.float64, order="F")  # one kernel layout
    buf[0, : len(values)] = values
    for kind, a, b in plan.program.steps:  # hierarchical parameters keep their point values
        if kind == STEP_OPS:
            k.run_program(buf, 0, 1, plan.program.ops[a:b], plan.program.consts)
        elif kind == STEP_CASES:
            cases = plan.cases
            assert cases is not None
            rate = min(max(buf[0, cases.success_col], 0.0), 1.0)
            share = buf[0, cases.failure_col]
            expected = cases.count * (rate + (1.0 - rate) * share)
            means = cases.table.mean(axis=0)
            for j, col in enumerate(cases.out_cols):
                buf[0, col] = (expected if cases.weighted[j] else cases.count) * means[j]
    return buf[0]

