"""onzekerheid: Monte Carlo stress tests of cost-benefit claims about social interventions."""

from importlib.metadata import PackageNotFoundError, version

from .analysis import PointResult, Result, Summary
from .api import DEFAULT_ITERATIONS, DEFAULT_SEED, load, point, simulate
from .errors import OnzekerheidError, Problem, ScenarioError, SimulationError
from .scenario import Scenario, loads

try:
    __version__ = version("onzekerheid")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "DEFAULT_ITERATIONS", "DEFAULT_SEED", "OnzekerheidError", "PointResult", "Problem", "Result",
    "Scenario", "ScenarioError", "SimulationError", "Summary", "load", "loads", "point",
    "simulate", "__version__",
]
