"""Speed and accuracy of EVSI (issue 15).

Speed: ``voi`` on the Schiedam scenario with its three ``[[studies]]`` x five sizes at 10^5
iterations (target: under 30 s on 2 cores), wall-clock and CPU time, with the load average at
the start (the machine is shared). Then the part EVSI adds: the three studies alone on the same
sample, against a plain-numpy reference a user would write: for each size, the binomial
likelihood matrix ``scipy.stats.binom.pmf(k, n, theta)`` (N x (n+1)) in one piece, and for the
normal studies the integral of ``max(m(s), 0)`` by the trapezoid rule on 2,001 points.
Accuracy: the normal-normal closed form and the beta-binomial enumeration at 10^6 draws.
Appends a table to benchmarks/results/evsi.md.

    python benchmarks/evsi_speed.py [--threads 2]
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import resource
import time
from pathlib import Path

import numpy as np
from scipy import stats

import onzekerheid as oz
from onzekerheid.analysis import evsi
from onzekerheid.analysis.model import model_of
from onzekerheid.analysis.voi import Scale, value_of_information

HERE = Path(__file__).parent
ROOT = HERE.parent


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def reference_binomial(theta: np.ndarray, g: np.ndarray, n: int) -> float:
    k = np.arange(n + 1)
    m = g @ stats.binom.pmf(k[None, :], n, theta[:, None]) / len(g)
    return float(np.maximum(m, 0.0).sum() - max(g.mean(), 0.0))


def reference_normal(t: np.ndarray, g: np.ndarray, h: float) -> float:
    s = np.linspace(t.min() - 6 * h, t.max() + 6 * h, 2001)
    m = np.zeros_like(s)
    for start in range(0, len(t), 4096):
        rows = slice(start, start + 4096)
        m += g[rows] @ stats.norm.pdf(s[None, :], t[rows, None], h)
    return float(np.trapezoid(np.maximum(m / len(t), 0.0), s) - max(g.mean(), 0.0))


def speed(threads: int) -> list[tuple[str, float, float, str]]:
    scenario = oz.load(ROOT / "scenarios" / "schiedam.toml")
    model = model_of(scenario)
    rows = []
    wall, used = time.perf_counter(), cpu()
    result = value_of_information(model, "net_per_case_gemeente", iterations=100_000, seed=1,
                                  threads=threads, studies=scenario.studies,
                                  scale=Scale(population=1000))
    doc = result.to_json()
    rows.append(("voi schiedam, 3 studies x 5 sizes, 10^5 iterations",
                 time.perf_counter() - wall, cpu() - used,
                 "optimal: " + ", ".join(f"{k} n={v['optimal_size']} (ENBS "
                                         f"{v['enbs'][v['sizes'].index(v['optimal_size'])]:,.0f})"
                                         for k, v in doc["studies"].items())))
    wall, used = time.perf_counter(), cpu()
    plain = value_of_information(model, "net_per_case_gemeente", iterations=100_000, seed=1,
                                 threads=threads)
    rows.append(("voi schiedam without studies (EVPI + EVPPI only)",
                 time.perf_counter() - wall, cpu() - used, f"EVPI {plain.evpi:,.1f} per case"))
    return rows


def studies_alone() -> list[tuple[str, float, float, str]]:
    rng = np.random.default_rng(3)
    theta = rng.beta(63.5, 18.0, 100_000)
    g = 3000 * theta - 2300
    rows = []
    for label, func in (
        ("binomial study, sizes 25..400 (this module)",
         lambda: [evsi.evsi_binomial(theta, g, n)[0] for n in (25, 50, 100, 200, 400)]),
        ("binomial study, sizes 25..400 (plain numpy/scipy)",
         lambda: [reference_binomial(theta, g, n) for n in (25, 50, 100, 200, 400)]),
    ):
        wall, used = time.perf_counter(), cpu()
        values = func()
        rows.append((label, time.perf_counter() - wall, cpu() - used,
                     "EVSI " + ", ".join(f"{v:.3f}" for v in values)))
    t = rng.normal(-0.22, 0.25, 100_000)
    g = 2000 * np.exp(t) - 1700
    for label, func in (
        ("normal study (log scale), sizes 10..160 (this module)",
         lambda: [evsi.evsi_normal(t, g, 0.47 / math.sqrt(n))[0] for n in (10, 20, 40, 80, 160)]),
        ("normal study (log scale), sizes 10..160 (plain numpy/scipy)",
         lambda: [reference_normal(t, g, 0.47 / math.sqrt(n)) for n in (10, 20, 40, 80, 160)]),
    ):
        wall, used = time.perf_counter(), cpu()
        values = func()
        rows.append((label, time.perf_counter() - wall, cpu() - used,
                     "EVSI " + ", ".join(f"{v:.3f}" for v in values)))
    return rows


def accuracy() -> list[tuple[str, float, float, str]]:
    rng = np.random.default_rng(4)
    rows = []
    theta = rng.normal(0.3, 1.0, 1_000_000)
    wall, used = time.perf_counter(), cpu()
    found = [(n, *evsi.evsi_normal(theta, theta, 2.0 / math.sqrt(n))) for n in (1, 16, 256)]
    notes = []
    for n, value, mcse in found:
        s = math.sqrt(n / (n + 4.0))
        exact = s * stats.norm.pdf(0.3 / s) + 0.3 * stats.norm.cdf(0.3 / s) - 0.3
        notes.append(f"n={n}: {value:.5f} ± {mcse:.5f} vs {exact:.5f}")
    rows.append(("normal-normal EVSI, 10^6 draws (accuracy)", time.perf_counter() - wall,
                 cpu() - used, "; ".join(notes)))
    theta = rng.beta(3.0, 2.0, 1_000_000)
    wall, used = time.perf_counter(), cpu()
    notes = []
    for n in (5, 50, 200):
        value, mcse = evsi.evsi_binomial(theta, theta - 0.55, n)
        k = np.arange(n + 1)
        p = stats.betabinom.pmf(k, n, 3.0, 2.0)
        exact = float(np.sum(p * np.maximum((3 + k) / (5 + n) - 0.55, 0)) - 0.05)
        notes.append(f"n={n}: {value:.5f} ± {mcse:.5f} vs {exact:.5f}")
    rows.append(("beta-binomial EVSI, 10^6 draws (accuracy)", time.perf_counter() - wall,
                 cpu() - used, "; ".join(notes)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    rows = speed(args.threads) + studies_alone() + accuracy()
    lines = [
        f"\n## {datetime.date.today().isoformat()} — {platform.node() or 'machine'}\n",
        f"{platform.machine()}, {os.cpu_count()} cores, load average {load:.2f} at start "
        f"(shared machine); Python {platform.python_version()}, numpy {np.__version__}, "
        f"onzekerheid {oz.__version__}; {args.threads} threads.\n",
        "| step | wall s | CPU s | notes |", "|---|---:|---:|---|",
        *[f"| {label} | {wall:.2f} | {used:.2f} | {note} |" for label, wall, used, note in rows],
    ]
    target = HERE / "results" / "evsi.md"
    if not target.exists():
        target.write_text("# EVSI speed and accuracy\n\nTarget (issue 15): `voi` with three "
                          "studies x five sizes at 10^5 iterations under 30 s on 2 cores.\n")
    with target.open("a") as handle:
        handle.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
