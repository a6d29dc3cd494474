"""Sweeps: grid parsing, common random numbers, monotonicity, files and plots from the CLI."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid.analysis.sweep import MAX_POINTS, Axis, axes_of, grid, sweep
from onzekerheid.cli import app
from onzekerheid.cli.sweep import parse_vary
from onzekerheid.errors import ScenarioError

SCHOOL = Path(__file__).parent.parent / "scenarios" / "school_jeugdzorg.toml"
cli = CliRunner()


@pytest.fixture(scope="module")
def school() -> oz.Scenario:
    return oz.load(SCHOOL)


# --- parsing ------------------------------------------------------------------------------


def test_parse_vary_range_and_list():
    assert parse_vary(["worker_cost=60000:90000:4"]) == {
        "worker_cost": (60000, 70000, 80000, 90000)}
    assert parse_vary([" success.rate = 0.2,0.5 ", "x=5:9:1"]) == {
        "success.rate": (0.2, 0.5), "x": (5.0,)}


@pytest.mark.parametrize(("texts", "message"), [
    (["worker_cost"], "--vary 'worker_cost': expected NAME=START:STOP:COUNT"),
    (["=1,2"], "expected NAME"),
    (["x=1:2"], "exactly START:STOP:COUNT"),
    (["x=1:2:0"], "COUNT must be a whole number in 1..1,000,000"),
    (["x=1:2:2.5"], "COUNT must be a whole number"),
    (["x=1,a"], "--vary 'x=1,a': every value must be a number"),
    (["x=1,inf"], "finite"),
    (["x=1:2:3", "x=4,5"], "--vary: 'x' is varied twice"),
    (["a=1:2:1000", "b=1:2:1001"], "--vary: the grid has 1,001,000 points, more than 1,000,000"),
])
def test_parse_vary_errors_name_the_option(texts, message):
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(".", r"\.")):
        parse_vary(texts)


def test_a_huge_count_is_refused_before_anything_is_allocated():
    # 10**8 floats would be 800 MB (and ~3 GB as a tuple of Python floats); two axes of 10**6
    # each, 16 MB, are refused by the grid's size before either range is laid out
    for texts in (["x=1:2:100000000"], ["a=1:2:1000000", "b=1:2:1000000"]):
        tracemalloc.start()
        with pytest.raises(ScenarioError):
            parse_vary(texts)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < 2**20, f"{peak / 2**20:.1f} MiB allocated before refusing {texts}"


def test_the_api_takes_a_grid_and_names_its_argument():
    assert axes_of({"a": [1, 2], "b": np.array([3.0])}) == (Axis("a", (1.0, 2.0)),
                                                            Axis("b", (3.0,)))
    for bad, message in (({"a": []}, "axes a: needs a sequence of one or more numbers"),
                         ({"a": "12"}, "axes a: needs a sequence"),
                         ({"a": [1, "x"]}, "axes a: every value must be a number"),
                         ({"a": [1, np.nan]}, "axes a: values must be finite numbers"),
                         ([Axis("a", (1.0,)), Axis("a", (2.0,))], "axes a: is varied twice"),
                         ({"a": np.zeros(MAX_POINTS), "b": np.zeros(2)},
                          "axes a (1,000,000) x b (2): the grid has 2,000,000 points")):
        with pytest.raises(ScenarioError) as caught:
            axes_of(bad)
        assert message in str(caught.value)
        assert "--vary" not in str(caught.value)  # the CLI renames it: ...render(OPTION_NAMES)
    assert caught.value.render({"axes": "--vary"}).startswith("--vary a (1,000,000) x b (2):")


def test_a_statistic_of_the_sweep_names_the_python_arguments(school):
    result = sweep(school, {"worker_cost": (70_000.0,)}, 200, seed=4)
    for args, message in ((("nope", "mean"), "output nope: not an output"),
                          (("net_benefit", "wobble"), "stat wobble: unknown statistic")):
        with pytest.raises(ScenarioError) as caught:
            result.statistic(*args)
        assert str(caught.value).startswith(message)  # the CLI writes --output, --stat


def test_grid_is_the_full_product_last_axis_fastest():
    points = grid([Axis("a", (1.0, 2.0)), Axis("b", (10.0, 20.0, 30.0))])
    assert points[:4] == [{"a": 1, "b": 10}, {"a": 1, "b": 20}, {"a": 1, "b": 30},
                          {"a": 2, "b": 10}]
    assert len(points) == 6
    assert grid({"a": (1.0, 2.0), "b": [10, 20, 30]}) == points


# --- common random numbers ------------------------------------------------------------------


def test_each_point_is_the_run_with_that_override(school):
    result = sweep(school, {"worker_cost": (70_000.0, 90_000.0)}, 20_000, seed=4)
    for values, summaries in zip(result.points, result.summaries, strict=True):
        alone = oz.simulate(oz.load(SCHOOL, overrides=values), 20_000, seed=4, store="outputs")
        assert summaries["net_benefit"] == alone.summary_of("net_benefit")


def test_fixing_a_parameter_leaves_the_other_draws_identical():
    low = oz.simulate(oz.load(SCHOOL, overrides={"worker_cost": 50_000}), 20_000, seed=9)
    high = oz.simulate(oz.load(SCHOOL, overrides={"worker_cost": 90_000}), 20_000, seed=9)
    for name in ("report_cost", "still_referred", "reports_before"):
        np.testing.assert_array_equal(low[name], high[name])
    np.testing.assert_array_equal(low["net_benefit"] - high["net_benefit"], 40_000.0)


def test_p_positive_falls_as_worker_cost_rises(school):
    # Theory: net_benefit = saving - worker_cost, and with common random numbers every
    # iteration's saving is the same at every grid point, so P(net_benefit > 0) cannot rise
    # with worker_cost: the check is exact (no Monte Carlo tolerance needed).
    axis = Axis("worker_cost", tuple(np.linspace(60_000, 300_000, 9)))
    result = sweep(school, [axis], 20_000, seed=11)
    p = result.statistic("net_benefit", "p_positive")
    assert np.all(np.diff(p) <= 0)
    assert p[0] > 0.95 and p[-1] < 0.2  # a real fall, not a flat line
    np.testing.assert_allclose(np.diff(result.statistic("net_benefit", "mean")), -30_000.0)


def test_common_random_numbers_make_the_grid_smooth(school):
    # Neighbouring points 1,000 apart: with CRN a difference of P(net_benefit > 0) counts only
    # the iterations whose net benefit crosses 0 within the step, variance ~ q/n with
    # q ~ 0.004; with a fresh seed per point it is ~ 2 p (1 - p) / n, ~ 125 times more.
    # Measured over seeds 1..8 (n = 20,000, 11 points): ratios 47 to 491. We require 10.
    axis = Axis("worker_cost", tuple(np.linspace(150_000, 160_000, 11)))
    n = 20_000
    crn = sweep(school, [axis], n, seed=1).statistic("net_benefit", "p_positive")
    fresh = np.array([
        oz.simulate(oz.load(SCHOOL, overrides={"worker_cost": v}), n, seed=100 + i,
                    store="outputs").summary_of("net_benefit").p_positive
        for i, v in enumerate(axis.values)
    ])
    assert np.var(np.diff(fresh)) > 10 * np.var(np.diff(crn))


def test_dotted_names_and_outputs_can_be_varied(load_toml, write_toml):
    path = write_toml("""
        [scenario]
        title = "t"
        [parameters]
        x = { dist = "normal", mean = 0, sd = 1 }
        cost = { staff = 10, rent = 5 }
        [outputs]
        net = "x - cost.staff - cost.rent"
        """)
    scenario = oz.load(path)
    result = sweep(scenario, [Axis("cost.staff", (0.0, 10.0))], 2_000, seed=1)
    means = result.statistic("net", "mean")
    assert means[0] - means[1] == pytest.approx(10.0, abs=1e-9)
    with pytest.raises(ScenarioError, match="axes at nope=1: nope") as caught:
        sweep(scenario, [Axis("nope", (1.0,))], 100, seed=1)
    assert "--vary at nope=1: nope: no parameter" in caught.value.render({"axes": "--vary"})


# --- command line -----------------------------------------------------------------------------


def test_cli_json_shape(tmp_path):
    res = cli.invoke(app, ["sweep", str(SCHOOL), "--vary", "worker_cost=60000,90000",
                           "--vary", "report_cost=10000:20000:3", "-n", "5000", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["iterations"] == 5000 and doc["seed"] == oz.DEFAULT_SEED
    assert len(doc["grid"]) == 6
    first = doc["grid"][0]
    assert first["values"] == {"worker_cost": 60000, "report_cost": 10000}
    assert set(first["outputs"]) == {"saving", "net_benefit", "bcr"}
    assert {"mean", "sd", "mcse", "median", "low", "high", "p_positive", "claim",
            "claim_percentile"} <= set(first["outputs"]["net_benefit"])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_cli_table_file_has_a_row_per_point_and_output(tmp_path, suffix):
    target = tmp_path / f"sweep{suffix}"
    res = cli.invoke(app, ["sweep", str(SCHOOL), "--vary", "worker_cost=60000:90000:4",
                           "-n", "3000", "-o", str(target), "-q"])
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(target) if suffix == ".csv" else pd.read_parquet(target)
    assert len(frame) == 4 * 3
    assert list(frame.columns[:2]) == ["worker_cost", "output"]
    net = frame[frame.output == "net_benefit"]
    assert np.all(np.diff(net.p_positive.to_numpy()) <= 0)


@pytest.mark.parametrize("vary", [["worker_cost=60000:300000:4"],
                                  ["worker_cost=60000:300000:3", "report_cost=5000,15000"]])
def test_cli_plot_line_and_heatmap(tmp_path, vary):
    target = tmp_path / "plot.png"
    args = ["sweep", str(SCHOOL), "-n", "2000", "--plot", str(target), "--stat", "p_positive",
            "--output-name", "net_benefit", "-q"]
    for v in vary:
        args += ["--vary", v]
    res = cli.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("args", "message"), [
    (["--vary", "nope=1,2"], "nope"),
    (["--vary", "worker_cost=1,2", "--stat", "wobble"], "--stat wobble"),
    (["--vary", "worker_cost=1,2", "--output-name", "nope"], "--output nope"),
    (["--vary", "worker_cost=1,2", "--output", "sweep.csv"], "with -o sweep.csv"),
    (["--vary", "worker_cost=1", "--vary", "report_cost=1", "--vary", "reports_after=1",
      "--plot", "x.png"], "a plot shows one"),
    (["--vary", "worker_cost=1", "-o", "x.xlsx"], "unknown file type"),
])
def test_cli_errors_exit_2_with_a_message(tmp_path, args, message):
    args = [a.replace("x.", str(tmp_path / "x.")) for a in args]
    res = cli.invoke(app, ["sweep", str(SCHOOL), "-n", "500", *args])
    assert res.exit_code == 2
    assert message in res.stderr
