"""Speed and accuracy of the analyses (issue 4) at full settings.

Speed: Sobol' indices on a 15-parameter scenario at 2^14 base samples (target: under a minute
on 2 cores), the same on the Schiedam scenario with its per-case randomness as a group, and
EVPI/EVPPI by regression. Accuracy: Ishigami Sobol' indices at 2^15 against Saltelli et al.
(2008), and EVPI/EVPPI of an additive normal net benefit at 10^6 iterations against their
closed forms (the test suite runs the same checks at fast settings). Appends a table to
benchmarks/results/analysis.md.

    python benchmarks/analysis_speed.py [--threads 2]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
from pathlib import Path

import numpy as np

import onzekerheid as oz
from onzekerheid.analysis import sensitivity as sa
from onzekerheid.analysis import voi
from onzekerheid.analysis.model import model_of

HERE = Path(__file__).parent
ROOT = HERE.parent


def timed(label: str, func, rows: list[tuple[str, float, str]], note: str = "") -> object:
    start = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - start
    rows.append((label, seconds, note))
    print(f"{label}: {seconds:.2f} s {note}")
    return result


def accuracy() -> list[tuple[str, float, str]]:
    """Full-settings accuracy against closed forms (label, seconds, what was found)."""
    import math

    from scipy import stats

    pi = math.pi
    ishigami = oz.loads(
        "[scenario]\ntitle = \"Ishigami\"\n[parameters]\n"
        + "".join(f"x{i} = {{ dist = \"uniform\", min = {-pi!r}, max = {pi!r} }}\n"
                  for i in (1, 2, 3))
        + '[outputs]\ny = "sin(x1) + 7 * sin(x2) ** 2 + 0.1 * x3 ** 4 * sin(x1)"\n')
    start = time.perf_counter()
    found = sa.sobol(model_of(ishigami), "y", base=2**15, seed=7)
    seconds = time.perf_counter() - start
    first_err = np.max(np.abs(found.first - np.array([0.3139, 0.4424, 0.0])))
    total_err = np.max(np.abs(found.total - np.array([0.5576, 0.4424, 0.2437])))
    rows = [("Ishigami Sobol', 2^15 base (accuracy)", seconds,
             f"largest error first order {first_err:.4f}, total {total_err:.4f} "
             "(test suite: < 0.03 at 2^14)")]
    # NB = a + b with a ~ N(100, 200^2), b ~ N(0, 150^2): EVPI with sigma = 250, EVPPI(a)
    # with sigma = 200 (E[NB | a] = a)
    normal = oz.loads('[scenario]\ntitle = "nb"\n[parameters]\n'
                      'a = { dist = "normal", mean = 100, sd = 200 }\n'
                      'b = { dist = "normal", mean = 0, sd = 150 }\n'
                      '[outputs]\nnet_benefit = "a + b"\n')

    def closed(mu: float, sigma: float) -> float:
        z = mu / sigma
        return mu * stats.norm.cdf(z) + sigma * stats.norm.pdf(z) - max(mu, 0.0)

    start = time.perf_counter()
    value = voi.value_of_information(model_of(normal), "net_benefit", iterations=1_000_000,
                                     seed=7)
    seconds = time.perf_counter() - start
    rows.append(("EVPI / EVPPI of a normal net benefit, 10^6 (accuracy)", seconds,
                 f"EVPI {value.evpi:.2f} ± {value.evpi_mcse:.2f} vs {closed(100, 250):.2f}; "
                 f"EVPPI(a) {value.evppi['a']:.2f} vs {closed(100, 200):.2f}; "
                 f"EVPPI(b) {value.evppi['b']:.2f} vs {closed(100, 150):.2f}"))
    for label, secs, note in rows:
        print(f"{label}: {secs:.2f} s {note}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rows: list[tuple[str, float, str]] = []
    load = os.getloadavg()[0]

    mixed = model_of(oz.load(HERE / "scenarios" / "mixed15.toml"))
    output = "net_benefit" if "net_benefit" in mixed.scenario.outputs else next(
        iter(mixed.scenario.outputs))
    sa.sobol(mixed, output, base=2**6)  # compile outside the timing
    result = timed(f"Sobol', mixed15 ({len(mixed.names)} parameters), 2^14 base",
                   lambda: sa.sobol(mixed, output, base=2**14, seed=1, threads=args.threads),
                   rows)
    rows[-1] = (*rows[-1][:2], f"{result.evaluations:,} evaluations, 16 scrambled replicates")
    timed("EVPI + EVPPI, mixed15, 100,000 iterations",
          lambda: voi.value_of_information(mixed, output, iterations=100_000, seed=1,
                                           threads=args.threads), rows)

    schiedam = model_of(oz.load(ROOT / "scenarios" / "schiedam.toml"))
    sa.sobol(schiedam, "savings_per_case", base=2**6)
    result = timed(f"Sobol', schiedam ({len(schiedam.names)} parameters + cases group, "
                   "188 cases), 2^14 base",
                   lambda: sa.sobol(schiedam, "savings_per_case", base=2**14, seed=1,
                                    threads=args.threads), rows)
    doc = result.to_json()
    shares = ", ".join(f"{k} {v['total']:.2f}" for k, v in doc["parameters"].items())
    rows[-1] = (*rows[-1][:2], f"total-order: {shares}")

    rows.extend(accuracy())
    if args.no_write:
        return
    out = HERE / "results" / "analysis.md"
    lines = [
        f"\n## {datetime.date.today()} — {platform.node()}",
        "",
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load:.2f} at start; Python {platform.python_version()}, numpy {np.__version__}, "
        f"onzekerheid {oz.__version__}; {args.threads} threads.",
        "",
        "| analysis | seconds | notes |",
        "|---|---:|---|",
        *[f"| {label} | {seconds:.2f} | {note} |" for label, seconds, note in rows],
        "",
    ]
    if not out.exists():
        lines.insert(0, "# Analysis speed\n\nTarget (issue 4): Sobol' on a 15-parameter "
                        "scenario with 2^14 base samples in under a minute on 2 cores.\n")
    with out.open("a") as handle:
        handle.write("\n".join(lines))


if __name__ == "__main__":
    main()
