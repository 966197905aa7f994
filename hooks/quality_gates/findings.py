"""Findings, the hold-the-line split into new and existing, suppressions, and gate results."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from quality_gates.changes import FileScope
from quality_gates.pysource import comments, decode

SUPPRESSION_MARKERS: Mapping[str, re.Pattern[str]] = {
    "noqa": re.compile(r"#\s*(?:ruff\s*:\s*|flake8\s*:\s*)?noqa\b(?::\s*[\w, ]+)?", re.I),
    "nosec": re.compile(r"#\s*nosec\b(?:\s*:?\s*[\w, ]+)?", re.I),
    "type: ignore": re.compile(r"#\s*type:\s*ignore\b(?:\[[^\]]*\])?"),
    "pragma: no cover": re.compile(r"#\s*pragma:\s*no\s*(?:cover|branch)\b", re.I),
}


class Finding(NamedTuple):
    """One problem a tool reported, at a place in a file."""

    path: str
    line: int
    column: int
    rule: str
    message: str
    severity: str = "error"
    end_line: int | None = None
    end_column: int | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order findings by place, then rule."""
        return (self.path, self.line, self.column, self.rule)


class Suppression(NamedTuple):
    """A suppression comment added on a changed line."""

    path: str
    line: int
    kind: str
    text: str


class Metric(NamedTuple):
    """good / total over the scope, shown on a scale (10 for the lint score, 100 for percents)."""

    name: str
    good: int
    total: int
    scale: float = 100.0

    @property
    def value(self) -> float:
        """The metric on its scale, unrounded; an empty scope measures as full marks."""
        return self.scale if self.total == 0 else self.scale * self.good / self.total


@dataclass(frozen=True)
class GateResult:
    """What one gate measured and decided."""

    gate: str
    metric: Metric
    threshold: float
    target: float
    new: tuple[Finding, ...] = ()
    existing: tuple[Finding, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    notes: tuple[str, ...] = ()
    reasons: tuple[str, ...] = field(default=())
    extra: tuple[Metric, ...] = ()  # secondary numbers (e.g. project coverage beside changed lines)

    @property
    def passed(self) -> bool:
        """Pass when the metric meets the threshold (unrounded) and nothing else failed."""
        return self.metric.value >= self.threshold and not self.reasons


def split(
    findings: Iterable[Finding], scopes: Mapping[str, FileScope]
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """Split findings into new (touching a changed line, or in a whole-file scope) and existing."""
    new: list[Finding] = []
    existing: list[Finding] = []
    for finding in sorted(findings, key=Finding.sort_key):
        scope = scopes.get(finding.path)
        if scope is None:
            continue
        touched = scope.covers_span(finding.line, max(finding.line, finding.end_line or 0))
        (new if touched else existing).append(finding)
    return tuple(new), tuple(existing)


def added_suppressions(
    path: str,
    content: bytes,
    scope: FileScope,
    kinds: Sequence[str],
    *,
    comments_of: Callable[[bytes], list[tuple[int, str]]] = comments,
) -> list[Suppression]:
    """Find suppression comments of the given kinds on the lines of the change."""
    found: list[Suppression] = []
    if not _may_suppress(content, scope, kinds):
        return found
    for line, text in comments_of(content):
        if not scope.covers(line):
            continue
        for kind in kinds:
            match = SUPPRESSION_MARKERS[kind].search(text)
            if match:
                found.append(Suppression(path, line, kind, match.group(0).strip()))
    return found


def _may_suppress(content: bytes, scope: FileScope, kinds: Sequence[str]) -> bool:
    """Tell whether the lines in scope could hold a suppression, before paying to tokenize.

    A comment lies within its line, so when no line in scope matches a marker, no comment
    does. Lines are counted on LF as git counts them; a lone CR (which a tokenizer may count
    as a line end) makes it search the whole file instead.
    """
    text = decode(content)
    if not scope.whole and b"\r" not in content.replace(b"\r\n", b""):
        lines = text.split("\n")
        text = "\n".join(lines[n - 1] for n in scope.lines if n <= len(lines))
    return any(SUPPRESSION_MARKERS[kind].search(text) for kind in kinds)


def suppression_cap_reason(count: int, cap: int | None) -> tuple[str, ...]:
    """Return a failure reason when the change adds more suppressions than the policy allows."""
    if cap is None or count <= cap:
        return ()
    return (f"{count} suppression(s) added, max-new-suppressions is {cap}",)
