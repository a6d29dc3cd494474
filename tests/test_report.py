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
from onzekerheid.report import export, html, i18n, numbers, terminal

SCENARIOS = Path(__file__).parent.parent / "scenarios"
SCHOOL = SCENARIOS / "school_jeugdzorg.toml"
N = 20_000


@pytest.fixture(scope="module")
def school() -> oz.Result:
    return oz.simulate(oz.load(SCHOOL), N, seed=5)


# -- wording and numbers -------------------------------------------------------------------


NB = "\u00a0"  # the no-break space that keeps the euro sign at its amount


@pytest.mark.parametrize(("lang", "amount", "million", "negative", "small"), [
    ("nl", "€ 8.340", "€ 1,8 mln", "€ -1.200", "€ 4,5"),
    ("en", "€8,340", "€1.8M", "-€1,200", "€4.5"),
])
def test_money_is_rounded_and_compact(lang, amount, million, negative, small):
    assert numbers.money(8336, lang).replace(NB, " ") == amount
    assert numbers.money(1_799_010, lang).replace(NB, " ") == million
    assert numbers.money(-1200, lang).replace(NB, " ") == negative
    assert numbers.money(4.5, lang).replace(NB, " ") == small
    assert "e+" not in numbers.money(6.53e16, lang) and "bn" not in numbers.plain(6.53e16, lang)


def test_percentages_never_round_to_certainty():
    assert numbers.percent(0.99988, "nl") == "> 99,9%"
    assert numbers.percent(0.0002, "en") == "< 0.1%"
    assert numbers.percent(1 / 380, "nl") == "0,3%"  # below 1%: one decimal, not "< 0,1%"
    assert numbers.percent(0.97, "nl") == "97%" and numbers.percent(1.0, "nl") == "100%"
    assert numbers.percent(0.045, "nl", 1) == "4,5%"


def test_chances_in_words():
    assert numbers.chance(1 / 15, "nl") == "1 op 15"
    assert numbers.chance(0.33, "en") == "1 in 3"
    assert numbers.chance(0.8, "nl") == "8 op 10"
    assert numbers.chance(0.0001, "nl") == "minder dan 1 op 1.000"


def test_rounding_follows_the_monte_carlo_error():
    # 1,799,010 with a standard error of 30,000: the thousands are noise
    assert numbers.digits_for(1_799_010, 30_000) == 3
    assert numbers.digits_for(1_799_010, 300_000) == 2
    assert numbers.estimate(1_799_010, 30_000, "EUR", "nl").replace(NB, " ") == "€ 1,8 mln"
    assert numbers.digits_for(1_799_010, 0.0) == numbers.MAX_DIGITS  # a constant
    assert numbers.standard_error(4.5e-15, 8336.0, "en") == "0"  # no rounding noise


def test_units_decide_money_not_names():
    assert numbers.quantity(344, "households", "nl") == f"344{NB}households"
    assert numbers.quantity(29.41, "years", "nl") == f"29,4{NB}jaar"
    assert "€" not in numbers.quantity(29.41, "", "nl")
    assert numbers.quantity(0.43, "share", "en") == "43%"


def test_plain_numbers_and_ordinals():
    assert i18n.number(1234567.8, "nl") == "1.234.568"
    assert i18n.number(4.8, "nl") == "4,8" and i18n.number(4.8, "en") == "4.8"
    assert i18n.number(0.01234, "en") == "0.0123"
    assert [i18n.ordinal(n, "en") for n in (1, 2, 3, 11, 12, 13, 21, 78)] == [
        "1st", "2nd", "3rd", "11th", "12th", "13th", "21st", "78th"]
    assert i18n.ordinal(78, "nl") == "78e"
    assert i18n.number(None, "nl") == "-"


def test_unknown_language_is_a_user_error():
    with pytest.raises(ScenarioError, match="^lang 'de': unknown language; use one of nl, en"):
        i18n.check_lang("de")


def _summary(low, high, claim, percentile):
    from onzekerheid.analysis.summary import Summary

    return Summary(mean=0.0, sd=1.0, mcse=0.0, median=0.0, low=low, high=high, p_positive=0.5,
                   claim=claim, claim_percentile=percentile, nonfinite=0)


def test_summary_sentence_in_both_languages():
    nl = i18n.summary_sentence(None, "savings_per_case.gemeente", "nl", 0.9,
                               _summary(1200, 3900, 3563, 0.78), "EUR").replace(NB, " ")
    assert nl == ("Met 90% zekerheid levert een casus de gemeente tussen € 1.200 en € 3.900 op; "
                  "het gepubliceerde bedrag van € 3.563 ligt op het 78e percentiel.")
    en = i18n.summary_sentence(None, "net_benefit", "en", 0.9,
                               _summary(-1200, 3900, 285000, 1.0), "EUR").replace(NB, " ")
    assert en == ("With 90% certainty, the net benefit lies between -€1,200 and €3,900; the "
                  "published figure of €285,000 lies above every simulated outcome.")
    ratio = i18n.summary_sentence(None, "bcr", "nl", 0.8, _summary(1.27, 4.6, None, None),
                                  "ratio")
    assert ratio == "Met 80% zekerheid ligt de baten-kostenverhouding tussen 1,27 en 4,60."


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
    doc = html.render(school, lang="nl", point=oz.point(school.scenario)).replace(NB, " ")
    headings = re.findall(r"<h2>(.*?)</h2>", doc)
    assert headings[:2] == ["Bestuurlijke samenvatting",
                            "Gepubliceerd cijfer tegen gesimuleerde bandbreedte"]
    assert "Wat bepaalt de uitkomst?" in headings and "Bijlage: alle aannames" in headings
    summary = doc[doc.index('<section id="samenvatting">'):doc.index("</section>")]
    s = school.summary_of("net_benefit")
    holds = 1 - s.claim_percentile
    assert html_text(numbers.chance(holds, "nl")) in summary  # "1 op 25"
    assert "Opgesteld op " in summary and "€ 285.000" in doc and "€285,000" not in doc
    for name, param in school.scenario.parameters.items():
        assert f'data-label="Naam in het bestand">{name}</td>' in doc  # the appendix
        assert html_text(param.label[:1].upper() + param.label[1:]) in doc
        if param.source:
            assert html_text(param.source) in doc
    # The published arithmetic is in the claims table.
    assert 'data-label="Rekensom van de claim">€ 360.000</td>' in doc
    # every chart has alt text
    assert doc.count("<img") == len(re.findall(r'<img alt="[^"]+"', doc))


def test_no_euro_without_a_money_unit(load_toml):
    scenario = load_toml("""
[scenario]
title = "Counts"
[parameters]
households = "100 to 400"
[outputs]
aantal_geholpen = { expr = "households * 0.8", label = "huishoudens geholpen", \
unit = "huishoudens" }
levensjaren = "households * 0.1"
""")
    doc = html.render(oz.simulate(scenario, 2_000, seed=1), lang="nl")
    assert "€" not in doc and "aantal_geholpen</td>" not in doc.split("Bijlage")[0]
    assert "huishoudens geholpen" in doc.lower()


def test_report_in_english_and_its_footer(school):
    doc = html.render(school, lang="en", extras=html.Extras(sets=("report_cost=12000",)))
    assert '<html lang="en">' in doc and "€285,000" in doc.replace(NB, " ")
    footer = doc[doc.index("<footer>"):]
    assert f"onzekerheid {oz.__version__}" in footer
    assert f"seed {school.seed}" in footer and "20,000 iterations" in footer
    assert school.scenario.digest and school.scenario.digest in footer
    assert "--set report_cost=12000" in footer and "-o rapport.html" in footer


def test_optional_sections_render_from_their_documents(school):
    tornado = {"output": "net_benefit", "base": 110_000.0,
               "parameters": {"report_cost": {"low": 60_000.0, "high": 170_000.0,
                                              "swing": 110_000.0, "input_low": 10_000.0,
                                              "input_high": 20_000.0}}}
    voi = {"output": "net_benefit", "evpi": 178.0,
           "parameters": {"still_referred": {"evppi": 2.9}, "report_cost": {"evppi": 0.0}}}
    doc = html.render(school, lang="en", extras=html.Extras(tornado=tornado, voi=voi))
    assert "What is worth researching?" in doc and "€178" in doc
    assert doc.index('Alsnog bij jeugdbescherming</td><td class="n" data-label="Value of '
                     'perfect information">€2.9') > 0
    assert doc.count("<img") == html.render(school, lang="en").count("<img") + 2


def test_main_output_prefers_net_benefit(school):
    assert html.main_output(school) == "net_benefit"
    assert html.headline_outputs(school) == ["net_benefit", "saving", "bcr"]


def html_text(text: str) -> str:
    import html as std

    return std.escape(text, quote=True)


# -- exports and terminal ---------------------------------------------------------------------


def test_summary_exports(school):
    csv = export.summary_csv(school).splitlines()
    assert csv[0].startswith("output,mean,sd,mcse,median,low,high,p_positive,claim")
    assert csv[2].startswith("net_benefit,") and len(csv) == 1 + len(school.outputs)
    md = export.summary_markdown(school, "nl")
    md = md.replace(NB, " ")
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
    assert "How does the probability of a positive netto opbrengst depend on" in doc
    reproduce = re.search(r'<code id="reproduce">(.*?)</code>', doc).group(1)
    assert reproduce.endswith(f"--lang en -o {out}") and f"-n {N}" in reproduce
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
    assert "netto opbrengst" in out.read_text().lower()
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
    done = runner.invoke(app, base + ["--format", "xlsx"])
    assert done.exit_code == 2 and "-o out.xlsx" in done.output


def test_summary_workbook(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = tmp_path / "s.xlsx"
    done = runner.invoke(app, ["summary", str(SCHOOL), "-n", "5000", "--seed", "2", "--format",
                               "xlsx", "-o", str(book)])
    assert done.exit_code == 0, done.output
    sheet = openpyxl.load_workbook(book).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Uitkomst", "Naam in het bestand", "Eenheid")
    net = next(r for r in rows if r[1] == "net_benefit")
    result = oz.simulate(oz.load(SCHOOL), 5000, seed=2)
    s = result.summary_of("net_benefit")
    assert net[0] == "netto opbrengst" and net[2] == "EUR" and net[9] == 285000
    assert net[4] == pytest.approx(s.median) and net[10] == pytest.approx(1 - s.claim_percentile)


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


def test_reproduce_command_carries_the_studies_scale():
    """--population and --years change the studies' EVSI, so the line that makes the report
    again must carry them (written only when not 1, integral populations without '.0')."""
    result = oz.simulate(oz.load(SCHOOL), 1000, seed=3)
    plain = html.reproduce_command(result, output_file="r.html")
    assert "--population" not in plain and "--years" not in plain
    scaled = html.reproduce_command(result, output_file="r.html", population=1200.0, years=5)
    assert scaled.endswith("--population 1200 --years 5 -o r.html")
    assert "--population 0.5 " in html.reproduce_command(result, population=0.5)
