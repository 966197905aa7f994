"""tests: run the project's tests (all, or those a change can affect); pass rate per category.

Pass rate = passed / (passed + failed + errored); skipped, xfailed and rerun tests are listed apart.
"""

from __future__ import annotations

import fnmatch
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from quality_gates import affected, junit
from quality_gates.coverage_data import read_settings
from quality_gates.findings import Finding, GateResult, Metric
from quality_gates.gates.common import GateRequest, is_full_run
from quality_gates.pytest_run import run_pytest, snapshot_tree
from quality_gates.thresholds import GatePolicy
from quality_gates.workspace import Workspace

GATE = "tests"
LISTED = 20


def category_of(
    case: junit.TestCase, categories: Mapping[str, Mapping[str, Sequence[str]]], default: str
) -> str:
    """The first category whose markers the test has, else whose path globs match its file."""
    for name, spec in categories.items():
        if set(case.markers) & set(spec.get("markers", ())):
            return name
    path = case.path or case.id.split("::", 1)[0]
    for name, spec in categories.items():
        if any(fnmatch.fnmatch(path, glob) for glob in spec.get("paths", ())):
            return name
    return default


def rate(name: str, cases: Sequence[junit.TestCase]) -> Metric:
    """Passed / (passed + failed + errored)."""
    counted = [c for c in cases if c.counted]
    return Metric(name, sum(1 for c in counted if c.outcome == "passed"), len(counted))


def failure_findings(cases: Sequence[junit.TestCase]) -> tuple[Finding, ...]:
    """A finding per failed or errored test: its id and assertion message."""
    found = []
    for case in cases:
        if case.outcome in ("failed", "error"):
            rule = "test-failed" if case.outcome == "failed" else "test-error"
            message = f"{case.id}: {case.message}" if case.message else case.id
            path = case.path or case.id.split("::", 1)[0]
            found.append(Finding(path, case.line or 1, 1, rule, message))
    return tuple(found)


def listed_apart(cases: Sequence[junit.TestCase]) -> list[str]:
    """Notes for skipped, xfailed and rerun tests: never hidden, never counted."""
    notes = []
    outcomes: tuple[junit.Outcome, ...] = ("skipped", "xfailed")
    for outcome in outcomes:
        group = junit.by_outcome(cases, outcome)
        if group:
            shown = [f"{c.id} ({c.message})" if c.message else c.id for c in group[:LISTED]]
            more = f" and {len(group) - LISTED} more" if len(group) > LISTED else ""
            notes.append(f"{len(group)} {outcome}: {'; '.join(shown)}{more}")
    reruns = [c for c in cases if c.reruns]
    if reruns:
        shown = [f"{c.id} ({c.reruns}x, finally {c.outcome})" for c in reruns[:LISTED]]
        notes.append(f"{len(reruns)} rerun: {'; '.join(shown)}")
    return notes


def category_metrics(
    cases: Sequence[junit.TestCase], policy: GatePolicy
) -> tuple[tuple[Metric, ...], tuple[str, ...]]:
    """Pass rate per category that has tests, and a reason for each one under the threshold."""
    categories = policy.get("categories")
    default = str(policy.get("default-category"))
    grouped: dict[str, list[junit.TestCase]] = {}
    for case in cases:
        grouped.setdefault(category_of(case, categories, default), []).append(case)
    order = [*categories, *(k for k in grouped if k not in categories)]
    metrics = tuple(rate(name, grouped[name]) for name in order if name in grouped)
    reasons = tuple(
        f"{m.name} tests: pass rate {m.value:.2f}% is below the threshold {policy.threshold:g}%"
        for m in metrics
        if m.total and m.value < policy.threshold
    )
    return metrics, reasons


def _run(workspace: Workspace, command: Sequence[str], args: Sequence[str]) -> list[junit.TestCase]:
    with tempfile.TemporaryDirectory(prefix="quality-gates-junit-") as tmp:
        xml = Path(tmp) / "junit.xml"
        with snapshot_tree(workspace.changes) as where:
            run_pytest(command, where, args, junit=xml)
        return junit.read(xml)


def _changes(request: GateRequest) -> list[affected.Change]:
    changed = request.workspace.changes.changes
    out = []
    for path in request.files:
        if path in changed:
            scope = request.workspace.changes.scope(path, request.scope)
            lines = None if scope.whole else tuple(scope.lines)
            out.append(affected.Change(path, lines))
    return out


def _context_data(workspace: Workspace, configured: str) -> Path:
    if configured:
        path = Path(configured)
        return path if path.is_absolute() else workspace.root / path
    return workspace.root / read_settings(workspace.root).outputs["coverage.py"]


def _select(request: GateRequest, policy: GatePolicy) -> affected.Selection:
    workspace = request.workspace
    return affected.select(
        workspace,
        _changes(request),
        test_patterns=tuple(policy.get("test-files")),
        data=_context_data(workspace, str(policy.get("data"))),
    )


def _selection_notes(selection: affected.Selection) -> list[str]:
    picked = sorted(selection.reasons.items())
    notes = [f"selected {test}: {why}" for test, why in picked[:LISTED]]
    if len(picked) > LISTED:
        notes.append(f"... and {len(picked) - LISTED} more selected")
    return notes + selection.notes


def measure(request: GateRequest) -> GateResult:
    """Measure the tests gate: all tests in a full run, the affected ones in a commit."""
    workspace, policy = request.workspace, request.policy.gate(GATE)
    command = tuple(policy.get("command"))
    notes: list[str] = []
    if policy.get("junit"):
        path = Path(str(policy.get("junit")))
        cases = junit.read(path if path.is_absolute() else workspace.root / path)
    elif is_full_run(request):
        cases = _run(workspace, command, ())
    else:
        selection = _select(request, policy)
        notes += _selection_notes(selection)
        if not selection.args():
            notes.append(_why_none(request, selection))
            cases = []
        else:
            cases = _run(workspace, command, selection.args())
    return _result(cases, policy, notes)


def _why_none(request: GateRequest, selection: affected.Selection) -> str:
    if not _changes(request):
        return "no test selected: the change has no file to test"
    if not any(p.endswith(".py") for p in request.files):
        return "no test selected: no Python file changed"
    return "no test selected: nothing recorded or imported reaches the changed code (see above)"


def _result(cases: Sequence[junit.TestCase], policy: GatePolicy, notes: list[str]) -> GateResult:
    metrics, reasons = category_metrics(cases, policy)
    return GateResult(
        gate=GATE,
        metric=rate("pass rate", cases),
        threshold=policy.threshold,
        target=policy.target,
        new=failure_findings(cases),
        notes=tuple(notes + listed_apart(cases)),
        reasons=reasons,
        extra=metrics,
    )
