"""A gate the tests register at run time, to show a new gate joins the full run unchanged."""

from __future__ import annotations

from quality_gates.findings import GateResult, Metric
from quality_gates.gates.common import GateRequest


def measure(request: GateRequest) -> GateResult:
    """Count the files the gate was given; every one is good."""
    policy = request.policy.gate("perf")
    count = len(request.files)
    return GateResult("perf", Metric("files", count, count), policy.threshold, policy.target)


def save_baseline(request: GateRequest) -> str:
    """Pin this gate's own data (as the perf gate pins benchmark results)."""
    target = request.workspace.root / ".quality-gates/sample-baseline.txt"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f"{len(request.files)}\n")
    return f"pinned {len(request.files)} file(s) in {target.name}"
