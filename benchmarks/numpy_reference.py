"""The model of ``scenarios/mixed15.toml`` written as a user would in plain, vectorised numpy.

This is the yardstick of ``run_benchmarks.py``: one whole process that draws every parameter
with a numpy ``Generator``, evaluates the outputs as array expressions and prints a summary per
output (mean, sd, MCSE, 5/50/95% quantiles, share above zero). No numba, no scipy, no pandas:
what someone who knows numpy would write in an afternoon.

Truncated parameters are redrawn where they fall outside their bounds, which is rejection
sampling, the same distribution onzekerheid draws. The lognormal ``ci`` arguments are turned
into ``mu, sigma`` of log X with the standard-normal quantile of the 90% interval.

Usage::

    python benchmarks/numpy_reference.py -n 1000000 --seed 1 [--json]
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable
from statistics import NormalDist

import numpy as np

Z90 = NormalDist().inv_cdf(0.95)  # 90% central interval: +-1.645 standard deviations


def lognormal_ci(rng: np.random.Generator, low: float, high: float, n: int) -> np.ndarray:
    """Lognormal whose 90% central interval is [low, high]."""
    mu = (math.log(low) + math.log(high)) / 2
    sigma = (math.log(high) - math.log(low)) / (2 * Z90)
    return rng.lognormal(mu, sigma, n)


def pert(rng: np.random.Generator, low: float, mode: float, high: float, n: int,
         lam: float = 4.0) -> np.ndarray:
    """PERT: a beta on [low, high] with shape 1 + lam (mode - low) / (high - low), ..."""
    width = high - low
    a = 1 + lam * (mode - low) / width
    b = 1 + lam * (high - mode) / width
    return low + width * rng.beta(a, b, n)


def truncated(draw: Callable[[int], np.ndarray], n: int, lower: float = -np.inf,
              upper: float = np.inf) -> np.ndarray:
    """Draw n values and redraw those outside [lower, upper] until none are left."""
    x = draw(n)
    bad = np.flatnonzero((x < lower) | (x > upper))
    while bad.size:
        x[bad] = draw(bad.size)
        bad = bad[(x[bad] < lower) | (x[bad] > upper)]
    return x


def model(n: int, seed: int) -> dict[str, np.ndarray]:
    """Draw ``n`` iterations of every parameter and return the six outputs."""
    rng = np.random.default_rng(seed)
    cases_per_year = rng.poisson(120, n).astype(float)
    success_rate = rng.beta(30, 10, n)
    cost_per_case = lognormal_ci(rng, 5000, 20000, n)
    admin_cost = lognormal_ci(rng, 20000, 60000, n)
    hours_per_case = pert(rng, 5, 10, 30, n)
    hourly_rate = rng.triangular(70, 85, 110, n)
    overhead_share = rng.uniform(0.05, 0.20, n)
    staff_cost = truncated(lambda k: rng.normal(300000, 40000, k), n, lower=220000)
    drop_off = truncated(lambda k: rng.gamma(2, 0.05, k), n, upper=0.3)
    participants = truncated(lambda k: rng.binomial(4, 0.6, k).astype(float), n, lower=1)
    vat_risk = (rng.random(n) < 0.2).astype(float)
    price_level = rng.choice([0.95, 1.0, 1.05, 1.10], size=n, p=[0.1, 0.4, 0.3, 0.2])
    deadweight = truncated(lambda k: rng.beta(2, 8, k), n, upper=0.5)
    attribution = truncated(lambda k: rng.normal(0.7, 0.15, k), n, lower=0, upper=1)
    multiplier = pert(rng, 0.8, 1.0, 1.5, n, lam=6)
    vat_rate = 0.21

    gross_savings = (cases_per_year * success_rate * cost_per_case * price_level
                     * (1 - deadweight) * attribution * (1 - drop_off) * multiplier)
    costs = (staff_cost * (1 + overhead_share) + cases_per_year * hours_per_case * hourly_rate
             + admin_cost + np.where(vat_risk != 0, vat_rate * staff_cost, 0))
    net_benefit = gross_savings - costs
    bcr = gross_savings / costs
    return {
        "gross_savings": gross_savings,
        "costs": costs,
        "net_benefit": net_benefit,
        "bcr": bcr,
        "savings_per_participant": gross_savings / np.maximum(cases_per_year * participants, 1),
        "bcr_capped": np.minimum(np.maximum(bcr, 0.5), 2),
    }


def summarize(x: np.ndarray) -> dict[str, float]:
    """Mean, sd, MCSE = sd / sqrt(n), the 5/50/95% quantiles and P(x > 0)."""
    sd = float(x.std(ddof=1))
    low, median, high = np.quantile(x, [0.05, 0.5, 0.95])
    return {"mean": float(x.mean()), "sd": sd, "mcse": sd / math.sqrt(x.size),
            "median": float(median), "low": float(low), "high": float(high),
            "p_positive": float(np.mean(x > 0))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--iterations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print a JSON document")
    args = parser.parse_args()
    outputs = {name: summarize(x) for name, x in model(args.iterations, args.seed).items()}
    if args.json:
        print(json.dumps({"iterations": args.iterations, "seed": args.seed,
                          "outputs": outputs}, indent=2))
        return
    print(f"{'output':<24}{'mean':>14}{'mcse':>12}{'q05':>14}{'median':>14}{'q95':>14}")
    for name, s in outputs.items():
        print(f"{name:<24}{s['mean']:>14.6g}{s['mcse']:>12.3g}{s['low']:>14.6g}"
              f"{s['median']:>14.6g}{s['high']:>14.6g}")


if __name__ == "__main__":
    main()
