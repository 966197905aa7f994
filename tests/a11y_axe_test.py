"""The browser engine, and its agreement with the static rules on every fixture."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from quality_gates.a11y_axe import Auditor, AxeNode, auditor, criteria_of, find_browser, unavailable
from quality_gates.a11y_checks import run
from quality_gates.a11y_dom import parse
from quality_gates.a11y_rules import RULES
from quality_gates.errors import FatalError
from quality_gates.gates.a11y import _axe_finding

FIXTURES = Path(__file__).parent / "fixtures" / "a11y"
PAGES = sorted(FIXTURES.glob("*.html"))
WHY = unavailable()


@pytest.fixture(scope="module")
def axe() -> Iterator[Auditor]:
    if WHY is not None:
        pytest.skip(f"axe engine unavailable: {WHY}")
    with auditor() as session:
        yield session


@pytest.fixture(scope="module")
def audited(axe: Auditor) -> dict[str, list[AxeNode]]:
    """axe-core's violations on every fixture, one browser run each."""
    return {page.name: axe.audit(page) for page in PAGES}


@pytest.mark.slow
@pytest.mark.parametrize("fixture", PAGES, ids=lambda p: p.stem)
def test_both_engines_agree_on_rules_and_places(
    fixture: Path, audited: dict[str, list[AxeNode]]
) -> None:
    document = parse(fixture.read_bytes())
    static = {(v.rule, v.line) for v in run(document, fragment=False)}
    nodes = audited[fixture.name]
    browser = {(n.rule, _axe_finding(fixture.name, document, n).line) for n in nodes}
    assert browser == static


@pytest.mark.slow
@pytest.mark.parametrize("fixture", [p for p in PAGES if not p.name.startswith("clean")])
def test_static_criteria_are_axes(fixture: Path, audited: dict[str, list[AxeNode]]) -> None:
    (node,) = {n.rule: n for n in audited[fixture.name]}.values()
    assert RULES[node.rule].criteria == node.criteria


@pytest.mark.slow
def test_fragment_pages_run_without_document_rules(tmp_path: Path, axe: Auditor) -> None:
    page = tmp_path / "part.html"
    page.write_text('<li>item</li>\n<img src="x.png">\n')
    assert {n.rule for n in axe.audit(page)} >= {"html-has-lang", "listitem", "image-alt"}
    off = ("html-has-lang", "document-title", "listitem")
    assert {n.rule for n in axe.audit(page, disabled=off)} == {"image-alt"}


@pytest.mark.slow
def test_the_page_cannot_reach_the_network(tmp_path: Path, axe: Auditor) -> None:
    page = tmp_path / "remote.html"
    page.write_text(
        '<!doctype html><html lang="en"><head><title>t</title>'
        '<link rel="stylesheet" href="http://192.0.2.1/x.css"></head>'
        '<body><img src="https://192.0.2.1/i.png" alt="remote"></body></html>'
    )
    assert axe.audit(page) == []  # blocked requests fail fast instead of hanging


def test_criteria_from_tags() -> None:
    tags = ["cat.aria", "wcag2a", "wcag412", "wcag1412", "wcag21aa", "EN-9.4.1.2"]
    assert criteria_of(tags) == ("4.1.2", "1.4.12")


def test_a_missing_browser_is_reported_not_launched() -> None:
    assert find_browser("/nonexistent/chromium") is None
    why = unavailable("/nonexistent/chromium")
    assert why is not None
    assert "no Chromium at /nonexistent/chromium" in why
    with (
        pytest.raises(FatalError, match="no Chromium at /nonexistent/chromium"),
        auditor("/nonexistent/chromium"),
    ):
        pass
