"""Rank correlations between parameters: the ``[correlations]`` section, validated.

Two ways to write the section (both give Spearman rank correlations)::

    [correlations]
    pairs = [["report_cost", "still_referred", 0.5],
             ["reports_before", "reports_after", -0.3]]

    [correlations]
    names  = ["a", "b", "c"]
    matrix = [[1.0, 0.5, 0.0],
              [0.5, 1.0, 0.2],
              [0.0, 0.2, 1.0]]

Pairs not written are uncorrelated. Only random parameters can be correlated. The matrix of
rank correlations must be possible (positive semi-definite); an impossible one is a load error
that names the pair contributing most to the violation, never silently repaired.

The loader keeps the validated matrix as :class:`~onzekerheid.scenario.model.Correlations`;
the plan turns it into a Cholesky factor and the engine imposes it
(:mod:`onzekerheid.engine.correlations`) with the Iman–Conover (1982) method on every block of
``BLOCK`` rows: normal scores ``Phi^-1(r / (m + 1))`` in a random order are given the Pearson
correlation ``2 sin(pi rho_s / 6)`` (the normal-copula value whose Spearman correlation is
``rho_s``), and each parameter's draws are rearranged into the rank order of its scores.
Draws are only permuted within a block, so every marginal distribution is preserved exactly;
the order is drawn from the block's own stream, so results do not depend on thread count.

Reference: Iman, R. L. and Conover, W. J. (1982), A distribution-free approach to inducing rank
correlation among input variables, Commun. Statist. B 11(3), 311–334.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import Problems, did_you_mean

KEYS = {"pairs", "names", "matrix", "note", "source"}
TOLERANCE = 1e-10


def parse_correlations(raw: Any, parameters: dict[str, Any], problems: Problems
                       ) -> tuple[tuple[str, ...], np.ndarray] | None:
    """Validate a ``[correlations]`` table: ``(names, Spearman matrix)`` or None when absent.

    ``parameters`` maps names to :class:`~onzekerheid.scenario.model.Parameter`. Problems are
    added to ``problems`` with their key path; None is returned when any was found.
    """
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.add("correlations", "[correlations] must be a table",
                     'e.g. pairs = [["a", "b", 0.5]]')
        return None
    start = len(problems.items)
    for key in raw:
        if key not in KEYS:
            problems.add(f"correlations.{key}", f"unknown key '{key}'",
                         did_you_mean(key, KEYS) or "allowed: pairs, or names and matrix")
    if "pairs" in raw and ("names" in raw or "matrix" in raw):
        problems.add("correlations", "give either pairs or names and matrix, not both")
        return None
    if "pairs" in raw:
        names, matrix, paths = _from_pairs(raw["pairs"], problems)
    elif "names" in raw or "matrix" in raw:
        names, matrix, paths = _from_matrix(raw.get("names"), raw.get("matrix"), problems)
    else:
        problems.add("correlations", "no correlations given",
                     'add pairs = [["a", "b", 0.5]] or names = [...] and matrix = [[...]]')
        return None
    for i, name in enumerate(names):
        parameter = parameters.get(name)
        if parameter is None:
            problems.add(paths[i], f"'{name}' is not a parameter",
                         did_you_mean(name, parameters) or "use a parameter name")
        elif parameter.kind != "random":
            problems.add(paths[i], f"'{name}' is {parameter.kind}, not random; only random "
                         "parameters can be correlated", "give it a distribution or drop it")
    if len(problems.items) > start:
        return None
    for target, label in ((matrix, "rank"), (score_matrix(matrix), "normal-score")):
        worst = _impossible_pair(target)
        if worst is not None:
            i, j, smallest = worst
            problems.add("correlations", f"the {label} correlations cannot hold together (the "
                         f"matrix is not positive semi-definite, smallest eigenvalue "
                         f"{smallest:.3g}); the pair {names[i]} - {names[j]} "
                         f"({matrix[i, j]:g}) contributes most",
                         "weaken that pair or the pairs that link the same parameters")
            return None
    return tuple(names), matrix


def score_matrix(spearman: np.ndarray) -> np.ndarray:
    """Pearson correlation of normal scores with the given Spearman correlation.

    For a bivariate normal, ``rho_s = (6 / pi) arcsin(rho / 2)`` (Pearson 1907), hence
    ``rho = 2 sin(pi rho_s / 6)``.
    """
    out = 2.0 * np.sin(np.pi * np.asarray(spearman) / 6.0)
    np.fill_diagonal(out, 1.0)
    return out


def _from_pairs(pairs: Any, problems: Problems) -> tuple[list[str], np.ndarray, list[str]]:
    names: list[str] = []
    paths: list[str] = []
    entries = []
    if not isinstance(pairs, list) or not pairs:
        problems.add("correlations.pairs", "pairs must be a list of [name, name, correlation]",
                     'e.g. pairs = [["a", "b", 0.5]]')
        return names, np.eye(0), paths
    for i, pair in enumerate(pairs):
        path = f"correlations.pairs.{i}"
        if (not isinstance(pair, list) or len(pair) != 3 or not isinstance(pair[0], str)
                or not isinstance(pair[1], str) or not _number(pair[2])):
            problems.add(path, f"expected [name, name, correlation], got {pair!r}",
                         'e.g. ["report_cost", "still_referred", 0.5]')
            continue
        a, b, rho = pair[0], pair[1], float(pair[2])
        if a == b:
            problems.add(path, f"'{a}' is paired with itself")
            continue
        if not -1.0 <= rho <= 1.0:
            problems.add(path, f"a correlation must lie in -1..1, got {rho:g}")
            continue
        for name in (a, b):
            if name not in names:
                names.append(name)
                paths.append(path)
        entries.append((a, b, rho, path))
    matrix = np.eye(len(names))
    seen: dict[tuple[int, int], str] = {}
    for a, b, rho, path in entries:
        i, j = sorted((names.index(a), names.index(b)))
        if (i, j) in seen:
            problems.add(path, f"the pair {a} - {b} is given twice (also at {seen[(i, j)]})",
                         "keep one")
        seen[(i, j)] = path
        matrix[i, j] = matrix[j, i] = rho
    return names, matrix, paths


def _from_matrix(names: Any, matrix: Any, problems: Problems
                 ) -> tuple[list[str], np.ndarray, list[str]]:
    if (not isinstance(names, list) or len(names) < 2
            or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names)):
        problems.add("correlations.names", "names must be a list of two or more different "
                     "parameter names", 'e.g. names = ["a", "b"]')
        return [], np.eye(0), []
    k = len(names)
    if (not isinstance(matrix, list) or len(matrix) != k
            or not all(isinstance(r, list) and len(r) == k and all(map(_number, r))
                       for r in matrix)):
        problems.add("correlations.matrix", f"matrix must be {k} rows of {k} numbers, one per "
                     "name", "write the full symmetric matrix with ones on the diagonal")
        return [], np.eye(0), []
    m = np.asarray(matrix, dtype=np.float64)
    for i in range(k):
        if m[i, i] != 1.0:
            problems.add(f"correlations.matrix.{i}", f"diagonal entry {i} is {m[i, i]:g}, "
                         "must be 1")
        for j in range(i + 1, k):
            if m[i, j] != m[j, i]:
                problems.add(f"correlations.matrix.{i}", f"not symmetric: {names[i]} - "
                             f"{names[j]} is {m[i, j]:g} one way, {m[j, i]:g} the other")
            elif not -1.0 <= m[i, j] <= 1.0:
                problems.add(f"correlations.matrix.{i}", f"{names[i]} - {names[j]}: a "
                             f"correlation must lie in -1..1, got {m[i, j]:g}")
    return list(names), m, ["correlations.names"] * k


def _impossible_pair(matrix: np.ndarray) -> tuple[int, int, float] | None:
    if len(matrix) < 2:
        return None
    values, vectors = np.linalg.eigh(matrix)
    if values[0] >= -TOLERANCE:
        return None
    v = vectors[:, 0]
    contribution = np.outer(v, v) * matrix  # v' M v = sum_ij v_i v_j M_ij < 0
    np.fill_diagonal(contribution, np.inf)
    row, col = np.unravel_index(np.argmin(contribution), contribution.shape)
    i, j = sorted((int(row), int(col)))
    return i, j, float(values[0])


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
