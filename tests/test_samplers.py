"""The engine's set-up-once samplers draw exactly what numpy's Generator methods draw."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from onzekerheid.engine import _kernels as k
from onzekerheid.families import CODES

N = 20_000
EMPTY = np.empty(0)
jit = numba.njit(nogil=True)


def _generator(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


def _column(code: str, args: tuple[float, ...], seed: int, lower: float = -np.inf,
            upper: float = np.inf) -> np.ndarray:
    buf = np.empty((N, 1), order="F")
    padded = np.zeros(4)
    padded[: len(args)] = args
    k.draw_column(_generator(seed), buf, 0, 0, N, CODES[code], padded, lower, upper, EMPTY,
                  EMPTY)
    return buf[:, 0]


def _reference(draw, seed: int, lower: float = -np.inf, upper: float = np.inf) -> np.ndarray:
    """numpy's method, one call per value, redrawing outside [lower, upper] (inline rejection)."""
    gen = _generator(seed)
    out = np.empty(N)
    for i in range(N):
        x = draw(gen)
        while x < lower or x > upper:
            x = draw(gen)
        out[i] = x
    return out


@pytest.mark.parametrize("shape", [0.3, 1.0, 1.5, 2.0, 30.0, 1e4])
def test_gamma_matches_numpy(shape: float) -> None:
    got = _column("gamma", (shape, 0.05), seed=1)
    assert np.array_equal(got, _reference(lambda g: g.gamma(shape, 0.05), seed=1))


@pytest.mark.parametrize(("a", "b"), [(30.0, 10.0), (2.0, 8.0), (1.2, 0.7), (0.7, 1.2),
                                      (5.0, 1.0), (1.0, 1.0), (0.5, 0.5), (1e-3, 2.0)])
def test_beta_matches_numpy(a: float, b: float) -> None:
    got = _column("beta", (a, b), seed=2)
    want = _reference(lambda g: g.beta(a, b), seed=2)
    assert np.array_equal(got, want)


def test_pert_is_the_scaled_beta_and_truncation_redraws_in_stream_order() -> None:
    got = _column("pert", (3.0, 2.0, 5.0, 25.0), seed=3, lower=8.0, upper=20.0)
    want = _reference(lambda g: 5.0 + 25.0 * g.beta(3.0, 2.0), seed=3, lower=8.0, upper=20.0)
    assert np.array_equal(got, want)


@jit
def _numba_poisson(gen, lam, lower, out):  # type: ignore[no-untyped-def]
    for i in range(out.shape[0]):
        x = float(gen.poisson(lam))
        while x < lower:
            x = float(gen.poisson(lam))
        out[i] = x


@pytest.mark.parametrize("lam", [0.0, 3.0, 9.99, 10.0, 120.0, 1e6])
def test_poisson_matches_the_numba_stream(lam: float) -> None:
    """numba's ``Generator.poisson`` (the engine's stream before; see engine._samplers)."""
    lower = 1.0 if lam == 120.0 else -np.inf
    got = _column("poisson", (lam,), seed=4, lower=lower)
    want = np.empty(N)
    _numba_poisson(_generator(4), lam, lower, want)
    assert np.array_equal(got, want)
    if lam > 10.0:  # and, at larger means, numpy's own too (numba's deviations are rarer)
        assert np.array_equal(got, _reference(lambda g: float(g.poisson(lam)), 4, lower))


@pytest.mark.parametrize(("n", "p"), [(4, 0.6), (10, 0.5), (100, 0.1), (30, 0.99),
                                      (1000, 0.8), (7, 1.0), (0, 0.3), (5, 0.0)])
def test_binomial_matches_numpy(n: int, p: float) -> None:
    got = _column("binomial", (n, p), seed=5, lower=1.0 if n == 4 else -np.inf)
    lower = 1.0 if n == 4 else -np.inf
    assert np.array_equal(got, _reference(lambda g: float(g.binomial(n, p)), 5, lower))
