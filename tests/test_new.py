"""``onzekerheid new``: skeletons that load and reproduce the figures; copies of shipped files."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid.cli import app
from onzekerheid.scenario.templates import Answers, amount, shipped_names, skeleton

ROOT = Path(__file__).parent.parent
SCENARIOS = ROOT / "scenarios"
SHIPPED = ROOT / "src" / "onzekerheid" / "data" / "scenarios"
SCHIEDAM = ["--stakeholder", "gemeente=3563", "--stakeholder", "client=2694",
            "--stakeholder", "derden=2079"]


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(app, ["new", *args], input=input)


def point_json(path: Path) -> dict:
    result = CliRunner().invoke(app, ["run", str(path), "--point", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["outputs"]


def test_options_give_a_skeleton_that_validates_and_reproduces_the_figures(tmp_path):
    path = tmp_path / "claim.toml"
    result = invoke(str(path), "--no-input", "--title", "Wijkteam [2023] \"x\"", "--cases",
                    "188", *SCHIEDAM, "--hourly-rate", "72")
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(app, ["validate", str(path)]).exit_code == 0
    outputs = point_json(path)
    for name, figure in (("gemeente", 3563), ("client", 2694), ("derden", 2079)):
        assert outputs[f"savings_per_case.{name}"] == {"value": figure, "claim": figure}
    assert outputs["savings_per_case"] == {"value": 8336, "claim": 8336}
    assert outputs["break_even_hours.gemeente"]["value"] == pytest.approx(3563 / 72)
    scenario = oz.load(path)
    assert scenario.title == "Wijkteam [2023] \"x\""
    assert scenario.cases.count == 188


def test_every_assumption_is_marked(tmp_path):
    text = skeleton(Answers("t", {"gemeente": 10.0}, hourly_rate=50.0))
    raw = tomllib.loads(text)
    unsourced = []
    for section in ("cases", "success", "bias", "costs"):
        for key, value in raw[section].items():
            marked = str(value.get("note", "")).startswith("ASSUMPTION: source this") \
                if isinstance(value, dict) else True
            if not marked:
                unsourced.append(f"{section}.{key}")
    assert unsourced == []
    assert all(c["note"].startswith("ASSUMPTION") for c in raw["checks"])
    assert raw["scenario"]["source"].startswith("ASSUMPTION")  # no --source given
    assert "count = 100   # ASSUMPTION: source this" in text  # no --cases given


def test_without_costs_there_is_no_costs_section(tmp_path):
    raw = tomllib.loads(skeleton(Answers("t", {"a": 1.5, "b": -2.0})))
    assert "costs" not in raw
    assert raw["claim"] == {"savings_per_case": -0.5, "savings_per_case.a": 1.5,
                            "savings_per_case.b": -2}
    assert len(raw["checks"]) == 1
    assert oz.point(oz.loads(skeleton(Answers("t", {"a": 1.5, "b": -2.0})))).values[
        "savings_per_case.b"] == pytest.approx(-2.0)


def test_questions_are_asked_and_bad_answers_asked_again(tmp_path):
    path = tmp_path / "vraag.toml"
    answers = "\n".join([
        "Mijn claim", "Rapport 2020, p. 4",
        "0", "25",                                   # cases: 0 is refused, then 25
        "gemeente, Client X", "gemeente, client",    # a name with a space is refused
        "3.563", "3563", "100,5",                    # '3.563' is ambiguous and asked again
        "y", "-4", "80",                             # costs; a negative rate is refused
    ]) + "\n"
    result = invoke(str(path), input=answers)
    assert result.exit_code == 0, result.output
    assert "ambiguous" in result.output and "cannot be a stakeholder name" in result.output
    scenario = oz.load(path)
    assert scenario.title == "Mijn claim"
    assert scenario.source == "Rapport 2020, p. 4"
    assert scenario.cases.count == 25
    assert scenario.claims == {"savings_per_case": 3663.5, "savings_per_case.gemeente": 3563,
                               "savings_per_case.client": 100.5}
    assert point_json(path)["break_even_hours.client"]["value"] == pytest.approx(100.5 / 80)


def test_answering_no_costs(tmp_path):
    path = tmp_path / "c.toml"
    result = invoke(str(path), "--title", "x", "--source", "", "--cases", "3",
                    "--stakeholder", "gemeente=7", input="n\n")
    assert result.exit_code == 0, result.output
    assert "costs" not in tomllib.loads(path.read_text())


def test_an_existing_file_is_never_overwritten(tmp_path):
    path = tmp_path / "claim.toml"
    path.write_text("mine")
    result = invoke(str(path), "--no-input", "--stakeholder", "a=1")
    assert result.exit_code == 2
    assert "never overwrites" in result.output
    assert path.read_text() == "mine"
    result = invoke("--from", "schiedam", str(path))
    assert result.exit_code == 2 and path.read_text() == "mine"


@pytest.mark.parametrize(("args", "fragment"), [
    (["--no-input"], "--no-input needs the published figures"),
    (["--no-input", "--stakeholder", "gemeente"], "write NAME=AMOUNT"),
    (["--no-input", "--stakeholder", "de gemeente=1"], "cannot be a stakeholder name"),
    (["--no-input", "--stakeholder", "material=1"], "cannot be a stakeholder name"),
    (["--no-input", "--stakeholder", "a=3.563"], "ambiguous"),
    (["--no-input", "--stakeholder", "a=veel"], "is not a number"),
    (["--no-input", "--stakeholder", "a=1", "--stakeholder", "a=2"], "given twice"),
    (["--no-input", "--stakeholder", "a=1", "--cases", "0"], "--cases must be"),
    (["--no-input", "--stakeholder", "a=1", "--hourly-rate", "0"], "--hourly-rate must be"),
    (["--from", "schiedam", "--title", "x"], "drop --title"),
    (["--from", "schiedm"], "did you mean 'schiedam'"),
])
def test_bad_options_exit_2_and_write_nothing(tmp_path, args, fragment):
    path = tmp_path / "claim.toml"
    result = invoke(str(path), *args)
    assert result.exit_code == 2, result.output
    assert fragment in result.output.replace("\n", " ")
    assert list(tmp_path.iterdir()) == []


def test_the_target_must_be_a_toml_file_in_an_existing_folder(tmp_path):
    assert invoke(str(tmp_path / "x.txt"), "--no-input", "--stakeholder", "a=1").exit_code == 2
    result = invoke(str(tmp_path / "no" / "x.toml"), "--no-input", "--stakeholder", "a=1")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_from_copies_the_shipped_scenario_and_its_case_table(tmp_path):
    result = invoke("--from", "utrecht", str(tmp_path / "mijn_utrecht.toml"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "mijn_utrecht.toml").read_bytes() == \
        (SCENARIOS / "utrecht.toml").read_bytes()
    assert (tmp_path / "utrecht_cases.csv").read_bytes() == \
        (SCENARIOS / "utrecht_cases.csv").read_bytes()
    assert oz.load(tmp_path / "mijn_utrecht.toml").cases is not None
    # a second copy into the same folder would overwrite the case table: refused, nothing written
    result = invoke("--from", "utrecht", str(tmp_path / "tweede.toml"))
    assert result.exit_code == 2 and "utrecht_cases.csv exists" in result.output
    assert not (tmp_path / "tweede.toml").exists()


def test_from_schiedam_reproduces_the_published_figures(tmp_path):
    path = tmp_path / "schiedam.toml"
    assert invoke("--from", "schiedam", str(path)).exit_code == 0
    outputs = point_json(path)
    assert outputs["savings_per_case.gemeente"]["value"] == pytest.approx(3563)


def test_shipped_copies_equal_the_scenarios_folder():
    """src/onzekerheid/data/scenarios must hold exactly scenarios/*.toml and *.csv.

    When this fails after editing a scenario: cp scenarios/*.toml scenarios/*.csv
    src/onzekerheid/data/scenarios/
    """
    wanted = {p.name: p.read_bytes() for p in sorted(SCENARIOS.iterdir())
              if p.suffix in (".toml", ".csv")}
    have = {p.name: p.read_bytes() for p in sorted(SHIPPED.iterdir())
            if p.suffix in (".toml", ".csv")}
    assert sorted(have) == sorted(wanted)
    differ = [name for name in wanted if have[name] != wanted[name]]
    assert differ == [], f"copy these from scenarios/ to {SHIPPED}: {differ}"
    assert shipped_names() == sorted(n[:-5] for n in wanted if n.endswith(".toml"))


@pytest.mark.parametrize(("text", "value"), [("3563", 3563.0), ("3563.5", 3563.5),
                                             ("100,5", 100.5), ("-20", -20.0), ("1e3", 1000.0)])
def test_amounts_typed_by_people(text, value):
    assert amount(text) == value
