"""Sampling engine: numba kernels, random streams tied to blocks of iterations, chunked runs."""

from .runner import BLOCK, evaluate_points, run, seed_from

__all__ = ["BLOCK", "evaluate_points", "run", "seed_from"]
