"""report.md: GitHub-flavoured Markdown for $GITHUB_STEP_SUMMARY (capped under GitHub's 1 MiB)."""

from __future__ import annotations

from collections.abc import Sequence

from quality_gates.findings import Finding
from quality_gates.report import (
    STATUSES,
    GateReport,
    Report,
    fmt_change,
    summary_table,
    top_findings,
)

MAX_BYTES = 1_000_000  # GitHub rejects a step summary over 1 MiB (1,048,576 bytes); keep a margin
MESSAGE_CHARS = 300
VERDICTS = {0: "PASSED", 1: "FAILED", 2: "ERROR"}
# one icon per status, in STATUSES order: pass, fail, regressed, overridden, error
ICONS = dict(zip(STATUSES, ("✅", "❌", "📉", "⚠️", "💥"), strict=True))


def cell(text: str) -> str:
    """Make text safe inside a Markdown table cell."""
    text = " ".join(text.split())
    if len(text) > MESSAGE_CHARS:
        text = text[: MESSAGE_CHARS - 1] + "…"
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def table(rows: Sequence[Sequence[str]], align: str) -> str:
    """A Markdown table from a header row and rows; align is one of l/r per column."""
    marks = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(rows[0]) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows[1:]]
    return "\n".join(lines) + "\n"


def headline(report: Report) -> str:
    """The title line and where/when the run was made."""
    overall = report.overall
    quality = f" · quality {overall:.2f}%" if overall is not None else ""
    title = f"## quality-gates: {VERDICTS[report.exit_code]}{quality}\n\n"
    where = [f"`{report.project}`" if report.project else "project"]
    if report.commit:
        where.append(f"at `{report.commit[:12]}`")
    if report.branch:
        where.append(f"on `{report.branch}`")
    if report.stage:
        where.append(f"· stage `{report.stage}`")
    where.append(f"· {report.time}")
    baseline = report.baseline.describe() if report.baseline else "none yet"
    return title + " ".join(where) + f" · baseline: {baseline}\n\n"


def gates_table(report: Report) -> str:
    """The summary table, with an icon per verdict."""
    rows = summary_table(report)
    for row, gate in zip(rows[1:], report.gates, strict=True):
        row[6] = f"{ICONS[gate.status]} {row[6]}"
    return table(rows, "llrrrrlr")


def overrides_section(report: Report) -> str:
    """Active overrides, loudly (they are audited in every run)."""
    if not report.overrides:
        return ""
    used = {g.gate for g in report.overridden}
    lines = ["> [!WARNING]", "> **Emergency override(s) active**"]
    for o in report.overrides:
        effect = "turned a failure into a pass" if o.gate in used else "not needed this run"
        lines.append(
            f"> - `{o.gate}` until {o.expires.isoformat()}, approved by {cell(o.approved_by)}: "
            f"{cell(o.reason)} ({o.issue}) — {effect}"
        )
    return "\n".join(lines) + "\n\n"


def problems_section(report: Report) -> str:
    """Regressions, breaches and errors, one line each."""
    lines = []
    for gate in report.gates:
        if gate.status == "pass":
            continue
        since = ""
        if gate.regression and report.baseline and report.baseline.commit:
            since = f" since `{report.baseline.commit[:12]}`"
        change = f" ({fmt_change(gate.change)} points)" if gate.regression else ""
        lines.append(f"- **{gate.gate}** {gate.status}: {cell(gate.problem())}{change}{since}")
    if report.unavailable:
        lines.append(f"- not available in this version: {', '.join(report.unavailable)}")
    return ("### Problems\n\n" + "\n".join(lines) + "\n\n") if lines else ""


def _finding_row(finding: Finding) -> list[str]:
    return [f"`{finding.path}:{finding.line}`", finding.rule, finding.message]


def findings_section(gate: GateReport, top: int | None) -> str:
    """A collapsible table of a gate's first findings."""
    if not gate.findings:
        return ""
    shown = top_findings(gate, top)
    rows = [["where", "rule", "message"], *(_finding_row(f) for f in shown)]
    more = len(gate.findings) - len(shown)
    tail = f"\n{more} more in report.sarif and report.json.\n" if more else ""
    return (
        f"<details><summary>{gate.gate}: {len(gate.findings)} finding(s)</summary>\n\n"
        + table(rows, "lll")
        + tail
        + "\n</details>\n\n"
    )


def render(report: Report, *, top: int | None = 10, max_bytes: int = MAX_BYTES) -> str:
    """The Markdown report; findings sections are left out as needed to stay under max_bytes."""
    head = headline(report) + gates_table(report) + "\n" + overrides_section(report)
    head += problems_section(report)
    body = head
    dropped = 0
    for gate in report.gates:
        section = findings_section(gate, top)
        if len((body + section).encode()) > max_bytes - 200:
            dropped += 1
            continue
        body += section
    if dropped:
        body += f"_{dropped} findings section(s) left out: GitHub caps a summary at 1 MiB._\n"
    return body
