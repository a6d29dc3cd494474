"""Time and memory of every bad-input catalogue entry through the real `onzekerheid` command.

Issue 16's acceptance: every entry of tests/bad_inputs/catalogue.toml, run through the real
command line, exits 2 (or gives the correct result) without a traceback, in under 30 s, with a
peak resident memory under 1.5 GiB. This runs each entry as its own child process of the
installed ``onzekerheid`` script (the one next to this Python), in a fresh temporary folder set
up exactly as tests/test_bad_inputs.py does (its ``prepare`` is imported and reused), and reads
the child's wall time, CPU time (user + system) and peak RSS from ``os.wait4``.

    python benchmarks/hostile_resources.py                     # all entries, 60 s limit each
    python benchmarks/hostile_resources.py --only ods- --limit 10
    python benchmarks/hostile_resources.py --out benchmarks/results/hostile_resources.md

Per entry: exit code against the expected one, whether the expected message fragment appears
(whitespace-insensitive), whether the output holds 'Traceback' or 'internal error', and whether
the folder is unchanged for a run that was refused. Entries run one after another, so that two
children never compete for the two cores. This is a benchmark, not a test: pytest never
collects it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from test_bad_inputs import CATALOGUE, flat, prepare, snapshot  # noqa: E402

COMMAND = Path(sys.executable).with_name("onzekerheid")
LIMIT_WALL_S = 30.0
LIMIT_RSS_MIB = 1.5 * 1024


@dataclass
class Row:
    id: str
    exit: int | None
    expected: int
    wall_s: float
    cpu_s: float
    rss_mib: float
    traceback: bool
    internal: bool
    message_ok: bool
    unchanged: bool
    timed_out: bool

    @property
    def code_ok(self) -> bool:
        return self.exit == self.expected


def run_child(args: list[str], cwd: Path, env: dict[str, str], stdin: str | None,
              timeout: float) -> tuple[int | None, str, str, float, float, float, bool]:
    """Run one child; return code, stdout, stderr, wall s, CPU s, peak RSS MiB, timed out.

    The child is reaped with ``os.wait4`` so its own rusage (not the running maximum over all
    children) is read; it runs in its own session so that a timeout kills it and anything it
    started.
    """
    start = time.perf_counter()
    child = subprocess.Popen([str(COMMAND), *args], cwd=cwd, env=env,
                             stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
    out: dict[str, bytes] = {}

    def read(name: str, stream: Any) -> None:
        out[name] = stream.read()

    def write() -> None:
        try:
            child.stdin.write(stdin.encode("utf-8"))
            child.stdin.close()
        except (BrokenPipeError, OSError):
            pass

    threads = [threading.Thread(target=read, args=("out", child.stdout), daemon=True),
               threading.Thread(target=read, args=("err", child.stderr), daemon=True)]
    if stdin is not None:
        threads.append(threading.Thread(target=write, daemon=True))
    for t in threads:
        t.start()
    killed = threading.Event()
    reaped = threading.Event()

    def kill() -> None:
        if not reaped.is_set():
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, kill)
    timer.start()
    _, status, usage = os.wait4(child.pid, 0)
    reaped.set()
    wall = time.perf_counter() - start
    timer.cancel()
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait
    for t in threads:
        t.join(timeout=5)
    code = None if killed.is_set() else child.returncode
    return (code, out.get("out", b"").decode("utf-8", "replace"),
            out.get("err", b"").decode("utf-8", "replace"), wall,
            usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, killed.is_set())


def measure(entry: dict[str, Any], timeout: float) -> Row:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("ONZEKERHEID_DEBUG", None)
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        folder = Path(tmp) / "work"
        folder.mkdir()
        args = prepare(entry, folder)
        before = snapshot(Path(tmp))
        code, stdout, stderr, wall, cpu, rss, timed_out = run_child(
            args, folder, env, entry.get("input"), timeout)
        after = snapshot(Path(tmp))
    output = stdout + stderr
    return Row(id=entry["id"], exit=code, expected=entry["exit"], wall_s=wall, cpu_s=cpu,
               rss_mib=rss, traceback="Traceback" in output,
               internal="internal error" in output,
               message_ok=flat(entry["message"]) in flat(output),
               unchanged=after == before, timed_out=timed_out)


def summary(rows: list[Row], total: int) -> list[str]:
    over_wall = [r for r in rows if r.wall_s >= LIMIT_WALL_S or r.timed_out]
    over_rss = [r for r in rows if r.rss_mib >= LIMIT_RSS_MIB]
    tracebacks = [r for r in rows if r.traceback]
    internal = [r for r in rows if r.internal]
    mismatch = [r for r in rows if not r.code_ok]
    message = [r for r in rows if not r.message_ok]
    changed = [r for r in rows if not r.unchanged]
    slowest = max(rows, key=lambda r: r.wall_s)
    biggest = max(rows, key=lambda r: r.rss_mib)
    hungriest = max(rows, key=lambda r: r.cpu_s)

    def names(found: list[Row]) -> str:
        return "none" if not found else ", ".join(f"`{r.id}`" for r in found)

    exits: dict[int | None, int] = {}
    for r in rows:
        exits[r.exit] = exits.get(r.exit, 0) + 1
    return [
        f"* Entries run: **{len(rows)} of {total}**",
        "* Exit codes: " + ", ".join(f"{k}: {v}" for k, v in sorted(
            exits.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))),
        f"* Max wall: **{slowest.wall_s:.2f} s** (`{slowest.id}`); total wall "
        f"{sum(r.wall_s for r in rows):.1f} s, median "
        f"{sorted(r.wall_s for r in rows)[len(rows) // 2]:.2f} s",
        f"* Max CPU: **{hungriest.cpu_s:.2f} s** (`{hungriest.id}`)",
        f"* Max peak RSS: **{biggest.rss_mib:.1f} MiB** (`{biggest.id}`); median "
        f"{sorted(r.rss_mib for r in rows)[len(rows) // 2]:.1f} MiB",
        f"* Over 30 s wall (or killed at the time limit): {names(over_wall)}",
        f"* Over 1.5 GiB peak RSS: {names(over_rss)}",
        f"* 'Traceback' in the output: {names(tracebacks)}",
        f"* 'internal error' in the output: {names(internal)}",
        "* Exit code differs from the catalogue's: "
        + ("none" if not mismatch else ", ".join(
            f"`{r.id}` (got {r.exit}, expected {r.expected})" for r in mismatch)),
        f"* Expected message fragment missing: {names(message)}",
        f"* Folder changed by the run: {names(changed)}",
    ]


def table(rows: list[Row]) -> list[str]:
    lines = ["| entry | exit | expected | wall s | CPU s | peak RSS MiB | traceback | message |",
             "|---|---:|---:|---:|---:|---:|---|---|"]
    for r in sorted(rows, key=lambda r: (-r.rss_mib, r.id)):
        exit_ = "killed" if r.timed_out else str(r.exit)
        flag = "" if r.code_ok else " **≠**"
        lines.append(f"| `{r.id}` | {exit_}{flag} | {r.expected} | {r.wall_s:.2f} | "
                     f"{r.cpu_s:.2f} | {r.rss_mib:.1f} | {'YES' if r.traceback else 'no'} | "
                     f"{'ok' if r.message_ok else 'MISSING'} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per entry")
    parser.add_argument("--only", default="", help="run entries whose id contains this")
    parser.add_argument("--limit", type=int, default=0, help="run at most this many (in order)")
    parser.add_argument("--stop-after", type=float, default=0.0,
                        help="stop starting entries after this many seconds (0: never)")
    parser.add_argument("--out", type=Path, default=None, help="write the markdown report here")
    opts = parser.parse_args()

    entries = [e for e in CATALOGUE if opts.only in e["id"]]
    if opts.limit:
        entries = entries[:opts.limit]
    load_before = os.getloadavg()
    started = datetime.datetime.now(datetime.UTC)
    t0 = time.perf_counter()
    rows: list[Row] = []
    skipped: list[str] = []
    for i, entry in enumerate(entries, 1):
        if any("\0" in a for a in entry.get("args", [])):
            # a NUL in argv cannot reach a real process (execve ends the string there); the
            # in-process test (CliRunner) is the only way to run these
            skipped.append(entry["id"])
            print(f"[{i}/{len(entries)}] {entry['id']}: skipped (NUL in an argument)",
                  file=sys.stderr, flush=True)
            continue
        if opts.stop_after and time.perf_counter() - t0 > opts.stop_after:
            print(f"stopping after {len(rows)} entries (--stop-after)", file=sys.stderr)
            break
        row = measure(entry, opts.timeout)
        rows.append(row)
        print(f"[{i}/{len(entries)}] {row.id}: exit {row.exit} (want {row.expected}) "
              f"{row.wall_s:.2f} s {row.rss_mib:.0f} MiB"
              + (" TRACEBACK" if row.traceback else ""), file=sys.stderr, flush=True)
    load_after = os.getloadavg()

    cmd = "python benchmarks/hostile_resources.py " + " ".join(sys.argv[1:])
    lines = [
        "# Hostile inputs: time and memory per catalogue entry (issue 16)",
        "",
        f"* Date: {started:%Y-%m-%d %H:%M} UTC, {time.perf_counter() - t0:.0f} s in all",
        f"* Command: `{cmd.strip()}`",
        f"* Machine: {platform.node()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; entries run one at a time",
        f"* Load average (1/5/15 min) before: {'/'.join(f'{x:.2f}' for x in load_before)}; "
        f"after: {'/'.join(f'{x:.2f}' for x in load_after)}",
        f"* Each entry: `{COMMAND.name}` (the installed script) as a child process in a fresh "
        "temporary folder set up by tests/test_bad_inputs.py's `prepare`; wall time measured "
        f"around the child, CPU time (user + system) and peak RSS (ru_maxrss) from `os.wait4`; "
        f"killed after {opts.timeout:.0f} s. Limits (issue 16): < 30 s, < 1.5 GiB.",
        "",
        "## Summary",
        "",
        *summary(rows, len(CATALOGUE)),
        *([f"* Stopped early by --stop-after: {len(entries) - len(rows) - len(skipped)} of the "
           f"{len(entries)} selected entries not run"]
          if len(rows) + len(skipped) < len(entries) else []),
        "* Not runnable as a real process (a NUL byte in an argument; execve cannot pass it, "
        "so only the in-process test covers them): "
        + (", ".join(f"`{x}`" for x in skipped) or "none"),
        "",
        "## All entries, by peak RSS (largest first)",
        "",
        *table(rows),
        "",
    ]
    text = "\n".join(lines)
    if opts.out:
        opts.out.parent.mkdir(parents=True, exist_ok=True)
        opts.out.write_text(text, encoding="utf-8")
    print("\n".join(lines[:lines.index("## All entries, by peak RSS (largest first)")]))


if __name__ == "__main__":
    main()
