"""a11y: WCAG 2.1 A/AA checks of HTML pages; metric = pages without a new violation.

Two engines: the static rules (a11y_checks, html5lib, the default: fast, no browser) and axe-core
in headless Chromium (`engine = "axe"`, for CI: adds what needs layout, such as colour contrast).

Hold the line: a violation is new when its span touches a changed line. An element rule spans
the element's start tag; a rule that reads the element's content (names from text, lists, title)
spans the element to its last text line. A page rule sits on the element it concerns (`<html>`
for lang, `<title>` or else `<head>` for the title), so it is new when the page is new or that
element's lines change. An unparsed page (over max-bytes) spans the whole file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from quality_gates.a11y_dom import Document, Element, parse
from quality_gates.a11y_rules import RULES, Rule, Violation
from quality_gates.errors import FatalError
from quality_gates.findings import Finding, GateResult, Metric, split
from quality_gates.gates.common import GateRequest, Selection, select
from quality_gates.thresholds import GatePolicy
from quality_gates.workspace import Workspace, tool_tree

if TYPE_CHECKING:
    from quality_gates.a11y_axe import AxeNode

GATE = "a11y"
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
TOO_LARGE = "page-too-large"
# rules that need the whole document, or an element's parents outside a partial page
FRAGMENT_OFF = tuple(r.id for r in RULES.values() if r.document or r.context)


class Page(NamedTuple):
    """One checked page: its findings; partial is its path when checked as a partial page."""

    path: str
    findings: tuple[Finding, ...]
    partial: str | None = None


def is_html(path: str, head: bytes = b"") -> bool:
    """HTML pages by suffix (what pre-commit's `types: [html]` selects)."""
    return path.lower().endswith(HTML_SUFFIXES)


def label(criteria: Sequence[str]) -> str:
    """The `(WCAG x.y.z)` prefix of a finding's message."""
    return f"(WCAG {', '.join(criteria)})" if criteria else "(WCAG)"


def finding(path: str, violation: Violation, rule: Rule | None = None) -> Finding:
    """A static violation as a finding: `RULE (WCAG x.y.z) message`."""
    criteria = rule.criteria if rule is not None else RULES[violation.rule].criteria
    return Finding(
        path=path,
        line=violation.line,
        column=violation.column,
        rule=violation.rule,
        message=f"{label(criteria)} {violation.message}",
        end_line=violation.end_line,
    )


def is_fragment(document: Document, mode: str) -> bool:
    """Whether a page is checked as a partial page (template, include) under the policy."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    return not document.full_document


def too_large(path: str, content: bytes, limit: int) -> Finding:
    """The finding for a page over max-bytes: it spans the file, so any change makes it new."""
    lines = content.count(b"\n") + 1
    return Finding(
        path=path,
        line=1,
        column=1,
        rule=TOO_LARGE,
        message=(
            f"page not checked: {len(content)} bytes is over a11y.max-bytes = {limit} "
            "(raise it, or exclude the file)"
        ),
        end_line=lines,
    )


def check_static(path: str, content: bytes, policy: GatePolicy) -> Page:
    """Run the static rules on one page."""
    from quality_gates.a11y_checks import run

    limit = policy.get("max-bytes")
    if limit and len(content) > limit:
        return Page(path, (too_large(path, content, limit),))
    document = parse(content)
    fragment = is_fragment(document, policy.get("fragments"))
    ignored = set(policy.get("ignore"))
    found = tuple(
        finding(path, v) for v in run(document, fragment=fragment) if v.rule not in ignored
    )
    return Page(path, found, path if fragment else None)


def check_axe(workspace: Workspace, selection: Selection, policy: GatePolicy) -> list[Page]:
    """Run axe-core in Chromium on the pages (their staged content, with the repo around them)."""
    from quality_gates.a11y_axe import auditor

    limit = policy.get("max-bytes")
    pages: list[Page] = []
    ignored = tuple(policy.get("ignore"))
    with tool_tree(workspace, selection.files, ()) as root, auditor(policy.get("browser")) as axe:
        for path in selection.files:
            content = workspace.content(path)
            if limit and len(content) > limit:
                pages.append(Page(path, (too_large(path, content, limit),)))
                continue
            document = parse(content)
            fragment = is_fragment(document, policy.get("fragments"))
            disabled = (*ignored, *(FRAGMENT_OFF if fragment else ()))
            nodes = axe.audit(Path(root) / path, disabled=disabled)
            found = tuple(_axe_finding(path, document, n) for n in nodes)
            pages.append(Page(path, found, path if fragment else None))
    return pages


def _axe_finding(path: str, document: Document, node: AxeNode) -> Finding:
    element = _element_at(document, node.tag, node.rank)
    if element is None:  # not mapped (a node inside an iframe, or a tree a script changed)
        line, column, end = 1, 1, document.line_count
    else:
        line, column, end = element.line, element.column, max(element.end_line, element.line)
    return Finding(
        path=path,
        line=line,
        column=column,
        rule=node.rule,
        message=f"{label(node.criteria)} {node.help}",
        end_line=end,
    )


def _element_at(document: Document, tag: str, rank: int) -> Element | None:
    if rank < 0 or not tag:
        return None
    same = [e for e in document.root.iter() if e.tag == tag]
    return same[rank] if rank < len(same) else None


def _unknown_ignores(policy: GatePolicy) -> None:
    unknown = sorted(set(policy.get("ignore")) - set(RULES))
    if unknown and policy.get("engine") == "static":
        raise FatalError(
            f"a11y.ignore: unknown rule(s) {', '.join(unknown)} (known: {', '.join(sorted(RULES))})"
        )


def measure(request: GateRequest) -> GateResult:
    """Measure the a11y gate over the request's HTML pages."""
    workspace, policy = request.workspace, request.policy.gate(GATE)
    _unknown_ignores(policy)
    selection = select(request, is_html)
    notes = list(selection.notes)
    engine = policy.get("engine")
    if engine == "axe" and selection.files:
        from quality_gates.a11y_axe import unavailable

        why = unavailable(policy.get("browser"))
        if why is not None:
            notes.append(f"axe engine skipped: {why}; the static rules were used instead")
            engine = "static"
    if engine == "axe" and selection.files:
        pages = check_axe(workspace, selection, policy)
    else:
        pages = [check_static(p, workspace.content(p), policy) for p in selection.files]
    new, existing = split([f for page in pages for f in page.findings], selection.scopes)
    failing = {f.path for f in new}
    partial = [page.partial for page in pages if page.partial]
    if partial:
        shown = ", ".join(partial[:5]) + (
            f" and {len(partial) - 5} more" if len(partial) > 5 else ""
        )
        notes.append(f"{len(partial)} partial page(s) (no document rules): {shown}")
    return GateResult(
        gate=GATE,
        metric=Metric("pages", len(pages) - len(failing), len(pages)),
        threshold=policy.threshold,
        target=policy.target,
        new=new,
        existing=existing,
        notes=tuple(notes),
    )
