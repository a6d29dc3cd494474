"""The engine: reproducibility contract, common random numbers, memory guard, summaries."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import onzekerheid as oz
from onzekerheid import SimulationError
from onzekerheid.analysis.summary import summarize
from onzekerheid.engine import runner
from onzekerheid.plan import build_plan

TEXT = """
[scenario]
title = "engine"
[parameters]
a = { dist = "normal", mean = 10, sd = 2 }
b = { dist = "uniform", min = 0, max = 1 }
c = { dist = "poisson", mean = 3 }
d = { dist = "beta", ci = [0.1, 0.5] }
e = { dist = "gamma", shape = 2, scale = 1, upper = 4 }
f = { dist = "discrete", values = [0, 1, 5], weights = [1, 2, 1] }
g = { dist = "pert", min = 0, mode = 1, max = 4 }
h = "a * b"
fixed = 7
[outputs]
total = "h + c * d + e - f + g + fixed"
ratio = "1 / f"
[claim]
total = 15
"""
ODD = 3 * runner.BLOCK + 123  # not a multiple of the block size


@pytest.fixture(scope="module")
def scenario() -> oz.Scenario:
    return oz.loads(TEXT)


@pytest.fixture(scope="module")
def reference(scenario: oz.Scenario) -> oz.Result:
    return oz.simulate(scenario, ODD, seed=5, threads=1, chunk_blocks=1)


@pytest.mark.parametrize(("threads", "chunk_blocks"), [(1, 2), (1, 3), (2, 1), (2, 2), (2, 3),
                                                       (1, 100)])
def test_identical_for_any_threads_and_chunking(scenario, reference, threads, chunk_blocks):  # type: ignore[no-untyped-def]
    other = oz.simulate(scenario, ODD, seed=5, threads=threads, chunk_blocks=chunk_blocks)
    assert other.columns == reference.columns
    np.testing.assert_array_equal(other.data, reference.data)


def test_columns_and_shape(reference):  # type: ignore[no-untyped-def]
    assert reference.columns == ("a", "b", "c", "d", "e", "f", "g", "h", "total", "ratio")
    assert reference.data.shape == (ODD, 10)
    assert reference.data.dtype == np.float64 and reference.data.flags.f_contiguous  # columns
    assert list(reference.samples.columns) == list(reference.columns)


def test_same_seed_same_numbers_and_prefix_property(scenario, reference):  # type: ignore[no-untyped-def]
    again = oz.simulate(scenario, ODD, seed=5)
    np.testing.assert_array_equal(again.data, reference.data)
    # randomness is tied to blocks of rows, so a shorter run is the start of a longer one
    short = oz.simulate(scenario, 20_000, seed=5)
    np.testing.assert_array_equal(short.data, reference.data[:20_000])


def test_different_seeds_differ_and_zero_is_a_seed(scenario, reference):  # type: ignore[no-untyped-def]
    other = oz.simulate(scenario, 1_000, seed=6).data
    zero = oz.simulate(scenario, 1_000, seed=0)
    assert zero.seed == 0
    np.testing.assert_array_equal(zero.data, oz.simulate(scenario, 1_000, seed=0).data)
    for data in (other, zero.data):
        continuous = data[:, :2]  # a and b: two runs never share a value
        assert not np.any(continuous == reference.data[:1_000, :2])


def test_seed_none_and_generator(scenario):  # type: ignore[no-untyped-def]
    fresh = oz.simulate(scenario, 100, seed=None)
    assert isinstance(fresh.seed, int) and fresh.seed >= 0
    np.testing.assert_array_equal(oz.simulate(scenario, 100, seed=fresh.seed).data, fresh.data)
    one = oz.simulate(scenario, 100, seed=np.random.default_rng(3))
    two = oz.simulate(scenario, 100, seed=np.random.default_rng(3))
    assert one.seed == two.seed
    np.testing.assert_array_equal(one.data, two.data)


@pytest.mark.parametrize("seed", [-1, 1.5, "1", True])
def test_bad_seeds(scenario, seed):  # type: ignore[no-untyped-def]
    with pytest.raises(SimulationError, match="seed must be"):
        oz.simulate(scenario, 10, seed=seed)


def test_fixing_a_parameter_leaves_the_others_draws_alone(scenario, reference):  # type: ignore[no-untyped-def]
    # common random numbers: streams are named by parameter, not by position
    for value in (4, "20 to 30", "c * 2"):
        fixed = oz.simulate(oz.loads(TEXT, overrides={"a": value}), ODD, seed=5)
        for name in ("b", "c", "d", "e", "f", "g"):
            np.testing.assert_array_equal(fixed[name], reference[name], err_msg=name)
    added = TEXT.replace("fixed = 7", 'fixed = 7\nnew = { dist = "normal", mean = 0, sd = 1 }')
    more = oz.simulate(oz.loads(added), ODD, seed=5)
    np.testing.assert_array_equal(more.data[:, :8], reference.data[:, :8])


def test_engine_inputs_replace_draws_and_keep_the_rest(scenario, reference):  # type: ignore[no-untyped-def]
    plan = build_plan(scenario)
    keep = [plan.names.index(n) for n in reference.columns]
    given = np.linspace(0, 1, ODD)
    data = runner.run(plan, ODD, 5, keep, inputs={plan.parameter_cols["b"]: given},
                      threads=2, chunk_blocks=2)
    np.testing.assert_array_equal(data[:, 1], given)
    np.testing.assert_array_equal(data[:, 0], reference["a"])
    np.testing.assert_array_equal(data[:, 7], reference["a"] * given)  # h = a * b follows


def test_progress_adds_up(scenario):  # type: ignore[no-untyped-def]
    done: list[int] = []
    oz.simulate(scenario, ODD, seed=1, threads=2, chunk_blocks=1, progress=done.append)
    assert sum(done) == ODD and len(done) == 4


def test_memory_guard_refuses_before_allocating(scenario, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(runner, "available_memory", lambda: 2**30)  # 1 GiB free
    with pytest.raises(SimulationError, match=r"need about .* GiB .* only 1\.0 GiB is available; "
                                              r"use at most about [\d,]+ iterations"):
        oz.simulate(scenario, 200_000_000, seed=1)
    # far above any machine's memory: refused by the real probe, without allocating
    monkeypatch.undo()
    with pytest.raises(SimulationError, match="GiB"):
        oz.simulate(scenario, 9 * 10**9, seed=1)


@pytest.mark.parametrize("iterations", [0, -5, 10**11])
def test_iterations_out_of_range(scenario, iterations):  # type: ignore[no-untyped-def]
    with pytest.raises(SimulationError, match="iterations must lie between 1 and"):
        oz.simulate(scenario, iterations, seed=1)


def test_bad_ci(scenario):  # type: ignore[no-untyped-def]
    with pytest.raises(SimulationError, match="ci must lie strictly between 0 and 1"):
        oz.simulate(scenario, 10, ci=1.0)


def test_store_outputs_only(scenario, reference):  # type: ignore[no-untyped-def]
    slim = oz.simulate(scenario, ODD, seed=5, store="outputs")
    assert slim.columns == ("total", "ratio")
    np.testing.assert_array_equal(slim.data, reference.data[:, -2:])


# --------------------------------------------------------------------------------------------
# summaries against numpy on the same samples


@pytest.mark.parametrize("ci", [0.9, 0.5])
def test_summary_matches_numpy(scenario, ci):  # type: ignore[no-untyped-def]
    result = oz.simulate(scenario, 20_000, seed=2, ci=ci)
    x = result["total"]
    s = result.summary_of("total")
    assert s.mean == pytest.approx(np.mean(x), rel=1e-12)
    assert s.sd == pytest.approx(np.std(x, ddof=1), rel=1e-12)
    assert s.mcse == pytest.approx(np.std(x, ddof=1) / math.sqrt(x.size), rel=1e-12)
    assert s.median == pytest.approx(np.median(x), rel=1e-12)
    tail = (1 - ci) / 2
    assert (s.low, s.high) == pytest.approx(tuple(np.quantile(x, [tail, 1 - tail])), rel=1e-12)
    assert s.p_positive == np.mean(x > 0)
    assert s.claim == 15
    assert s.claim_percentile == np.mean(x < 15)
    assert result.summary().loc["total", "mean"] == s.mean
    assert result.to_json()["outputs"]["total"]["claim_percentile"] == s.claim_percentile
    assert result.summary_of("ratio").claim is None
    assert result.summary_of("ratio").claim_percentile is None


def test_nonfinite_iterations_are_counted_and_left_out(scenario):  # type: ignore[no-untyped-def]
    result = oz.simulate(scenario, 20_000, seed=2)
    ratio, f = result["ratio"], result["f"]
    s = result.summary_of("ratio")
    assert s.nonfinite == np.count_nonzero(f == 0) > 0
    finite = ratio[np.isfinite(ratio)]
    assert s.mean == pytest.approx(finite.mean(), rel=1e-12)


def test_summary_edge_cases():
    empty = summarize(np.array([np.nan, np.inf]), claim=1.0)
    assert empty.nonfinite == 2 and math.isnan(empty.mean)
    assert empty.as_dict()["mean"] is None and empty.as_dict()["claim"] == 1.0
    one = summarize(np.array([3.0]))
    assert one.sd == 0 and math.isnan(one.mcse) and one.median == 3  # one draw: unknown


def test_mean_lies_within_mcse_of_the_exact_mean():
    text = """
[scenario]
title = "t"
[parameters]
a = { dist = "normal", mean = 10, sd = 2 }
b = { dist = "uniform", min = 0, max = 1 }
c = { dist = "poisson", mean = 3 }
[outputs]
y = "a + b * c"
"""
    s = oz.simulate(oz.loads(text), 20_000, seed=9).summary_of("y")
    exact = 10 + 0.5 * 3  # independent: E[a] + E[b] E[c]
    # |mean - exact| / mcse is approximately standard normal; 4 is exceeded with p = 6e-5
    assert abs(s.mean - exact) < 4 * s.mcse


def test_school_scenario_is_reproducible_and_fast_enough_to_test():
    sc = oz.load(Path(__file__).parent.parent / "scenarios" / "school_jeugdzorg.toml")
    one = oz.simulate(sc, ODD, seed=3, threads=1, chunk_blocks=1, store="all")
    two = oz.simulate(sc, ODD, seed=3, threads=2, chunk_blocks=3, store="all")
    np.testing.assert_array_equal(one.data, two.data)
