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


def test_the_case_sample_means_come_through_the_cluster(client):
    """The per-iteration case means ``voi --group NAME=cases`` reads (issue 15)."""
    plan = build_plan(oz.load(SCHOOL.parent / "utrecht.toml"))
    keep = [int(c) for c in plan.cases.mean_cols if c >= 0]
    n = runner.BLOCK + 100
    here = runner.run(plan, n, 5, keep, chunk_blocks=1)
    there = distributed.run(plan, n, 5, keep, scheduler=client, chunk_blocks=1)
    assert len(keep) == 4 and np.array_equal(here, there)


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
    # the Python API names its argument; the command line names its option (test_cli)
    with pytest.raises(ScenarioError, match=r"^scheduler ") as caught:
        distributed.local_workers(text)
    assert caught.value.render({"scheduler": "--scheduler"}).startswith("--scheduler ")


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


def test_analyses_on_a_scheduler_equal_the_local_ones(client):
    """sensitivity, voi and switching with scheduler= are bitwise the in-process analyses."""
    scenario = oz.load(SCHOOL)
    for method, n in (("rank", 3_000), ("tornado", None), ("sobol", 256)):
        here = oz.api.sensitivity(scenario, method=method, iterations=n, seed=4)
        there = oz.api.sensitivity(scenario, method=method, iterations=n, seed=4,
                                   scheduler=client)
        assert here.to_json() == there.to_json(), method
    here_voi = oz.api.value_of_information(scenario, iterations=2_000, seed=5)
    there_voi = oz.api.value_of_information(scenario, iterations=2_000, seed=5, scheduler=client)
    assert here_voi.to_json() == there_voi.to_json()
    here_sv = oz.api.switching_values(scenario, iterations=256, seed=6)
    there_sv = oz.api.switching_values(scenario, iterations=256, seed=6, scheduler=client)
    assert here_sv.to_json() == there_sv.to_json()


def test_case_keys_are_cut_per_chunk(client):
    scenario = oz.load(SCHOOL.parent / "schiedam.toml")
    assert scenario.cases is not None
    plan = build_plan(scenario)
    n = runner.BLOCK + 100
    keys = np.arange(n, dtype=np.int64) % 7
    keep = [plan.names.index(next(iter(scenario.outputs)))]
    here = runner.run(plan, n, 5, keep, case_keys=keys, chunk_blocks=1)
    there = distributed.run(plan, n, 5, keep, scheduler=client, case_keys=keys, chunk_blocks=1)
    assert np.array_equal(here, there)


@pytest.mark.parametrize("command", ["sensitivity", "voi", "switching"])
def test_every_simulating_command_takes_a_scheduler(command):
    assert "--scheduler" in cli.invoke(app, [command, "--help"]).output
