"""The report as a person sees it: every shipped scenario rendered in headless Chromium.

For each scenario the ``report`` command writes the Dutch report; Chromium loads it from disk
with a fresh profile and no network, takes a screenshot and dumps the DOM. The test checks that
the page loaded with no console message (a blocked script or fetch would log one), that the
screenshot is not blank, and that the summary sentence and the published figure are in the
visible text. Skipped when Chromium is not installed (``apt-get install chromium``).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
from typer.testing import CliRunner

import onzekerheid as oz
from onzekerheid.cli import app
from onzekerheid.report import html, i18n, numbers

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.toml"))
N = 10_000  # enough for a readable report; keeps six scenarios well under a minute
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                                "(apt-get install chromium); the browser test needs it")


def chromium(args: list[str], profile: Path, timeout: float = 45) -> tuple[str, str]:
    """Run Chromium with a fresh profile; kill its whole process group on timeout."""
    assert CHROMIUM is not None
    process = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"chromium did not finish within {timeout} s")
    return out, err


class VisibleText(HTMLParser):
    """Text a reader sees: everything outside <head>, <style> and <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("head", "style", "script", "title"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "script", "title"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


# Measures horizontal overflow in a test copy of the report (the report itself forbids scripts).
PROBE = ("<script>document.body.setAttribute('data-overflow', String("
         "document.documentElement.scrollWidth - window.innerWidth));</script>")


def probed(report: Path, tmp_path: Path) -> str:
    """A copy of ``report`` without its script ban and with the overflow probe, as a URL."""
    text = report.read_text(encoding="utf-8")
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
    copy = tmp_path / f"probe-{report.name}"
    copy.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    return copy.resolve().as_uri()


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_report_in_headless_chromium(path: Path, tmp_path: Path) -> None:
    report = tmp_path / f"{path.stem}.html"
    done = CliRunner().invoke(app, ["report", str(path), "-o", str(report), "--lang", "nl",
                                    "-n", str(N), "--no-sensitivity", "--quiet"])
    assert done.exit_code == 0, done.output
    url = report.resolve().as_uri()

    shot = tmp_path / "screenshot.png"
    _, err_shot = chromium([f"--screenshot={shot}", "--window-size=1280,1600", url],
                           tmp_path / "profile-shot")
    assert console_messages(err_shot) == []
    pixels = matplotlib.image.imread(str(shot))[..., :3]
    assert pixels.shape[:2] == (1600, 1280)
    assert pixels.std() > 0.05, "the screenshot is blank"
    assert np.mean(pixels.min(axis=2) < 0.5) > 0.005, "the screenshot shows almost no text"

    for width in (1280, 390):  # a laptop and a phone: nothing sticks out sideways
        dom, _ = chromium(["--dump-dom", f"--window-size={width},900", probed(report, tmp_path)],
                          tmp_path / f"profile-{width}")
        assert "</footer>" in dom, "the page did not load completely"
        overflow = re.search(r'data-overflow="(-?\d+)"', dom)
        assert overflow is not None and int(overflow.group(1)) <= 0, (width, overflow)

    parser = VisibleText()
    parser.feed(dom)
    visible = parser.text().replace("\u00a0", " ")
    # The summary for decision-makers comes first, with the decision output's label.
    result = oz.simulate(oz.load(path), N, seed=oz.DEFAULT_SEED)
    main = html.main_output(result)
    first = visible.index("Bestuurlijke samenvatting")
    assert first < visible.index("Gepubliceerd cijfer tegen gesimuleerde bandbreedte")
    label = i18n.label_of(result.scenario, main, "nl")
    assert label[:1].upper() + label[1:] in visible[first:first + 400]
    # Labels, not code names, before the appendix; no euro sign on a non-money output.
    body = visible[:visible.index("Bijlage: alle aannames")]
    for name in result.scenario.outputs:
        if "." in name or "_" in name:
            assert f" {name} " not in f" {body} ", name
    for name in html.headline_outputs(result):
        s = result.summary_of(name)
        unit = i18n.unit_of(result.scenario, name)
        if s.claim is not None:
            written = numbers.exact(s.claim, unit, "nl").replace("\u00a0", " ")
            assert written in visible
            assert ("€" in written) == (unit == "EUR")


def test_the_summary_is_the_first_printed_a4_page(tmp_path: Path) -> None:
    """Printed, the report is A4; the summary alone fills exactly one page (so, with its
    page break after it, page 1 is the summary and the details start on page 2)."""
    path = next(p for p in SCENARIOS if p.stem == "den_haag")  # the longest summary
    report = tmp_path / "r.html"
    done = CliRunner().invoke(app, ["report", str(path), "-o", str(report), "-n", str(N),
                                    "--no-sensitivity", "--quiet"])
    assert done.exit_code == 0, done.output
    text = report.read_text(encoding="utf-8")
    assert "break-after:page" in text
    summary_only = tmp_path / "summary.html"
    summary_only.write_text(text[:text.index("</section>") + len("</section>")]
                            + "</body></html>", encoding="utf-8")
    pages = {}
    for name, page in (("full", report), ("summary", summary_only)):
        pdf = tmp_path / f"{name}.pdf"
        chromium([f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.resolve().as_uri()],
                 tmp_path / f"profile-{name}")
        boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
        assert boxes and all(abs(float(w) - 595.9) < 2 and abs(float(h) - 842.9) < 2
                             for w, h in boxes), boxes[:3]  # A4 in points
        pages[name] = len(boxes)
    assert pages["summary"] == 1 and pages["full"] >= 2, pages


def test_the_console_check_catches_a_blocked_script(tmp_path: Path) -> None:
    """The check above is not vacuous: an inline script under the report's policy is logged."""
    page = tmp_path / "bad.html"
    page.write_text('<html><head><meta http-equiv="Content-Security-Policy" '
                    "content=\"default-src 'none'\"></head><body>x<script>1</script></body>"
                    "</html>", encoding="utf-8")
    _, err = chromium(["--dump-dom", page.resolve().as_uri()], tmp_path / "profile")
    assert any("Content Security Policy" in line for line in console_messages(err))
