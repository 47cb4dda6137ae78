"""Reports a reader opens: charts and tables are there, and no script from an article runs.

The pipeline runs on the seed plus a hostile article whose quote holds a script and an image with
an onerror handler; the summary report is loaded in headless Chromium, which would run either if
the page let it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from stages.report import index_html
from tests.conftest import copy_project, dvc, set_param, sh

pytestmark = pytest.mark.pipeline

PAYLOAD = "document.title='PWNED'"
# One tag each: prose quoting a single tag stays plain text (two or more make the cleaner treat the
# file as an HTML page and strip its markup), so these reach every report as article text.
HOSTILE = {
    "hostile_img": f"""Officials dispute markup in a quote

Kirby said: "An <img src=x onerror="{PAYLOAD}"> tag is not welcome here."

"We will not be hacked," Kirby told reporters.
""",
    "hostile_script": f"""A script in a quote

"Typing <script>{PAYLOAD} into a form is an old attack," the official said.
""",
}
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium, installed when missing; the test is skipped when it cannot be."""
    found = shutil.which("chromium")
    if found:
        return found
    if not shutil.which("apt-get"):
        pytest.skip("chromium is not installed and there is no apt-get to install it")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as err:
            pytest.skip(f"could not install chromium: {err}")
        if done.returncode != 0:
            pytest.skip(f"could not install chromium ({' '.join(command)}): {done.stderr[-300:]}")
    return shutil.which("chromium") or pytest.skip("chromium installed but not on PATH")


def dump_dom(chromium: str, page: Path, profile: Path) -> str:
    """The page's DOM after Chromium loaded it (and ran whatever scripts it allowed)."""
    done = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def hostile_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    for name, text in HOSTILE.items():
        (copy / "seeds" / f"{name}.txt").write_text(text, encoding="utf-8")
    set_param(copy, "summarize", "highlight_article", "hostile_img")
    sh(copy, "git", "add", "-A")
    dvc(copy, "repro")
    return copy


def test_this_chromium_runs_scripts_on_an_unprotected_page(chromium: str, tmp_path: Path) -> None:
    """The control: without our report's protections the payload does run, so the test can fail."""
    page = tmp_path / "plain.html"
    page.write_text(
        f"<html><head><title>t</title></head><body><script>{PAYLOAD}</script></body></html>"
    )
    assert "PWNED" in dump_dom(chromium, page, tmp_path / "profile")


@pytest.mark.parametrize(
    ("report", "shown_as_text"),
    [("05_summarize", "&lt;img src=x onerror="), ("04_quotes", "&lt;script&gt;document.title")],
)
def test_reports_show_hostile_quotes_as_text(
    chromium: str, hostile_repo: Path, tmp_path: Path, report: str, shown_as_text: str
) -> None:
    page = hostile_repo / "data" / "notebooks" / f"{report}.html"
    dom = dump_dom(chromium, page, tmp_path / "profile")
    assert "PWNED" not in dom.split("</title>")[0]
    assert shown_as_text in dom
    assert "<table" in dom


def test_summary_report_has_its_charts(chromium: str, hostile_repo: Path, tmp_path: Path) -> None:
    page = hostile_repo / "data" / "notebooks" / "05_summarize.html"
    dom = dump_dom(chromium, page, tmp_path / "profile")
    # speakers and entities; the report's HTML writer puts an element's attributes in name order
    assert dom.count("<svg ") >= 2
    # Each chart says in words what it shows, for readers who cannot see it.
    assert 'aria-label="Most quoted speakers, quoted words by speaker: John Kirby ' in dom
    assert 'aria-label="Most mentioned entities, mentions by name: ' in dom


@pytest.mark.parametrize("name", ["01_clean", "03_entities", "04_quotes", "05_summarize"])
def test_every_report_escapes_article_text(hostile_repo: Path, name: str) -> None:
    page = (hostile_repo / "data" / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
    assert "<script>document" not in page
    assert "<img src=x" not in page


def test_index_links_every_report_and_escapes_names() -> None:
    page = index_html([("quotes", "04_quotes.html", True), ("<b>x</b>", "x.html", False)])
    assert '<a href="04_quotes.html">quotes</a>' in page
    assert "&lt;b&gt;x&lt;/b&gt;: not run yet" in page


def test_make_report_prints_the_index_path(repo: Path) -> None:
    done = sh(repo, "python", "-m", "stages.report")
    index = Path(done.stdout.strip())
    assert index == (repo / "data" / "notebooks" / "index.html").resolve()
    assert index.read_text().count("<a href=") == 5
