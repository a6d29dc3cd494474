"""Speed of the analyses (issue 4): Sobol' indices on a 15-parameter scenario at 2^14 base
samples (target: under a minute on 2 cores), the same on the Schiedam scenario with its per-case
randomness as a group, and EVPI/EVPPI by regression. Appends a table to
benchmarks/results/analysis.md.

    python benchmarks/analysis_speed.py [--threads 2]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
from pathlib import Path

import numpy as np

import onzekerheid as oz
from onzekerheid.analysis import sensitivity as sa
from onzekerheid.analysis import voi
from onzekerheid.analysis.model import model_of

HERE = Path(__file__).parent
ROOT = HERE.parent


def timed(label: str, func, rows: list[tuple[str, float, str]], note: str = "") -> object:
    start = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - start
    rows.append((label, seconds, note))
    print(f"{label}: {seconds:.2f} s {note}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rows: list[tuple[str, float, str]] = []
    load = os.getloadavg()[0]

    mixed = model_of(oz.load(HERE / "scenarios" / "mixed15.toml"))
    output = "net_benefit" if "net_benefit" in mixed.scenario.outputs else next(
        iter(mixed.scenario.outputs))
    sa.sobol(mixed, output, base=2**6, resamples=10)  # compile outside the timing
    result = timed(f"Sobol', mixed15 ({len(mixed.names)} parameters), 2^14 base",
                   lambda: sa.sobol(mixed, output, base=2**14, seed=1, threads=args.threads),
                   rows)
    rows[-1] = (*rows[-1][:2], f"{result.evaluations:,} evaluations, 500 bootstrap resamples")
    timed("EVPI + EVPPI, mixed15, 100,000 iterations",
          lambda: voi.value_of_information(mixed, output, iterations=100_000, seed=1,
                                           threads=args.threads), rows)

    schiedam = model_of(oz.load(ROOT / "scenarios" / "schiedam.toml"))
    sa.sobol(schiedam, "savings_per_case", base=2**6, resamples=10)
    result = timed(f"Sobol', schiedam ({len(schiedam.names)} parameters + cases group, "
                   "188 cases), 2^14 base",
                   lambda: sa.sobol(schiedam, "savings_per_case", base=2**14, seed=1,
                                    threads=args.threads), rows)
    doc = result.to_json()
    shares = ", ".join(f"{k} {v['total']:.2f}" for k, v in doc["parameters"].items())
    rows[-1] = (*rows[-1][:2], f"total-order: {shares}")

    if args.no_write:
        return
    out = HERE / "results" / "analysis.md"
    lines = [
        f"\n## {datetime.date.today()} — {platform.node()}",
        "",
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load:.2f} at start; Python {platform.python_version()}, numpy {np.__version__}, "
        f"onzekerheid {oz.__version__}; {args.threads} threads.",
        "",
        "| analysis | seconds | notes |",
        "|---|---:|---|",
        *[f"| {label} | {seconds:.2f} | {note} |" for label, seconds, note in rows],
        "",
    ]
    if not out.exists():
        lines.insert(0, "# Analysis speed\n\nTarget (issue 4): Sobol' on a 15-parameter "
                        "scenario with 2^14 base samples in under a minute on 2 cores.\n")
    with out.open("a") as handle:
        handle.write("\n".join(lines))


if __name__ == "__main__":
    main()
