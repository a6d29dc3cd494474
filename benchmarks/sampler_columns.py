"""Per-draw CPU time of one column of draws, for the families with set-up-once samplers
(issue 17): 120 blocks of 16,384 draws, each block from its own generator as in a run, best
of three.

    PYTHONPATH=BEFORE_SRC python benchmarks/sampler_columns.py   # then the other tree, alternated

Prints ns per draw as JSON.
"""

from __future__ import annotations

import json
import time

import numpy as np

from onzekerheid.engine import _kernels as k
from onzekerheid.families import CODES

ROWS = 16_384
BLOCKS = 120
# name: family, canonical arguments, lower, upper
CASES = {
    "poisson(120)": ("poisson", (120.0, 0, 0, 0), -np.inf, np.inf),
    "binomial(4,0.6)>=1": ("binomial", (4.0, 0.6, 0, 0), 1.0, np.inf),
    "gamma(2,0.05)<=0.3": ("gamma", (2.0, 0.05, 0, 0), -np.inf, 0.3),
    "beta(30,10)": ("beta", (30.0, 10.0, 0, 0), -np.inf, np.inf),
}


def per_draw(family: str, args: tuple[float, ...], lower: float, upper: float) -> float:
    """Best of three: CPU ns per draw over BLOCKS columns of ROWS draws."""
    empty = np.empty(0)
    buf = np.empty((ROWS, 1), order="F")
    row = np.array(args, dtype=np.float64)

    def column(seed: int) -> None:
        k.draw_column(np.random.Generator(np.random.PCG64(seed)), buf, 0, 0, ROWS,
                      CODES[family], row, lower, upper, empty, empty)

    column(0)  # compile or load the kernel
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for seed in range(BLOCKS):
            column(seed)
        best = min(best, (time.process_time() - start) / (BLOCKS * ROWS) * 1e9)
    return best


if __name__ == "__main__":
    print(json.dumps({name: round(per_draw(*case), 1) for name, case in CASES.items()}))
