"""Speed of the per-case model (issue 3, item 9): onzekerheid against numpy and squigglepy.

Every configuration runs in a fresh child process, which warms up first (numba compile or
cache load, numpy's first calls) and then times the run itself, so compile time is excluded
and the child's peak resident memory (``resource.getrusage``, ``ru_maxrss``) belongs to that
configuration alone. Measured:

* ``onzekerheid.simulate(model, n, store="outputs")`` at n = 1e5, 1e6, 1e7 with 1 and 2
  threads (median of 3 timed runs below 1e7, one run at 1e7);
* ``numpy_idiomatic.py`` and ``numpy_matrix.py`` at 1e5 and 1e6, and at 1e7 when the 1e6 rate
  predicts under a minute;
* ``squigglepy_model.py`` at 2e4 (its per-iteration cost extrapolates linearly).

Agreement: all versions compute the same model, so the mean of ``savings_per_case`` has the
same expectation, known in closed form (``expected_mean``). Each mean is compared with it and
with onzekerheid's largest run by ``z = diff / sqrt(mcse_a^2 + mcse_b^2)``, MCSE = sd/sqrt(n)
(iterations are independent); ``|z| <= 4`` passes (a false alarm about once in 16,000 checks).

The machine is shared: before each configuration the 1-minute load average is read and, above
``--max-load``, the run waits 60 s and reads again (``--retries`` times). Each row records the
load before it and the child's CPU time / wall time (about 1 per thread on a quiet machine).

Run from the repository root (``pip install squigglepy`` first)::

    python benchmarks/schiedam/run.py                 # everything; writes results/schiedam.md
    python benchmarks/schiedam/run.py --quick         # 1e5 and 1e6 only, nothing written
    python benchmarks/schiedam/run.py --commit HEAD   # the committed package, not the tree
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MODEL = HERE / "model.toml"
RESULTS = ROOT / "benchmarks" / "results" / "schiedam.md"
BEGIN, END = "<!-- run.py: begin -->", "<!-- run.py: end -->"
GIB = 2**30
Z_AGREE = 4.0
TARGET_RATE = 500_000
TARGET_RSS_GIB = 1.5
CASES = 188
RATE_A, RATE_B = 63.5, 18.0
DRAWS = {  # random draws (generator calls) per iteration; see each model's docstring
    "onzekerheid": "3 + 1 binomial + K lognormal ≈ 150.5",
    "numpy_matrix": "3 + 1 binomial + K normal ≈ 150.5",
    "numpy_idiomatic": "3 + 188 uniform + 376 lognormal = 567",
    "squigglepy": "3 + 188 Bernoulli + 376 lognormal = 567",
}


def expected_mean() -> float:
    """E[savings_per_case] = E[rate] x sum(amounts) x E[price] x E[bias] (per-case factors mean 1).

    The factors are independent, so the expectation is the product of their means; a lognormal
    with log-mean mu and log-sd sigma has mean exp(mu + sigma^2 / 2).
    """
    rate = RATE_A / (RATE_A + RATE_B)
    price = math.exp(0.1357**2 / 2)
    bias = 0.8 * math.exp(0.25**2 / 2)
    return rate * (3563 + 2694 + 2079) * price * bias


# --------------------------------------------------------------------------------- child side
def child(kind: str, n: int, threads: int, repeats: int) -> dict[str, Any]:
    """Warm up, time ``repeats`` runs of ``n`` iterations, return rates, mean, MCSE, peak RSS."""
    import resource

    import numpy as np

    if kind == "onzekerheid":
        import onzekerheid as oz

        scenario = oz.load(MODEL)

        def once(iterations: int) -> np.ndarray:
            result = oz.simulate(scenario, iterations, 1, threads=threads, store="outputs")
            return result["savings_per_case"]
    else:
        sys.path.insert(0, str(HERE))
        module = __import__({"squigglepy": "squigglepy_model"}.get(kind, kind))

        def once(iterations: int) -> np.ndarray:
            return module.simulate(iterations, 1)[:, 0]

    once(min(n, 2 * 16_384))  # compile / load caches; not timed
    walls, cpus, values = [], [], np.empty(0)
    for _ in range(repeats):
        values = np.empty(0)  # free the last run's result before the next
        cpu0, wall0 = time.process_time(), time.perf_counter()
        values = once(n)
        walls.append(time.perf_counter() - wall0)
        cpus.append(time.process_time() - cpu0)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    return {"wall_s": wall, "cpu_s": cpu, "rate": n / wall, "rate_per_cpu_s": n / cpu,
            "mean": float(values.mean()), "mcse": float(values.std(ddof=1) / math.sqrt(n)),
            "max_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB}


# -------------------------------------------------------------------------------- parent side
def load1() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def wait_for_quiet(max_load: float, retries: int) -> float:
    """Wait (60 s a time, ``retries`` times at most) until the load is at most ``max_load``."""
    load = load1()
    for _ in range(retries):
        if load <= max_load:
            break
        print(f"  load {load:.2f} > {max_load}: waiting 60 s", flush=True)
        time.sleep(60)
        load = load1()
    return load


def measure(kind: str, n: int, threads: int, env: dict[str, str], args: argparse.Namespace
            ) -> dict[str, Any]:
    """One configuration in a fresh child process."""
    before = wait_for_quiet(args.max_load, args.retries)
    repeats = 1 if n >= 10**7 or kind == "squigglepy" else args.repeats
    command = [sys.executable, __file__, "--child", kind, str(n), str(threads), str(repeats)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{kind} n={n} threads={threads} failed:\n{done.stderr}")
    row = {"kind": kind, "n": n, "threads": threads, "load_before": before,
           "load_after": load1(), **json.loads(done.stdout.splitlines()[-1])}
    print(f"  {kind:16s} n={n:>10,} threads={threads}: {row['rate']:>11,.0f} it/s "
          f"(cpu/wall {row['cpu_s'] / row['wall_s']:.2f}, rss {row['max_rss_gib']:.2f} GiB, "
          f"load {before:.2f})", flush=True)
    return row


def machine() -> dict[str, Any]:
    """CPU model, cores, platform and versions."""
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = {}
    for package in ("numpy", "numba", "squigglepy", "onzekerheid"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    return {"cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "versions": versions}


def export(rev: str, into: Path) -> str:
    """Put ``src/`` of revision ``rev`` under ``into``; return the full commit id."""
    sys.path.insert(0, str(HERE.parent))
    from run_benchmarks import export_source

    return export_source(rev, into)


def agreement(rows: list[dict[str, Any]]) -> list[tuple[str, int, float, float, float, float]]:
    """Per version's largest run: (kind, n, mean, mcse, z against exact, z against onzekerheid)."""
    exact = expected_mean()
    largest: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["n"] >= largest.get(row["kind"], {"n": 0})["n"]:
            largest[row["kind"]] = row
    ref = largest["onzekerheid"]
    table = []
    for kind, row in largest.items():
        z_exact = (row["mean"] - exact) / row["mcse"]
        z_ref = ((row["mean"] - ref["mean"]) / math.hypot(row["mcse"], ref["mcse"])
                 if row is not ref else 0.0)
        table.append((kind, row["n"], row["mean"], row["mcse"], z_exact, z_ref))
    return table


def markdown(info: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """The measured section of results/schiedam.md."""
    v = info["versions"]
    lines = [
        f"### {info['date']} — {info['cpu']}, {info['cores']} cores",
        "",
        f"{info['platform']}; Python {info['python']}, numpy {v['numpy']}, numba {v['numba']}, "
        f"squigglepy {v['squigglepy']}, onzekerheid {v['onzekerheid']} ({info['source']}). "
        f"Load average (1 min) at start: {info['load_start']:.2f}; the machine is shared, so "
        "each row gives the load before it and the child's CPU time / wall time (≈ threads "
        "when it had the cores to itself). Iterations/s exclude compilation (warm-up first); "
        "median of 3 runs below 10⁷, one run at 10⁷; peak RSS of a fresh process per row.",
        "",
        "| version | iterations | threads | draws / iteration | wall (s) | iterations/s "
        "| it / CPU-s | CPU/wall | peak RSS (GiB) | load before |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['kind']} | {r['n']:,} | {r['threads']} | {DRAWS[r['kind']]} | "
            f"{r['wall_s']:.2f} | {r['rate']:,.0f} | {r['rate_per_cpu_s']:,.0f} | "
            f"{r['cpu_s'] / r['wall_s']:.2f} | {r['max_rss_gib']:.2f} | {r['load_before']:.2f} |")
    squiggle = [r for r in rows if r["kind"] == "squigglepy"]
    if squiggle:
        per = squiggle[0]["wall_s"] / squiggle[0]["n"]
        lines += ["", f"squigglepy: {per * 1e6:.0f} µs per iteration, so 10⁶ iterations would "
                  f"take about {per * 1e6 / 60:.1f} min and 10⁷ about {per * 1e7 / 60:.0f} min."]
    lines += ["", f"Agreement of the mean of `savings_per_case` (exact expectation "
              f"{expected_mean():,.2f}; pass when |z| ≤ {Z_AGREE:g}):", "",
              "| version | iterations | mean | MCSE | z vs exact | z vs onzekerheid |",
              "|---|---:|---:|---:|---:|---:|"]
    for kind, n, mean, mcse, z_exact, z_ref in agreement(rows):
        lines.append(f"| {kind} | {n:,} | {mean:,.2f} | {mcse:.2f} | {z_exact:+.2f} | "
                     f"{z_ref:+.2f} |")
    best = max((r for r in rows if r["kind"] == "onzekerheid" and r["threads"] == 2
                and r["n"] >= 10**6), key=lambda r: r["rate"], default=None)
    big = [r for r in rows if r["kind"] == "onzekerheid" and r["n"] >= 10**7]
    lines += ["", "| target | value | met |", "|---|---:|:---:|"]
    if best:
        lines.append(f"| onzekerheid ≥ {TARGET_RATE:,} iterations/s on 2 threads (n ≥ 10⁶) | "
                     f"{best['rate']:,.0f} (load {best['load_before']:.2f}) | "
                     f"{'yes' if best['rate'] >= TARGET_RATE else 'no'} |")
    if big:
        rss = max(r["max_rss_gib"] for r in big)
        lines.append(f"| onzekerheid peak RSS at 10⁷ < {TARGET_RSS_GIB} GiB | {rss:.2f} GiB | "
                     f"{'yes' if rss < TARGET_RSS_GIB else 'no'} |")
    agree = all(abs(z) <= Z_AGREE for *_, z_e, z_r in agreement(rows) for z in (z_e, z_r))
    largest = max(abs(z) for *_, z_e, z_r in agreement(rows) for z in (z_e, z_r))
    lines.append(f"| all versions agree on the mean (within {Z_AGREE:g} MCSE) | largest "
                 f"deviation {largest:.2f} MCSE | {'yes' if agree else 'no'} |")
    return "\n".join(lines) + "\n"


def record(section: str) -> None:
    """Replace the measured section of results/schiedam.md (the prose around it stays)."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else f"{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    RESULTS.write_text(f"{head}{BEGIN}\n{section}{END}{tail}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1e5 and 1e6 only; no file")
    parser.add_argument("--commit", help="measure src/ of this git revision (e.g. HEAD)")
    parser.add_argument("--max-load", type=float, default=2.5)
    parser.add_argument("--retries", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=4, metavar=("KIND", "N", "THREADS", "REPEATS"))
    args = parser.parse_args()
    if args.child:
        kind, n, threads, repeats = args.child
        print(json.dumps(child(kind, int(n), int(threads), int(repeats))))
        return

    env = dict(os.environ)
    info = machine()
    info["load_start"] = load1()
    info["date"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with tempfile.TemporaryDirectory() as tmp:
        if args.commit:
            commit = export(args.commit, Path(tmp))
            env["PYTHONPATH"] = os.pathsep.join([str(Path(tmp) / "src"),
                                                 env.get("PYTHONPATH", "")])
            info["source"] = f"commit {commit[:12]}, git archive"
        else:
            status = subprocess.run(["git", "status", "--porcelain", "src"], cwd=ROOT,
                                    capture_output=True, text=True).stdout.strip()
            head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT,
                                  capture_output=True, text=True).stdout.strip()
            info["source"] = f"working tree at {head}" + (", src/ modified" if status else "")
        print(f"{info['cpu']}, {info['cores']} cores, load {info['load_start']:.2f}; "
              f"onzekerheid from {info['source']}", flush=True)
        # fill the numba cache of this source tree first, so no measured child compiles
        subprocess.run([sys.executable, __file__, "--child", "onzekerheid", "1000", "1", "1"],
                       env=env, capture_output=True, check=True, cwd=ROOT)
        sizes = (10**5, 10**6) if args.quick else (10**5, 10**6, 10**7)
        rows = [measure("onzekerheid", n, t, env, args) for n in sizes for t in (1, 2)]
        for kind in ("numpy_matrix", "numpy_idiomatic"):
            for n in sizes:
                if n >= 10**7 and rows[-1]["wall_s"] * 10 > 60:
                    print(f"  {kind} n={n:,}: skipped (about {rows[-1]['wall_s'] * 10:.0f} s)")
                    continue
                rows.append(measure(kind, n, 1, env, args))
        rows.append(measure("squigglepy", 20_000, 1, env, args))
    section = markdown(info, rows)
    print(section)
    if not args.quick:
        record(section)
        print(f"recorded in {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
