"""Speed and memory benchmarks of ``onzekerheid run`` against a plain-numpy script.

Every timed run is a whole process, started the way a user starts it, and the two contenders
alternate within one repeat (A B, then B A) so that drift in machine load hits both alike.
Wall time is measured around the process; peak memory is the child's maximum resident set
size, read per process with ``os.wait4``.

Measured:

* ``onzekerheid run benchmarks/scenarios/mixed15.toml -n N --json -q`` (warm numba cache) and
  ``python benchmarks/numpy_reference.py -n N --json`` at each N, median of the repeats;
* the first call with a cold numba cache (``NUMBA_CACHE_DIR`` set to an empty folder);
* in-process throughput of :func:`onzekerheid.simulate` (iterations/s, compile excluded) and of
  the numpy model, in a separate child process;
* agreement: both compute the same model with different random numbers, so their means differ
  only by Monte Carlo error; ``|mean_a - mean_b| <= 4 sqrt(mcse_a^2 + mcse_b^2)`` per output
  (a two-sided z-test at 4 standard errors: a false alarm about once in 16,000 outputs).

Results go to ``benchmarks/results/<date>-<host>.json``, and a markdown section is appended to
``benchmarks/results/RESULTS.md``. Run from the repository root::

    python benchmarks/run_benchmarks.py                 # N = 1e5, 1e6, 4e6, 1e7; 3 repeats
    python benchmarks/run_benchmarks.py --quick         # N = 1e5, 1e6; 1 repeat; no files
    python benchmarks/run_benchmarks.py --commit HEAD   # the committed package, not the tree

``--commit REV`` exports ``src/`` of that revision (``git archive``) to a temporary folder and
puts it first on ``PYTHONPATH`` of every child, so edits in progress elsewhere in the working
tree neither break nor colour the measurement.
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
ROOT = HERE.parent
SCENARIO = HERE / "scenarios" / "mixed15.toml"
REFERENCE = HERE / "numpy_reference.py"
RESULTS = HERE / "results"
GIB = 2**30
TARGETS = {
    "warm_4e6_ratio": "onzekerheid / numpy wall time at 4e6 <= 1",
    "warm_cli_1e5_s": "warm onzekerheid run at 1e5 < 1 s",
    "cold_first_call_s": "first call with a cold numba cache < 10 s",
    "peak_rss_1e7_gib": "peak memory of onzekerheid run at 1e7 < 2 GiB",
}
Z_AGREE = 4.0

# In-process throughput, run in a child so the parent stays small and imports nothing heavy.
THROUGHPUT = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import numpy_reference
import onzekerheid as oz
n = int(sys.argv[3])
scenario = oz.load(sys.argv[2])
oz.simulate(scenario, 20_000, 1, store="outputs")          # compile or load the cache
out = {}
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
for threads in (None, 1):
    c, t = cpu(), time.perf_counter()
    result = oz.simulate(scenario, n, 1, threads=threads, store="outputs")
    key = "onzekerheid_threads_" + str(threads or "all")
    out[key] = n / (time.perf_counter() - t)
    out[key + "_per_cpu_s"] = n / (cpu() - c)
t = time.perf_counter()
result.to_json()
out["summary_s"] = time.perf_counter() - t
numpy_reference.model(1000, 1)
t = time.perf_counter()
numpy_reference.model(n, 1)
out["numpy_model"] = n / (time.perf_counter() - t)
print(json.dumps(out))
"""


ENV = dict(os.environ)  # what every child sees; --commit adds PYTHONPATH


def child(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one process; return wall seconds, peak RSS in bytes and its stdout."""
    env = ENV if env is None else env
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT, env=env)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C: do not leave the child running
            proc.kill()
            proc.wait()
            raise
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}:\n{stderr[-2000:]}")
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    cpu = usage.ru_utime + usage.ru_stime
    return {"wall_s": wall, "cpu_s": cpu, "peak_rss": rss, "stdout": stdout}


def onzekerheid_cmd(n: int) -> list[str]:
    exe = Path(sys.executable).parent / "onzekerheid"
    head = [str(exe)] if exe.exists() else [sys.executable, "-m", "onzekerheid"]
    return head + ["run", str(SCENARIO.relative_to(ROOT)), "-n", str(n), "--json", "-q"]


def numpy_cmd(n: int) -> list[str]:
    return [sys.executable, str(REFERENCE.relative_to(ROOT)), "-n", str(n), "--json"]


def agreement(a: dict[str, Any], b: dict[str, Any]) -> dict[str, dict[str, float | bool]]:
    """Per output: the difference of the two means in units of its standard error."""
    report = {}
    for name, sa in a["outputs"].items():
        sb = b["outputs"][name]
        se = math.hypot(sa["mcse"], sb["mcse"])
        z = abs(sa["mean"] - sb["mean"]) / se if se > 0 else 0.0
        report[name] = {"onzekerheid": sa["mean"], "numpy": sb["mean"], "z": z,
                        "ok": z <= Z_AGREE}
    return report


def export_source(rev: str, into: Path) -> str:
    """Put ``src/`` of revision ``rev`` under ``into``; return the full commit id."""
    commit = subprocess.run(["git", "rev-parse", "--verify", rev + "^{commit}"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.strip()
    archive = subprocess.run(["git", "archive", commit, "src"], cwd=ROOT, capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return commit


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for package in ("onzekerheid", "numpy", "numba", "llvmlite", "scipy", "pandas"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip() or None
    return {"host": platform.node(), "cpu": cpu, "cores": os.cpu_count(),
            "os": platform.platform(), "python": platform.python_version(),
            "versions": versions, "commit": commit,
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


def sweep(sizes: list[int], repeats: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows, agree = [], {}
    for n in sizes:
        runs: dict[str, list[dict[str, Any]]] = {"onzekerheid": [], "numpy": []}
        for r in range(repeats):
            order = ["onzekerheid", "numpy"] if r % 2 == 0 else ["numpy", "onzekerheid"]
            for who in order:
                cmd = onzekerheid_cmd(n) if who == "onzekerheid" else numpy_cmd(n)
                runs[who].append(child(cmd))
        row: dict[str, Any] = {"iterations": n}
        for who, done in runs.items():
            row[who] = {"median_s": statistics.median(d["wall_s"] for d in done),
                        "min_s": min(d["wall_s"] for d in done),
                        "runs_s": [round(d["wall_s"], 3) for d in done],
                        "median_cpu_s": statistics.median(d["cpu_s"] for d in done),
                        "peak_rss_gib": max(d["peak_rss"] for d in done) / GIB}
        row["ratio"] = row["onzekerheid"]["median_s"] / row["numpy"]["median_s"]
        agree[str(n)] = agreement(json.loads(runs["onzekerheid"][0]["stdout"]),
                                  json.loads(runs["numpy"][0]["stdout"]))
        print(f"n={n:>10,}  onzekerheid {row['onzekerheid']['median_s']:7.2f} s "
              f"({row['onzekerheid']['peak_rss_gib']:.2f} GiB)   numpy "
              f"{row['numpy']['median_s']:7.2f} s ({row['numpy']['peak_rss_gib']:.2f} GiB)   "
              f"ratio {row['ratio']:.2f}   CPU s {row['onzekerheid']['median_cpu_s']:.2f} vs "
              f"{row['numpy']['median_cpu_s']:.2f}", flush=True)
        rows.append(row)
    return rows, agree


def cold_call(n: int) -> dict[str, Any]:
    """One CLI call that has to compile every kernel (empty numba cache): wall and CPU s."""
    with tempfile.TemporaryDirectory(prefix="onzekerheid-cold-") as cache:
        env = dict(ENV, NUMBA_CACHE_DIR=cache)
        done = child(onzekerheid_cmd(n), env)
    return {"wall_s": done["wall_s"], "cpu_s": done["cpu_s"]}


def throughput(n: int) -> dict[str, float]:
    code = [sys.executable, "-c", THROUGHPUT, str(HERE), str(SCENARIO), str(n)]
    return json.loads(child(code)["stdout"])


def markdown(doc: dict[str, Any]) -> str:
    m = doc["machine"]
    v = m["versions"]
    lines = [
        f"## {m['date']} — {m['host']}",
        "",
        f"{m['cpu']}, {m['cores']} cores; {m['os']}; Python {m['python']}, numpy {v['numpy']}, "
        f"numba {v['numba']}, scipy {v['scipy']}, pandas {v['pandas']}; onzekerheid "
        f"{v['onzekerheid']} (commit {m['commit']}, {m['source']}). Scenario `{doc['scenario']}`, "
        f"{doc['repeats']} repeats, median wall time of whole processes. Load average (1 min) "
        f"before/after: {m['load_average_1min'][0]:.1f}/{m['load_average_1min'][1]:.1f} "
        "(the machine is shared; the contenders alternate, so the ratio is fairer than the "
        "absolute times).",
        "",
        "| iterations | onzekerheid run (s) | numpy script (s) | ratio | fastest of each (s) "
        "| onzekerheid CPU (s) | numpy CPU (s) | onzekerheid peak RSS (GiB) "
        "| numpy peak RSS (GiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in doc["sweep"]:
        o, p = row["onzekerheid"], row["numpy"]
        lines.append(f"| {row['iterations']:,} | {o['median_s']:.2f} | {p['median_s']:.2f} | "
                     f"{row['ratio']:.2f} | {o['min_s']:.2f} / {p['min_s']:.2f} | "
                     f"{o['median_cpu_s']:.2f} | {p['median_cpu_s']:.2f} | "
                     f"{o['peak_rss_gib']:.2f} | {p['peak_rss_gib']:.2f} |")
    t = doc["throughput"]
    lines += [
        "",
        f"Cold first call (empty numba cache, n=1e5): {doc['cold_first_call']['wall_s']:.2f} s "
        f"(CPU {doc['cold_first_call']['cpu_s']:.2f} s). "
        f"In-process at n={doc['throughput_iterations']:,} (compile excluded): "
        f"onzekerheid.simulate {t['onzekerheid_threads_all']:,.0f} it/s on all cores, "
        f"{t['onzekerheid_threads_1']:,.0f} it/s on 1 thread "
        f"({t['onzekerheid_threads_1_per_cpu_s']:,.0f} per CPU-second); numpy model "
        f"{t['numpy_model']:,.0f} it/s; summaries (to_json) {t['summary_s']:.2f} s.",
        "",
        "| target | value | met |",
        "|---|---:|:---:|",
    ]
    for key, text in TARGETS.items():
        value, met = doc["targets"][key]
        lines.append(f"| {text} | {value:.2f} | {'yes' if met else 'no'} |")
    bad = [f"{n}: {name}" for n, outs in doc["agreement"].items()
           for name, a in outs.items() if not a["ok"]]
    worst = max(a["z"] for outs in doc["agreement"].values() for a in outs.values())
    lines += ["", f"Means agree with the numpy reference (|z| <= {Z_AGREE:g} for every output "
              f"and N): {'yes' if not bad else 'NO: ' + ', '.join(bad)}; largest |z| "
              f"{worst:.2f}.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=lambda s: [int(float(x)) for x in s.split(",")],
                        default=[100_000, 1_000_000, 4_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true",
                        help="N = 1e5, 1e6, one repeat, nothing written")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--commit", metavar="REV",
                        help="benchmark src/ of this git revision instead of the working tree")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.repeats, args.no_write = [100_000, 1_000_000], 1, True

    info = machine()
    snapshot = None
    if args.commit:
        snapshot = tempfile.TemporaryDirectory(prefix="onzekerheid-bench-src-")
        info["commit"] = export_source(args.commit, Path(snapshot.name))[:12]
        info["source"] = f"git archive {args.commit}"
        ENV["PYTHONPATH"] = os.pathsep.join(
            [str(Path(snapshot.name) / "src")] + [p for p in [ENV.get("PYTHONPATH")] if p])
        where = child([sys.executable, "-c", "import onzekerheid; print(onzekerheid.__file__)"])
        if not where["stdout"].startswith(snapshot.name):
            raise RuntimeError(f"children import onzekerheid from {where['stdout'].strip()}, "
                               f"not from the exported {args.commit}; is it installed "
                               "non-editable?")
    else:
        info["source"] = "working tree (may hold uncommitted edits)"
    print(f"{info['cpu']}, {info['cores']} cores, Python {info['python']}, "
          f"numpy {info['versions']['numpy']}, numba {info['versions']['numba']}", flush=True)
    child(onzekerheid_cmd(20_000))  # fill the numba cache if it is empty: later calls are warm
    child(numpy_cmd(20_000))
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    rows, agree = sweep(args.sizes, args.repeats)
    cold = cold_call(100_000)
    print(f"cold first call: {cold['wall_s']:.2f} s (CPU {cold['cpu_s']:.2f} s)", flush=True)
    n_through = 4_000_000 if not args.quick else 1_000_000
    through = throughput(n_through)
    print("in-process: " + ", ".join(f"{k} {v:,.2f}" for k, v in through.items()), flush=True)

    by_n = {row["iterations"]: row for row in rows}
    targets: dict[str, tuple[float, bool]] = {}
    if 4_000_000 in by_n:
        ratio = by_n[4_000_000]["ratio"]
        targets["warm_4e6_ratio"] = (ratio, ratio <= 1.0)
    if 100_000 in by_n:
        warm = by_n[100_000]["onzekerheid"]["median_s"]
        targets["warm_cli_1e5_s"] = (warm, warm < 1.0)
    targets["cold_first_call_s"] = (cold["wall_s"], cold["wall_s"] < 10.0)
    if 10_000_000 in by_n:
        rss = by_n[10_000_000]["onzekerheid"]["peak_rss_gib"]
        targets["peak_rss_1e7_gib"] = (rss, rss < 2.0)

    info["load_average_1min"] = [load_before, os.getloadavg()[0]]
    doc = {"machine": info, "scenario": str(SCENARIO.relative_to(ROOT)),
           "repeats": args.repeats, "sweep": rows, "cold_first_call": cold,
           "throughput_iterations": n_through, "throughput": through,
           "agreement": agree, "targets": targets,
           "benchmark_wall_s": time.perf_counter() - started}
    for key, (value, met) in targets.items():
        print(f"{TARGETS[key]:<50} {value:8.2f}  {'met' if met else 'MISSED'}")
    worst = max(a["z"] for outs in agree.values() for a in outs.values())
    print(f"means agree within {Z_AGREE:g} standard errors: "
          f"{all(a['ok'] for outs in agree.values() for a in outs.values())} "
          f"(largest |z| {worst:.2f})")
    if args.no_write or set(targets) != set(TARGETS):
        return
    RESULTS.mkdir(exist_ok=True)
    stamp = info["date"][:10]
    host = "".join(c if c.isalnum() or c in "-_" else "-" for c in info["host"]) or "host"
    target = RESULTS / f"{stamp}-{host}.json"
    if target.exists():  # a second run on the same day keeps the first
        target = RESULTS / f"{stamp}-{host}-{info['date'][11:16].replace(':', '')}.json"
    target.write_text(json.dumps(doc, indent=2) + "\n")
    with open(RESULTS / "RESULTS.md", "a", encoding="utf-8") as handle:
        if handle.tell() == 0:
            handle.write("# Recorded benchmark results\n\nAppended by "
                         "`benchmarks/run_benchmarks.py`; newest last.\n\n")
        handle.write(markdown(doc) + "\n")
    print(f"wrote {target} and {RESULTS / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
