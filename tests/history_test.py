"""The SQLite history: records, baselines, export/import, hostile files, interrupted writes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Runner
from quality_gates.cli import gates_main
from quality_gates.errors import FatalError
from quality_gates.history import (
    History,
    RunRecord,
    baseline_from,
    choose_baseline,
    load_pinned,
    parse_jsonl,
    save_pinned,
)
from scratch import make_project

ROOT = Path(__file__).resolve().parent.parent


def run_record(uid: str, time: str, branch: str = "main", lint: float = 100.0) -> RunRecord:
    gates = {
        "lint": {"status": "pass", "metric": "score", "good": 9, "total": 9, "scale": 10.0,
                 "value": lint / 10, "percent": lint, "threshold": 5.0, "target": 10.0,
                 "findings": 0},
    }  # fmt: skip
    return RunRecord(uid, time, "c0ffee", branch, None, True, lint, "0.1.0", gates)


def test_record_and_read_back_in_time_order(tmp_path: Path) -> None:
    store = History(tmp_path / "deep" / "history.db")
    assert store.runs() == []
    later, earlier = (
        run_record("b", "2026-01-02T00:00:00Z"),
        run_record("a", "2026-01-01T00:00:00Z"),
    )
    assert store.record(later)
    assert store.record(earlier)
    assert not store.record(later)  # a uid is recorded once
    assert [r.uid for r in store.runs()] == ["a", "b"]
    assert store.runs() == [earlier, later]
    assert [r.uid for r in store.runs(last=1)] == ["b"]
    mode = sqlite3.connect(tmp_path / "deep" / "history.db").execute("PRAGMA journal_mode")
    assert mode.fetchone()[0] == "wal"


def test_baseline_is_the_last_run_on_the_default_branch(tmp_path: Path) -> None:
    store = History(tmp_path / "h.db")
    store.record(run_record("m1", "2026-01-01T00:00:00Z", lint=90))
    store.record(run_record("f1", "2026-01-02T00:00:00Z", branch="feature", lint=50))
    baseline = choose_baseline(store, tmp_path / "pin.json", default_branch="main", exclude="x")
    assert baseline is not None
    assert (baseline.source, baseline.run_uid, dict(baseline.percents)) == (
        "history",
        "m1",
        {"lint": 90},
    )
    assert choose_baseline(store, tmp_path / "pin.json", default_branch="dev", exclude="x") is None


def test_pinned_baseline_merges_named_gates(tmp_path: Path) -> None:
    pin = tmp_path / "baseline.json"
    first = baseline_from(run_record("a", "2026-01-01T00:00:00Z", lint=80), source="pinned")
    save_pinned(pin, first)
    second = baseline_from(run_record("b", "2026-01-02T00:00:00Z", lint=70), source="pinned")
    save_pinned(pin, second, gates=["lint"])
    loaded = load_pinned(pin)
    assert loaded is not None
    assert dict(loaded.percents) == {"lint": 70}
    with pytest.raises(FatalError, match="has no measurement for docs"):
        save_pinned(pin, second, gates=["docs"])


@pytest.mark.parametrize(
    "content", [b"not json", b"{}", b'{"percents": {"lint": "x"}}', b"\xff\xfe"]
)
def test_hostile_pinned_baseline_is_an_error(tmp_path: Path, content: bytes) -> None:
    pin = tmp_path / "baseline.json"
    pin.write_bytes(content)
    with pytest.raises(FatalError, match="not a baseline written by `quality-gates baseline save`"):
        load_pinned(pin)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not a database, just text" * 100, "file is not a database"),
        (b"", None),  # an empty file is a new database
    ],
)
def test_corrupt_history_file(tmp_path: Path, content: bytes, message: str | None) -> None:
    path = tmp_path / "history.db"
    path.write_bytes(content)
    store = History(path)
    if message is None:
        assert store.runs() == []
        return
    with pytest.raises(FatalError, match=f"history database error: {message}"):
        store.runs()


def test_history_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    sqlite3.connect(path).execute("PRAGMA user_version = 99").connection.close()
    with pytest.raises(FatalError, match=r"newer quality-gates \(schema 99 > 1\)"):
        History(path).runs()


CHILD = """
import os, sys
sys.path.insert(0, sys.argv[2])
from quality_gates import history
from history_test import run_record
store = history.History(__import__("pathlib").Path(sys.argv[1]))
store.record(run_record("kept", "2026-01-01T00:00:00Z"))
with store._transaction() as connection:
    history._insert(connection, run_record("lost", "2026-01-02T00:00:00Z"))
    os._exit(9)  # killed mid-transaction: no commit, no rollback, no close
"""


def test_a_run_killed_mid_transaction_leaves_a_consistent_file(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    child = subprocess.run(
        (sys.executable, "-c", CHILD, str(path), str(ROOT / "tests")),
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT / "tests",
    )
    assert child.returncode == 9, child.stderr
    store = History(path)
    assert [r.uid for r in store.runs()] == ["kept"]
    check = sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0]
    assert check == "ok"
    assert store.record(run_record("next", "2026-01-03T00:00:00Z"))


def test_export_import_round_trip_skips_runs_already_there(
    repo: Path, hook: Runner, tmp_path: Path
) -> None:
    make_project(repo)
    assert hook(gates_main, "run").code == 0
    assert hook(gates_main, "run", "--gates", "lint").code == 0
    exported = hook(gates_main, "history", "export")
    lines = exported.out.splitlines()
    assert len(lines) == 2
    assert json.loads(lines[1])["gates"]["lint"]["status"] == "pass"
    dump = tmp_path / "runs.jsonl"
    dump.write_text(exported.out + "\n")
    target = tmp_path / "fresh.db"
    first = hook(gates_main, "history", "import", "--history", str(target), str(dump))
    assert (first.code, first.out) == (0, "imported 2 run(s), 0 already present\n")
    again = hook(gates_main, "history", "import", "--history", str(target), str(dump))
    assert again.out == "imported 0 run(s), 2 already present\n"
    assert History(target).runs() == History(repo / ".quality-gates/history.db").runs()
    to_file = hook(gates_main, "history", "export", "--output", str(tmp_path / "o" / "x.jsonl"))
    assert to_file.err == f"exported 2 run(s) to {tmp_path / 'o' / 'x.jsonl'}\n"
    assert (tmp_path / "o" / "x.jsonl").read_text() == exported.out


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "runs.jsonl:2: not an exported run"),
        ("[1, 2]", "runs.jsonl:2: not an exported run: expected a JSON object"),
        ('{"uid": "x"}', "runs.jsonl:2: not an exported run: 'time'"),
        ('{"uid": 1, "time": "t"}', "uid and time must be strings"),
        ('{"uid": "u", "time": "t", "gates": {"lint": 3}}', "gates must map gate names"),
        ('{"uid": "u", "time": "t", "overrides": [{"gate": "lint"}]}', "override without reason"),
    ],
)
def test_malformed_import_names_the_line(
    repo: Path, hook: Runner, tmp_path: Path, line: str, message: str
) -> None:
    make_project(repo)
    dump = tmp_path / "runs.jsonl"
    good = json.dumps({"uid": "ok", "time": "2026-01-01T00:00:00Z"})
    dump.write_text(f"{good}\n{line}\n")
    result = hook(gates_main, "history", "import", str(dump))
    assert result.code == 2
    assert message in result.err
    assert History(repo / ".quality-gates/history.db").runs() == []  # all or nothing


def test_trend_shows_sparklines(repo: Path, hook: Runner, tmp_path: Path) -> None:
    make_project(repo)
    db = tmp_path / "h.db"
    store = History(db)
    for day, lint in enumerate((100.0, 90.0, 95.0), start=1):
        store.record(run_record(f"r{day}", f"2026-01-0{day}T00:00:00Z", lint=lint))
    overview = hook(gates_main, "trend", "--history", str(db))
    assert overview.out == (
        "gate     runs    first    last     min      max  trend\n"
        "quality     3  100.00%  95.00%  90.00%  100.00%  █▁▅\n"
        "lint        3  100.00%  95.00%  90.00%  100.00%  █▁▅\n"
    )
    detail = hook(gates_main, "trend", "--history", str(db), "--gate", "lint", "--last", "2")
    assert detail.out == (
        "lint ▁█\n"
        "time                  commit  branch  stage  good/total  percent  status\n"
        "2026-01-02T00:00:00Z  c0ffee  main    -             9/9   90.00%  PASS\n"
        "2026-01-03T00:00:00Z  c0ffee  main    -             9/9   95.00%  PASS\n"
    )
    unknown = hook(gates_main, "trend", "--history", str(db), "--gate", "docs")
    assert unknown.code == 2
    assert "no recorded run measured 'docs' (recorded: lint)" in unknown.err
    empty = hook(gates_main, "trend", "--history", str(tmp_path / "none.db"))
    assert empty.out == "no recorded run yet: `quality-gates run` records one\n"


def test_parse_jsonl_skips_blank_lines() -> None:
    lines = ["", json.dumps({"uid": "a", "time": "t"}), "  "]
    assert [r.uid for r in parse_jsonl(lines, where="x")] == ["a"]
