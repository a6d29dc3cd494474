"""Output files are written atomically; Ctrl-C ends a run cleanly (exit 130, nothing written).

The Ctrl-C tests start a real ``python -m onzekerheid`` process and send it SIGINT, once while
it simulates and once while it writes its ``--samples`` file. Their waits only guard against a
hang; nothing asserts a duration.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid.cli import app
from onzekerheid.engine import runner as engine
from onzekerheid.plan import build_plan
from onzekerheid.report import files

SMALL = """\
[scenario]
title = "small"
[parameters]
x = { dist = "normal", mean = 10, sd = 1 }
[outputs]
y = "x * 2"
"""
PRECIOUS = "precious,data\n1,2\n"
cli = CliRunner()


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ------------------------------------------------------------------------ write_atomic


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), RuntimeError("x"),
                                     KeyboardInterrupt()])
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, failure):  # type: ignore[no-untyped-def]
    target = tmp_path / "out.csv"
    target.write_text(PRECIOUS)

    def half_then_fail(path: Path) -> None:
        path.write_text("half a fi")
        raise failure

    expected = oz.ScenarioError if isinstance(failure, OSError) else type(failure)
    with pytest.raises(expected) as info:
        files.write_atomic(target, half_then_fail)
    if isinstance(failure, OSError):  # a message for people, naming the file and the reason
        assert f"{target}: cannot write the file: No space left on device" in str(info.value)
    assert target.read_text() == PRECIOUS
    assert names(tmp_path) == ["out.csv"]


def test_a_failed_first_write_leaves_nothing(tmp_path):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        files.write_atomic(tmp_path / "new.csv", lambda p: (_ for _ in ()).throw(ValueError()))
    assert names(tmp_path) == []


def test_an_unwritable_folder_is_our_error(tmp_path):  # type: ignore[no-untyped-def]
    if os.geteuid() == 0:
        pytest.skip("root can write into read-only folders")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(oz.ScenarioError, match="cannot write the file"):
            files.write_atomic(folder / "x.csv", lambda p: p.write_text("x"))
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_write_table_replaces_and_keeps_ordinary_permissions(tmp_path, suffix):  # type: ignore[no-untyped-def]
    target = tmp_path / f"out{suffix}"
    target.write_text(PRECIOUS)
    frame = pd.DataFrame({"a": [1.0, 2.5], "b": [-3.0, 4.0]})
    files.write_table(frame, target)
    back = pd.read_parquet(target) if suffix == ".parquet" else pd.read_csv(target)
    pd.testing.assert_frame_equal(back, frame)
    assert names(tmp_path) == [target.name]
    mask = os.umask(0)
    os.umask(mask)
    # mkstemp makes 0600 files; the result must be what open(path, "w") would have made
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_cli_write_failure_is_exit_2_and_keeps_the_old_samples(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    scenario = tmp_path / "s.toml"
    scenario.write_text(SMALL)
    target = tmp_path / "out.csv"
    target.write_text(PRECIOUS)

    def disk_full(self, path, **kwargs):  # type: ignore[no-untyped-def]
        Path(path).write_text("x,y\n1,")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", disk_full)
    result = cli.invoke(app, ["run", str(scenario), "-n", "2000", "--samples", str(target)])
    assert result.exit_code == 2, result.output
    assert "cannot write the file: No space left on device" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert target.read_text() == PRECIOUS
    assert names(tmp_path) == ["out.csv", "s.toml"]


# ------------------------------------------------------------------------ the thread pool


def test_interrupt_stops_the_thread_pool_promptly(monkeypatch):  # type: ignore[no-untyped-def]
    # Each chunk is made slow (50 ms); Ctrl-C arrives (as KeyboardInterrupt from the progress
    # callback, which runs on the main thread like a signal handler) after the first chunk.
    # Of 100 chunks only those already running or finishing within one poll may complete.
    plan = build_plan(oz.loads(SMALL))
    done: list[int] = []
    original = engine._simulate_rows

    def slow(*args):  # type: ignore[no-untyped-def]
        time.sleep(0.05)
        done.append(1)
        return original(*args)

    monkeypatch.setattr(engine, "_simulate_rows", slow)

    def interrupt(rows: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        engine.run(plan, 100 * engine.BLOCK, 1, [plan.names.index("y")], threads=2,
                   chunk_blocks=1, progress=interrupt)
    # a poll lasts 0.1 s: at most ~2 threads x 3 chunks of 50 ms finish before the flag stops
    # the rest; generous bound, far from the 100 an unstoppable pool would compute
    assert len(done) < 20
    threads_left = [t for t in threading.enumerate() if "ThreadPool" in t.name]
    assert threads_left == []


def test_interrupt_flag_stops_a_chunk_between_blocks():  # type: ignore[no-untyped-def]
    plan = build_plan(oz.loads(SMALL))
    flag = threading.Event()
    flag.set()
    with pytest.raises(KeyboardInterrupt):
        buf = np.empty((4 * engine.BLOCK, plan.n_columns), order="F")
        engine._simulate_rows(plan, 1, 0, 4, 0, 4 * engine.BLOCK, {}, None, flag, buf)


# ------------------------------------------------------------------------ Ctrl-C in a process


def _start(args: list[str], folder: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("ONZEKERHEID_DEBUG", None)
    return subprocess.Popen([sys.executable, "-m", "onzekerheid", *args], cwd=folder, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _wait_for(condition, process: subprocess.Popen[str], limit: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + limit  # a hang guard, not a timing assertion
    while not condition():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the run ended before it could be interrupted: {out}{err}")
        if time.monotonic() > end:
            process.kill()
            pytest.fail("the run never reached the point to interrupt")
        time.sleep(0.02)


def _interrupt(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the run did not stop after Ctrl-C")
    return process.returncode, out + err


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
def test_ctrl_c_while_simulating(tmp_path):  # type: ignore[no-untyped-def]
    (tmp_path / "s.toml").write_text(SMALL)
    (tmp_path / "out.csv").write_text(PRECIOUS)
    process = _start(["run", "s.toml", "-n", "50000000", "--samples", "out.csv"], tmp_path)
    # the run is under way once the 800 MB result matrix is being filled
    _wait_for(lambda: _rss(process.pid) > 400 * 2**20, process)
    code, output = _interrupt(process)
    assert code == 130, output
    assert "interrupted; nothing was written" in output
    assert "Traceback" not in output
    assert names(tmp_path) == ["out.csv", "s.toml"]
    assert (tmp_path / "out.csv").read_text() == PRECIOUS


def test_ctrl_c_while_writing_samples(tmp_path):  # type: ignore[no-untyped-def]
    (tmp_path / "s.toml").write_text(SMALL)
    (tmp_path / "out.csv").write_text(PRECIOUS)
    process = _start(["run", "s.toml", "-n", "3000000", "--samples", "out.csv", "-q"],
                     tmp_path)
    # interrupt once the temporary file exists and has some rows in it
    _wait_for(lambda: any(p.name.endswith(".tmp") and p.stat().st_size > 10_000
                          for p in tmp_path.iterdir()), process)
    code, output = _interrupt(process)
    assert code == 130, output
    assert "Traceback" not in output
    assert names(tmp_path) == ["out.csv", "s.toml"]
    assert (tmp_path / "out.csv").read_text() == PRECIOUS


def test_samples_file_is_complete_after_a_normal_run(tmp_path):  # type: ignore[no-untyped-def]
    scenario = tmp_path / "s.toml"
    scenario.write_text(SMALL)
    target = tmp_path / "out.csv"
    target.write_text(PRECIOUS)
    result = cli.invoke(app, ["run", str(scenario), "-n", "2000", "--samples", str(target),
                              "--json"])
    assert result.exit_code == 0
    frame = pd.read_csv(target)
    assert list(frame.columns) == ["x", "y"] and len(frame) == 2000
    np.testing.assert_array_equal(frame["y"].to_numpy(), frame["x"].to_numpy() * 2)
    assert names(tmp_path) == ["out.csv", "s.toml"]
