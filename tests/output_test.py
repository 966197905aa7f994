"""Rendering: text for people, JSON for machines, GitHub workflow annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Runner
from helpers import commit_files, stage, write
from quality_gates import output, runner, thresholds
from quality_gates.cli import gates_main, lint_main
from quality_gates.findings import Finding, GateResult, Metric, Suppression

NEW = Finding("pkg/mod.py", 9, 12, "F401", "`sys` imported but unused", end_line=9, end_column=15)
OLD = Finding("pkg/mod.py", 1, 8, "F401", "`os` imported but unused", end_line=1, end_column=10)
FAILED = GateResult(
    gate="lint",
    metric=Metric("score", 2, 3, 10.0),
    threshold=10.0,
    target=10.0,
    new=(NEW,),
    existing=(OLD,),
    suppressions=(Suppression("pkg/mod.py", 6, "noqa", "# noqa: F401"),),
    notes=("data.bin: skipped (binary)",),
)
PASSED = GateResult(
    gate="security",
    metric=Metric("score", 39, 40, 100.0),
    threshold=95.0,
    target=100.0,
    existing=(Finding("app.py", 5, 12, "B602", "shell=True"),),
    notes=("link.py: skipped (a symlink)",),
    extra=(Metric("files", 3, 4, 100.0),),
)


def test_text_of_a_failing_gate_is_exact() -> None:
    assert output.render_text([FAILED]) == (
        "pkg/mod.py:9:12: F401 `sys` imported but unused\n"
        "pkg/mod.py:6: suppression added: # noqa: F401\n"
        "lint: note: data.bin: skipped (binary)\n"
        "lint: 1 existing finding(s) on unchanged lines not shown (--show-existing lists them)\n"
        "lint: score 2/3 = 6.67 (threshold 10) FAIL\n"
    )


def test_text_of_a_passing_gate_is_its_notes_and_summary() -> None:
    assert output.render_text([PASSED]) == (
        "security: note: link.py: skipped (a symlink)\n"
        "security: score 39/40 = 97.50% (threshold 95%, target 100%) PASS; files 3/4 = 75.00%\n"
    )


def test_text_with_show_existing_lists_old_findings() -> None:
    assert output.render_text([FAILED, PASSED], show_existing=True) == (
        "pkg/mod.py:9:12: F401 `sys` imported but unused\n"
        "pkg/mod.py:1:8: F401 `os` imported but unused (existing)\n"
        "pkg/mod.py:6: suppression added: # noqa: F401\n"
        "lint: note: data.bin: skipped (binary)\n"
        "lint: score 2/3 = 6.67 (threshold 10) FAIL\n"
        "app.py:5:12: B602 shell=True (existing)\n"
        "security: note: link.py: skipped (a symlink)\n"
        "security: score 39/40 = 97.50% (threshold 95%, target 100%) PASS; files 3/4 = 75.00%\n"
    )


def test_summary_line_variants() -> None:
    empty = GateResult("format", Metric("files formatted", 0, 0), 100.0, 100.0)
    assert output.summary_line(empty) == (
        "format: files formatted 0/0 = 100.00% (threshold 100%) PASS (nothing to measure)"
    )
    reasons = GateResult("security", Metric("score", 1, 1), 100.0, 100.0, reasons=("HIGH",))
    assert output.summary_line(reasons) == "security: score 1/1 = 100.00% (threshold 100%) FAIL"
    at_target = GateResult("lint", Metric("score", 1, 1, 10.0), 9.5, 10.0)
    assert output.summary_line(at_target) == "lint: score 1/1 = 10.00 (threshold 9.5) PASS"


def test_no_results_render_nothing() -> None:
    assert (output.render_text([]), output.render_github([])) == ("", "")


def test_json_is_complete_and_parses() -> None:
    doc = json.loads(output.render_json([FAILED, PASSED]))
    assert doc["passed"] is False
    lint, security = doc["results"]
    assert lint == {
        "gate": "lint",
        "passed": False,
        "metric": {"name": "score", "good": 2, "total": 3, "scale": 10.0, "value": 20 / 3},
        "extra": [],
        "threshold": 10.0,
        "target": 10.0,
        "new": [
            {
                "path": "pkg/mod.py",
                "line": 9,
                "column": 12,
                "rule": "F401",
                "message": "`sys` imported but unused",
                "severity": "error",
                "end_line": 9,
                "end_column": 15,
            }
        ],
        "existing": [
            {
                "path": "pkg/mod.py",
                "line": 1,
                "column": 8,
                "rule": "F401",
                "message": "`os` imported but unused",
                "severity": "error",
                "end_line": 1,
                "end_column": 10,
            }
        ],
        "suppressions": [{"path": "pkg/mod.py", "line": 6, "kind": "noqa", "text": "# noqa: F401"}],
        "reasons": [],
        "notes": ["data.bin: skipped (binary)"],
    }
    assert security["passed"] is True
    assert security["extra"] == [
        {"name": "files", "good": 3, "total": 4, "scale": 100.0, "value": 75.0}
    ]


def test_github_annotation_is_exact() -> None:
    assert output.render_github([FAILED, PASSED]) == (
        "::error file=pkg/mod.py,line=9,col=12,endLine=9,title=lint F401::"
        "`sys` imported but unused\n"
    )


def test_github_annotation_escapes_properties_and_data() -> None:
    finding = Finding("dir,odd/a:b%c.py", 3, 1, "R:1,2", "50% done\r\nnext: line, more")
    assert output.annotation(finding, "lint") == (
        "::error file=dir%2Codd/a%3Ab%25c.py,line=3,col=1,title=lint R%3A1%2C2::"
        "50%25 done%0D%0Anext: line, more"
    )


@pytest.mark.parametrize("count", [9, 10, 11, 25])
def test_github_annotations_are_capped_with_a_notice(count: int) -> None:
    findings = tuple(Finding("a.py", n, 1, "F821", f"name {n}") for n in range(1, count + 1))
    result = GateResult("lint", Metric("score", 0, count, 10.0), 10.0, 10.0, new=findings)
    lines = output.render_github([result]).splitlines()
    shown = min(count, output.GITHUB_ANNOTATION_CAP)
    assert lines[:shown] == [
        f"::error file=a.py,line={n},col=1,title=lint F821::name {n}" for n in range(1, shown + 1)
    ]
    notice = (
        f"::notice title=quality-gates::{count - shown} more finding(s) not annotated "
        "(GitHub shows 10 per step); see the log above"
    )
    assert lines[shown:] == ([notice] if count > shown else [])


def test_cap_counts_findings_across_gates() -> None:
    many = tuple(Finding("a.py", n, 1, "X", "m") for n in range(1, 8))
    first = GateResult("lint", Metric("score", 0, 7, 10.0), 10.0, 10.0, new=many)
    second = GateResult("security", Metric("score", 0, 7), 100.0, 100.0, new=many)
    lines = output.render_github([first, second]).splitlines()
    assert [line.split("title=")[1].split(" ")[0] for line in lines[:10]] == ["lint"] * 7 + [
        "security"
    ] * 3
    assert lines[10].startswith("::notice title=quality-gates::4 more finding(s)")


def test_exit_code() -> None:
    assert (output.exit_code([PASSED]), output.exit_code([PASSED, FAILED])) == (0, 1)
    assert output.exit_code([]) == 0


# -- through a hook ----------------------------------------------------------------------------

BASE = "ok = 1\n"


@pytest.fixture
def failing(repo: Path) -> Path:
    """Twelve new F821 findings staged in one file."""
    commit_files(repo, {"mod.py": BASE})
    write(repo, "mod.py", BASE + "".join(f"v{n} = nowhere{n}\n" for n in range(12)))
    stage(repo)
    return repo


def test_github_actions_adds_capped_annotations_after_the_text(
    failing: Path, hook: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = hook(lint_main)
    assert "::error" not in plain.out
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = hook(lint_main)
    assert result.code == 1
    text, annotations = result.out[: len(plain.out)], result.out[len(plain.out) :].splitlines()
    assert text == plain.out
    assert annotations[0] == (
        "::error file=mod.py,line=2,col=6,endLine=2,title=lint F821::Undefined name `nowhere0`"
    )
    assert len(annotations) == 11
    assert annotations[10].startswith("::notice title=quality-gates::2 more finding(s)")


def test_format_github_prints_only_annotations(failing: Path, hook: Runner) -> None:
    result = hook(lint_main, "--format", "github")
    assert result.code == 1
    assert all(line.startswith(("::error ", "::notice ")) for line in result.out.splitlines())


def test_format_json_from_the_hook(
    failing: Path, hook: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")  # JSON stays pure JSON even in a workflow
    result = hook(gates_main, "check", "--format", "json")
    assert result.code == 1
    doc = json.loads(result.out)
    assert doc["passed"] is False
    assert [r["gate"] for r in doc["results"]] == list(runner.available(thresholds.GATES))
    lint = next(r for r in doc["results"] if r["gate"] == "lint")
    assert (lint["metric"]["good"], lint["metric"]["total"]) == (0, 12)  # changed lines only
    assert [f["line"] for f in lint["new"]] == list(range(2, 14))
    assert {f["rule"] for f in lint["new"]} == {"F821"}
