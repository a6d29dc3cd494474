"""The HTML report, nl/en wording and number formats, and the report/plot/summary commands."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid.cli import app
from onzekerheid.errors import ScenarioError
from onzekerheid.report import export, html, i18n, terminal

SCENARIOS = Path(__file__).parent.parent / "scenarios"
SCHOOL = SCENARIOS / "school_jeugdzorg.toml"
N = 20_000


@pytest.fixture(scope="module")
def school() -> oz.Result:
    return oz.simulate(oz.load(SCHOOL), N, seed=5)


# -- wording and numbers -------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "amount", "share", "negative", "small"), [
    ("nl", "€ 8.336", "4,5%", "€ -1.200", "€ 4,50"),
    ("en", "€8,336", "4.5%", "-€1,200", "€4.50"),
])
def test_money_and_percent_formats(lang, amount, share, negative, small):
    assert i18n.money(8336, lang) == amount
    assert i18n.money(8335.6, lang) == amount
    assert i18n.percent(0.045, lang) == share
    assert i18n.percent(0.97, lang) == "97%"
    assert i18n.money(-1200, lang) == negative
    assert i18n.money(4.5, lang) == small
    assert i18n.money(-0.001, lang, 0).lstrip("€ ") == "0"  # no "-0"


def test_plain_numbers_and_ordinals():
    assert i18n.number(1234567.8, "nl") == "1.234.568"
    assert i18n.number(4.8, "nl") == "4,8" and i18n.number(4.8, "en") == "4.8"
    assert i18n.number(0.01234, "en") == "0.0123"
    assert [i18n.ordinal(n, "en") for n in (1, 2, 3, 11, 12, 13, 21, 78)] == [
        "1st", "2nd", "3rd", "11th", "12th", "13th", "21st", "78th"]
    assert i18n.ordinal(78, "nl") == "78e"
    assert i18n.number(None, "nl") == "-"


def test_unknown_language_is_a_user_error():
    with pytest.raises(ScenarioError, match="--lang 'de': unknown language; use one of nl, en"):
        i18n.check_lang("de")


def test_summary_sentence_in_both_languages():
    nl = i18n.summary_sentence("savings_per_case.gemeente", "nl", 0.9, 1200, 3900, 3563, 0.78)
    assert nl == ("Met 90% zekerheid levert een casus de gemeente tussen € 1.200 en € 3.900 op; "
                  "het gepubliceerde bedrag van € 3.563 ligt op het 78e percentiel.")
    en = i18n.summary_sentence("net_benefit", "en", 0.9, -1200, 3900, 285000, 1.0)
    assert en == ("With 90% certainty, the net benefit lies between -€1,200 and €3,900; the "
                  "published figure of €285,000 lies above every simulated outcome.")
    ratio = i18n.summary_sentence("bcr", "nl", 0.8, 1.27, 4.6, None, None)
    assert ratio == "Met 80% zekerheid ligt de baten-kostenverhouding tussen 1,27 en 4,6."


def test_every_word_exists_in_both_languages():
    for key, words in i18n.WORDS.items():
        assert set(words) == {"nl", "en"}, key
        fields = [set(re.findall(r"{(\w+)}", words[lang])) for lang in ("nl", "en")]
        assert fields[0] == fields[1], key


# -- the HTML document -------------------------------------------------------------------------


HOSTILE = """
[scenario]
title = "<script>alert('title')</script> & co"
source = "<img src=x onerror=alert(1)>"

[parameters]
gain = { dist = "normal", mean = 150, sd = 30 }

[parameters.cost]
dist = "normal"
mean = 100
sd = 10
source = "</td><script>alert(2)</script>"
note = "a \\"quoted\\" <b>note</b>"

[outputs]
net_benefit = "gain - cost"

[claim]
net_benefit = 80
"""


def test_scenario_text_is_escaped_and_nothing_can_run(load_toml):
    scenario = load_toml(HOSTILE)
    doc = html.render(oz.simulate(scenario, 5_000, seed=1), lang="en")
    assert "<script" not in doc.lower()
    assert "<img src=x" not in doc and "<b>note</b>" not in doc
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt; &amp; co" in doc
    assert "&lt;/td&gt;&lt;script&gt;" in doc
    assert "script-src" not in doc and "default-src &#x27;none&#x27;" not in doc
    assert "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'" in doc


def test_report_is_self_contained(school):
    doc = html.render(school, lang="nl", point=oz.point(school.scenario))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", doc)
    assert "@import" not in doc and "url(" not in doc
    images = re.findall(r'<img [^>]*src="([^"]+)"', doc)
    assert images and all(src.startswith("data:image/png;base64,") for src in images)


def test_report_order_and_content_in_dutch(school):
    doc = html.render(school, lang="nl", point=oz.point(school.scenario))
    headings = re.findall(r"<h2>(.*?)</h2>", doc)
    assert headings[:2] == ["In het kort", "Gepubliceerd cijfer tegen gesimuleerde bandbreedte"]
    assert "Wat bepaalt de uitkomst?" in headings and "Alle aannames" in headings
    s = school.summary_of("net_benefit")
    sentence = i18n.summary_sentence("net_benefit", "nl", 0.9, s.low, s.high, s.claim,
                                     s.claim_percentile)
    assert html_text(sentence) in doc
    assert "€ 285.000" in doc and "€285,000" not in doc
    for name, param in school.scenario.parameters.items():
        assert f"<td>{name}</td>" in doc
        if param.source:
            assert html_text(param.source) in doc
    # The published arithmetic is in the claims table.
    assert "<td class=\"n\">€ 360.000</td>" in doc


def test_report_in_english_and_its_footer(school):
    doc = html.render(school, lang="en", extras=html.Extras(sets=("report_cost=12000",)))
    assert '<html lang="en">' in doc and "€285,000" in doc
    footer = doc[doc.index("<footer>"):]
    assert f"onzekerheid {oz.__version__}" in footer
    assert f"seed {school.seed}" in footer and "20,000 iterations" in footer
    assert school.scenario.digest and school.scenario.digest in footer
    assert "--set &#x27;report_cost=12000&#x27;" in footer


def test_optional_sections_render_from_their_documents(school):
    tornado = {"output": "net_benefit", "base": 110_000.0,
               "parameters": {"report_cost": {"low": 60_000.0, "high": 170_000.0,
                                              "swing": 110_000.0}}}
    voi = {"output": "net_benefit", "evpi": 178.0,
           "parameters": {"still_referred": {"evppi": 2.9}, "report_cost": {"evppi": 0.0}}}
    doc = html.render(school, lang="en", extras=html.Extras(tornado=tornado, voi=voi))
    assert "What is worth researching?" in doc and "€178" in doc
    assert doc.index("still_referred</td><td class=\"n\">€2.90") > 0
    assert doc.count("<img") == html.render(school, lang="en").count("<img") + 1


def test_main_output_prefers_net_benefit(school):
    assert html.main_output(school) == "net_benefit"
    assert html.headline_outputs(school) == ["saving", "net_benefit", "bcr"]


def html_text(text: str) -> str:
    import html as std

    return std.escape(text, quote=True)


# -- exports and terminal ---------------------------------------------------------------------


def test_summary_exports(school):
    csv = export.summary_csv(school).splitlines()
    assert csv[0].startswith("output,mean,sd,mcse,median,low,high,p_positive,claim")
    assert csv[2].startswith("net_benefit,") and len(csv) == 1 + len(school.outputs)
    md = export.summary_markdown(school, "nl")
    assert "| netto opbrengst | € " in md and "20.000 iteraties" in md
    assert "het gepubliceerde bedrag van € 285.000" in md
    assert export.summary_markdown(school, "en").count("|---|") == 1


def test_terminal_table_fits_80_columns():
    result = oz.simulate(oz.load(SCENARIOS / "schiedam.toml"), 1_000, seed=1, store="outputs")
    console = Console(width=80, record=True, file=io.StringIO())
    terminal.render_result(result, console)
    assert max(len(line) for line in console.export_text().splitlines()) <= 80


# -- the commands -----------------------------------------------------------------------------


runner = CliRunner()


def test_report_command_writes_html(tmp_path):
    out = tmp_path / "r.html"
    done = runner.invoke(app, ["report", str(SCHOOL), "-o", str(out), "--lang", "en", "-n",
                               str(N), "--quiet"])
    assert done.exit_code == 0, done.output
    doc = out.read_text(encoding="utf-8")
    assert "What drives the result?" in doc and "Sobol" in doc and "worth researching" in doc
    assert "How does the probability of a positive net benefit depend on" in doc
    assert not list(tmp_path.glob(".r.html.*"))  # no temporary file left behind


@pytest.mark.parametrize(("args", "message"), [
    (["--lang", "fr"], "unknown language"),
    (["-o", "x.pdf"], "unknown file type '.pdf'"),
])
def test_report_command_rejects_bad_options(tmp_path, args, message):
    base = ["report", str(SCHOOL), "-o", str(tmp_path / "r.html"), "-n", "1000"]
    done = runner.invoke(app, base + args)
    assert done.exit_code == 2
    assert message in done.output


def test_plot_command(tmp_path):
    out = tmp_path / "p.svg"
    done = runner.invoke(app, ["plot", str(SCHOOL), "--kind", "distribution", "-o", str(out),
                               "-n", "5000", "--quiet", "--lang", "en"])
    assert done.exit_code == 0, done.output
    assert "net benefit" in out.read_text()
    done = runner.invoke(app, ["plot", str(SCHOOL), "--kind", "pie", "-o", str(out)])
    assert done.exit_code == 2 and "--kind 'pie': unknown" in done.output
    done = runner.invoke(app, ["plot", str(SCHOOL), "--kind", "cost-effect", "-o", str(out)])
    assert done.exit_code == 2 and "needs --cost NAME and --effect NAME" in done.output
    done = runner.invoke(app, ["plot", str(SCHOOL), "--kind", "who-gains", "-o", str(out)])
    assert done.exit_code == 2 and "no per-stakeholder outputs" in done.output


def test_summary_command_formats(tmp_path):
    base = ["summary", str(SCHOOL), "-n", "5000", "--seed", "2"]
    done = runner.invoke(app, base + ["--format", "json"])
    assert done.exit_code == 0
    doc = json.loads(done.output)
    assert doc["iterations"] == 5000 and doc["outputs"]["net_benefit"]["claim"] == 285000
    done = runner.invoke(app, base + ["--format", "csv", "-o", str(tmp_path / "s.csv")])
    assert done.exit_code == 0
    assert (tmp_path / "s.csv").read_text().startswith("output,mean,")
    done = runner.invoke(app, base + ["--format", "xml"])
    assert done.exit_code == 2 and "--format 'xml': unknown" in done.output


def test_report_puts_the_variants_side_by_side(tmp_path):
    out = tmp_path / "dh.html"
    scenario = Path(__file__).parent.parent / "scenarios" / "den_haag.toml"
    result = CliRunner().invoke(app, ["report", str(scenario), "-o", str(out), "-n", "5000",
                                      "--no-sensitivity", "--lang", "en", "-q"])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    section = page[page.index("Variants side by side"):]
    assert "zonder_immaterieel" in section and "P(higher)" in section
    # without immaterial benefits net_benefit is lower in every iteration: P(higher) is 0%
    assert "0%" in section[: section.index("</table>")]
