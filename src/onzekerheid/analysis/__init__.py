"""Analysis of samples: summaries, claim audit, checks, sensitivity, value of information."""

from .result import PointResult, Result
from .summary import Summary, summarize

__all__ = ["PointResult", "Result", "Summary", "summarize"]
