"""Jupyter display: Result, PointResult and Scenario as escaped HTML tables and a small plot."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import matplotlib.image
import pytest

import onzekerheid as oz
from onzekerheid.report.i18n import label_of
from onzekerheid.report.notebook import MAX_PLOTS, PANEL_WIDTH, plotted_outputs

TEXT = """
[scenario]
title = "Claim <script>alert(1)</script> & co"
source = "Rapport \\"A<B\\""

[parameters]
cost = { dist = "lognormal", ci = [10000, 20000], point = 15000, note = "<i>guess</i>" }
reports = { dist = "poisson", mean = 3, source = "school & team" }
worker = 75000

[outputs]
saving = "(25 - reports) * cost"
net_benefit = "saving - worker"
bcr = "saving / worker"
extra = "bcr * 2"

[claim]
bcr = 4.8
"""


@pytest.fixture(scope="module")
def scenario():
    return oz.loads(TEXT)


@pytest.fixture(scope="module")
def result(scenario):
    return oz.simulate(scenario, 4000, 7)


def png_of(html: str) -> bytes:
    match = re.search(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert match, "no inline PNG"
    return base64.b64decode(match.group(1))


def assert_escaped(html: str) -> None:
    assert "<script>" not in html and "<i>" not in html
    assert "Claim &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


def test_result_html_has_the_table_and_an_inline_png(result):
    html = result._repr_html_()
    assert_escaped(html)
    assert html.count("<table") == 1
    for name in result.outputs:
        assert f">{label_of(result.scenario, name, 'en')}</td>" in html  # labels, not names
    s = result.summary_of("bcr")
    assert f"{s.claim_percentile * 100:.0f}%" in html  # the claim's percentile is shown
    png = png_of(html)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = matplotlib.image.imread(io.BytesIO(png), format="png")
    panels = len(plotted_outputs(result))
    assert image.shape[1] == pytest.approx(PANEL_WIDTH * panels * 96, abs=2)


def test_the_plot_shows_a_few_outputs_claimed_first(result):
    assert plotted_outputs(result) == ["bcr", "net_benefit", "saving"]
    assert len(result.outputs) > MAX_PLOTS
    assert plotted_outputs(result, 1) == ["bcr"]
    from onzekerheid.report.notebook import result_html

    assert "<img" not in result_html(result, plots=0)


def test_point_result_html(scenario):
    html = oz.point(scenario)._repr_html_()
    assert_escaped(html)
    assert "<img" not in html
    # bcr at the points: (25 - 3) * 15000 / 75000 = 4.4, claim 4.8
    assert re.search(r">bcr</td><td[^>]*>4\.4</td><td[^>]*>4\.8</td><td[^>]*>0\.917</td>", html)


def test_scenario_html_lists_parameters_outputs_and_claims(scenario):
    html = scenario._repr_html_()
    assert_escaped(html)
    assert "Rapport &quot;A&lt;B&quot;" in html
    assert "&lt;i&gt;guess&lt;/i&gt;" in html and "school &amp; team" in html
    assert ">cost</td>" in html and ">worker</td>" in html
    assert ">(25 - reports) * cost</td>" in html
    assert ">claimed output</th>" in html


def test_domain_scenario_shows_cases_and_builtins():
    path = Path(__file__).parent.parent / "scenarios" / "schiedam.toml"
    html = oz.load(path)._repr_html_()
    assert "188 cases per iteration; stakeholders: gemeente, client, derden" in html
    assert "built-in outputs of the social-domain model" in html


def test_analysis_results_show_as_sorted_tables():
    from onzekerheid.analysis import model as models
    from onzekerheid.analysis import sensitivity as sa

    model = models.model_of(oz.load(Path(__file__).parent.parent / "scenarios"
                                    / "school_jeugdzorg.toml"))
    tornado = sa.tornado(model, "net_benefit")
    html = tornado._repr_html_()
    swings = tornado.to_json()["parameters"]
    order = sorted(swings, key=lambda n: -abs(swings[n]["swing"]))
    assert "<b>tornado</b>" in html
    positions = [html.index(f">{name}</td>") for name in order]
    assert positions == sorted(positions)  # widest swing first
