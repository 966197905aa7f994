"""report.md, SARIF and badges rendered from report models."""

from __future__ import annotations

from pathlib import Path

import pytest
from quality_gates import badges, report_md, sarif
from quality_gates.findings import Finding, GateResult, Metric
from quality_gates.report import GateError, Report, gate_report


def _report(*outcomes: GateResult | GateError) -> Report:
    gates = tuple(gate_report(o, baseline=None, tolerance=0, override=None) for o in outcomes)
    return Report(
        "uid", "2026-01-01T00:00:00Z", "c" * 40, "main", "nightly", "main", "p", "0.1", gates
    )


def _lint(findings: int, *, message: str = "bad thing") -> GateResult:
    new = tuple(
        Finding(f"pkg/m{i}.py", i + 1, 5, "F401", message, "error", i + 1, 9)
        for i in range(findings)
    )
    return GateResult("lint", Metric("score", 100 - findings, 100, 10.0), 10.0, 10.0, new=new)


def test_markdown_table_and_escaping() -> None:
    text = report_md.render(_report(_lint(1, message="a | b <x>")))
    assert "| lint | score | 99/100 | 9.90 | 10 | 10 | ❌ FAIL |  |" in text
    assert "| `pkg/m0.py:1` | F401 | a \\| b &lt;x&gt; |" in text


def test_markdown_stays_under_githubs_limit() -> None:
    huge = "x" * 5000
    many = [_lint(3000, message=huge)] + [
        GateResult(g, Metric("m", 1, 2), 90, 100, new=_lint(3000, message=huge).new)
        for g in ("docs", "links")
    ]
    text = report_md.render(_report(*many), top=None)
    assert len(text.encode()) < 1024 * 1024
    assert "findings section(s) left out: GitHub caps a summary at 1 MiB" in text


def test_sarif_follows_githubs_requirements() -> None:
    doc = sarif.render(_report(_lint(2), GateError("types", "boom")))
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    assert run["tool"]["driver"]["name"] == "quality-gates"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["lint/F401"]
    first = run["results"][0]
    assert first["ruleId"] == "lint/F401"
    assert first["ruleIndex"] == 0
    assert first["level"] == "error"
    assert first["message"]["text"] == "bad thing"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "pkg/m0.py"
    assert location["region"] == {"startLine": 1, "startColumn": 5, "endLine": 1, "endColumn": 9}


def test_sarif_caps_results_as_github_does() -> None:
    doc = sarif.render(_report(_lint(30)), max_results=10)
    (run,) = doc["runs"]
    assert len(run["results"]) == 10
    assert run["properties"] == {"resultsTotal": 30, "resultsOmitted": 20}


@pytest.mark.parametrize(
    ("good", "color", "message"),
    [
        (100, "brightgreen", "10/10"),
        (97, "green", "9.7/10"),
        (93, "yellow", "9.3/10"),
        (50, "red", "5/10"),
    ],
)
def test_gate_badge_colour_by_threshold(good: int, color: str, message: str) -> None:
    gate = GateResult("lint", Metric("score", good, 100, 10.0), 9.5, 10.0)
    (report,) = _report(gate).gates
    assert badges.gate_badge(report) == badges.Badge("lint", message, color)


def test_badge_never_rounds_up_to_full_marks() -> None:
    assert badges.shown(99.96, 100) == "99.9%"
    assert badges.shown(100.0, 100) == "100%"


def test_badge_svg_and_rewrite_only_on_change(tmp_path: Path) -> None:
    path = tmp_path / "b" / "quality.svg"
    badge = badges.Badge("quality", "97.5%", "green")
    assert badges.write(path, badge)
    svg = path.read_text()
    assert 'aria-label="quality: 97.5%"' in svg
    assert "<title>quality: 97.5%</title>" in svg
    assert 'fill="#97ca00"' in svg
    assert 'height="20"' in svg
    assert not badges.write(path, badge)
    assert badges.write(path, badge._replace(color="red"))
    path.write_bytes(b"\xff\x00 not a badge")
    assert badges.write(path, badge)


def test_text_width_grows_with_text() -> None:
    assert badges.text_width("100%") > badges.text_width("9%")
    assert badges.text_width("é") == pytest.approx(11.0)  # outside the table: the widest glyph
