"""The dask backend: bitwise the local result; clear errors without dask or with a bad option."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid.analysis.sweep import Axis, sweep
from onzekerheid.cli import app
from onzekerheid.engine import distributed, runner
from onzekerheid.errors import ScenarioError, SimulationError
from onzekerheid.plan import build_plan

SCHOOL = Path(__file__).parent.parent / "scenarios" / "school_jeugdzorg.toml"
cli = CliRunner()


@pytest.fixture(scope="module")
def client():
    """One LocalCluster of 2 worker processes for the module (starting one takes seconds)."""
    pytest.importorskip("distributed")
    with distributed.client_for("local:2") as c:
        yield c


def test_local_cluster_equals_the_local_run_exactly(client):
    scenario = oz.load(SCHOOL)
    # 3 chunks of 1 block, the last one partial: every chunk boundary is exercised
    n = 2 * runner.BLOCK + 1234
    here = oz.simulate(scenario, n, seed=17, chunk_blocks=1)
    there = oz.simulate(scenario, n, seed=17, chunk_blocks=1, scheduler=client)
    assert np.array_equal(here.data, there.data)
    other_chunks = oz.simulate(scenario, n, seed=17, chunk_blocks=2, scheduler=client)
    assert np.array_equal(here.data, other_chunks.data)


def test_given_inputs_are_cut_per_chunk(client):
    plan = build_plan(oz.load(SCHOOL))
    n = runner.BLOCK + 100
    inputs = {plan.parameter_cols["worker_cost"]: np.linspace(0.0, 1e5, n)}
    keep = [plan.names.index("net_benefit"), plan.parameter_cols["worker_cost"]]
    here = runner.run(plan, n, 5, keep, inputs=inputs, chunk_blocks=1)
    there = distributed.run(plan, n, 5, keep, scheduler=client, inputs=inputs, chunk_blocks=1)
    assert np.array_equal(here, there)


def test_sweep_grid_points_as_tasks_equal_the_local_sweep(client):
    scenario = oz.load(SCHOOL)
    axes = [Axis("worker_cost", (60_000.0, 120_000.0, 180_000.0))]
    here = sweep(scenario, axes, 5_000, seed=3)
    there = sweep(scenario, axes, 5_000, seed=3, scheduler=client)
    assert here.summaries == there.summaries


def test_without_dask_the_error_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    with pytest.raises(SimulationError, match=r"pip install 'onzekerheid\[distributed\]'"):
        oz.simulate(oz.load(SCHOOL), 100, seed=1, scheduler="local:2")
    res = cli.invoke(app, ["run", str(SCHOOL), "-n", "100", "--scheduler", "local:2"])
    assert res.exit_code == 2
    assert "not installed" in res.stderr


@pytest.mark.parametrize("text", ["local:", "local:0", "local:two", " "])
def test_bad_scheduler_option(text):
    with pytest.raises(ScenarioError, match="--scheduler"):
        distributed.local_workers(text)


def test_address_without_scheduler_is_a_clear_error(monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", "1s")
    with pytest.raises(SimulationError, match="could not reach a dask scheduler"):
        oz.simulate(oz.load(SCHOOL), 100, seed=1, scheduler="tcp://127.0.0.1:9")


def test_a_worker_lost_mid_run_changes_nothing(client):
    # Kill one worker process as soon as the first chunk is back: its running and queued
    # chunks are recomputed on the other worker (pure tasks), and the numbers stay the same.
    plan = build_plan(oz.load(SCHOOL))
    n = 8 * runner.BLOCK
    keep = [plan.names.index("net_benefit")]
    killed: list[str] = []

    def kill_one(_rows: int) -> None:
        if not killed:
            pids = client.run(os.getpid)  # {worker address: process id}
            victim = sorted(pids)[0]
            killed.append(victim)
            os.kill(pids[victim], signal.SIGKILL)

    there = distributed.run(plan, n, 23, keep, scheduler=client, chunk_blocks=1,
                            progress=kill_one)
    assert killed
    assert np.array_equal(there, runner.run(plan, n, 23, keep))
