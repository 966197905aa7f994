"""The dashboard: offline HTML with cards and SVG trend charts, rendered in a real Chromium."""

from __future__ import annotations

import json
import re
import struct
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import dump_dom, screenshot
from conftest import Runner
from helpers import commit_files
from quality_gates.cli import gates_main
from scratch import CALC, CALC_WITH_UNUSED_IMPORT, make_project

# appended to a copy of the page: measures what the browser laid out and writes it into the DOM
PROBE = """
<script>
(() => {
  const size = el => {
    const r = el.getBoundingClientRect();
    return [Math.round(r.width), Math.round(r.height)];
  };
  const cards = [...document.querySelectorAll("article.card")].map(c => (
    {gate: c.dataset.gate, size: size(c), value: c.querySelector(".value").textContent}));
  const charts = [...document.querySelectorAll("figure.chart")].map(f => {
    const svg = f.querySelector("svg"), line = svg.querySelector("path.line");
    return {title: f.dataset.chart, size: size(svg),
            dots: svg.querySelectorAll("circle.dot").length,
            length: line ? Math.round(line.getTotalLength()) : 0,
            dotsInside: [...svg.querySelectorAll("circle.dot")].every(d => {
              const b = d.getBBox();
              return b.x >= 0 && b.y >= 0 && b.x <= svg.width.baseVal.value;
            })};
  });
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify({cards, charts});
  document.body.appendChild(pre);
})();
</script>
"""


class Resources(HTMLParser):
    """Collects anything a page would fetch: scripts, stylesheets, images, CSS urls."""

    def __init__(self) -> None:
        super().__init__()
        self.fetches: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag in ("img", "script", "iframe", "source") and values.get("src"):
            self.fetches.append(str(values["src"]))
        if tag == "link":
            self.fetches.append(str(values.get("href")))

    def handle_data(self, data: str) -> None:
        self.fetches += re.findall(r"url\((?!#)[^)]*\)", data)


@pytest.fixture
def dashboard(repo: Path, hook: Runner) -> Path:
    """Three real runs: clean, a lint regression, fixed again."""
    make_project(repo)
    assert hook(gates_main, "run").code == 0
    commit_files(repo, {"pkg/calc.py": CALC_WITH_UNUSED_IMPORT})
    assert hook(gates_main, "run").code == 1
    commit_files(repo, {"pkg/calc.py": CALC})
    assert hook(gates_main, "run").code == 0
    return repo / ".quality-gates/report/index.html"


def test_page_needs_no_network_and_no_script(dashboard: Path) -> None:
    parser = Resources()
    parser.feed(dashboard.read_text())
    assert parser.fetches == []
    assert parser.scripts == 0


def test_page_has_a_card_and_a_chart_per_gate(dashboard: Path) -> None:
    html = dashboard.read_text()
    assert re.findall(r'<article class="card (\w+)" data-gate="(\w+)"', html) == [
        ("pass", "lint"),
        ("pass", "format"),
        ("pass", "security"),
    ]
    charts = re.findall(r'<figure class="chart" data-chart="([^"]+)"', html)
    assert charts == ["quality (mean of the gates)", "lint", "format", "security"]
    assert "3 recorded run(s)" in html


@pytest.mark.slow
def test_chromium_renders_cards_and_charts(dashboard: Path, tmp_path: Path) -> None:
    probed = tmp_path / "probe.html"
    probed.write_text(dashboard.read_text().replace("</body>", PROBE + "</body>"))
    dom = dump_dom(probed)
    match = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert match, dom[-2000:]
    layout = json.loads(match.group(1).replace("&quot;", '"'))
    assert [c["gate"] for c in layout["cards"]] == ["lint", "format", "security"]
    assert [c["value"] for c in layout["cards"]] == ["10.00", "100.00%", "100.00%"]
    for card in layout["cards"]:
        width, height = card["size"]
        assert width >= 200, card
        assert height >= 100, card
    assert [c["title"] for c in layout["charts"]][1] == "lint"
    for chart in layout["charts"]:
        assert chart["size"] == [560, 180], chart
        assert chart["dots"] == 3, chart
        assert chart["length"] > 100, chart  # a drawn line through the three runs
        assert chart["dotsInside"], chart
    shot = tmp_path / "dashboard.png"
    screenshot(dashboard, shot)
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1280, 1400)


def test_hostile_names_are_escaped(dashboard: Path, hook: Runner) -> None:
    repo = dashboard.parents[2]
    commit_files(repo, {"pkg/<img src=x onerror=alert(1)>.py": "import os\n"})
    assert hook(gates_main, "run").code == 1
    html = dashboard.read_text()
    assert "<img" not in html
    assert "<code>pkg/&lt;img src=x onerror=alert(1)&gt;.py:1</code>" in html
    markdown = (repo / ".quality-gates/report/report.md").read_text()
    assert "| `pkg/&lt;img src=x onerror=alert(1)&gt;.py:1` | F401 |" in markdown
