"""perf: pytest-benchmark results against a stored baseline.

A benchmark regressed when its median is slower than the baseline's by more than the tolerance
AND beyond the measured noise: the middle halves of the two runs do not overlap (current Q1 above
the baseline's Q3). Metric: benchmarks within tolerance / benchmarks compared. Missing and new
benchmarks are listed, never failed.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

from quality_gates.affected import definitions
from quality_gates.errors import FatalError
from quality_gates.findings import Finding, GateResult, Metric
from quality_gates.gates.common import GateRequest
from quality_gates.pysource import decode
from quality_gates.pytest_run import run_pytest, snapshot_tree
from quality_gates.thresholds import GatePolicy
from quality_gates.workspace import Workspace

GATE = "perf"
BASELINE_FORMAT = "quality-gates/perf-baseline/1"
STATS = ("median", "q1", "q3", "iqr", "mean", "stddev", "min", "max", "rounds")


class Stats(NamedTuple):
    """What the comparison uses of one benchmark's timings (seconds)."""

    median: float
    q1: float
    q3: float
    rounds: int


class Verdict(NamedTuple):
    """One benchmark compared with its baseline."""

    name: str
    base: Stats
    current: Stats
    change: float  # relative change of the median: +0.30 is 30 % slower
    slower: bool  # beyond the tolerance
    noisy: bool  # within the measured noise (the interquartile ranges overlap)

    @property
    def regressed(self) -> bool:
        """Slower than the tolerance and beyond the noise."""
        return self.slower and not self.noisy


def _stats(name: str, raw: Mapping[str, Any], where: str) -> Stats:
    try:
        median = float(raw["median"])
        return Stats(
            median,
            float(raw.get("q1", median)),
            float(raw.get("q3", median)),
            int(raw.get("rounds", 1)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise FatalError(f"{where}: benchmark {name!r} has no usable stats ({exc})") from None


def parse_results(doc: Any, where: str) -> dict[str, Stats]:
    """Benchmarks by full name, from pytest-benchmark JSON or a saved baseline."""
    if not isinstance(doc, Mapping) or "benchmarks" not in doc:
        raise FatalError(f"{where}: not pytest-benchmark JSON (no 'benchmarks')")
    benchmarks = doc["benchmarks"]
    if isinstance(benchmarks, Mapping):  # our baseline: {fullname: stats}
        return {str(k): _stats(str(k), v, where) for k, v in benchmarks.items()}
    if not isinstance(benchmarks, list):
        raise FatalError(f"{where}: 'benchmarks' must be a list")
    found = {}
    for entry in benchmarks:
        if not isinstance(entry, Mapping) or "stats" not in entry:
            raise FatalError(f"{where}: a benchmark entry has no stats")
        name = str(entry.get("fullname") or entry.get("name"))
        found[name] = _stats(name, entry["stats"], where)
    return found


def read_json(path: Path, what: str) -> Any:
    """Load a JSON file; errors name the file."""
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        raise FatalError(f"{path}: no such {what}") from None
    except OSError as exc:
        raise FatalError(f"{path}: cannot read {what}: {exc.strerror}") from None
    except ValueError as exc:
        raise FatalError(f"{path}: {what} is not valid JSON: {exc}") from None


def compare(
    base: Mapping[str, Stats], current: Mapping[str, Stats], tolerance: float
) -> list[Verdict]:
    """Compare the benchmarks present in both runs."""
    verdicts = []
    for name in sorted(set(base) & set(current)):
        old, new = base[name], current[name]
        change = (new.median - old.median) / old.median if old.median > 0 else 0.0
        verdicts.append(
            Verdict(name, old, new, change, change > tolerance / 100.0, new.q1 <= old.q3)
        )
    return verdicts


def _time(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _place(workspace: Workspace, name: str) -> tuple[str, int]:
    """The file and `def` line of a benchmark named `path::[Class::]test[params]`."""
    path, _, rest = name.partition("::")
    qualname = ".".join(part.split("[", 1)[0] for part in rest.split("::") if part)
    content = workspace.optional_content(path) if path.endswith(".py") else None
    if content is None:
        return path, 1
    span = definitions(decode(content)).get(qualname)
    return path, span[0] if span else 1


def regression_finding(workspace: Workspace, verdict: Verdict, tolerance: float) -> Finding:
    """The finding for a regressed benchmark, at its test function."""
    path, line = _place(workspace, verdict.name)
    return Finding(
        path,
        line,
        1,
        "perf-regression",
        f"{verdict.name}: median {_time(verdict.current.median)} vs baseline "
        f"{_time(verdict.base.median)} ({verdict.change:+.1%}, tolerance {tolerance:g}%); "
        f"beyond noise: Q1 {_time(verdict.current.q1)} > baseline Q3 {_time(verdict.base.q3)}",
    )


def _notes(
    verdicts: Sequence[Verdict], base: Mapping[str, Stats], current: Mapping[str, Stats]
) -> list[str]:
    notes = [
        f"{v.name}: {v.change:+.1%} slower but within noise (IQR overlaps the baseline's)"
        for v in verdicts
        if v.slower and v.noisy
    ]
    missing = sorted(set(base) - set(current))
    new = sorted(set(current) - set(base))
    if missing:
        notes.append(f"{len(missing)} baseline benchmark(s) not in this run: {', '.join(missing)}")
    if new:
        notes.append(f"{len(new)} new benchmark(s), no baseline yet: {', '.join(new)}")
    return notes


def _path(workspace: Workspace, configured: str) -> Path:
    path = Path(configured)
    return path if path.is_absolute() else workspace.root / path


def current_results(workspace: Workspace, policy: GatePolicy) -> tuple[Any, str, tuple[str, ...]]:
    """The results to judge: the configured JSON, else a run of the benchmark command."""
    configured = str(policy.get("results"))
    if configured:
        path = _path(workspace, configured)
        return read_json(path, "pytest-benchmark results"), str(path), ()
    with tempfile.TemporaryDirectory(prefix="quality-gates-perf-") as tmp:
        out, xml = Path(tmp) / "benchmark.json", Path(tmp) / "junit.xml"
        with snapshot_tree(workspace.changes) as where:
            run_pytest(tuple(policy.get("command")), where, (f"--benchmark-json={out}",), junit=xml)
        from quality_gates import junit

        failed = tuple(
            f"benchmark {c.id} failed: {c.message}"
            for c in junit.read(xml)
            if c.outcome in ("failed", "error")
        )
        if not out.is_file():
            raise FatalError("the benchmark command wrote no pytest-benchmark JSON")
        return read_json(out, "pytest-benchmark results"), "this run", failed


def measure(request: GateRequest) -> GateResult:
    """Measure the perf gate: benchmarks within tolerance of the baseline."""
    workspace, policy = request.workspace, request.policy.gate(GATE)
    tolerance = float(policy.get("tolerance"))
    baseline_path = _path(workspace, str(policy.get("baseline")))
    if not baseline_path.is_file():  # nothing to compare with: do not spend a benchmark run
        return GateResult(
            gate=GATE,
            metric=Metric("within tolerance", 0, 0),
            threshold=policy.threshold,
            target=policy.target,
            notes=(
                f"no baseline at {baseline_path}: save one with `quality-gates baseline save perf`",
            ),
        )
    doc, where, failed = current_results(workspace, policy)
    current = parse_results(doc, where)
    base = parse_results(read_json(baseline_path, "perf baseline"), str(baseline_path))
    verdicts = compare(base, current, tolerance)
    good = sum(1 for v in verdicts if not v.regressed)
    return GateResult(
        gate=GATE,
        metric=Metric("within tolerance", good, len(verdicts)),
        threshold=policy.threshold,
        target=policy.target,
        new=tuple(regression_finding(workspace, v, tolerance) for v in verdicts if v.regressed),
        notes=tuple(_notes(verdicts, base, current)),
        reasons=failed,
    )


def baseline_document(doc: Any, where: str, *, commit: str | None) -> dict[str, Any]:
    """The stored baseline: each benchmark's timing statistics, with where they came from."""
    parse_results(doc, where)  # validate before writing anything
    benchmarks = {}
    for entry in doc["benchmarks"]:
        name = str(entry.get("fullname") or entry.get("name"))
        benchmarks[name] = {k: entry["stats"][k] for k in STATS if k in entry["stats"]}
    machine = doc.get("machine_info", {}) if isinstance(doc.get("machine_info"), Mapping) else {}
    return {
        "format": BASELINE_FORMAT,
        "saved": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "commit": commit,
        "machine": {k: machine[k] for k in ("node", "machine", "python_version") if k in machine},
        "benchmarks": benchmarks,
    }


def save_results(workspace: Workspace, policy: GatePolicy) -> tuple[Path, int]:
    """Write the current results as the perf baseline; return its path and benchmark count."""
    doc, where, failed = current_results(workspace, policy)
    if failed:
        raise FatalError("not saving a baseline from a failing run: " + "; ".join(failed))
    parse_results(doc, where)
    if isinstance(doc["benchmarks"], Mapping):
        raise FatalError(f"{where}: already a baseline, not pytest-benchmark results")
    head = workspace.changes.repo.head
    commit = head.commit.hexsha if head.is_valid() else None
    stored = baseline_document(doc, where, commit=commit)
    target = _path(workspace, str(policy.get("baseline")))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target, len(stored["benchmarks"])


def save_baseline(request: GateRequest) -> str:
    """`quality-gates baseline save perf`: pin the current benchmark results as the baseline.

    The results are `perf.results` when set (`--set perf.results=PATH`), else a run of
    `perf.command` on the checked content.
    """
    path, count = save_results(request.workspace, request.policy.gate(GATE))
    return f"saved {count} benchmark(s) as the perf baseline: {path}"
