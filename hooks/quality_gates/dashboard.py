"""index.html: a dashboard that works offline: per-gate cards and SVG trend charts from history.

The page has no script, no web font and no external resource: every chart is inline SVG computed
here from the recorded runs, so it renders the same from a CI artifact or a local file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import jinja2

from quality_gates.history import RunRecord
from quality_gates.report import GateReport, Report, fmt, fmt_change

CHART_W, CHART_H = 560, 180
PAD_L, PAD_R, PAD_T, PAD_B = 44, 12, 12, 28
SPARK_W, SPARK_H = 160, 36


@dataclass(frozen=True)
class Point:
    """One run on a chart: its position, value and what its tooltip says."""

    x: float
    y: float
    value: float
    title: str


@dataclass(frozen=True)
class Chart:
    """An SVG line chart's geometry (the template draws it)."""

    title: str
    points: tuple[Point, ...]
    path: str
    low: float
    high: float
    threshold_y: float | None
    target_y: float | None
    ticks: tuple[tuple[float, str], ...]
    first: str
    last: str

    @property
    def empty(self) -> bool:
        """No measured run to draw."""
        return not self.points


def _scale_range(values: Sequence[float], marks: Sequence[float]) -> tuple[float, float]:
    low = min([*values, *marks])
    high = max([*values, *marks, 0.0])
    if high - low < 1.0:
        low = max(0.0, high - 5.0)
    margin = (high - low) * 0.08
    return max(0.0, low - margin), min(100.0, high + margin) if high <= 100 else high + margin


def chart(
    title: str,
    series: Sequence[tuple[RunRecord, float | None]],
    *,
    threshold: float | None = None,
    target: float | None = None,
    width: float = CHART_W,
    height: float = CHART_H,
    padding: tuple[float, float, float, float] = (PAD_L, PAD_R, PAD_T, PAD_B),
) -> Chart:
    """Lay out a series of (run, percent) on a chart, with threshold and target lines."""
    left, right, top, bottom = padding
    measured = [(i, run, v) for i, (run, v) in enumerate(series) if v is not None]
    marks = [m for m in (threshold, target) if m is not None]
    low, high = _scale_range([v for _, _, v in measured] or [100.0], marks)
    span = max(high - low, 1e-9)
    inner_w, inner_h = width - left - right, height - top - bottom
    step = inner_w / max(len(series) - 1, 1)

    def y_of(value: float) -> float:
        return round(top + inner_h * (1 - (value - low) / span), 2)

    points = tuple(
        Point(
            round(left + (i * step if len(series) > 1 else inner_w / 2), 2),
            y_of(v),
            v,
            f"{run.time} {(run.commit or '')[:8]} {run.branch or ''}: {v:.2f}%",
        )
        for i, run, v in measured
    )
    path = " ".join(f"{'M' if n == 0 else 'L'}{p.x},{p.y}" for n, p in enumerate(points))
    ticks = tuple((y_of(v), f"{v:.0f}%") for v in _ticks(low, high))
    return Chart(
        title=title,
        points=points,
        path=path,
        low=low,
        high=high,
        threshold_y=y_of(threshold) if threshold is not None else None,
        target_y=y_of(target) if target is not None and target != threshold else None,
        ticks=ticks,
        first=series[0][0].time[:10] if series else "",
        last=series[-1][0].time[:10] if series else "",
    )


def _ticks(low: float, high: float) -> list[float]:
    span = high - low
    step = next(s for s in (0.5, 1, 2, 5, 10, 20, 25, 50) if span / s <= 5)
    first = (int(low / step) + 1) * step
    values = []
    value = first
    while value <= high + 1e-9:
        values.append(value)
        value += step
    return values


def gate_chart(
    gate: GateReport,
    runs: Sequence[RunRecord],
    *,
    width: float = CHART_W,
    height: float = CHART_H,
    padding: tuple[float, float, float, float] = (PAD_L, PAD_R, PAD_T, PAD_B),
) -> Chart:
    """A gate's percent over the recorded runs."""
    series = [(run, run.percent(gate.gate)) for run in runs]
    measured = gate.status != "error"
    return chart(
        gate.gate,
        series,
        threshold=gate.threshold_percent if measured else None,
        target=gate.target_percent if measured else None,
        width=width,
        height=height,
        padding=padding,
    )


def overall_chart(runs: Sequence[RunRecord]) -> Chart:
    """The overall quality percent over the recorded runs."""
    return chart("quality (mean of the gates)", [(run, run.overall) for run in runs])


def spark(gate: GateReport, runs: Sequence[RunRecord]) -> Chart:
    """A small chart for a card."""
    return gate_chart(gate, runs, width=SPARK_W, height=SPARK_H, padding=(2, 2, 3, 3))


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("quality_gates", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(report: Report, runs: Sequence[RunRecord], *, top: int = 20) -> str:
    """The dashboard page for a report and the history that leads to it (oldest first)."""
    template = _environment().get_template("dashboard.html.j2")
    cards = [
        {
            "gate": g,
            "value": fmt(g.value, g.scale),
            "threshold": fmt(g.threshold, g.scale, exact=True),
            "target": fmt(g.target, g.scale, exact=True),
            "change": fmt_change(g.change),
            "label": g.status.upper(),
            "spark": spark(g, runs),
            "chart": gate_chart(g, runs),
            "findings": g.findings[:top],
        }
        for g in report.gates
    ]
    overall = report.overall
    return template.render(
        report=report,
        cards=cards,
        overall=None if overall is None else f"{overall:.2f}%",
        overall_chart=overall_chart(runs),
        verdict={0: "PASSED", 1: "FAILED", 2: "ERROR"}[report.exit_code],
        runs=len(runs),
        width=CHART_W,
        height=CHART_H,
        pad=(PAD_L, PAD_R, PAD_T, PAD_B),
        spark_size=(SPARK_W, SPARK_H),
    )
