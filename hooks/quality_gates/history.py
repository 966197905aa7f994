"""The run history: an embedded SQLite database, safe under concurrent runs, plus the baseline.

Every full run is one transaction (WAL journal, busy timeout), so parallel runs lose no record and
an interrupted run leaves the previous consistent state. CI runners are ephemeral: keep the file
in a CI cache, or move the history between machines as JSON lines (export/import).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from quality_gates.errors import FatalError
from quality_gates.report import Baseline, Report

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 60.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
    time TEXT NOT NULL,
    commit_sha TEXT,
    branch TEXT,
    stage TEXT,
    passed INTEGER NOT NULL,
    overall REAL,
    tool_version TEXT
);
CREATE TABLE IF NOT EXISTS gate_results (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    gate TEXT NOT NULL,
    status TEXT NOT NULL,
    metric TEXT,
    good INTEGER,
    total INTEGER,
    scale REAL,
    value REAL,
    percent REAL,
    threshold REAL,
    target REAL,
    findings INTEGER,
    PRIMARY KEY (run_id, gate)
);
CREATE TABLE IF NOT EXISTS run_overrides (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    gate TEXT NOT NULL,
    reason TEXT NOT NULL,
    issue TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    expires TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_branch_time ON runs (branch, time);
"""
GATE_COLUMNS = (
    "gate",
    "status",
    "metric",
    "good",
    "total",
    "scale",
    "value",
    "percent",
    "threshold",
    "target",
    "findings",
)
OVERRIDE_COLUMNS = ("gate", "reason", "issue", "approved_by", "expires")
# static SQL only; every value is a parameter (a negative LIMIT is no limit in SQLite)
SELECT_RUNS = (
    "SELECT * FROM runs WHERE (?1 IS NULL OR branch = ?2) AND (?3 IS NULL OR uid != ?4) "
    "ORDER BY time DESC, id DESC LIMIT ?5"
)
INSERT_GATE = (
    "INSERT INTO gate_results (run_id, gate, status, metric, good, total, scale, value, percent, "
    "threshold, target, findings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_OVERRIDE = (
    "INSERT INTO run_overrides (run_id, gate, reason, issue, approved_by, expires) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class RunRecord:
    """One recorded run (also one line of the JSON lines export)."""

    uid: str
    time: str
    commit: str | None
    branch: str | None
    stage: str | None
    passed: bool
    overall: float | None
    tool_version: str | None
    gates: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    overrides: tuple[Mapping[str, str], ...] = ()

    def percent(self, gate: str) -> float | None:
        """The gate's percent in this run (None when it did not measure)."""
        value = self.gates.get(gate, {}).get("percent")
        return None if value is None else float(value)


def record_of(report: Report) -> RunRecord:
    """What the history keeps of a report."""
    gates = {
        g.gate: {
            "status": g.status,
            "metric": g.metric or None,
            "good": g.good if g.status != "error" else None,
            "total": g.total if g.status != "error" else None,
            "scale": g.scale,
            "value": g.value,
            "percent": g.percent,
            "threshold": g.threshold if g.status != "error" else None,
            "target": g.target if g.status != "error" else None,
            "findings": len(g.findings),
        }
        for g in report.gates
    }
    overrides = tuple(g.override.as_dict() for g in report.gates if g.override)
    return RunRecord(
        uid=report.run_uid,
        time=report.time,
        commit=report.commit,
        branch=report.branch,
        stage=report.stage,
        passed=report.passed and not report.errored,
        overall=report.overall,
        tool_version=report.tool_version,
        gates=gates,
        overrides=overrides,
    )


class History:
    """The history database at a path (created with its folder on first write)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _connect(self, *, create: bool) -> Iterator[sqlite3.Connection]:
        if not create and not self.path.exists():
            raise FileNotFoundError(self.path)
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise FatalError(f"{self.path}: cannot open the history: {exc}") from None
        with closing(connection):
            try:
                _prepare(connection)
                yield connection
            except sqlite3.DatabaseError as exc:
                raise FatalError(f"{self.path}: history database error: {exc}") from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect(create=True) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def record(self, run: RunRecord) -> bool:
        """Store one run in one transaction; False when a run with its uid is already there."""
        with self._transaction() as connection:
            return _insert(connection, run)

    def import_runs(self, runs: Iterable[RunRecord]) -> tuple[int, int]:
        """Store many runs in one transaction; return (added, already present)."""
        added = skipped = 0
        with self._transaction() as connection:
            for run in runs:
                if _insert(connection, run):
                    added += 1
                else:
                    skipped += 1
        return added, skipped

    def runs(
        self,
        *,
        branch: str | None = None,
        last: int | None = None,
        exclude: str | None = None,
    ) -> list[RunRecord]:
        """Recorded runs, oldest first (the last N when asked); an absent file has none."""
        params = (branch, branch, exclude, exclude, -1 if last is None else last)
        try:
            with self._connect(create=False) as connection:
                rows = connection.execute(SELECT_RUNS, params).fetchall()
                records = [_load(connection, row) for row in rows]
        except FileNotFoundError:
            return []
        return list(reversed(records))

    def last(self, *, branch: str | None, exclude: str | None = None) -> RunRecord | None:
        """The latest run (on a branch), leaving out the run being made."""
        found = self.runs(branch=branch, last=1, exclude=exclude)
        return found[-1] if found else None

    def find(self, uid_prefix: str) -> RunRecord:
        """The run whose uid starts with uid_prefix (unambiguous)."""
        matches = [r for r in self.runs() if r.uid.startswith(uid_prefix)]
        if len(matches) != 1:
            count = "no" if not matches else f"{len(matches)}"
            raise FatalError(f"{self.path}: {count} run(s) match {uid_prefix!r}")
        return matches[0]

    def export(self, out: IO[str]) -> int:
        """Write every run as one JSON object per line; return how many."""
        runs = self.runs()
        for run in runs:
            out.write(json.dumps(asdict(run), sort_keys=True) + "\n")
        return len(runs)


def _prepare(connection: sqlite3.Connection) -> None:
    connection.row_factory = sqlite3.Row
    connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":  # pragma: no cover (a filesystem without shared memory)
        raise sqlite3.DatabaseError(f"cannot use the WAL journal (got {mode})")
    connection.execute("PRAGMA foreign_keys = ON")
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(
            f"written by a newer quality-gates (schema {version} > {SCHEMA_VERSION})"
        )
    if version < SCHEMA_VERSION:  # idempotent, so concurrent first runs may all do it
        connection.executescript(
            f"BEGIN IMMEDIATE;{SCHEMA}PRAGMA user_version = {SCHEMA_VERSION};COMMIT;"
        )


def _insert(connection: sqlite3.Connection, run: RunRecord) -> bool:
    cursor = connection.execute(
        "INSERT OR IGNORE INTO runs (uid, time, commit_sha, branch, stage, passed, overall, "
        "tool_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            run.uid,
            run.time,
            run.commit,
            run.branch,
            run.stage,
            int(run.passed),
            run.overall,
            run.tool_version,
        ),
    )
    if cursor.rowcount == 0:
        return False
    run_id = cursor.lastrowid
    connection.executemany(
        INSERT_GATE,
        [
            (run_id, gate, *(values.get(c) for c in GATE_COLUMNS[1:]))
            for gate, values in run.gates.items()
        ],
    )
    connection.executemany(
        INSERT_OVERRIDE,
        [(run_id, *(o[c] for c in OVERRIDE_COLUMNS)) for o in run.overrides],
    )
    return True


def _load(connection: sqlite3.Connection, row: sqlite3.Row) -> RunRecord:
    gates = {
        g["gate"]: {c: g[c] for c in GATE_COLUMNS[1:]}
        for g in connection.execute(
            "SELECT * FROM gate_results WHERE run_id = ? ORDER BY rowid", (row["id"],)
        )
    }
    overrides = tuple(
        {c: o[c] for c in OVERRIDE_COLUMNS}
        for o in connection.execute(
            "SELECT * FROM run_overrides WHERE run_id = ? ORDER BY rowid", (row["id"],)
        )
    )
    return RunRecord(
        uid=row["uid"],
        time=row["time"],
        commit=row["commit_sha"],
        branch=row["branch"],
        stage=row["stage"],
        passed=bool(row["passed"]),
        overall=row["overall"],
        tool_version=row["tool_version"],
        gates=gates,
        overrides=overrides,
    )


def parse_jsonl(lines: Iterable[str], *, where: str) -> Iterator[RunRecord]:
    """Read exported runs back; a malformed line is an error naming its number."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            yield _record_from(data)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise FatalError(f"{where}:{number}: not an exported run: {exc}") from None


def _record_from(data: Mapping[str, Any]) -> RunRecord:
    if not isinstance(data, Mapping):
        raise TypeError("expected a JSON object")
    uid, time = data["uid"], data["time"]
    if not isinstance(uid, str) or not isinstance(time, str) or not uid:
        raise TypeError("uid and time must be strings")
    gates = data.get("gates") or {}
    if not isinstance(gates, Mapping) or not all(isinstance(v, Mapping) for v in gates.values()):
        raise TypeError("gates must map gate names to objects")
    overrides = tuple(data.get("overrides") or ())
    for override in overrides:
        missing = [c for c in OVERRIDE_COLUMNS if not isinstance(override.get(c), str)]
        if missing:
            raise KeyError(f"override without {', '.join(missing)}")
    return RunRecord(
        uid=uid,
        time=time,
        commit=data.get("commit"),
        branch=data.get("branch"),
        stage=data.get("stage"),
        passed=bool(data.get("passed")),
        overall=data.get("overall"),
        tool_version=data.get("tool_version"),
        gates={str(k): dict(v) for k, v in gates.items()},
        overrides=overrides,
    )


# ---- the baseline ---------------------------------------------------------------------------


def baseline_from(run: RunRecord, *, source: str) -> Baseline:
    """A baseline from a recorded run: the percent of every gate that measured."""
    percents = {gate: p for gate in run.gates if (p := run.percent(gate)) is not None}
    return Baseline(source, run.uid, run.commit, run.branch, run.time, percents)


def load_pinned(path: Path) -> Baseline | None:
    """The pinned baseline file, if there is one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Baseline(
            source="pinned",
            run_uid=data.get("run_uid"),
            commit=data.get("commit"),
            branch=data.get("branch"),
            time=data.get("time"),
            percents={str(k): float(v) for k, v in data["percents"].items()},
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise FatalError(
            f"{path}: not a baseline written by `quality-gates baseline save`: {exc}"
        ) from None


def save_pinned(path: Path, baseline: Baseline, *, gates: Sequence[str] = ()) -> Baseline:
    """Pin a baseline (only the named gates, merged into the pinned one, when gates are given)."""
    percents = dict(baseline.percents)
    if gates:
        missing = [g for g in gates if g not in percents]
        if missing:
            raise FatalError(
                f"the run {baseline.run_uid} has no measurement for {', '.join(missing)}"
            )
        current = load_pinned(path)
        percents = {**(current.percents if current else {}), **{g: percents[g] for g in gates}}
    pinned = Baseline(
        "pinned", baseline.run_uid, baseline.commit, baseline.branch, baseline.time, percents
    )
    data = {k: v for k, v in asdict(pinned).items() if k != "source"}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)
    return pinned


def choose_baseline(
    history: History, pinned_path: Path, *, default_branch: str, exclude: str
) -> Baseline | None:
    """The pinned baseline when there is one, else the last run on the default branch."""
    pinned = load_pinned(pinned_path)
    if pinned is not None:
        return pinned
    last = history.last(branch=default_branch, exclude=exclude)
    return None if last is None else baseline_from(last, source="history")
