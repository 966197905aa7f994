"""lint: ruff check on the staged content; score = 10 x statements without a violation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from quality_gates.errors import FatalError
from quality_gates.findings import Finding, GateResult, split, suppression_cap_reason
from quality_gates.gates.common import (
    GateRequest,
    select_python,
    statement_metric,
    suppressions,
)
from quality_gates.gates.fixing import fix_clean_files
from quality_gates.process import run, tool_path
from quality_gates.workspace import tool_tree

GATE = "lint"
RUFF_CONFIGS = ("pyproject.toml", "ruff.toml", ".ruff.toml")
RUFF_OK = (0, 1)  # 1: violations found; 2: ruff itself failed


def parse_ruff_json(output: bytes, root: Path) -> list[Finding]:
    """Turn `ruff check --output-format json` output into findings with repo-relative paths."""
    try:
        records: list[dict[str, Any]] = json.loads(output or b"[]")
        return [_finding(record, root) for record in records]
    except (ValueError, KeyError, TypeError) as exc:
        raise FatalError(f"ruff printed output that is not its JSON format: {exc}") from None


def _finding(record: dict[str, Any], root: Path) -> Finding:
    path = Path(record["filename"])
    rel = path.relative_to(root) if path.is_absolute() else path
    start, end = record["location"], record.get("end_location") or record["location"]
    return Finding(
        path=rel.as_posix(),
        line=int(start["row"]),
        column=int(start["column"]),
        rule=record.get("code") or "invalid-syntax",
        message=str(record["message"]),
        end_line=int(end["row"]),
        end_column=int(end["column"]),
    )


def ruff_check(root: Path, files: Sequence[str], *, temporary: bool) -> list[Finding]:
    """Run ruff check once over files under root; return its findings."""
    cache = ("--no-cache",) if temporary else ()
    # --no-fix: a project's `fix = true` would rewrite the user's files and hide what it fixed
    argv = (tool_path("ruff"), "check", "--no-fix", "--output-format", "json", "--force-exclude")
    completed = run((*argv, *cache, "--", *files), cwd=root, ok=RUFF_OK)
    return parse_ruff_json(completed.stdout, root)


def _ruff_fix(root: Path, files: Sequence[str]) -> None:
    run(
        (tool_path("ruff"), "check", "--fix", "--force-exclude", "--quiet", "--", *files),
        cwd=root,
        ok=RUFF_OK,
    )


def measure(request: GateRequest) -> GateResult:
    """Measure the lint gate over the request's Python files."""
    workspace, policy = request.workspace, request.policy.gate(GATE)
    selection = select_python(request)
    reasons: tuple[str, ...] = ()
    if request.fix and selection.files:
        reasons = fix_clean_files(
            workspace, selection.files, lambda f: _ruff_fix(workspace.root, f)
        )
    findings: list[Finding] = []
    if selection.files:
        with tool_tree(workspace, selection.files, RUFF_CONFIGS) as root:
            temporary = root != workspace.root
            findings = ruff_check(root, selection.files, temporary=temporary)
    new, existing = split(findings, selection.scopes)
    metric, notes = statement_metric("score", workspace, selection, new, scale=10.0)
    added = suppressions(workspace, selection, ("noqa",))
    cap = suppression_cap_reason(len(added), request.policy.max_new_suppressions)
    return GateResult(
        gate=GATE,
        metric=metric,
        threshold=policy.threshold,
        target=policy.target,
        new=new,
        existing=existing,
        suppressions=added,
        notes=selection.notes + notes,
        reasons=reasons + cap,
    )
