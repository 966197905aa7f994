"""security: bandit on the staged content; score = statements without a finding at the floor."""

from __future__ import annotations

import fnmatch
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from quality_gates.errors import FatalError
from quality_gates.findings import Finding, GateResult, split, suppression_cap_reason
from quality_gates.gates.common import (
    GateRequest,
    Selection,
    select_python,
    statement_metric,
    suppressions,
    tool_path_of,
)
from quality_gates.process import run, tool_path
from quality_gates.thresholds import SEVERITIES
from quality_gates.workspace import Workspace, tool_tree

if sys.version_info >= (3, 11):  # pragma: no cover (depends on the interpreter)
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

GATE = "security"
PYPROJECT = "pyproject.toml"
BANDIT_OK = (0, 1)  # 1: issues found


class BanditConfig(NamedTuple):
    """What this gate reads of [tool.bandit]: whether it exists, and its exclude_dirs."""

    present: bool
    exclude_dirs: tuple[str, ...]


def read_bandit_config(pyproject: bytes | None, *, where: str = PYPROJECT) -> BanditConfig:
    """Read [tool.bandit] from pyproject content (bandit itself only reads it with -c)."""
    if pyproject is None:
        return BanditConfig(False, ())
    try:
        data = tomllib.loads(pyproject.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FatalError(f"{where}: cannot read: {exc}") from None
    section = data.get("tool", {}).get("bandit")
    if section is None:
        return BanditConfig(False, ())
    excludes = section.get("exclude_dirs", [])
    if not isinstance(excludes, list) or not all(isinstance(e, str) for e in excludes):
        raise FatalError(f"{where}: [tool.bandit] exclude_dirs must be a list of strings")
    return BanditConfig(True, tuple(excludes))


def is_excluded(path: str, exclude_dirs: Iterable[str]) -> bool:
    """Apply bandit's exclude_dirs to a repo-relative path, as bandit does not for passed files.

    bandit#499: excludes in the config are ignored for files named on the command line, which is
    how pre-commit calls it. A bare name (`tests`) matches that folder at any depth; `./tests`
    and `tests/...` patterns are anchored at the repository root.
    """
    for raw in exclude_dirs:
        anchored = raw.strip().startswith("./")
        pattern = tool_path_of(raw.strip()).rstrip("/")
        if not pattern:
            continue
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, f"{pattern}/*"):
            return True
        if not anchored and "/" not in pattern and pattern in path.split("/")[:-1]:
            return True
    return False


def _at_floor(record: Mapping[str, Any], severity: str, confidence: str) -> bool:
    rank = {name: i for i, name in enumerate(SEVERITIES)}
    sev = rank.get(str(record.get("issue_severity", "")).lower(), -1)
    conf = rank.get(str(record.get("issue_confidence", "")).lower(), -1)
    return sev >= rank[severity] and conf >= rank[confidence]


def parse_bandit_json(
    output: bytes, *, severity: str, confidence: str
) -> tuple[list[Finding], list[str]]:
    """Turn `bandit -f json` output into findings at or above the floor, and scan errors."""
    try:
        data = json.loads(output)
        records, errors = data["results"], data.get("errors", [])
        findings = [_finding(r) for r in records if _at_floor(r, severity, confidence)]
        problems = [
            f"{tool_path_of(e['filename'])}: bandit could not scan it ({e['reason']})"
            for e in errors
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise FatalError(f"bandit printed output that is not its JSON format: {exc}") from None
    return findings, problems


def _finding(record: Mapping[str, Any]) -> Finding:
    lines = record.get("line_range") or [record["line_number"]]
    severity = str(record["issue_severity"]).upper()
    confidence = str(record["issue_confidence"]).upper()
    return Finding(
        path=tool_path_of(str(record["filename"])),
        line=int(record["line_number"]),
        column=int(record.get("col_offset", 0)) + 1,
        rule=str(record["test_id"]),
        message=f"{record['issue_text']} (severity {severity}, confidence {confidence})",
        severity=severity.lower(),
        end_line=int(max(lines)),
    )


def bandit(
    root: Path, files: Sequence[str], *, config: bool, severity: str, confidence: str
) -> tuple[list[Finding], list[str]]:
    """Run bandit once over files under root."""
    with_config = ("-c", PYPROJECT) if config else ()
    argv = (tool_path("bandit"), "-f", "json", "-q", *with_config, "--", *files)
    completed = run(argv, cwd=root, ok=BANDIT_OK)
    return parse_bandit_json(completed.stdout, severity=severity, confidence=confidence)


def _without_excluded(selection: Selection, config: BanditConfig) -> Selection:
    kept = tuple(p for p in selection.files if not is_excluded(p, config.exclude_dirs))
    return Selection(kept, {p: selection.scopes[p] for p in kept}, selection.notes)


def _scan(
    workspace: Workspace, selection: Selection, config: BanditConfig, severity: str, confidence: str
) -> tuple[list[Finding], list[str]]:
    if not selection.files:
        return [], []
    configs = (PYPROJECT,) if config.present else ()
    with tool_tree(workspace, selection.files, configs) as root:
        return bandit(
            root, selection.files, config=config.present, severity=severity, confidence=confidence
        )


def measure(request: GateRequest) -> GateResult:
    """Measure the security gate over the request's Python files."""
    workspace, policy = request.workspace, request.policy.gate(GATE)
    config = read_bandit_config(workspace.optional_content(PYPROJECT))
    selection = _without_excluded(select_python(request), config)
    findings, problems = _scan(
        workspace, selection, config, policy.get("severity"), policy.get("confidence")
    )
    new, existing = split(findings, selection.scopes)
    metric, notes = statement_metric("score", workspace, selection, new, scale=100.0)
    added = suppressions(workspace, selection, ("nosec",))
    high = [
        f"{f.path}:{f.line}: {f.rule} is HIGH severity: never allowed"
        for f in new
        if f.severity == "high"
    ]
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
        reasons=tuple(problems) + tuple(high) + cap,
    )
