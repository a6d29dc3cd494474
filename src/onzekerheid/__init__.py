"""onzekerheid: Monte Carlo stress tests of cost-benefit claims about social interventions."""

from ._version import version as _version
from .analysis import PointResult, Result, Summary
from .api import DEFAULT_ITERATIONS, DEFAULT_SEED, load, point, simulate
from .errors import OnzekerheidError, Problem, ScenarioError, SimulationError
from .report import notebook as _notebook  # noqa: F401  (registers the Jupyter display hooks)
from .scenario import Scenario, loads


def __getattr__(name: str) -> str:
    # the version is looked up on first use: importlib.metadata costs every command ~50 ms
    if name == "__version__":
        return _version()
    raise AttributeError(f"module 'onzekerheid' has no attribute {name!r}")


__all__ = [
    "DEFAULT_ITERATIONS", "DEFAULT_SEED", "OnzekerheidError", "PointResult", "Problem", "Result",
    "Scenario", "ScenarioError", "SimulationError", "Summary", "load", "loads", "point",
    "simulate", "__version__",
]
