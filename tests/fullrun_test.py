"""quality-gates run end to end, on scratch repositories with the real tools."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Runner
from helpers import commit_files, git, write
from quality_gates import runner
from quality_gates.cli import gates_main
from quality_gates.history import History
from scratch import CALC, CALC_WITH_UNUSED_IMPORT, PYPROJECT, make_project, report_json

QG = Path(sys.executable).parent / "quality-gates"
REPORT = ".quality-gates/report"
FIRST_TABLE = (
    "gate      metric           good/total    value  threshold  target  verdict  change\n"
    "lint      score                 12/12    10.00          5      10  PASS\n"
    "format    files formatted         3/3  100.00%       100%    100%  PASS\n"
    "security  score                   7/7  100.00%       100%    100%  PASS\n"
    "quality: 100.00% (mean of 3 gate(s))\n"
    "baseline: none yet (the first run on the default branch records it)\n"
    "quality-gates run: PASSED\n"
)


@pytest.fixture
def project(repo: Path) -> Path:
    make_project(repo)
    return repo


def _degrade(repo: Path) -> str:
    return commit_files(repo, {"pkg/calc.py": CALC_WITH_UNUSED_IMPORT}, "unused import")


def test_first_run_writes_every_report_and_records_the_run(project: Path, hook: Runner) -> None:
    result = hook(gates_main, "run")
    assert (result.code, result.out) == (0, FIRST_TABLE)
    assert re.fullmatch(
        r"running 3 gate\(s\): lint, format, security\n"
        r"(\[\d/3\] (lint|format|security): PASS \(\d+\.\d s\)\n){3}",
        result.err,
    )
    names = sorted(p.name for p in (project / REPORT).iterdir())
    assert names == ["index.html", "report.json", "report.md", "report.sarif"]
    badges = sorted(p.name for p in (project / ".quality-gates/badges").iterdir())
    assert badges == ["format.svg", "lint.svg", "quality.svg", "security.svg"]
    data = report_json(project)
    assert data["exit_code"] == 0
    assert data["branch"] == "main"
    assert data["commit"] == git(project, "rev-parse", "HEAD").strip()
    assert [(g["gate"], g["good"], g["total"]) for g in data["gates"]] == [
        ("lint", 12, 12),
        ("format", 3, 3),
        ("security", 7, 7),
    ]
    runs = History(project / ".quality-gates/history.db").runs()
    assert [(r.uid, r.branch, r.passed) for r in runs] == [(data["run_uid"], "main", True)]


def test_a_lower_metric_above_threshold_is_a_regression(project: Path, hook: Runner) -> None:
    assert hook(gates_main, "run").code == 0
    base = git(project, "rev-parse", "HEAD").strip()
    _degrade(project)
    result = hook(gates_main, "run")
    assert result.code == 1
    assert result.out.splitlines()[1] == (
        "lint      score                 12/13     9.23          5      10  REGRESSED   -7.69"
    )
    assert "REGRESSED lint: regressed from 100.00% to 92.31% (tolerance 0 points)" in result.out
    issue = (project / REPORT / "issue.md").read_text()
    assert "| lint | 100.00% | 92.31% | -7.69 | 0 | `" + base[:12] + "` |" in issue
    assert "- `pkg/calc.py:3:8` F401 `os` imported but unused" in issue
    assert f"git checkout {git(project, 'rev-parse', 'HEAD').strip()}" in issue
    assert "quality-gates run --gates lint" in issue


def test_tolerance_absorbs_a_small_drop(project: Path, hook: Runner) -> None:
    assert hook(gates_main, "run").code == 0
    _degrade(project)
    # --no-record: each of these runs on main would otherwise become the next one's baseline
    assert hook(gates_main, "run", "--no-record", "--set", "run.tolerances={ lint = 8 }").code == 0
    assert hook(gates_main, "run", "--no-record", "--set", "run.tolerances={ lint = 7 }").code == 1
    assert hook(gates_main, "run", "--no-record", "--set", "run.tolerance=8").code == 0


def test_feature_branch_runs_compare_with_the_default_branch(project: Path, hook: Runner) -> None:
    assert hook(gates_main, "run").code == 0
    git(project, "checkout", "-q", "-b", "feature")
    _degrade(project)
    assert hook(gates_main, "run").code == 1
    # the feature branch's own run is not its baseline: it still regresses against main
    again = hook(gates_main, "run")
    assert again.code == 1
    assert "baseline: last run on main" in again.out


def test_pinned_baseline_wins_over_history(project: Path, hook: Runner) -> None:
    assert hook(gates_main, "run").code == 0
    _degrade(project)
    assert hook(gates_main, "run").code == 1
    pinned = hook(gates_main, "baseline", "save")
    assert pinned.code == 0
    assert "lint 92.31%" in pinned.out
    git(project, "checkout", "-q", "-b", "other")
    result = hook(gates_main, "run")
    assert result.code == 0
    assert "baseline: pinned baseline on main" in result.out
    assert hook(gates_main, "baseline", "clear").code == 0
    assert hook(gates_main, "run").code == 0  # the last run on main is at 92.31 % too


def test_active_override_is_a_loud_pass_recorded_in_history(project: Path, hook: Runner) -> None:
    assert hook(gates_main, "run").code == 0
    _degrade(project)
    expires = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    added = hook(
        gates_main,
        "override",
        "add",
        "--gate",
        "lint",
        "--reason",
        "hotfix for the outage",
        "--issue",
        "https://example.invalid/issues/7",
        "--approved-by",
        "Lead",
        "--expires",
        expires,
    )
    assert added.code == 0, added.err
    result = hook(gates_main, "run")
    assert result.code == 0
    assert (
        "lint      score                 12/13     9.23          5      10  OVERRIDDEN"
        in result.out
    )
    assert (
        f"OVERRIDDEN lint: regressed from 100.00% to 92.31% (tolerance 0 points); lint: override "
        f"until {expires} approved by Lead: hotfix for the outage "
        "(https://example.invalid/issues/7)"
    ) in result.out
    last = History(project / ".quality-gates/history.db").runs()[-1]
    assert last.gates["lint"]["status"] == "overridden"
    assert [o["gate"] for o in last.overrides] == ["lint"]
    assert "Emergency override" in (project / REPORT / "index.html").read_text()


def test_expired_override_is_an_error_naming_it(project: Path, hook: Runner) -> None:
    write(
        project,
        ".quality-gates/overrides.toml",
        '[[override]]\ngate = "lint"\nreason = "old"\nissue = "https://example.invalid/1"\n'
        'approved-by = "Lead"\nexpires = 2020-01-31\n',
    )
    result = hook(gates_main, "run")
    assert result.code == 2
    assert (
        "expired emergency override(s): lint (expired 2020-01-31, https://example.invalid/1)"
        in (result.err)
    )
    assert not (project / ".quality-gates/history.db").exists()


@pytest.mark.parametrize("variable", ["SKIP", "QUALITY_GATES_SKIP", "QUALITY_GATES_OVERRIDE"])
def test_no_environment_variable_bypasses_a_gate(
    project: Path, hook: Runner, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    commit_files(project, {"pyproject.toml": PYPROJECT.replace("threshold = 5", "threshold = 10")})
    _degrade(project)
    monkeypatch.setenv(variable, "lint")
    assert hook(gates_main, "run").code == 1


def test_a_gate_that_cannot_measure_is_an_error_and_the_others_still_report(
    project: Path, hook: Runner
) -> None:
    broken = PYPROJECT.replace('exclude_dirs = ["tests"]', 'exclude_dirs = "tests"')
    commit_files(project, {"pyproject.toml": broken})
    result = hook(gates_main, "run")
    assert result.code == 2
    assert re.search(r"^security +- +- +- +- +- +ERROR$", result.out, re.M)
    assert "ERROR security: pyproject.toml: [tool.bandit] exclude_dirs must be a list" in result.out
    assert [g["status"] for g in report_json(project)["gates"]] == ["pass", "pass", "error"]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("run.nope=1", "[--set.run] unknown key 'nope'"),
        ("run.tolerance=-1", "run.tolerance = -1: must be between 0 and 100"),
        ("run.tolerances={ speed = 1 }", "unknown gate(s) speed"),
    ],
)
def test_configuration_errors_exit_2(
    project: Path, hook: Runner, setting: str, message: str
) -> None:
    result = hook(gates_main, "run", "--set", setting)
    assert result.code == 2
    assert message in result.err


def test_unknown_gate_is_an_error(project: Path, hook: Runner) -> None:
    result = hook(gates_main, "run", "--gates", "lint,nope")
    assert result.code == 2
    assert "--gates: unknown or unavailable gate(s) nope" in result.err


def test_a_new_gate_joins_through_the_registry(
    project: Path, hook: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(runner.GATE_MODULES, "perf", "sample_gate")
    commit_files(
        project, {"pyproject.toml": PYPROJECT.replace('"security"]', '"security", "perf"]')}
    )
    result = hook(gates_main, "run")
    assert result.code == 0
    assert re.search(r"^perf +files +4/4 +100\.00% +100% +100% +PASS$", result.out, re.M)
    assert [g["gate"] for g in report_json(project)["gates"]] == [
        "lint",
        "format",
        "security",
        "perf",
    ]
    assert (project / ".quality-gates/badges/perf.svg").exists()


def test_step_summary_is_appended(
    project: Path, hook: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = project.parent / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert hook(gates_main, "run").code == 0
    text = summary.read_text()
    assert text.startswith("earlier step\n## quality-gates: PASSED · quality 100.00%\n")
    assert text.endswith((project / REPORT / "report.md").read_text())


def test_github_annotations_are_capped(
    project: Path, hook: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = "".join(f"import mod{i}\n" for i in range(12))
    commit_files(project, {"pkg/many.py": lines})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = hook(gates_main, "run", "--set", "lint.threshold=10")
    annotations = [line for line in result.out.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 10
    assert "::notice title=quality-gates::2 more finding(s) not annotated" in result.out


def test_output_locations_are_configurable(project: Path, hook: Runner, tmp_path: Path) -> None:
    out, history = tmp_path / "out", tmp_path / "h" / "runs.db"
    result = hook(
        gates_main, "run", "--output-dir", str(out), "--badges-dir", "", "--history", str(history)
    )
    assert result.code == 0
    assert (out / "report.json").exists()
    written = project / ".quality-gates"
    assert sorted(p.name for p in written.iterdir()) == ["cache"]  # only the untracked caches
    assert len(History(history).runs()) == 1


def test_no_record_leaves_history_alone(project: Path, hook: Runner) -> None:
    assert hook(gates_main, "run", "--no-record").code == 0
    assert History(project / ".quality-gates/history.db").runs() == []
    assert "1 recorded run(s)" in (project / REPORT / "index.html").read_text()


def test_badges_are_rewritten_only_when_value_or_colour_change(project: Path, hook: Runner) -> None:
    assert hook(gates_main, "run").code == 0
    badge = project / ".quality-gates/badges/lint.svg"
    same_value = badge.read_text() + "<!-- hand edit -->\n"
    badge.write_text(same_value)
    assert hook(gates_main, "run").code == 0
    assert badge.read_text() == same_value
    _degrade(project)
    hook(gates_main, "run")
    assert 'aria-label="lint: 9.2/10"' in badge.read_text()


def _pty_run(cwd: Path, env: dict[str, str]) -> str:
    main, child = pty.openpty()
    proc = subprocess.Popen(
        (str(QG), "run", "--no-record"), cwd=cwd, stdout=child, stderr=child, env=env
    )
    os.close(child)
    chunks = []
    while True:
        ready, _, _ = select.select([main], [], [], 120)
        if not ready:
            break
        try:
            data = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(main)
    return b"".join(chunks).decode()


@pytest.mark.slow
def test_terminal_gets_a_live_progress_line_and_no_color_gets_plain_lines(project: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    live = _pty_run(project, {**env, "TERM": "xterm"})
    assert "\r\x1b[K[0/3] " in live
    assert "\x1b[32mlint\x1b[0m" in live
    plain = _pty_run(project, {**env, "TERM": "xterm", "NO_COLOR": "1"})
    assert "\x1b[" not in plain
    assert "running 3 gate(s): lint, format, security" in plain


@pytest.mark.slow
def test_eight_parallel_runs_record_eight_runs(project: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    procs = [
        subprocess.Popen(
            (str(QG), "run", "--gates", "format,lint"),
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(8)
    ]
    outcomes = [(p.wait(timeout=600), p.stderr.read().decode() if p.stderr else "") for p in procs]
    for proc in procs:
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    assert [code for code, _ in outcomes] == [0] * 8, outcomes
    runs = History(project / ".quality-gates/history.db").runs()
    assert len(runs) == 8
    assert len({r.uid for r in runs}) == 8
    check = subprocess.run(
        (
            sys.executable,
            "-c",
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1])"
            ".execute('PRAGMA integrity_check').fetchone()[0])",
            str(project / ".quality-gates/history.db"),
        ),
        capture_output=True,
        text=True,
        check=True,
    )
    assert check.stdout.strip() == "ok"
    data = json.loads((project / REPORT / "report.json").read_text())
    assert data["exit_code"] == 0


def test_calc_source_is_unchanged_by_a_run(project: Path, hook: Runner) -> None:
    hook(gates_main, "run")
    assert (project / "pkg/calc.py").read_text() == CALC
    assert git(project, "status", "--porcelain", "--untracked-files=no") == ""


UNTESTED = (
    CALC
    + '''

def mul(a: int, b: int) -> int:
    """Multiply (no test calls it)."""
    return a * b
'''
)


def _coverage(repo: Path) -> None:
    subprocess.run(
        (
            sys.executable,
            "-m",
            "coverage",
            "run",
            "--branch",
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests",
        ),
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(repo)},
        capture_output=True,
        check=True,
    )


@pytest.mark.slow
def test_lower_coverage_is_a_regression_with_an_issue_body(project: Path, hook: Runner) -> None:
    commit_files(
        project, {"pyproject.toml": PYPROJECT + "\n[tool.quality-gates.coverage]\nthreshold = 50\n"}
    )
    _coverage(project)
    assert hook(gates_main, "run", "--gates", "coverage").code == 0
    commit_files(project, {"pkg/calc.py": UNTESTED})
    _coverage(project)
    result = hook(gates_main, "run", "--gates", "coverage")
    assert result.code == 1
    assert re.search(r"^coverage .* REGRESSED +-\d+\.\d\d$", result.out, re.M)
    assert "| coverage | 100.00% |" in (project / REPORT / "issue.md").read_text()


def test_baseline_save_lets_a_gate_pin_its_own_data(
    project: Path, hook: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(runner.GATE_MODULES, "perf", "sample_gate")
    saved = hook(gates_main, "baseline", "save", "perf")
    assert (saved.code, saved.out) == (0, "perf: pinned 4 file(s) in sample-baseline.txt\n")
    assert (project / ".quality-gates/sample-baseline.txt").read_text() == "4\n"
    unknown = hook(gates_main, "baseline", "save", "speed")
    assert unknown.code == 2
    assert "unknown or unavailable gate(s): speed" in unknown.err
    nothing = hook(gates_main, "baseline", "save")
    assert nothing.code == 2
    assert "no recorded run to pin: run `quality-gates run` first" in nothing.err
