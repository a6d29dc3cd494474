"""Claim audit: percentile, P(true >= claim), verdict and the plain-language sentences."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid.analysis.audit import audit_claim
from onzekerheid.cli import app

SCHOOL = Path(__file__).parent.parent / "scenarios" / "school_jeugdzorg.toml"


def test_audit_numbers_on_known_samples():
    values = np.arange(1000.0)  # 0 .. 999
    audit = audit_claim("net_benefit", values, 900.0)
    assert audit.percentile == 0.9 and audit.p_claim_or_more == pytest.approx(0.1)
    assert audit.p_claim_or_more_mcse == pytest.approx(np.sqrt(0.1 * 0.9 / 1000))
    assert audit.verdict == "very optimistic"
    assert "€900" in audit.sentence_en and "10.0% (1 in 10)" in audit.sentence_en
    assert "€ 900" in audit.sentence_nl and "10,0% (1 op de 10)" in audit.sentence_nl


@pytest.mark.parametrize(("claim", "verdict"), [
    (50.0, "conservative"), (400.0, "plausible"), (700.0, "optimistic"),
    (985.0, "implausible")])
def test_verdicts(claim, verdict):
    assert audit_claim("x", np.arange(1000.0), claim).verdict == verdict


def test_ratios_are_not_written_as_money_and_dutch_numbers_use_commas():
    audit = audit_claim("bcr", np.linspace(1, 3, 1001), 4.8)
    assert "€" not in audit.sentence_en and "4.8" in audit.sentence_en
    assert "4,8" in audit.sentence_nl and "minder dan 0,1%" in audit.sentence_nl


def test_run_json_carries_the_audit_and_keeps_the_contract_keys():
    result = oz.simulate(oz.load(SCHOOL), 20_000, seed=1)
    doc = result.to_json()["outputs"]["net_benefit"]
    for key in ("mean", "sd", "mcse", "median", "low", "high", "p_positive", "claim",
                "claim_percentile"):
        assert key in doc
    assert doc["p_claim_or_more"] == pytest.approx(1 - doc["claim_percentile"])
    assert set(doc["sentence"]) == {"en", "nl"}
    assert doc["verdict"] in {"conservative", "plausible", "optimistic", "very optimistic",
                              "implausible"}


def test_run_prints_one_sentence_per_claim():
    outcome = CliRunner().invoke(app, ["run", str(SCHOOL), "-n", "20000", "-q"])
    assert outcome.exit_code == 0, outcome.output
    text = " ".join(outcome.output.split())
    assert text.count("The published") == 3
    assert "The published net_benefit of €285,000" in text
    json_doc = json.loads(CliRunner().invoke(app, ["run", str(SCHOOL), "-n", "2000",
                                                   "--json"]).stdout)
    assert "p_claim_or_more" in json_doc["outputs"]["bcr"]
