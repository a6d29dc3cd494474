"""End to end: the shipped school scenario loads, reproduces its arithmetic and simulates."""

from pathlib import Path

import numpy as np

import onzekerheid as oz

SCENARIOS = Path(__file__).parent.parent / "scenarios"


def test_school_point_reproduces_published_figures():
    result = oz.point(oz.load(SCENARIOS / "school_jeugdzorg.toml"))
    assert result.values["saving"] == 360_000
    assert result.values["net_benefit"] == 285_000
    assert result.values["bcr"] == 4.8


def test_school_simulation_is_reproducible_across_threads_and_chunks():
    scenario = oz.load(SCENARIOS / "school_jeugdzorg.toml")
    one = oz.simulate(scenario, 40_000, seed=3, threads=1, chunk_blocks=1)
    many = oz.simulate(scenario, 40_000, seed=3, threads=2, chunk_blocks=2)
    np.testing.assert_array_equal(one.data, many.data)
