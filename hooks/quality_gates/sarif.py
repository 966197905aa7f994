"""report.sarif: every finding of the run as SARIF 2.1.0, for GitHub code scanning.

One run, tool `quality-gates`, rule ids `<gate>/<tool rule>` (stable across runs, so code scanning
deduplicates), repository-relative URIs. GitHub shows 5,000 results per run: the rest are left out
and counted in the run's properties.
"""

from __future__ import annotations

from typing import Any

from quality_gates.findings import Finding
from quality_gates.report import Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
MAX_RESULTS = 5000
INFORMATION_URI = "https://github.com/your-org/quality-gates"
LEVELS = {"error": "error", "high": "error", "warning": "warning", "medium": "warning"}


def level(severity: str) -> str:
    """SARIF level for a finding's severity."""
    return LEVELS.get(severity.lower(), "note")


def rule_id(gate: str, finding: Finding) -> str:
    """The stable rule id: gate and the tool's rule."""
    return f"{gate}/{finding.rule}"


def _region(finding: Finding) -> dict[str, int]:
    region = {"startLine": max(1, finding.line)}
    if finding.column > 0:
        region["startColumn"] = finding.column
    if finding.end_line and finding.end_line >= region["startLine"]:
        region["endLine"] = finding.end_line
        later = finding.end_line > region["startLine"]
        end_column = finding.end_column or 0
        if end_column > 0 and (later or end_column >= region.get("startColumn", 1)):
            region["endColumn"] = end_column
    return region


def _result(gate: str, finding: Finding, index: int) -> dict[str, Any]:
    return {
        "ruleId": rule_id(gate, finding),
        "ruleIndex": index,
        "level": level(finding.severity),
        "message": {"text": finding.message or finding.rule},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": finding.path},
                    "region": _region(finding),
                }
            }
        ],
    }


def _rule(gate: str, rule: str) -> dict[str, Any]:
    return {
        "id": f"{gate}/{rule}",
        "name": f"{gate}/{rule}",
        "shortDescription": {"text": f"{gate} gate: {rule}"},
        "helpUri": f"{INFORMATION_URI}#{gate}",
        "properties": {"tags": ["quality-gates", gate]},
    }


def render(report: Report, *, max_results: int = MAX_RESULTS) -> dict[str, Any]:
    """The SARIF document of a report."""
    rules: dict[str, int] = {}
    rule_list: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    total = 0
    for gate in report.gates:
        for finding in gate.findings:
            total += 1
            if len(results) >= max_results:
                continue
            rid = rule_id(gate.gate, finding)
            if rid not in rules:
                rules[rid] = len(rule_list)
                rule_list.append(_rule(gate.gate, finding.rule))
            results.append(_result(gate.gate, finding, rules[rid]))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "quality-gates",
                "version": report.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": rule_list,
            }
        },
        "automationDetails": {"id": f"quality-gates/{report.stage or 'default'}/"},
        "results": results,
        "properties": {"resultsTotal": total, "resultsOmitted": total - len(results)},
    }
    return {"$schema": SCHEMA, "version": VERSION, "runs": [run]}
