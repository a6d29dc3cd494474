"""Where one block of the benchmark model spends its time (issue 3, item 9).

Replays, step by step, what ``engine.runner._simulate_rows`` does for a block of 16,384 rows
of ``model.toml`` (generators, parameter columns, the per-case kernel ``case_sums``, the
expression program, the copy of the kept columns) and times each step on one thread, next to
the floor set by the random generator itself: the same number of normal draws and
exponentials in a bare numba loop, and in numpy. Nothing in the engine is changed.

    python benchmarks/schiedam/profile_blocks.py [BLOCKS]
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numba
import numpy as np

import onzekerheid as oz
from onzekerheid.engine import _kernels as k
from onzekerheid.engine import runner
from onzekerheid.plan import build_plan

MODEL = Path(__file__).resolve().parent / "model.toml"


def timed(step: Callable[[int], None], blocks: int) -> float:
    """Seconds per block of ``step(block)``, best of 3 passes over ``blocks`` blocks."""
    step(0)  # compile
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        for b in range(blocks):
            step(b)
        best = min(best, (time.perf_counter() - start) / blocks)
    return best


@numba.njit(nogil=True, cache=True)
def normals_exp(gen, counts, mu, sigma):  # type: ignore[no-untyped-def]
    """The floor of case_sums: one binomial count, then that many exp(normal) summed, per row."""
    total = 0.0
    for i in range(counts.shape[0]):
        m = gen.binomial(188, 0.78)
        s = 0.0
        for _ in range(m):
            s += math.exp(gen.normal(mu, sigma))
        total += s
        counts[i] = m
    return total


@numba.njit(nogil=True, cache=True)
def normals_only(gen, n, mu, sigma):  # type: ignore[no-untyped-def]
    """``n`` normal draws through a numba Generator, no exp."""
    s = 0.0
    for _ in range(n):
        s += gen.normal(mu, sigma)
    return s


def main(blocks: int) -> None:
    scenario = oz.load(MODEL)
    plan = build_plan(scenario)
    cases = plan.cases
    rows = runner.BLOCK
    seed = 1
    buf = np.empty((rows, plan.n_columns), order="F")  # the layout _simulate_rows uses
    buf[:, plan.fixed_cols] = plan.fixed_values
    keep = np.array([plan.names.index(n) for n in scenario.outputs])

    def generators(b: int) -> None:
        for stream in (*plan.draw_streams, cases.stream):
            runner.generator(seed, stream, b)

    def parameters(b: int) -> None:
        for j in range(len(plan.draw_cols)):
            offset, length = plan.draw_tables[j]
            k.draw_column(runner.generator(seed, plan.draw_streams[j], b), buf,
                          int(plan.draw_cols[j]), 0, rows, plan.draw_codes[j],
                          plan.draw_args[j], plan.draw_bounds[j, 0], plan.draw_bounds[j, 1],
                          plan.table_values[offset:offset + length],
                          plan.table_cumw[offset:offset + length])

    gens = [runner.generator(seed, cases.stream, b) for b in range(blocks)]

    def per_case(b: int) -> None:
        k.case_sums(gens[b], buf, 0, rows, cases.count, cases.success_col, cases.failure_col,
                    cases.error, cases.heterogeneity, cases.table, cases.out_cols,
                    cases.resample)

    def program(b: int) -> None:
        k.run_program(buf, 0, rows, plan.ops, plan.consts)

    def copy_out(b: int) -> None:
        np.ascontiguousarray(buf[:, keep])

    def whole(b: int) -> None:
        runner._simulate_rows(plan, seed, b, b + 1, b * rows, (b + 1) * rows, {}, None,
                              _Never())

    parameters(0)
    successes = float(np.mean(buf[:, cases.success_col])) * cases.count
    mu, sigma = float(cases.error[1]), float(cases.error[2])
    counts = np.empty(rows, dtype=np.int64)
    floor_gen = np.random.default_rng(7)

    def floor_numba(b: int) -> None:
        normals_exp(floor_gen, counts, mu, sigma)

    draws = int(rows * successes)

    def floor_normals(b: int) -> None:
        normals_only(floor_gen, draws, mu, sigma)

    def floor_numpy(b: int) -> None:
        z = floor_gen.standard_normal(draws)
        np.exp(z, out=z)

    steps = [("generators (SeedSequence + PCG64, one per stream)", generators),
             ("parameter columns (draw_column x 3)", parameters),
             ("per-case kernel (case_sums)", per_case),
             ("expression program (run_program)", program),
             ("copy of kept columns", copy_out),
             ("whole block (_simulate_rows)", whole),
             ("floor: numba loop, binomial + exp(normal) per success", floor_numba),
             ("floor: numba loop, normals only", floor_normals),
             ("floor: numpy standard_normal + exp", floor_numpy)]
    print(f"block = {rows:,} rows; mean successes per row {successes:.1f}; "
          f"{blocks} blocks per pass, best of 3 passes, 1 thread")
    print(f"{'step':55s} {'ms/block':>9s} {'ns/row':>8s} {'rows/s':>11s}")
    for name, step in steps:
        seconds = timed(step, blocks)
        print(f"{name:55s} {seconds * 1e3:9.2f} {seconds / rows * 1e9:8.0f} "
              f"{rows / seconds:11,.0f}")


class _Never:
    """A stop flag that is never set."""

    def is_set(self) -> bool:
        return False


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
