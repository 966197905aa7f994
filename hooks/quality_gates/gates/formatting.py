"""format: `ruff format --check` on the staged content, held to the lines the change touched."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from quality_gates.errors import FatalError
from quality_gates.findings import Finding, GateResult, Metric, split
from quality_gates.gates.common import GateRequest, select_python
from quality_gates.gates.fixing import fix_clean_files
from quality_gates.gates.lint import RUFF_CONFIGS
from quality_gates.process import run, tool_path
from quality_gates.workspace import tool_tree

GATE = "format"
RULE = "format"
FILE_HEADER_RE = re.compile(r"^--- (.+)$")
HUNK_RE = re.compile(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@")
PARSE_ERROR_RE = re.compile(r"^error: Failed to parse (.+?):(\d+):(\d+): (.*)$")
RUFF_FORMAT_OK = (0, 1, 2)  # 2 also when a file does not parse: told apart on stderr


def _regions(old_lines: Sequence[int]) -> Iterator[tuple[int, int]]:
    start = prev = None
    for line in old_lines:
        if start is None or prev is None or line > prev + 1:
            if start is not None and prev is not None:
                yield start, prev
            start = line
        prev = line
    if start is not None and prev is not None:
        yield start, prev


def _hunk_lines(body: Sequence[str], first_old: int) -> list[int]:
    """Old-side lines a hunk rewrites; an insertion touches the lines on both sides of it."""
    touched: list[int] = []
    old = first_old
    replacing = False
    for line in body:
        if line.startswith("-"):
            touched.append(old)
            old += 1
            replacing = True
        elif line.startswith("+"):
            if not replacing:
                touched += [max(old - 1, 1), old]
        else:
            old += 1
            replacing = False
    return sorted(set(touched))


def parse_format_diff(diff: str) -> list[Finding]:
    """Turn `ruff format --diff` output into one finding per rewritten region of the old side."""
    findings: list[Finding] = []
    path: str | None = None
    hunk: list[str] = []
    first_old = 0

    def flush() -> None:
        if path is not None and hunk:
            for start, end in _regions(_hunk_lines(hunk, first_old)):
                where = f"line {start}" if start == end else f"lines {start}-{end}"
                findings.append(
                    Finding(path, start, 1, RULE, f"would reformat {where}", end_line=end)
                )
        hunk.clear()

    for line in diff.splitlines():
        header, match = FILE_HEADER_RE.match(line), HUNK_RE.match(line)
        if header:
            flush()
            path = header.group(1).strip()
        elif match:
            flush()
            first_old = int(match.group(1))
        elif line.startswith(("+", "-", " ")) and not line.startswith("+++"):
            hunk.append(line)
    flush()
    return findings


def parse_errors(stderr: str) -> tuple[list[Finding], list[str]]:
    """Split ruff format's stderr into files that do not parse and other errors."""
    unparsable, other = [], []
    for line in stderr.splitlines():
        match = PARSE_ERROR_RE.match(line.strip())
        if match:
            path, row, col, message = match.groups()
            unparsable.append(Finding(path, int(row), int(col), "invalid-syntax", message))
        elif line.startswith("error:"):
            other.append(line)
    return unparsable, other


def ruff_format_diff(root: Path, files: Sequence[str]) -> tuple[list[Finding], list[Finding]]:
    """Run `ruff format --diff` once; return (formatting findings, files that do not parse)."""
    argv = (tool_path("ruff"), "format", "--diff", "--force-exclude", "--no-cache", "--", *files)
    completed = run(argv, cwd=root, ok=RUFF_FORMAT_OK)
    unparsable, errors = parse_errors(completed.stderr.decode("utf-8", "replace"))
    if errors or (completed.returncode == 2 and not unparsable):
        detail = "\n".join(errors) or completed.stderr.decode("utf-8", "replace")
        raise FatalError(f"ruff format failed (exit {completed.returncode}): {detail}")
    return parse_format_diff(completed.stdout.decode("utf-8", "replace")), unparsable


def _ruff_format(root: Path, files: Sequence[str]) -> None:
    run(
        (tool_path("ruff"), "format", "--force-exclude", "--quiet", "--", *files),
        cwd=root,
        ok=(0, 2),
    )


def measure(request: GateRequest) -> GateResult:
    """Measure the format gate: files whose changed lines ruff format leaves as they are."""
    workspace, policy = request.workspace, request.policy.gate(GATE)
    selection = select_python(request)
    reasons: tuple[str, ...] = ()
    if request.fix and selection.files:
        reasons = fix_clean_files(
            workspace, selection.files, lambda f: _ruff_format(workspace.root, f)
        )
    findings: list[Finding] = []
    unparsable: list[Finding] = []
    if selection.files:
        with tool_tree(workspace, selection.files, RUFF_CONFIGS) as root:
            findings, unparsable = ruff_format_diff(root, selection.files)
    new, existing = split(findings, selection.scopes)
    bad = {f.path for f in new} | {f.path for f in unparsable}
    good = sum(1 for path in selection.files if path not in bad)
    parse_reasons = tuple(f"{f.path}: ruff cannot format it: {f.message}" for f in unparsable)
    return GateResult(
        gate=GATE,
        metric=Metric("files formatted", good, len(selection.files)),
        threshold=policy.threshold,
        target=policy.target,
        new=new,
        existing=existing,
        notes=selection.notes,
        reasons=reasons + parse_reasons,
    )
