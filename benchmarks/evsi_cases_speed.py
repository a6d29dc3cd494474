"""Speed of the case sample in ``voi`` (issue 15: ``--group NAME=cases``, ``parameter = "cases"``).

1. The kernel: the per-case kernel now also writes each iteration's mean case amounts. A/B of
   ``runner.run`` on ``scenarios/utrecht.toml`` (2^18 iterations, 1 thread, the output
   ``savings_per_case``) between ``src/`` of a base revision (``git archive``, with its own
   scenarios) and this tree, in child processes that alternate (A B B A ...), each after a
   warm-up run; the fastest CPU time of each.
2. ``voi`` on Utrecht at 10^5 iterations: without studies, with ``--group sample=cases``, and
   with its ``measure_cases`` study (5 sizes); wall-clock and CPU time of this process (numpy's
   BLAS threads included), with the load average at the start (the machine is shared).
3. A plain-numpy reference for the study's EVSI on the same sample: per size, a cubic
   polynomial (all products to degree 3) of the summaries fitted by ``numpy.linalg.lstsq`` on
   the whole design matrix, as a user would write the Strong et al. (2015) method.
4. A check of the estimate where the regression is weakest (the value lives in the far tail:
   the decision changes in about 1% of the summaries): likelihood weighting (Menzies 2016) in
   ``d`` dimensions, ``m(t_i) = sum_j g_j K(t_i - theta_j) / sum_j K(t_i - theta_j)`` with
   ``K`` the N(0, Sigma / n) density and ``g`` voi's fit of NB on the case means, exact Bayes
   for the sample's prior given ``g``; evaluated for the 3,000 summaries lowest on the linear
   predictor (``m`` at the last of them is printed: far above 0, so the rest add nothing).

Appends a section to benchmarks/results/2026-12-01-issue15-cases.md.

    python benchmarks/evsi_cases_speed.py [--base 7ec844a] [--repeats 3]
"""

from __future__ import annotations

import argparse
import datetime
import io
import itertools
import math
import os
import platform
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import stats

import onzekerheid as oz
from onzekerheid.analysis import voi
from onzekerheid.analysis.model import Model, case_sample, model_of, sample_rows
from onzekerheid.analysis.voi import study_noise, value_of_information

HERE = Path(__file__).parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "2026-12-01-issue15-cases.md"
CHILD = """
import sys, time
import onzekerheid as oz
from onzekerheid.engine import runner
from onzekerheid.plan import build_plan
plan = build_plan(oz.load(sys.argv[1]))
keep = [plan.names.index("savings_per_case")]
runner.run(plan, 20_000, 1, keep, threads=1)
start = time.process_time()
runner.run(plan, 2**18, 1, keep, threads=1)
print(time.process_time() - start)
"""


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def kernel_ab(base: str, repeats: int) -> list[tuple[str, float, float, str]]:
    """Fastest CPU seconds of one 2^18-iteration run, base revision against this tree."""
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", base, "src", "scenarios"],
                                 check=True, capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        sides = {f"base {base}": (Path(folder) / "src", Path(folder) / "scenarios"),
                 "this tree": (ROOT / "src", ROOT / "scenarios")}
        times: dict[str, list[float]] = {name: [] for name in sides}
        order = list(sides)
        for _ in range(repeats):
            for name in itertools.chain(order, reversed(order)):
                src, scenarios = sides[name]
                env = {**os.environ, "PYTHONPATH": str(src)}
                out = subprocess.run([sys.executable, "-c", CHILD,
                                      str(scenarios / "utrecht.toml")], env=env, check=True,
                                     capture_output=True, text=True).stdout
                times[name].append(float(out.split()[-1]))
    return [(f"kernel, utrecht, 2^18 iterations, 1 thread ({name})", math.nan, min(found),
             f"fastest of {len(found)}; all: " + ", ".join(f"{t:.3f}" for t in found))
            for name, found in times.items()]


def voi_rows() -> list[tuple[str, float, float, str]]:
    scenario = oz.load(ROOT / "scenarios" / "utrecht.toml")
    model = model_of(scenario)
    value_of_information(model, "net_benefit", iterations=2000)  # compile and warm up
    rows = []
    for label, kwargs in (
        ("voi utrecht, no studies, 10^5", {}),
        ("voi utrecht, --group sample=cases, 10^5", {"groups": {"sample": ["cases"]}}),
        ("voi utrecht, measure_cases x 5 sizes, 10^5", {"studies": scenario.studies}),
    ):
        wall, used = time.perf_counter(), cpu()
        doc = value_of_information(model, "net_benefit", iterations=100_000, seed=1,
                                   threads=2, **kwargs).to_json()
        note = f"EVPI {doc['evpi']:.3f} per case"
        if "sample" in doc["groups"]:
            note += f", EVPPI(cases) {doc['groups']['sample']['evppi']:.3f}"
        if doc.get("studies"):
            entry = doc["studies"]["measure_cases"]
            note += "; EVSI " + ", ".join(f"n={n}: {v:.3f}" for n, v in
                                          zip(entry["sizes"], entry["evsi"], strict=True))
        rows.append((label, time.perf_counter() - wall, cpu() - used, note))
    rows.append(reference(model, scenario.studies[0].sizes))
    rows.append(weighting(model, (80, 160, 320)))
    return rows


def weighting(model: Model, sizes: tuple[int, ...]) -> tuple[str, float, float, str]:
    """EVSI by likelihood weighting over the case means, for the lowest summaries only."""
    theta, nb, z, sigma, root = case_draws(model)
    g = value_fit(theta, nb)
    direction = np.linalg.lstsq(np.column_stack([np.ones(len(nb)), theta]), nb,
                                rcond=None)[0][1:]
    wall, used = time.perf_counter(), cpu()
    notes = []
    for n in sizes:
        t = theta + z @ root / math.sqrt(n)
        low = np.argsort(t @ direction)[:3000]
        whiten = np.linalg.cholesky(np.linalg.inv(sigma / n))
        a, b = t[low] @ whiten, theta @ whiten
        m = np.empty(len(low))
        for start in range(0, len(low), 250):
            rows = slice(start, start + 250)
            q = (a[rows] ** 2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2 * a[rows] @ b.T
            w = np.exp(-0.5 * (q - q.min(axis=1, keepdims=True)))
            m[rows] = (w @ g) / w.sum(axis=1)
        notes.append(f"n={n}: {np.maximum(-m, 0.0).sum() / len(nb):.3f} (m at the 3,000th "
                     f"{m[-1]:,.0f})")
    return ("check: likelihood weighting with voi's fit g, 3,000 lowest summaries",
            time.perf_counter() - wall, cpu() - used, "EVSI " + "; ".join(notes))


def value_fit(theta: np.ndarray, nb: np.ndarray) -> np.ndarray:
    """voi's group fit of NB on the case means (``g``)."""
    ranks = (stats.rankdata(theta, axis=0) - 0.5) / len(nb)
    fitted, _, _ = voi._fit_group(ranks, voi._standardised(theta), nb)
    return fitted


def case_draws(model: Model) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                      np.ndarray]:
    """The case means theta, the net benefit, the study noise z, Sigma and its root."""
    cases = case_sample(model)
    assert cases is not None
    x, nb, kept = sample_rows(model, "net_benefit", 100_000, 1, threads=2, extra=cases.cols)
    theta = x[:, len(model.names):]
    z = study_noise(1, 100_000, kept, theta.shape[1])
    sigma = np.cov(cases.amounts, rowvar=False)
    values, vectors = np.linalg.eigh(sigma)
    return theta, nb, z, sigma, (vectors * np.sqrt(np.maximum(values, 0.0))) @ vectors.T


def reference(model: Model, sizes: tuple[int, ...]) -> tuple[str, float, float, str]:
    """The plain-numpy Strong et al. (2015) regression: cubic polynomial, one lstsq."""
    theta, nb, z, _, root = case_draws(model)
    wall, used = time.perf_counter(), cpu()
    found = []
    for n in sizes:
        t = theta + z @ root / math.sqrt(n)
        t = (t - t.mean(axis=0)) / np.where(t.std(axis=0) > 0, t.std(axis=0), 1.0)
        terms = [np.prod(t[:, list(c)], axis=1) for d in (1, 2, 3)
                 for c in itertools.combinations_with_replacement(range(t.shape[1]), d)]
        design = np.column_stack([np.ones(len(nb)), *terms])
        fitted = design @ np.linalg.lstsq(design, nb, rcond=None)[0]
        found.append(np.maximum(fitted, 0.0).mean() - max(fitted.mean(), 0.0))
    return ("reference: cubic polynomial + numpy lstsq, same sample, 5 sizes",
            time.perf_counter() - wall, cpu() - used,
            "EVSI " + ", ".join(f"n={n}: {v:.3f}" for n, v in zip(sizes, found, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="7ec844a")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()
    rows = kernel_ab(args.base, args.repeats) + voi_rows()
    lines = [
        f"\n## {datetime.date.today().isoformat()} — {platform.node() or 'machine'}\n",
        f"{platform.machine()}, {os.cpu_count()} cores, load average {load[0]:.2f} / "
        f"{load[1]:.2f} / {load[2]:.2f} (1/5/15 min) at the start, "
        f"{os.getloadavg()[0]:.2f} at the end (shared machine); Python "
        f"{platform.python_version()}, numpy {np.__version__}; `python "
        f"benchmarks/evsi_cases_speed.py --base {args.base} --repeats {args.repeats}`.\n",
        "| step | wall s | CPU s | notes |", "|---|---:|---:|---|",
        *[f"| {label} | {'' if math.isnan(wall) else f'{wall:.2f}'} | {used:.2f} | {note} |"
          for label, wall, used, note in rows],
    ]
    if not RESULTS.exists():
        RESULTS.write_text("# The case sample in voi: speed (issue 15)\n\nHow measured: see "
                           "the docstring of benchmarks/evsi_cases_speed.py.\n")
    with RESULTS.open("a") as handle:
        handle.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
