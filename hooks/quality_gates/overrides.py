"""Emergency overrides (DESIGN §9): reviewed, committed, expiring.

The file turns one gate's failure into a loud pass until a date. An expired override is an
error; nothing else (no environment variable) can bypass a gate.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import tomli_w

from quality_gates.errors import FatalError
from quality_gates.thresholds import GATES

if sys.version_info >= (3, 11):  # pragma: no cover (depends on the interpreter)
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TABLE = "override"
FIELDS = ("gate", "reason", "issue", "approved-by", "expires")
HEADER = (
    "# Emergency overrides (quality-gates override add|list|remove). Each turns one gate's\n"
    "# failure into a loud pass until its expiry date (inclusive); an expired one fails the run.\n"
    "# Review and commit this file like code.\n\n"
)


class Override(NamedTuple):
    """One emergency override: which gate, why, the tracking issue, who approved, until when."""

    gate: str
    reason: str
    issue: str
    approved_by: str
    expires: dt.date

    def active(self, today: dt.date) -> bool:
        """Active through the end of its expiry day."""
        return today <= self.expires

    def describe(self) -> str:
        """One line for logs and reports."""
        return (
            f"{self.gate}: override until {self.expires.isoformat()} approved by "
            f"{self.approved_by}: {self.reason} ({self.issue})"
        )

    def as_dict(self) -> dict[str, str]:
        """The override as JSON-ready strings."""
        return {
            "gate": self.gate,
            "reason": self.reason,
            "issue": self.issue,
            "approved_by": self.approved_by,
            "expires": self.expires.isoformat(),
        }


def check_issue_url(url: str) -> str:
    """An override must point at the issue that tracks the fix: an http(s) URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FatalError(f"issue {url!r}: must be an http(s) URL of the tracking issue")
    return url


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise FatalError(f"{where}: {key} must be a non-empty string")
    return value.strip()


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise FatalError(f"{where}: expires must be a date (YYYY-MM-DD), got {value!r}")


def _parse_entry(entry: Any, where: str) -> Override:
    if not isinstance(entry, Mapping):
        raise FatalError(f"{where}: must be a table")
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        raise FatalError(
            f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(FIELDS)})"
        )
    gate = _text(entry, "gate", where)
    if gate not in GATES:
        raise FatalError(f"{where}: unknown gate {gate!r} (known: {', '.join(GATES)})")
    return Override(
        gate=gate,
        reason=_text(entry, "reason", where),
        issue=check_issue_url(_text(entry, "issue", where)),
        approved_by=_text(entry, "approved-by", where),
        expires=_date(entry.get("expires"), where),
    )


def load(path: Path) -> list[Override]:
    """Read the overrides file; an absent file has none. Malformed entries are errors."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FatalError(f"{path}: cannot read: {exc}") from None
    unknown = sorted(set(data) - {TABLE})
    if unknown:
        raise FatalError(f"{path}: unknown key(s) {', '.join(unknown)} (expected [[{TABLE}]])")
    entries = data.get(TABLE, [])
    if not isinstance(entries, list):
        raise FatalError(f"{path}: {TABLE} must be an array of tables ([[{TABLE}]])")
    return [_parse_entry(e, f"{path}: [[{TABLE}]] #{i + 1}") for i, e in enumerate(entries)]


def save(path: Path, overrides: Sequence[Override]) -> None:
    """Write the overrides file (sorted by gate then expiry), replacing it atomically."""
    entries = [
        {
            "gate": o.gate,
            "reason": o.reason,
            "issue": o.issue,
            "approved-by": o.approved_by,
            "expires": o.expires,
        }
        for o in sorted(overrides, key=lambda o: (o.gate, o.expires))
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(HEADER + tomli_w.dumps({TABLE: entries}), encoding="utf-8")
    tmp.replace(path)


def active_for_run(overrides: Sequence[Override], today: dt.date) -> dict[str, Override]:
    """The active override per gate; any expired override is an error that names it."""
    expired = [o for o in overrides if not o.active(today)]
    if expired:
        names = "; ".join(f"{o.gate} (expired {o.expires.isoformat()}, {o.issue})" for o in expired)
        raise FatalError(
            f"expired emergency override(s): {names}. Fix the gate and remove it "
            "(`quality-gates override remove`), or renew it after review (`override add`)"
        )
    active: dict[str, Override] = {}
    for override in sorted(overrides, key=lambda o: o.expires):
        active[override.gate] = override  # the one that lasts longest wins
    return active


def add(path: Path, override: Override, *, today: dt.date) -> list[Override]:
    """Validate and append an override; return the file's overrides."""
    if override.gate not in GATES:
        raise FatalError(f"unknown gate {override.gate!r} (known: {', '.join(GATES)})")
    if override.expires < today:
        raise FatalError(f"--expires {override.expires.isoformat()} is in the past")
    check_issue_url(override.issue)
    for name, value in (("reason", override.reason), ("approved-by", override.approved_by)):
        if not value.strip():
            raise FatalError(f"--{name} must not be empty")
    current = load(path)
    current.append(override)
    save(path, current)
    return current


def remove(path: Path, gate: str) -> list[Override]:
    """Remove every override of gate; return the removed ones (an error when there is none)."""
    current = load(path)
    removed = [o for o in current if o.gate == gate]
    if not removed:
        raise FatalError(f"{path}: no override for gate {gate!r}")
    save(path, [o for o in current if o.gate != gate])
    return removed
