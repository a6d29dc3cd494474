"""The report and `plot --kind evsi`: EVSI/ENBS curves, one sentence per study, and prior
against posterior for [[evidence]]."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from onzekerheid.cli import app
from onzekerheid.report.studies import study_sentence

SCENARIOS = Path(__file__).parent.parent / "scenarios"


def test_the_report_values_the_studies(tmp_path):
    target = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["report", str(SCENARIOS / "schiedam.toml"), "-o",
                                      str(target), "-n", "3000", "--no-sensitivity", "--lang",
                                      "en", "--population", "1000", "-q"])
    assert result.exit_code == 0, result.output
    page = target.read_text()
    assert "Which research is worth doing" in page
    assert "validation with" in page and "to this decision" in page
    assert page.count("data:image/png;base64") >= 3 + 1  # a figure per study, and more


def test_the_report_shows_prior_and_posterior(tmp_path):
    target = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["report", str(SCENARIOS / "schiedam_monitoring.toml"),
                                      "-o", str(target), "-n", "3000", "--no-sensitivity",
                                      "--lang", "en", "-q"])
    assert result.exit_code == 0, result.output
    page = target.read_text()
    assert "What the data changed" in page and "41 of 50" in page
    assert "reaches the claim went from" in page
    prior = CliRunner().invoke(app, ["report", str(SCENARIOS / "schiedam_monitoring.toml"),
                                     "-o", str(target), "-n", "3000", "--no-sensitivity",
                                     "--prior", "-q"])
    assert prior.exit_code == 0, prior.output
    assert "Wat de gegevens veranderden" not in target.read_text()


def test_plot_draws_the_evsi_and_enbs_curves(tmp_path):
    target = tmp_path / "evsi.svg"
    result = CliRunner().invoke(app, ["plot", str(SCENARIOS / "schiedam.toml"), "--kind",
                                      "evsi", "--study", "validation", "-o", str(target),
                                      "-n", "2000", "-q"])
    assert result.exit_code == 0, result.output
    svg = target.read_text()
    assert 'id="evsi' in svg and 'id="enbs' in svg and 'id="cost' in svg
    bad = CliRunner().invoke(app, ["plot", str(SCENARIOS / "schiedam.toml"), "--kind", "evsi",
                                   "--study", "nope", "-o", str(target), "-n", "2000", "-q"])
    assert bad.exit_code == 2 and "studies: follow_up, validation, price_check" in bad.output


def test_the_sentence_says_cost_and_worth_in_both_languages():
    entry = {"sizes": [50, 100], "evsi": [900.0, 30_000.0], "evsi_mcse": [1.0, 2.0],
             "enbs": [-20_000.0, 5_000.0], "cost": [20_900.0, 25_000.0], "optimal_size": 100,
             "worth_doing": True, "likelihood": "binomial"}
    assert study_sentence("follow_up", entry, "en") == (
        "follow_up with 100 followed cases costs €25,000 and is worth €30,000 to this "
        "decision (net €5,000: the best size listed).")
    assert "kost € 25.000 en is € 30.000 waard" in study_sentence(
        "follow_up", entry, "nl").replace("\u00a0", " ")  # € and amount never part
