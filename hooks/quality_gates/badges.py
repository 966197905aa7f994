"""SVG badges in the shields.io "flat" style: the overall quality % and one per gate.

A badge file is rewritten only when its text or colour changes (as interrogate does), so a
committed badge does not make every run "modify files".
"""

from __future__ import annotations

import math
import os
import re
from html import escape
from pathlib import Path
from typing import NamedTuple

from quality_gates.report import GateReport, Report

# shields' palette
COLORS = {
    "brightgreen": "#4c1",
    "green": "#97ca00",
    "yellowgreen": "#a4a61d",
    "yellow": "#dfb317",
    "orange": "#fe7d37",
    "red": "#e05d44",
    "lightgrey": "#9f9f9f",
}
LABEL_COLOR = "#555"
FONT_SIZE = 11
UNITS_PER_EM = 2048
# Advance widths of ASCII 32..126 in font units (of 2048), read from DejaVu Sans (Debian's
# fonts-dejavu-core, hmtx table). Shields measures Verdana 11 px, whose metrics DejaVu/Vera
# follow closely (digits are 1303/2048 in both); viewers fall back to DejaVu where Verdana is
# missing, so the text fits either way.
ADVANCES = (
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716,
    1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767,
    1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690,
    799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186,
    569, 1995, 1298, 1253, 1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075,
    1303, 690, 1303, 1716,
)  # fmt: skip
WIDEST = 2048  # anything outside ASCII is measured as the widest glyph: never clipped
PADDING = 5
LABEL_RE = re.compile(r'aria-label="([^"]*)"')
MESSAGE_FILL_RE = re.compile(
    r'<rect x="[\d.]+" width="[\d.]+" height="20" fill="(#[0-9a-fA-F]{3,6})"/>'
)


class Badge(NamedTuple):
    """What a badge shows."""

    label: str
    message: str
    color: str  # a key of COLORS


def text_width(text: str) -> float:
    """Width of text in px at 11 px."""
    units = sum(ADVANCES[ord(c) - 32] if 32 <= ord(c) < 127 else WIDEST for c in text)
    return units * FONT_SIZE / UNITS_PER_EM


def render(badge: Badge) -> str:
    """The badge as an SVG document."""
    label_w = math.ceil(text_width(badge.label)) + 2 * PADDING
    message_w = math.ceil(text_width(badge.message)) + 2 * PADDING
    width = label_w + message_w
    fill = COLORS[badge.color]
    label, message = escape(badge.label), escape(badge.message)
    text = f"{label}: {message}"

    def texts(content: str, x: float, length: float) -> str:
        x10, len10 = round(x * 10), round(length * 10)
        return (
            f'<text aria-hidden="true" x="{x10}" y="150" fill="#010101" fill-opacity=".3" '
            f'transform="scale(.1)" textLength="{len10}">{content}</text>'
            f'<text x="{x10}" y="140" transform="scale(.1)" fill="#fff" '
            f'textLength="{len10}">{content}</text>'
        )

    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{text}"><title>{text}</title>'
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{label_w}" height="20" fill="{LABEL_COLOR}"/>'
        f'<rect x="{label_w}" width="{message_w}" height="20" fill="{fill}"/>'
        f'<rect width="{width}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        'text-rendering="geometricPrecision" font-size="110">'
        + texts(label, label_w / 2, label_w - 2 * PADDING)
        + texts(message, label_w + message_w / 2, message_w - 2 * PADDING)
        + "</g></svg>\n"
    )


def shown(value: float, scale: float) -> str:
    """A value rounded down for display (99.96 % never shows as 100 %)."""
    floored = math.floor(value * 10 + 1e-9) / 10
    text = f"{floored:g}" if floored == int(floored) else f"{floored:.1f}"
    return f"{text}/{scale:g}" if scale != 100 else f"{text}%"


def gate_color(gate: GateReport) -> str:
    """The colour of a gate's badge, by its threshold and target.

    At target: brightgreen; at threshold: green; below it by up to 5 points yellow, up to 15
    orange, more red. A gate that could not measure is grey.
    """
    if gate.percent is None:
        return "lightgrey"
    if gate.percent >= gate.target_percent:
        return "brightgreen"
    if gate.percent >= gate.threshold_percent:
        return "green"
    gap = gate.threshold_percent - gate.percent
    return "yellow" if gap <= 5 else "orange" if gap <= 15 else "red"


def gate_badge(gate: GateReport) -> Badge:
    """A gate's badge: its value on its scale."""
    if gate.value is None:
        return Badge(gate.gate, "error", "lightgrey")
    return Badge(gate.gate, shown(gate.value, gate.scale), gate_color(gate))


def overall_badge(report: Report) -> Badge:
    """The quality badge: red when the run fails, else by the percent (95, 90, 75, 60, 40)."""
    overall = report.overall
    if overall is None:
        return Badge("quality", "unknown", "lightgrey")
    if not report.passed:
        color = "red"
    else:
        steps = (
            (95, "brightgreen"),
            (90, "green"),
            (75, "yellowgreen"),
            (60, "yellow"),
            (40, "orange"),
        )
        color = next((c for limit, c in steps if overall >= limit), "red")
    return Badge("quality", shown(overall, 100), color)


def shows(path: Path, badge: Badge) -> bool:
    """Whether the existing file at path already shows this badge's text and colour."""
    try:
        existing = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    label, fill = LABEL_RE.search(existing), MESSAGE_FILL_RE.search(existing)
    want = escape(f"{badge.label}: {badge.message}")
    return bool(label and fill and label.group(1) == want and fill.group(1) == COLORS[badge.color])


def write(path: Path, badge: Badge) -> bool:
    """Write a badge unless the file already shows it; True when written."""
    if shows(path, badge):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(render(badge), encoding="utf-8")
    tmp.replace(path)
    return True


def write_all(report: Report, directory: Path) -> list[Path]:
    """quality.svg and <gate>.svg; return the files (re)written."""
    badges = {"quality": overall_badge(report), **{g.gate: gate_badge(g) for g in report.gates}}
    return [directory / f"{n}.svg" for n, b in badges.items() if write(directory / f"{n}.svg", b)]
