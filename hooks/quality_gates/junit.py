"""JUnit XML results (pytest's --junitxml, or any runner's), read with defusedxml.

Every <testcase> of every <testsuite> counts, so totals are summed over all suites. Skipped,
xfailed and rerun tests are kept apart from passes and failures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from quality_gates.coverage_data import parse_xml
from quality_gates.errors import FatalError

if TYPE_CHECKING:
    # a type only: parsing goes through defusedxml
    from xml.etree.ElementTree import Element  # nosec B405

Outcome = Literal["passed", "failed", "error", "skipped", "xfailed"]
RERUN_TAGS = ("rerunFailure", "rerunError", "flakyFailure", "flakyError")
MESSAGE_SHOWN = 300


class TestCase(NamedTuple):
    """One test's result."""

    id: str
    path: str | None
    line: int | None
    outcome: Outcome
    message: str
    markers: tuple[str, ...] = ()
    reruns: int = 0

    @property
    def counted(self) -> bool:
        """Passed, failed and errored tests make the pass rate; skips are listed apart."""
        return self.outcome in ("passed", "failed", "error")


def read(path: Path) -> list[TestCase]:
    """Read every test case of a JUnit XML file."""
    if not path.is_file():
        raise FatalError(f"{path}: no such JUnit XML file")
    root = parse_xml(path)
    if root.tag not in ("testsuites", "testsuite"):
        raise FatalError(f"{path}: not JUnit XML (root element <{root.tag}>)")
    try:
        return [_case(case) for case in root.iter("testcase")]
    except ValueError as exc:
        raise FatalError(f"{path}: not valid JUnit XML: {exc}") from None


def _properties(case: Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for prop in case.iter("property"):
        name = prop.get("name")
        if name:
            found[name] = prop.get("value", "")
    return found


def _case(case: Element) -> TestCase:
    props = _properties(case)
    path = props.get("path") or case.get("file")
    line = props.get("line") or case.get("line")
    outcome, message = _outcome(case)
    markers = tuple(m for m in props.get("markers", "").split(",") if m)
    reruns = sum(1 for child in case if child.tag in RERUN_TAGS) + int(props.get("reruns", "0"))
    return TestCase(
        id=props.get("nodeid") or _guess_id(case, path),
        path=path.replace("\\", "/") if path else None,
        line=int(line) if line and line.isdigit() else None,
        outcome=outcome,
        message=message,
        markers=markers,
        reruns=reruns,
    )


def _guess_id(case: Element, path: str | None) -> str:
    name = case.get("name", "")
    if not name:
        raise ValueError("a <testcase> has no name")
    classname = case.get("classname", "")
    if path:
        module = path.replace("/", ".").removesuffix(".py")
        rest = classname[len(module) + 1 :] if classname.startswith(module + ".") else ""
        return "::".join(p for p in (path, *rest.split("."), name) if p)
    return f"{classname}::{name}" if classname else name


def _outcome(case: Element) -> tuple[Outcome, str]:
    tags: Mapping[str, Outcome] = {"failure": "failed", "error": "error", "skipped": "skipped"}
    for tag in ("failure", "error", "skipped"):
        child = case.find(tag)
        if child is None:
            continue
        message = _message(child)
        if tag == "skipped" and child.get("type") == "pytest.xfail":
            return "xfailed", message
        return tags[tag], message
    return "passed", ""


def _message(element: Element) -> str:
    given = element.get("message")
    text = given.strip() if given else (element.text or "").strip().split("\n", 1)[0]
    flat = " ".join(text.split())
    return flat if len(flat) <= MESSAGE_SHOWN else flat[: MESSAGE_SHOWN - 3] + "..."


def by_outcome(cases: Iterable[TestCase], outcome: Outcome) -> list[TestCase]:
    """The cases with one outcome, in file order."""
    return [c for c in cases if c.outcome == outcome]
