"""The result of a simulation: samples, summaries, and the contract's JSON document."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _display
from ..scenario.model import Scenario
from .audit import Audit, audit_summary, claim_holds, claim_sides, sorted_claim_counts
from .distribution import domain_json
from .judgements import JudgementLayer, judgement_layer
from .mcse import rows_per_batch
from .summary import INFINITE_OK, Summary, summarize_ordered

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Result:
    """Samples of one run. ``data`` has shape (iterations, len(columns)), float64.

    ``columns`` holds the stored parameters (random and expression ones) and every output.
    """

    scenario: Scenario
    iterations: int
    seed: int
    ci: float
    data: np.ndarray
    columns: tuple[str, ...]
    outputs: tuple[str, ...]
    _summaries: dict[str, Summary] = field(default_factory=dict, repr=False)
    convergence: dict[str, Any] | None = None  # what `run --precision` reached
    _layer: list[JudgementLayer | None] = field(default_factory=list, repr=False)
    evidence: dict[str, Any] | None = None  # what [[evidence]] did (see posterior.py)
    _positions: dict[str, int] = field(default_factory=dict, repr=False)
    # per output with a claim: (claim_holds, claim_sides), counted from the summary's sort
    _claim_counts: dict[str, tuple[tuple[float, float, int], tuple[float, float]]] = field(
        default_factory=dict, repr=False)

    def __getitem__(self, name: str) -> np.ndarray:
        if len(self._positions) != len(self.columns):  # a dict: tuple.index is O(columns)
            self._positions.update((n, i) for i, n in enumerate(self.columns))
        try:
            return self.data[:, self._positions[name]]
        except KeyError:
            raise KeyError(f"'{name}' was not stored; stored: {', '.join(self.columns)}") from None

    @property
    def samples(self) -> pd.DataFrame:
        """One row per iteration, one column per stored parameter and output."""
        import pandas as pd  # imported on use: it adds ~0.3 s to every command's start

        return pd.DataFrame(self.data, columns=list(self.columns))

    @property
    def batch(self) -> int:
        """Rows per batch for every MCSE: the engine's block with ``[correlations]``, else 1
        (see :mod:`.mcse`)."""
        return rows_per_batch(self.scenario)

    def summarize_all(self, threads: int | None = None) -> dict[str, Summary]:
        """Every output's summary, computed on a thread pool (numpy's partial sorts and
        reductions release the GIL, so outputs are summarised side by side)."""
        missing = [n for n in self.outputs if n not in self._summaries]
        if len(missing) > 1 and self.iterations >= 200_000:
            workers = min(len(missing), threads or os.cpu_count() or 1)
            self[missing[0]]  # fills the name -> column map before the threads read it
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(self.summary_of, missing))
        return {n: self.summary_of(n) for n in self.outputs}

    def summary_of(self, name: str) -> Summary:
        if name not in self._summaries:
            summary, ordered = summarize_ordered(self[name], self.ci,
                                                 self.scenario.claims.get(name), self.batch,
                                                 keep_inf=name in INFINITE_OK)
            stated = self.scenario.claim_of(name)
            if ordered is not None and stated is not None:  # the audit's counts, same sort
                self._claim_counts[name] = sorted_claim_counts(ordered, stated)
            self._summaries[name] = summary
        return self._summaries[name]

    def audit_of(self, name: str) -> Audit | None:
        """The claim audit of an output (None without a claim); see :mod:`.audit`."""
        stated = self.scenario.claim_of(name)
        if stated is None:
            return None
        output = self.scenario.outputs.get(name)
        better = output.better if output is not None else "higher"
        summary = self.summary_of(name)
        holds, sides = self._claim_counts.get(name) or (
            claim_holds(self[name], stated, self.batch), claim_sides(self[name], stated))
        return audit_summary(name, summary, ci=self.ci, currency=self.scenario.currency,
                             stated=stated, holds=holds[:2],
                             unit=output.unit if output is not None else None, better=better,
                             sides=sides)

    def judgements(self, threads: int | None = None) -> JudgementLayer | None:
        """The run without the judgements and their switching values (see :mod:`.judgements`);
        None when the scenario marks no ``judgement = true``. Computed once, on first use."""
        if not self._layer:
            self._layer.append(judgement_layer(self.scenario, self.iterations, self.seed,
                                               self.ci, threads))
        return self._layer[0]

    def _output_json(self, name: str) -> dict[str, Any]:
        doc: dict[str, Any] = {**words(self.scenario, name), **self.summary_of(name).as_dict()}
        audit = self.audit_of(name)
        if audit is not None:
            doc.update(p_claim_or_more=_finite(audit.p_claim_or_more),
                       p_claim_or_more_mcse=_finite(audit.p_claim_or_more_mcse),
                       p_claim_holds=_finite(audit.p_claim_holds),
                       p_claim_holds_mcse=_finite(audit.p_claim_holds_mcse),
                       claim_stated=audit.stated.as_dict() if audit.stated else None,
                       within_noise=audit.within_noise,
                       verdict=audit.verdict,
                       sentence={"en": audit.sentence_en, "nl": audit.sentence_nl})
        layer = self.judgements()
        if layer is not None:
            doc.update(layer.output_json(name))
        return doc

    def summary(self) -> pd.DataFrame:
        """One row per output: mean, sd, mcse, median, low, high, p_positive, claim, ..."""
        rows = {name: summary.as_dict() for name, summary in self.summarize_all().items()}
        import pandas as pd

        return pd.DataFrame.from_dict(rows, orient="index")

    def to_json(self) -> dict[str, Any]:
        """The ``run --json`` document of the contract."""
        return {
            "scenario": {"title": self.scenario.title, "file": self.scenario.file},
            "mode": "monte-carlo",
            "iterations": self.iterations,
            "seed": self.seed,
            "ci": self.ci,
            "outputs": {name: self._output_json(name) for name in self.summarize_all()},
            **({"convergence": self.convergence} if self.convergence is not None else {}),
            **({"evidence": self.evidence} if self.evidence is not None else {}),
            **domain_json(self),
        }

    def _repr_html_(self) -> str | None:
        """Jupyter: the summary table and small histograms (see :mod:`..report.notebook`)."""
        return _display.html(self)


@dataclass(frozen=True)
class PointResult:
    """The published arithmetic: every parameter at its point value, evaluated once."""

    scenario: Scenario
    values: dict[str, float]
    outputs: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": {"title": self.scenario.title, "file": self.scenario.file},
            "mode": "point",
            "outputs": {
                name: {"value": _finite(self.values[name]),
                       "claim": self.scenario.claims.get(name)}
                for name in self.outputs
            },
        }

    def _repr_html_(self) -> str | None:
        """Jupyter: each output's point value beside its claim."""
        return _display.html(self)


def words(scenario: Scenario, name: str) -> dict[str, str]:
    """``label``, ``unit`` and ``better`` of an output for the JSON documents (the contract)."""
    output = scenario.outputs.get(name)
    if output is None:  # a parameter shown as an output column
        parameter = scenario.parameters.get(name)
        return {"label": (parameter.label if parameter else "") or name,
                "unit": parameter.unit if parameter else "", "better": "none"}
    return {"label": output.label or name, "unit": output.unit, "better": output.better}


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None
