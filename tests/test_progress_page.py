"""`ssot progress --html`: the page's SVG parses as XML, and headless Chromium loads the page
from a file URL: the charts are in its DOM after scripts ran, and a screenshot is taken."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path

import pytest

from projects import ssot

pytest.importorskip("pygal")
from test_progress import build_history  # noqa: E402  (after the skip: it needs the extra too)

SVG = "{http://www.w3.org/2000/svg}"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
)


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it (apt-get install -y chromium)")
        pytest.skip("chromium is not installed and this is not CI (apt-get install -y chromium)")
    return found


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    repo = build_history(tmp_path_factory.mktemp("page") / "repo")
    target = repo.path.parent / "progress.html"
    run = ssot("progress", "--no-cache", "--html", str(target), cwd=repo.path)
    assert run.returncode == 0, run.stderr
    return target


def svg_elements(text: str) -> list[str]:
    """The text of each <svg>...</svg> element of the page, as written (pygal does not nest them)."""
    return [match.group(0) for match in re.finditer(r"<svg\b.*?</svg>", text, re.S)]


def test_every_chart_is_well_formed_svg(page: Path) -> None:
    svgs = svg_elements(page.read_text(encoding="utf-8"))
    assert len(svgs) == 1 + 2 + 3  # the total; old.api and old.util; @core, @team-lib, @team-pkg
    for svg in svgs:
        root = ElementTree.fromstring(svg)
        assert root.tag == f"{SVG}svg"
        assert root.find(f".//{SVG}path") is not None  # the line


def test_the_page_fetches_nothing(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["'](https?:)?//""", text)
    assert "<script src" not in text and "<link " not in text


def _browser(*args: str) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp(prefix="ssot-chromium-")
    try:
        return subprocess.run(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=120,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.figures: list[dict] = []
        self.svgs = 0
        self.paths_in_svg = 0
        self.depth_svg = 0
        self.ids: set[str] = set()
        self.table_rows = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"] or "")
        if tag == "figure":
            self.figures.append(attributes)
        elif tag == "svg":
            self.svgs += 1
            self.depth_svg += 1
        elif tag == "path" and self.depth_svg:
            self.paths_in_svg += 1
        elif tag == "tr":
            self.table_rows += 1

    def handle_endtag(self, tag):
        if tag == "svg":
            self.depth_svg -= 1


def test_chromium_renders_the_charts(page: Path, tmp_path: Path) -> None:
    run = _browser("--dump-dom", page.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    dom = _Dom()
    dom.feed(run.stdout)
    series = [(f.get("data-dimension"), f.get("data-series")) for f in dom.figures]
    assert series == [
        (None, "total"),
        ("path", "old.api"), ("path", "old.util"),
        ("owner", "@core"), ("owner", "@team-lib"), ("owner", "@team-pkg"),
    ]
    assert dom.svgs == 6 and dom.paths_in_svg >= 6
    assert {"summary", "projection", "by-path", "by-owner", "top-files"} <= dom.ids
    assert "<strong>0</strong> legacy uses now" in run.stdout
    screenshot = tmp_path / "progress.png"
    shot = _browser("--window-size=1200,1600", f"--screenshot={screenshot}", page.as_uri())
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 10_000  # something was drawn, not a blank page
