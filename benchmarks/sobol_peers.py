"""Sobol' indices side by side: onzekerheid, scipy.stats.sobol_indices and SALib (issue 13).

All three analyse the **same model evaluations**: per seed, one design of ``N`` points made of
16 independently scrambled Sobol' designs (``sensitivity.design``) gives ``f(A)``, ``f(B)`` and
``f(AB_i)``; onzekerheid's estimator reads them as 16 replicates, scipy gets them as its
precomputed ``func`` dict (``sobol_indices(func={"f_A", "f_B", "f_AB"})``, intervals from
its ``bootstrap``), SALib as ``Y`` in its Saltelli order (``[A_j, AB_1j .. AB_kj, B_j]`` per
row ``j``, ``calc_second_order=False``, intervals from its bootstrap). Reported over seeds:
the largest mean absolute error against the analytic indices, the mean 95% half width and
the share of intervals covering the truth.

Models: the shifted linear ``y = u1 + 2 u2 + 3 u3 + 1000`` (u uniform on 0..1; S_i = S_Ti =
(1, 4, 9) / 14), whose mean of 1000 exposes an uncentred estimator, and Ishigami (a = 7,
b = 0.1; Saltelli et al. 2008, section 4.9).

SALib is needed for this benchmark only (``pip install SALib``); it is no dependency of
onzekerheid. Writes ``benchmarks/results/sobol_peers.md``.

    python benchmarks/sobol_peers.py [--seeds 40] [--n 4096] [--no-write]
"""

from __future__ import annotations

import argparse
import datetime
import math
import platform
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import numpy as np
from SALib.analyze import sobol as salib_sobol
from scipy import stats

from onzekerheid.analysis import sensitivity as sa

HERE = Path(__file__).parent
PI = math.pi
REPLICATES = 16
BOOTSTRAP = 200


def shifted(x: np.ndarray) -> np.ndarray:
    return x[..., 0] + 2 * x[..., 1] + 3 * x[..., 2] + 1000


def ishigami(x: np.ndarray) -> np.ndarray:
    x = -PI + 2 * PI * x
    return np.sin(x[..., 0]) + 7 * np.sin(x[..., 1]) ** 2 + 0.1 * x[..., 2] ** 4 * np.sin(x[..., 0])


MODELS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], np.ndarray, np.ndarray]] = {
    "shifted linear": (shifted, np.array([1, 4, 9]) / 14, np.array([1, 4, 9]) / 14),
    "Ishigami": (ishigami, np.array([0.3139, 0.4424, 0.0]), np.array([0.5576, 0.4424, 0.2437])),
}


def evaluations(func: Callable[[np.ndarray], np.ndarray], n: int, seed: int
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a, b = sa.design(3, n, REPLICATES, seed)
    ab = np.stack([np.where(np.arange(3) == i, b, a) for i in range(3)])
    return func(a), func(b), func(ab)


def ours(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray) -> list[np.ndarray]:
    f = np.concatenate([f_a[None], f_b[None], f_ab]).reshape(5, REPLICATES, -1)
    first, first_ci, total, total_ci = sa.replicate_indices(f, np.ones(f.shape[1:], bool), 0.95)
    return [first, first_ci, total, total_ci]


def scipy_(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray, seed: int) -> list[np.ndarray]:
    result = stats.sobol_indices(func={"f_A": f_a[None], "f_B": f_b[None], "f_AB": f_ab[:, None]},
                                 n=len(f_a))
    boot = result.bootstrap(confidence_level=0.95, n_resamples=BOOTSTRAP)
    first, total = boot.first_order.confidence_interval, boot.total_order.confidence_interval
    return [np.ravel(result.first_order), np.column_stack([np.ravel(first.low),
                                                           np.ravel(first.high)]),
            np.ravel(result.total_order), np.column_stack([np.ravel(total.low),
                                                           np.ravel(total.high)])]


def salib(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray, seed: int) -> list[np.ndarray]:
    k = f_ab.shape[0]
    y = np.column_stack([f_a, f_ab.T, f_b]).ravel()  # Saltelli order, second order off
    problem = {"num_vars": k, "names": [f"x{i}" for i in range(k)], "bounds": [[0, 1]] * k}
    s = salib_sobol.analyze(problem, y, calc_second_order=False, num_resamples=BOOTSTRAP,
                            conf_level=0.95, seed=seed)
    return [s["S1"], np.column_stack([s["S1"] - s["S1_conf"], s["S1"] + s["S1_conf"]]),
            s["ST"], np.column_stack([s["ST"] - s["ST_conf"], s["ST"] + s["ST_conf"]])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--n", type=int, default=4096)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    lines = [f"\n## {datetime.date.today()} — {platform.node()}, n = {args.n}, "
             f"{args.seeds} seeds, scipy {version('scipy')}, SALib {version('SALib')}\n",
             "| model | method | max mean abs error, first / total | mean 95% half width, "
             "first / total | coverage of 95% intervals, first / total |",
             "|---|---|---|---|---|"]
    for name, (func, true_first, true_total) in MODELS.items():
        found: dict[str, list[list[np.ndarray]]] = {"onzekerheid": [], "scipy": [], "SALib": []}
        for seed in range(args.seeds):
            f = evaluations(func, args.n, seed)
            found["onzekerheid"].append(ours(*f))
            found["scipy"].append(scipy_(*f, seed))
            found["SALib"].append(salib(*f, seed))
        for method, runs in found.items():
            cells = []
            for stat in (_error, _half, _coverage):
                cells.append(" / ".join(f"{stat(runs, j, t):.4f}" if stat is not _coverage
                                        else f"{stat(runs, j, t):.0%}"
                                        for j, t in ((0, true_first), (2, true_total))))
            lines.append(f"| {name} | {method} | " + " | ".join(cells) + " |")
            print(lines[-1])
    lines.append("\nSame evaluations for all three (16 scrambled designs of n/16 points, "
                 f"{3 + 2} * n evaluations); scipy and SALib intervals: {BOOTSTRAP} bootstrap "
                 "resamples of the rows; onzekerheid: t-intervals over the 16 replicates.")
    if not args.no_write:
        target = HERE / "results" / "sobol_peers.md"
        head = "" if target.exists() else "# Sobol' indices: onzekerheid, scipy and SALib\n"
        with target.open("a") as handle:
            handle.write(head + "\n".join(lines) + "\n")


def _error(runs: list[list[np.ndarray]], j: int, truth: np.ndarray) -> float:
    return float(np.max(np.mean([np.abs(r[j] - truth) for r in runs], axis=0)))


def _half(runs: list[list[np.ndarray]], j: int, truth: np.ndarray) -> float:
    return float(np.mean([(r[j + 1][:, 1] - r[j + 1][:, 0]) / 2 for r in runs]))


def _coverage(runs: list[list[np.ndarray]], j: int, truth: np.ndarray) -> float:
    return float(np.mean([(r[j + 1][:, 0] <= truth) & (truth <= r[j + 1][:, 1]) for r in runs]))


if __name__ == "__main__":
    main()
