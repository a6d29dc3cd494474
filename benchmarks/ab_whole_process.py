"""Whole-process CPU time of two source trees side by side, alternated (issue 17).

    python benchmarks/ab_whole_process.py BEFORE_SRC AFTER_SRC [--rounds 5] [--out FILE.json]
        [--threads N]

Each round runs, for both trees in alternating order (A B, then B A), ``onzekerheid run
benchmarks/scenarios/mixed15.toml -n N --json -q`` at N = 10^5 and 4x10^6, plus the plain
numpy script at 4x10^6 once per round; every child's user + system CPU seconds, wall
seconds and peak RSS come from ``os.wait4``, with the 1-minute load average before it.
One untimed call per tree first fills the numba cache and the bytecode caches. Then, in a
separate process per tree, the summaries of the six outputs at 4x10^6 (``Result.to_json()``
after a fresh simulation, serial ``summarize`` and ``summarize_all`` on the thread pool):
CPU and wall seconds, minimum of three.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "benchmarks/scenarios/mixed15.toml"
SUMMARIES = r"""
import json, time, onzekerheid as oz
from onzekerheid.analysis.summary import summarize
sc = oz.load("benchmarks/scenarios/mixed15.toml")
r = oz.simulate(sc, 4_000_000, store="outputs")
def best(f):
    out = []
    for _ in range(3):
        r._summaries.clear(); getattr(r, "_claim_counts", {}).clear()
        c, w = time.process_time(), time.perf_counter(); f()
        out.append((time.process_time() - c, time.perf_counter() - w))
    return min(out)
serial = lambda: [summarize(r[n], r.ci, sc.claims.get(n)) for n in r.outputs]
print(json.dumps({"to_json": best(r.to_json), "serial": best(serial),
                  "summarize_all": best(r.summarize_all)}))
"""


def child(argv: list[str], src: str | None) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if src is not None:
        env["PYTHONPATH"] = src
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{argv} failed with status {status}")
    return {"cpu": usage.ru_utime + usage.ru_stime, "wall": wall,
            "rss_gib": usage.ru_maxrss / 2**20, "load1": load}


THREADS: list[str] = []  # --threads N passed on to `run` (empty: run's default, every core)


def run_cmd(n: str) -> list[str]:
    return [sys.executable, "-m", "onzekerheid", "run", SCENARIO, "-n", n, "--json", "-q",
            *THREADS]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--threads", type=int, help="threads for `run` (default: every core)")
    args = parser.parse_args()
    if args.threads:
        THREADS[:] = ["--threads", str(args.threads)]
    trees = {"before": args.before, "after": args.after}
    for src in trees.values():  # warm: numba cache and bytecode
        child(run_cmd("100000"), src)
    runs: dict[str, list[dict[str, float]]] = {}
    numpy = [sys.executable, "benchmarks/numpy_reference.py", "-n", "4000000", "--json"]
    for r in range(args.rounds):
        order = list(trees.items()) if r % 2 == 0 else list(trees.items())[::-1]
        for n in ("100000", "4000000"):
            for name, src in order:
                runs.setdefault(f"{name} run {n}", []).append(child(run_cmd(n), src))
        runs.setdefault("numpy 4000000", []).append(child(numpy, None))
    table = {key: {f"{field}_{stat}": round(fn([x[field] for x in xs]), 3)
                   for field in ("cpu", "wall", "load1")
                   for stat, fn in (("min", min), ("median", statistics.median))}
             for key, xs in runs.items()}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    summaries = {}
    for name, src in trees.items():
        out = subprocess.run([sys.executable, "-c", SUMMARIES], cwd=ROOT, capture_output=True,
                             text=True, check=True, env={**env, "PYTHONPATH": src})
        summaries[name] = json.loads(out.stdout.strip().splitlines()[-1])
    doc = {"table": table, "summaries_4e6_cpu_wall": summaries, "runs": runs,
           "threads": args.threads or "all",
           "cpus": os.cpu_count(), "python": sys.version.split()[0]}
    text = json.dumps(doc, indent=1)
    if args.out:
        args.out.write_text(text + "\n")
    print(json.dumps({"table": table, "summaries": summaries}, indent=1))


if __name__ == "__main__":
    main()
