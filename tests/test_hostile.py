"""Issue 16, hostile input second round: the causes fixed, tested where they live.

The command-line behaviour of each class is in the bad-input catalogue (test_bad_inputs.py);
here are the mechanisms: the write guard, the linear scanners, the bounded beta draw, the
memory limits, strict JSON, terminal escaping, the dask handshake deadline. No test times
anything: an input that used to take minutes (quadratic or unbounded) is simply run, so a
regression shows as a hang of the suite, not as a flaky threshold.
"""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import threading
from pathlib import Path
from typing import Any

import numba
import numpy as np
import pytest
from rich.console import Console
from scipy import stats

from onzekerheid.analysis.voi import Scale
from onzekerheid.engine import runner
from onzekerheid.engine._kernels import beta_draw
from onzekerheid.errors import ScenarioError, SimulationError
from onzekerheid.report import files, guard, strict_json
from onzekerheid.report.terminal import clean
from onzekerheid.scenario import loads
from onzekerheid.scenario._toml import LineMap
from onzekerheid.scenario.numbers import parse_number

SMALL = ('[scenario]\ntitle = "t"\n[parameters]\nx = { dist = "normal", mean = 1, sd = 1 }\n'
         '[outputs]\n')


# ------------------------------------------------------------------ linear-time scanning


def test_line_map_skips_strings_and_finds_every_key() -> None:
    text = ('[scenario]\ntitle = """\n[parameters]\nx = 1\n"""\na."b c".\'d\' = 2  # [x]\n'
            '[parameters]\nr = { dist = "normal", mean = 1 }\narr = [\n  "y = 3",\n]\n'
            '[[checks]]\nexpect = "a\\" = ["\n[[checks]]\nexpect = \'b\'\n')
    lines = LineMap(text).lines
    assert lines == {"scenario": 1, "scenario.title": 2, "scenario.a.b c.d": 6,
                     "parameters": 7, "parameters.r": 8, "parameters.arr": 9, "checks.0": 12,
                     "checks.0.expect": 13, "checks.1": 14, "checks.1.expect": 15}


def test_line_map_of_a_bracket_and_a_million_spaces_in_a_string() -> None:
    # the old regular expressions were cubic here (3,000 spaces: 51 s)
    text = '[scenario]\ntitle = """\n[' + " " * 1_000_000 + '\n"""\n[outputs]\ny = 1\n'
    assert LineMap(text)("outputs.y") == 6


def test_ten_thousand_outputs_load() -> None:
    # names were checked against a set rebuilt per output: O(n^2) (50,000 outputs: 80 s)
    scenario = loads(SMALL + "".join(f'o{i} = "x + {i}"\n' for i in range(10_000)))
    assert len(scenario.outputs) == 10_000


def test_number_with_a_hundred_thousand_unicode_spaces() -> None:
    # the nl/en pattern backtracked over spaces it did not strip (one cell: 56 s)
    with pytest.raises(ValueError):
        parse_number("1" + "\u2000" * 100_000 + "x", "nl")
    assert parse_number("\u2007€\u00a01.234,50\u2009", "nl") == 1234.5


# ------------------------------------------------------------------ the beta draw


@numba.njit(cache=True)
def _betas(gen: Any, a: float, b: float, n: int, ours: bool) -> np.ndarray:
    out = np.empty(n)
    for i in range(n):
        out[i] = beta_draw(gen, a, b) if ours else gen.beta(a, b)
    return out


@pytest.mark.parametrize(("a", "b"), [(0.5, 0.5), (0.2, 0.9), (2.0, 0.3), (5.0, 7.0)])
def test_beta_draw_is_numbas_where_nothing_underflows(a: float, b: float) -> None:
    ours = _betas(np.random.default_rng(3), a, b, 5000, True)
    assert np.array_equal(ours, _betas(np.random.default_rng(3), a, b, 5000, False))


def test_beta_draw_with_tiny_shapes_ends_and_has_the_right_law() -> None:
    # alpha = beta = 1e-9: numba's Johnk loop never ends. The law is then (almost) a fair coin
    # on {0, 1}: P(x > 1/2) = 1/2, binomial sd sqrt(.25 / 20000) = 0.0035; 5 sd tolerance.
    x = _betas(np.random.default_rng(5), 1e-9, 1e-9, 20_000, True)
    assert abs(np.mean(x > 0.5) - 0.5) < 5 * 0.0035
    # small shapes where U**(1/a) often underflows: the same law as numpy's Generator.beta
    # (two-sample KS at fixed seeds; p > 0.001)
    for a, b in ((1e-3, 1e-3), (1e-2, 2e-2)):
        ours = _betas(np.random.default_rng(5), a, b, 20_000, True)
        theirs = np.random.default_rng(7).beta(a, b, 20_000)
        assert stats.ks_2samp(ours, theirs).pvalue > 1e-3


# ------------------------------------------------------------------ memory limits


class _Plan:
    n_columns = 40_003


def test_forty_thousand_outputs_at_2000_iterations_fit_in_a_few_gib(monkeypatch: Any) -> None:
    # the work matrix has min(iterations, chunk) rows, not a whole chunk's 65,536 (was 20 GiB)
    assert runner.working_bytes(2000, 40_003, 8, 4) == 8 * 2000 * 40_003
    monkeypatch.setattr(runner, "available_memory", lambda: 4 * 2**30)
    runner.check_size(2000, 40_001, _Plan(), 8, 4)  # type: ignore[arg-type]


def test_memory_limit_follows_ulimit_v(monkeypatch: Any) -> None:
    limit = 2 * 2**30
    monkeypatch.setattr(runner.resource, "getrlimit", lambda kind: (limit, limit))
    room = runner._address_space_room()
    assert room is not None and room <= limit
    assert runner.available_memory() <= limit


def test_memory_limit_follows_the_cgroup(monkeypatch: Any, tmp_path: Path) -> None:
    (tmp_path / "memory.max").write_text("1073741824\n")
    (tmp_path / "memory.current").write_text("73741824\n")
    monkeypatch.setattr(runner, "_cgroup_folders", lambda: [str(tmp_path)])
    assert runner._cgroup_room() == 1_000_000_000
    assert runner.available_memory() <= 1_000_000_000
    (tmp_path / "memory.max").write_text("max\n")  # no limit set
    assert runner._cgroup_room() is None


def test_a_run_beyond_ulimit_is_refused(monkeypatch: Any) -> None:
    monkeypatch.setattr(runner, "available_memory", lambda: 2**30)
    with pytest.raises(SimulationError, match="only 1.0 GiB is available.*ulimit -v"):
        runner.check_memory(2**31, "this", "do less")


# ------------------------------------------------------------------ the write guard


def test_an_output_that_is_a_link_to_an_input_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "cases.csv"
    table.write_text("case,a\n1,2\n")
    (tmp_path / "out.csv").symlink_to(table)
    command = guard.Guard()
    files.check_target(tmp_path / "out.csv", files.TABLE_FORMATS, "--samples", command)
    with pytest.raises(ScenarioError, match="--samples .*out.csv is an input of this command"):
        command.protect([table])
    guard.Guard().protect([table])  # another command's guard knows nothing of this one


def test_sigterm_during_a_write_removes_the_temporary(tmp_path: Path) -> None:
    command = guard.Guard()
    guard.install_signal_handlers(lambda: command)
    seen: list[Path] = []

    def write(path: Path) -> None:
        path.write_text("half")
        seen.append(path)
        os.kill(os.getpid(), signal.SIGTERM)

    try:
        with pytest.raises(guard.Terminated):
            files.write_atomic(tmp_path / "out.csv", write, command)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    assert seen and not seen[0].exists()
    assert list(tmp_path.iterdir()) == []


def test_several_files_are_written_all_or_nothing(tmp_path: Path) -> None:
    def full_disk(path: Path) -> None:
        raise OSError(28, "No space left on device")

    writers = {tmp_path / "cases.csv": lambda p: p.write_text("a"),
               tmp_path / "s.toml": full_disk}
    with pytest.raises(ScenarioError, match="s.toml: cannot write the file: No space left"):
        guard.write_all(writers)
    assert list(tmp_path.iterdir()) == []  # neither the table nor a temporary: a retry works
    guard.write_all({tmp_path / "a.txt": lambda p: p.write_text("1"),
                     tmp_path / "b.txt": lambda p: p.write_text("2")})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


# ------------------------------------------------------------------ output formats


def test_strict_json_writes_null_for_non_finite_numbers_and_counts_them() -> None:
    doc = {"a": math.nan, "b": [np.float64("inf"), np.int64(3), 2.5, True, None], "c": (1,)}
    text = strict_json.dumps(doc, indent=None)
    assert json.loads(text, parse_constant=pytest.fail) == {
        "a": None, "b": [None, 3, 2.5, True, None], "c": [1], "nonfinite_numbers": 2}
    assert "nonfinite_numbers" not in strict_json.dumps({"a": 1.0})


def test_clean_shows_escape_sequences_and_markup_as_text() -> None:
    console = Console(record=True, width=200, force_terminal=False)
    title = "a \x1b]0;pwned\x07 b \x1b[31m [/] [bold] \u202e c\x9b"
    console.print(clean(title))
    shown = console.export_text()
    assert shown.strip() == r"a \x1b]0;pwned\x07 b \x1b[31m [/] [bold] \u202e c\x9b"


@pytest.mark.parametrize(("years", "rate"), [(1, 0.0), (7, 0.0), (30, 0.0225), (50, 0.04)])
def test_voi_scale_in_closed_form_equals_the_sum(years: int, rate: float) -> None:
    factor = Scale(2.0, years, rate).factor
    assert factor == pytest.approx(2.0 * sum((1 + rate) ** -t for t in range(years)), rel=1e-12)


# ------------------------------------------------------------------ dask


def test_workers_start_with_ctrl_c_ignored_and_the_handler_comes_back() -> None:
    from onzekerheid.engine import distributed

    before = signal.getsignal(signal.SIGINT)
    with distributed._workers_ignore_ctrl_c():
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    assert signal.getsignal(signal.SIGINT) is before


def test_a_port_that_is_not_dask_is_refused_within_the_deadline(monkeypatch: Any) -> None:
    pytest.importorskip("distributed")
    from onzekerheid.engine import distributed

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:  # accepts and never says a word, like a stuck service
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    monkeypatch.setattr(distributed, "HANDSHAKE_SECONDS", 1.0)
    try:
        with pytest.raises(SimulationError, match="not as a dask scheduler"), \
                distributed.client_for(f"127.0.0.1:{server.getsockname()[1]}"):
            pass
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        server.close()
