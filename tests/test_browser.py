"""The report as a person sees it: every shipped scenario rendered in headless Chromium.

For each scenario the ``report`` command writes the Dutch report; Chromium loads it from disk
with a fresh profile and no network, takes a screenshot and dumps the DOM. The test checks that
the page loaded with no console message (a blocked script or fetch would log one), that the
screenshot is not blank, and that the summary sentence and the published figure are in the
visible text. Skipped when Chromium is not installed (``apt-get install chromium``).
"""

from __future__ import annotations

import os
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
from onzekerheid.report import html, i18n

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


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_report_in_headless_chromium(path: Path, tmp_path: Path) -> None:
    report = tmp_path / f"{path.stem}.html"
    done = CliRunner().invoke(app, ["report", str(path), "-o", str(report), "--lang", "nl",
                                    "-n", str(N), "--no-sensitivity", "--quiet"])
    assert done.exit_code == 0, done.output
    url = report.resolve().as_uri()

    shot = tmp_path / "screenshot.png"
    _, err_shot = chromium([f"--screenshot={shot}", "--window-size=1200,1600", url],
                           tmp_path / "profile-shot")
    dom, err_dom = chromium(["--dump-dom", url], tmp_path / "profile-dom")

    assert console_messages(err_shot + err_dom) == []
    assert "</footer>" in dom, "the page did not load completely"

    pixels = matplotlib.image.imread(str(shot))[..., :3]
    assert pixels.shape[:2] == (1600, 1200)
    assert pixels.std() > 0.05, "the screenshot is blank"
    assert np.mean(pixels.min(axis=2) < 0.5) > 0.005, "the screenshot shows almost no text"

    # What the reader must see: the summary sentence and the published figure.
    result = oz.simulate(oz.load(path), N, seed=oz.DEFAULT_SEED)
    name = html.headline_outputs(result)[0]
    s = result.summary_of(name)
    sentence = i18n.summary_sentence(name, "nl", result.ci, s.low, s.high, s.claim,
                                     s.claim_percentile)
    parser = VisibleText()
    parser.feed(dom)
    visible = parser.text()
    assert sentence in visible
    if s.claim is not None:
        assert i18n.amount(s.claim, name, "nl") in visible


def test_the_console_check_catches_a_blocked_script(tmp_path: Path) -> None:
    """The check above is not vacuous: an inline script under the report's policy is logged."""
    page = tmp_path / "bad.html"
    page.write_text('<html><head><meta http-equiv="Content-Security-Policy" '
                    "content=\"default-src 'none'\"></head><body>x<script>1</script></body>"
                    "</html>", encoding="utf-8")
    _, err = chromium(["--dump-dom", page.resolve().as_uri()], tmp_path / "profile")
    assert any("Content Security Policy" in line for line in console_messages(err))
