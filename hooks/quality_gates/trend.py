"""`quality-gates trend`: the recorded series, as text with sparklines."""

from __future__ import annotations

from collections.abc import Sequence

from quality_gates.errors import FatalError
from quality_gates.history import RunRecord

BARS = "▁▂▃▄▅▆▇█"
GAP = "·"  # a run where the gate did not measure


def sparkline(values: Sequence[float | None]) -> str:
    """One bar per value, scaled between the series' min and max (flat series: full bars)."""
    measured = [v for v in values if v is not None]
    if not measured:
        return GAP * len(values)
    low, high = min(measured), max(measured)
    span = high - low
    bars = []
    for value in values:
        if value is None:
            bars.append(GAP)
        elif span == 0:
            bars.append(BARS[-1])
        else:
            bars.append(BARS[round((value - low) / span * (len(BARS) - 1))])
    return "".join(bars)


def gates_of(runs: Sequence[RunRecord]) -> list[str]:
    """Every gate seen in the runs, in first-seen order."""
    seen: dict[str, None] = {}
    for run in runs:
        seen.update(dict.fromkeys(run.gates))
    return list(seen)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}%"


def overview(runs: Sequence[RunRecord]) -> str:
    """One line per gate (and the overall quality): runs, first, last, min, max, sparkline."""
    rows = [["gate", "runs", "first", "last", "min", "max", "trend"]]
    series = [("quality", [r.overall for r in runs])]
    series += [(gate, [r.percent(gate) for r in runs]) for gate in gates_of(runs)]
    for name, values in series:
        measured = [v for v in values if v is not None]
        rows.append(
            [
                name,
                str(len(measured)),
                _pct(measured[0] if measured else None),
                _pct(measured[-1] if measured else None),
                _pct(min(measured) if measured else None),
                _pct(max(measured) if measured else None),
                sparkline(values),
            ]
        )
    return _table(rows, right={1, 2, 3, 4, 5})


def detail(runs: Sequence[RunRecord], gate: str) -> str:
    """One line per run for one gate: time, commit, branch, stage, counts, value, status."""
    values = [r.percent(gate) for r in runs]
    rows = [["time", "commit", "branch", "stage", "good/total", "percent", "status"]]
    for run, value in zip(runs, values, strict=True):
        data = run.gates.get(gate, {})
        counts = f"{data['good']}/{data['total']}" if data.get("total") is not None else "-"
        rows.append(
            [
                run.time,
                (run.commit or "-")[:12],
                run.branch or "-",
                run.stage or "-",
                counts,
                _pct(value),
                str(data.get("status", "not run")).upper(),
            ]
        )
    return f"{gate} {sparkline(values)}\n" + _table(rows, right={4, 5})


def _table(rows: Sequence[Sequence[str]], *, right: set[int]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(row)
        ).rstrip()
        for row in rows
    ]
    return "\n".join(lines) + "\n"


def render(runs: Sequence[RunRecord], *, gate: str | None) -> str:
    """The trend report: the overview, or one gate's runs."""
    if not runs:
        return "no recorded run yet: `quality-gates run` records one\n"
    if gate is not None:
        if gate not in gates_of(runs):
            recorded = ", ".join(gates_of(runs))
            raise FatalError(f"no recorded run measured {gate!r} (recorded: {recorded})")
        return detail(runs, gate)
    return overview(runs)
