"""Scale benchmark: a sweep of 400 grid points x 1e5 iterations, in one process and on a dask
LocalCluster, plus the per-task overhead of the dask backend.

    python benchmarks/sweep_scale.py                      # 400 points x 1e5, workers 2
    python benchmarks/sweep_scale.py --workers 2 4 8 16   # on a bigger machine
    python benchmarks/sweep_scale.py --points 100 --iterations 20000   # a quick look

Grid: worker_cost (20 values) x still_referred (20 values) of scenarios/school_jeugdzorg.toml
(pass --scenario and --vary for another scenario). Every configuration must give the same
summaries (checked: bitwise equal to the in-process sweep). Reference: the same sweep written
in plain numpy as a user would, one ``default_rng`` per grid point, for the school formula.
Needs ``pip install 'onzekerheid[distributed]'``. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time
from pathlib import Path

import numpy as np

import onzekerheid as oz
from onzekerheid.analysis.sweep import Axis, parse_vary, sweep
from onzekerheid.engine import distributed

ROOT = Path(__file__).parent.parent


def numpy_reference(axes: list[Axis], iterations: int, seed: int) -> float:
    """The school sweep in plain numpy (seconds); the formula of school_jeugdzorg.toml."""
    start = time.perf_counter()
    sigma = (math.log(20_000) - math.log(10_000)) / (2 * 1.6448536269514722)
    median = math.sqrt(10_000 * 20_000)
    for worker_cost in axes[0].values:
        for still_referred in axes[1].values:
            rng = np.random.default_rng(seed)
            before = rng.poisson(25, iterations)
            after = rng.poisson(1, iterations)
            cost = median * np.exp(sigma * rng.standard_normal(iterations))
            dropped = rng.beta(2.0, 8.0, iterations)  # stand-in for the fitted beta
            net = (before - after) * cost * (1 - still_referred) * (1 - dropped) - worker_cost
            np.quantile(net, [0.05, 0.5, 0.95])
            float(np.mean(net > 0))
    return time.perf_counter() - start


def per_task_overhead(client: object, tasks: int = 400) -> float:
    """Seconds per task of submitting and gathering ``tasks`` no-op tasks (round trip)."""
    start = time.perf_counter()
    distributed.map_tasks(client, _noop, [(i,) for i in range(tasks)])
    return (time.perf_counter() - start) / tasks


def _noop(i: int) -> int:
    return i


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios/school_jeugdzorg.toml")
    parser.add_argument("--vary", nargs="*", default=None,
                        help="NAME=START:STOP:COUNT ... (default: the 20 x 20 school grid)")
    parser.add_argument("--points", type=int, default=400, help="grid points (a square grid)")
    parser.add_argument("--iterations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, nargs="*", default=[2])
    args = parser.parse_args()

    side = int(round(math.sqrt(args.points)))
    if args.vary:
        axes = [parse_vary(v) for v in args.vary]
    else:
        axes = [Axis("worker_cost", tuple(np.linspace(50_000, 300_000, side))),
                Axis("still_referred", tuple(np.linspace(0.0, 0.6, side)))]
    scenario = oz.load(args.scenario)
    points = math.prod(len(a.values) for a in axes)
    total = points * args.iterations
    oz.simulate(scenario, 1000, seed=1)  # load compiled kernels before timing

    rows = []
    print(f"# {points} grid points x {args.iterations:,} iterations of {args.scenario.name}; "
          f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    start = time.perf_counter()
    reference = sweep(scenario, axes, args.iterations, args.seed, threads=1)
    one = time.perf_counter() - start
    rows.append(("in-process, 1 thread", one, "-"))
    if args.vary is None and args.scenario.name == "school_jeugdzorg.toml":
        rows.append(("plain numpy reference, 1 process",
                     numpy_reference(axes, args.iterations, args.seed), "-"))
    for workers in args.workers:
        startup = time.perf_counter()
        with distributed.client_for(f"local:{workers}") as client:
            warm = time.perf_counter()  # workers import onzekerheid and load compiled kernels
            sweep(scenario, axes[:1], 1000, args.seed, scheduler=client)
            startup, warm = warm - startup, time.perf_counter() - warm
            overhead = per_task_overhead(client)
            start = time.perf_counter()
            result = sweep(scenario, axes, args.iterations, args.seed, scheduler=client)
            elapsed = time.perf_counter() - start
        if result.summaries != reference.summaries:
            raise SystemExit(f"local:{workers} gave different summaries: a reproducibility bug")
        rows.append((f"LocalCluster, {workers} processes", elapsed,
                     f"{overhead * 1e3:.2f} ms/task; start {startup:.1f} s, warm-up {warm:.1f} s"))

    print("\n| configuration | seconds | iterations/s | speed-up | note |")
    print("|---|---:|---:|---:|---|")
    for name, seconds, note in rows:
        print(f"| {name} | {seconds:.1f} | {total / seconds:,.0f} | {one / seconds:.2f} | {note} |")
    print(f"\nper grid point (in-process): {one / points * 1e3:.1f} ms; all LocalCluster "
          "results bitwise equal to the in-process sweep; load average (1, 5, 15 min) at the "
          f"end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
