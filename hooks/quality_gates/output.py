"""Render gate results: text for people, JSON for machines, GitHub workflow annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from quality_gates.errors import EXIT_FAIL, EXIT_PASS
from quality_gates.findings import Finding, GateResult, Metric

GITHUB_ANNOTATION_CAP = 10  # GitHub shows 10 error annotations per step and drops the rest
FORMATS = ("text", "json", "github")


def format_value(metric: Metric, value: float, *, exact: bool = False) -> str:
    """Show a value on the metric's scale: 9.76 for the lint score, 97.62% for percents.

    Measured values get two decimals; thresholds (exact) are shown as configured.
    """
    text = f"{value:g}" if exact else f"{value:.2f}"
    return text if metric.scale != 100 else f"{text}%"


def finding_line(finding: Finding, suffix: str = "") -> str:
    """`path:line:col: RULE message`, the format editors and CI logs understand.

    A finding without a column (0: it is about a whole line, e.g. a definition) drops `:col`.
    """
    place = f"{finding.path}:{finding.line}" + (f":{finding.column}" if finding.column else "")
    return f"{place}: {finding.rule} {finding.message}{suffix}"


def summary_line(result: GateResult) -> str:
    """`gate: metric good/total = value (threshold T) PASS|FAIL`."""
    metric = result.metric
    verdict = "PASS" if result.passed else "FAIL"
    value = format_value(metric, metric.value)
    threshold = format_value(metric, result.threshold, exact=True)
    counts = f"{metric.good}/{metric.total}"
    text = f"{result.gate}: {metric.name} {counts} = {value} (threshold {threshold}"
    if result.target != result.threshold and metric.value < result.target:
        text += f", target {format_value(metric, result.target, exact=True)}"
    text += f") {verdict}"
    if metric.total == 0:
        text += " (nothing to measure)"
    for extra in result.extra:
        text += f"; {extra.name} {extra.good}/{extra.total} = {format_value(extra, extra.value)}"
    return text


def _result_lines(result: GateResult, *, show_existing: bool) -> list[str]:
    lines = [finding_line(f) for f in result.new]
    if show_existing:
        lines += [finding_line(f, " (existing)") for f in result.existing]
    lines += [f"{s.path}:{s.line}: suppression added: {s.text}" for s in result.suppressions]
    lines += [f"{result.gate}: {reason}" for reason in result.reasons]
    lines += [f"{result.gate}: note: {note}" for note in result.notes]
    if result.existing and not show_existing:
        lines.append(
            f"{result.gate}: {len(result.existing)} existing finding(s) on unchanged lines "
            "not shown (--show-existing lists them)"
        )
    lines.append(summary_line(result))
    return lines


def render_text(results: Sequence[GateResult], *, show_existing: bool = False) -> str:
    """Findings then one summary line per gate; a passing gate prints only its summary."""
    lines: list[str] = []
    for result in results:
        if result.passed and not show_existing:
            lines += [f"{result.gate}: note: {note}" for note in result.notes]
            lines += [
                f"{s.path}:{s.line}: suppression added: {s.text}" for s in result.suppressions
            ]
            lines.append(summary_line(result))
        else:
            lines += _result_lines(result, show_existing=show_existing)
    return "\n".join(lines) + ("\n" if lines else "")


def _finding_json(finding: Finding) -> dict[str, Any]:
    return finding._asdict()


def result_json(result: GateResult) -> dict[str, Any]:
    """One gate result as a JSON-ready dict."""
    metric = result.metric
    return {
        "gate": result.gate,
        "passed": result.passed,
        "metric": {**metric._asdict(), "value": metric.value},
        "extra": [{**m._asdict(), "value": m.value} for m in result.extra],
        "threshold": result.threshold,
        "target": result.target,
        "new": [_finding_json(f) for f in result.new],
        "existing": [_finding_json(f) for f in result.existing],
        "suppressions": [s._asdict() for s in result.suppressions],
        "reasons": list(result.reasons),
        "notes": list(result.notes),
    }


def render_json(results: Sequence[GateResult]) -> str:
    """All results as one JSON document."""
    doc = {"passed": all(r.passed for r in results), "results": [result_json(r) for r in results]}
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, gate: str) -> str:
    """One `::error file=...,line=...::message` workflow command."""
    props = [
        f"file={_escape_property(finding.path)}",
        f"line={finding.line}",
    ]
    if finding.column:
        props.append(f"col={finding.column}")
    if finding.end_line:
        props.append(f"endLine={finding.end_line}")
    props.append(f"title={_escape_property(f'{gate} {finding.rule}')}")
    return f"::error {','.join(props)}::{_escape_data(finding.message)}"


def render_github(results: Sequence[GateResult], cap: int = GITHUB_ANNOTATION_CAP) -> str:
    """Annotations for the new findings, capped as GitHub caps them, with a note on the rest."""
    pairs = [(f, r.gate) for r in results for f in r.new]
    lines = [annotation(f, gate) for f, gate in pairs[:cap]]
    if len(pairs) > cap:
        lines.append(
            f"::notice title=quality-gates::{len(pairs) - cap} more finding(s) not annotated "
            f"(GitHub shows {cap} per step); see the log above"
        )
    return "\n".join(lines) + ("\n" if lines else "")


def exit_code(results: Sequence[GateResult]) -> int:
    """0 when every gate passed, else 1."""
    return EXIT_PASS if all(r.passed for r in results) else EXIT_FAIL
