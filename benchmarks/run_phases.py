"""Where the CPU of one warm `run` goes, in-process: import, numba's first call, simulation,
summaries (issue 17).

    python benchmarks/run_phases.py [-n 4000000] [--threads 1]

Run it with bytecode caching on (unset ``PYTHONDONTWRITEBYTECODE``) and after one warm call,
so that neither compilation of Python nor of the kernels is counted. Prints CPU and wall
seconds per phase.
"""

from __future__ import annotations

import argparse
import time

START = (time.process_time(), time.perf_counter())
import onzekerheid.api as api  # noqa: E402  (the import is the first phase measured)
from onzekerheid.cli import app  # noqa: E402,F401  (what the command imports too)

SCENARIO = "benchmarks/scenarios/mixed15.toml"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=float, default=4e6)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    marks = [("start", *START), ("import", time.process_time(), time.perf_counter())]
    scenario = api.load(SCENARIO)
    marks.append(("load", time.process_time(), time.perf_counter()))
    api.simulate(scenario, 1000, 1, threads=args.threads)
    marks.append(("numba's first call", time.process_time(), time.perf_counter()))
    result = api.simulate(scenario, int(args.n), api.DEFAULT_SEED, threads=args.threads,
                          store="outputs")
    marks.append(("simulation", time.process_time(), time.perf_counter()))
    result.to_json()
    marks.append(("summaries and audits", time.process_time(), time.perf_counter()))
    for (_, cpu0, wall0), (name, cpu1, wall1) in zip(marks, marks[1:], strict=False):
        print(f"{name:<22} cpu {cpu1 - cpu0:6.2f} s   wall {wall1 - wall0:6.2f} s")


if __name__ == "__main__":
    main()
