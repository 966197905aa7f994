"""The full run's report: one model built from the gates' results, rendered by the other modules.

Every number here is derived from a GateResult (or from the recorded baseline): each gate's value
on its own scale and as a percent, the change since the baseline, and a status:
`pass`, `fail` (threshold breached or another failure reason), `regressed` (worse than the
baseline beyond the tolerance, even above threshold), `overridden` (one of those, turned into a
loud pass by an active emergency override) or `error` (the gate could not measure).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from quality_gates.errors import EXIT_ERROR, EXIT_FAIL, EXIT_PASS
from quality_gates.findings import Finding, GateResult, Metric
from quality_gates.overrides import Override

SCHEMA_VERSION = 1
STATUSES = ("pass", "fail", "regressed", "overridden", "error")
PASSING = ("pass", "overridden")
EPSILON = 1e-9  # values are ratios of counts: this only absorbs float noise


class GateError(NamedTuple):
    """A gate that could not measure (missing tool, unreadable output, bad input)."""

    gate: str
    message: str


Outcome = GateResult | GateError


def percent_of(metric: Metric) -> float:
    """The metric as a percent (the lint score 9.5/10 is 95 %)."""
    return 100.0 * metric.value / metric.scale


@dataclass(frozen=True)
class Baseline:
    """What a run is compared with: a pinned baseline, or the last run on the default branch."""

    source: str  # "pinned" or "history"
    run_uid: str | None
    commit: str | None
    branch: str | None
    time: str | None
    percents: Mapping[str, float]

    def describe(self) -> str:
        """One line: where the baseline comes from."""
        where = "pinned baseline" if self.source == "pinned" else "last run"
        commit = f" at {self.commit[:12]}" if self.commit else ""
        branch = f" on {self.branch}" if self.branch else ""
        return f"{where}{branch}{commit} ({self.time or 'time unknown'})"


@dataclass(frozen=True)
class GateReport:
    """One gate's line of the report."""

    gate: str
    status: str
    metric: str = ""
    good: int = 0
    total: int = 0
    scale: float = 100.0
    value: float | None = None
    percent: float | None = None
    threshold: float = 0.0
    target: float = 0.0
    baseline: float | None = None
    change: float | None = None
    tolerance: float = 0.0
    breach: bool = False
    regression: bool = False
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    extra: tuple[Metric, ...] = ()
    findings: tuple[Finding, ...] = ()
    existing: int = 0
    suppressions: int = 0
    override: Override | None = None
    error: str | None = None
    seconds: float | None = None

    @property
    def passed(self) -> bool:
        """Pass, or an overridden failure (a loud pass)."""
        return self.status in PASSING

    @property
    def threshold_percent(self) -> float:
        """The threshold on the percent scale."""
        return 100.0 * self.threshold / self.scale

    @property
    def target_percent(self) -> float:
        """The target on the percent scale."""
        return 100.0 * self.target / self.scale

    def problem(self) -> str:
        """Why the gate did not simply pass, in one line ('' when it passed)."""
        parts = []
        if self.error:
            parts.append(self.error)
        if self.breach:
            parts.append(
                "; ".join(self.reasons)
                or f"{self.metric} {fmt(self.value, self.scale)} below threshold "
                f"{fmt(self.threshold, self.scale, exact=True)}"
            )
        if self.regression and self.baseline is not None and self.percent is not None:
            parts.append(
                f"regressed from {self.baseline:.2f}% to {self.percent:.2f}% "
                f"(tolerance {self.tolerance:g} points)"
            )
        return "; ".join(parts)


def fmt(value: float | None, scale: float, *, exact: bool = False) -> str:
    """A value on its scale: 9.76 for the lint score, 97.62% for percents."""
    if value is None:
        return "-"
    # measured values are rounded down: 9.9976 shows as 9.99, never as a passing-looking 10.00
    text = f"{value:g}" if exact else f"{math.floor(value * 100 + 1e-9) / 100:.2f}"
    return text if scale != 100 else f"{text}%"


def fmt_change(change: float | None) -> str:
    """The change since the baseline in percentage points, signed ('' without a baseline)."""
    if change is None:
        return ""
    if abs(change) < 0.005:
        return "±0.00"
    return f"{change:+.2f}"


@dataclass(frozen=True)
class Report:
    """Everything one full run found and decided."""

    run_uid: str
    time: str
    commit: str | None
    branch: str | None
    stage: str | None
    default_branch: str
    policy_source: str
    tool_version: str
    gates: tuple[GateReport, ...]
    baseline: Baseline | None = None
    unavailable: tuple[str, ...] = ()
    overrides: tuple[Override, ...] = ()
    version: int = SCHEMA_VERSION
    project: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def overall(self) -> float | None:
        """The quality percent: the mean of the gates' percents (lint scaled to %)."""
        values = [g.percent for g in self.gates if g.percent is not None]
        return sum(values) / len(values) if values else None

    @property
    def passed(self) -> bool:
        """Every gate passed (overridden failures included) and none errored."""
        return all(g.passed for g in self.gates)

    @property
    def errored(self) -> tuple[GateReport, ...]:
        """The gates that could not measure."""
        return tuple(g for g in self.gates if g.status == "error")

    @property
    def regressions(self) -> tuple[GateReport, ...]:
        """Gates worse than the baseline beyond tolerance (overridden ones included)."""
        return tuple(g for g in self.gates if g.regression)

    @property
    def failures(self) -> tuple[GateReport, ...]:
        """Gates that fail the run: breached or regressed without an active override."""
        return tuple(g for g in self.gates if g.status in ("fail", "regressed"))

    @property
    def overridden(self) -> tuple[GateReport, ...]:
        """Gates whose failure an active override turned into a loud pass."""
        return tuple(g for g in self.gates if g.status == "overridden")

    @property
    def exit_code(self) -> int:
        """2 when a gate could not measure, 1 on a failure not overridden, else 0."""
        if self.errored:
            return EXIT_ERROR
        return EXIT_PASS if self.passed else EXIT_FAIL

    def gate(self, name: str) -> GateReport:
        """The report of one gate."""
        for report in self.gates:
            if report.gate == name:
                return report
        raise KeyError(name)


def _regression(
    percent: float | None, baseline: float | None, tolerance: float
) -> tuple[float | None, bool]:
    if percent is None or baseline is None:
        return None, False
    change = percent - baseline
    return change, change < -tolerance - EPSILON


def gate_report(
    outcome: Outcome,
    *,
    baseline: Baseline | None,
    tolerance: float,
    override: Override | None,
    seconds: float | None = None,
) -> GateReport:
    """Judge one gate's outcome against its threshold, the baseline and any active override."""
    if isinstance(outcome, GateError):
        return GateReport(gate=outcome.gate, status="error", error=outcome.message, seconds=seconds)
    metric = outcome.metric
    percent = percent_of(metric)
    base = baseline.percents.get(outcome.gate) if baseline else None
    change, regression = _regression(percent, base, tolerance)
    breach = not outcome.passed
    status = "pass"
    if breach or regression:
        status = "overridden" if override else ("fail" if breach else "regressed")
    return GateReport(
        gate=outcome.gate,
        status=status,
        metric=metric.name,
        good=metric.good,
        total=metric.total,
        scale=metric.scale,
        value=metric.value,
        percent=percent,
        threshold=outcome.threshold,
        target=outcome.target,
        baseline=base,
        change=change,
        tolerance=tolerance,
        breach=breach,
        regression=regression,
        reasons=outcome.reasons,
        notes=outcome.notes,
        extra=outcome.extra,
        findings=outcome.new,
        existing=len(outcome.existing),
        suppressions=len(outcome.suppressions),
        override=override if status == "overridden" else None,
        seconds=seconds,
    )


# ---- JSON: report.json is the model itself ------------------------------------------------------


def _override_json(override: Override | None) -> dict[str, str] | None:
    return None if override is None else override.as_dict()


def _gate_json(gate: GateReport) -> dict[str, Any]:
    data = asdict(gate)
    data["extra"] = [{**m._asdict(), "value": m.value} for m in gate.extra]
    data["findings"] = [f._asdict() for f in gate.findings]
    data["override"] = _override_json(gate.override)
    data["passed"] = gate.passed
    return data


def to_json(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready dict (what report.json holds)."""
    return {
        "version": report.version,
        "tool_version": report.tool_version,
        "run_uid": report.run_uid,
        "time": report.time,
        "project": report.project,
        "commit": report.commit,
        "branch": report.branch,
        "stage": report.stage,
        "default_branch": report.default_branch,
        "policy_source": report.policy_source,
        "passed": report.passed,
        "exit_code": report.exit_code,
        "overall": report.overall,
        "baseline": None if report.baseline is None else asdict(report.baseline),
        "unavailable": list(report.unavailable),
        "overrides": [o.as_dict() for o in report.overrides],
        "notes": list(report.notes),
        "gates": [_gate_json(g) for g in report.gates],
    }


def _override_from(data: Mapping[str, str] | None) -> Override | None:
    if data is None:
        return None
    return Override(
        data["gate"],
        data["reason"],
        data["issue"],
        data["approved_by"],
        dt.date.fromisoformat(data["expires"]),
    )


def _gate_from(data: Mapping[str, Any]) -> GateReport:
    fields = {k: v for k, v in data.items() if k in GateReport.__dataclass_fields__}
    fields["extra"] = tuple(
        Metric(m["name"], m["good"], m["total"], m["scale"]) for m in data.get("extra", ())
    )
    fields["findings"] = tuple(Finding(**f) for f in data.get("findings", ()))
    fields["override"] = _override_from(data.get("override"))
    fields["reasons"] = tuple(data.get("reasons", ()))
    fields["notes"] = tuple(data.get("notes", ()))
    return GateReport(**fields)


def from_json(data: Mapping[str, Any]) -> Report:
    """Rebuild a report from report.json (renderers can run on a saved report)."""
    baseline = data.get("baseline")
    return Report(
        run_uid=data["run_uid"],
        time=data["time"],
        commit=data.get("commit"),
        branch=data.get("branch"),
        stage=data.get("stage"),
        default_branch=data.get("default_branch", ""),
        policy_source=data.get("policy_source", ""),
        tool_version=data.get("tool_version", ""),
        gates=tuple(_gate_from(g) for g in data["gates"]),
        baseline=None if baseline is None else Baseline(**baseline),
        unavailable=tuple(data.get("unavailable", ())),
        overrides=tuple(o for o in map(_override_from, data.get("overrides", ())) if o),
        version=data.get("version", SCHEMA_VERSION),
        project=data.get("project", ""),
        notes=tuple(data.get("notes", ())),
    )


def summary_table(report: Report) -> list[list[str]]:
    """Rows of the summary table (header first): the same columns in text and Markdown."""
    rows = [["gate", "metric", "good/total", "value", "threshold", "target", "verdict", "change"]]
    for g in report.gates:
        if g.status == "error":
            rows.append([g.gate, "-", "-", "-", "-", "-", "ERROR", ""])
            continue
        rows.append(
            [
                g.gate,
                g.metric,
                f"{g.good}/{g.total}",
                fmt(g.value, g.scale),
                fmt(g.threshold, g.scale, exact=True),
                fmt(g.target, g.scale, exact=True),
                g.status.upper(),
                fmt_change(g.change),
            ]
        )
    return rows


def top_findings(gate: GateReport, limit: int | None) -> Sequence[Finding]:
    """The first findings of a gate, in file order (all of them when limit is None)."""
    return gate.findings if limit is None else gate.findings[:limit]
