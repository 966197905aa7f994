"""The report model: each gate's status, the overall percent, exit codes, JSON round trip."""

from __future__ import annotations

import datetime as dt

import pytest
from quality_gates.findings import Finding, GateResult, Metric
from quality_gates.overrides import Override
from quality_gates.report import (
    Baseline,
    GateError,
    Report,
    from_json,
    gate_report,
    to_json,
)

OVERRIDE = Override("lint", "why", "https://x.invalid/1", "Ann", dt.date(2030, 1, 1))


def result(good: int, total: int, *, scale: float = 100.0, threshold: float = 90.0) -> GateResult:
    metric = Metric("score", good, total, scale)
    finding = Finding("a.py", 1, 1, "X1", "bad")
    return GateResult("lint", metric, threshold, scale, new=(finding,) * (total - good))


def baseline(percent: float) -> Baseline:
    return Baseline("history", "u", "c" * 40, "main", "t", {"lint": percent})


@pytest.mark.parametrize(
    ("outcome", "base", "tolerance", "override", "status"),
    [
        (result(95, 100), None, 0.0, None, "pass"),
        (result(95, 100), baseline(95.0), 0.0, None, "pass"),
        (result(95, 100), baseline(96.0), 0.0, None, "regressed"),
        (result(95, 100), baseline(96.0), 1.0, None, "pass"),
        (result(95, 100), baseline(96.5), 1.0, None, "regressed"),
        (result(80, 100), None, 0.0, None, "fail"),
        (result(80, 100), baseline(70.0), 0.0, None, "fail"),
        (result(80, 100), None, 0.0, OVERRIDE, "overridden"),
        (result(95, 100), baseline(99.0), 0.0, OVERRIDE, "overridden"),
        (result(95, 100), None, 0.0, OVERRIDE, "pass"),
        (GateError("lint", "ruff is not installed"), baseline(99.0), 0.0, OVERRIDE, "error"),
        (result(0, 0), baseline(99.0), 0.0, None, "pass"),  # empty scope measures as full marks
    ],
)
def test_status(
    outcome: GateResult | GateError,
    base: Baseline | None,
    tolerance: float,
    override: Override | None,
    status: str,
) -> None:
    report = gate_report(outcome, baseline=base, tolerance=tolerance, override=override)
    assert report.status == status
    assert (report.override is not None) == (status == "overridden")


def _report(*gates: GateResult | GateError) -> Report:
    reports = tuple(
        gate_report(g, baseline=baseline(90.0), tolerance=0, override=None) for g in gates
    )
    return Report(
        "uid", "2026-01-01T00:00:00Z", "c" * 40, "main", None, "main", "p", "0.1.0", reports
    )


def test_overall_is_the_mean_with_lint_scaled() -> None:
    lint = result(9, 10, scale=10.0, threshold=5)  # 9.0/10 -> 90 %
    docs = GateResult("docs", Metric("documented", 1, 2), 0, 100)  # 50 %
    report = _report(lint, docs, GateError("types", "mypy crashed"))
    assert report.overall == pytest.approx(70.0)
    assert report.exit_code == 2
    assert _report(lint, docs).exit_code == 0
    assert _report(result(8, 10)).exit_code == 1


def test_json_round_trip() -> None:
    report = _report(result(95, 100), GateError("types", "boom"))
    assert from_json(to_json(report)) == report
