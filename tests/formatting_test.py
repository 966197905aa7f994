from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Runner
from helpers import commit_files, snapshot, stage, write
from quality_gates.cli import format_main
from quality_gates.gates.formatting import parse_format_diff

UGLY_BASE = "x=1\n\n\ndef f(a):\n    return a\n"


@pytest.fixture
def debt_repo(repo: Path) -> Path:
    """HEAD has one badly formatted line (line 1)."""
    commit_files(repo, {"mod.py": UGLY_BASE})
    return repo


def test_unformatted_changed_line_fails(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "mod.py", UGLY_BASE + "\n\ny  =  2\n")
    stage(debt_repo)
    result = hook(format_main)
    assert result.code == 1
    assert result.out.splitlines()[0] == "mod.py:8:1: format would reformat line 8"
    assert result.out.endswith("format: files formatted 0/1 = 0.00% (threshold 100%) FAIL\n")


def test_old_formatting_debt_does_not_fail_a_clean_change(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "mod.py", UGLY_BASE + "\n\ny = 2\n")
    stage(debt_repo)
    result = hook(format_main, "--show-existing")
    assert result.code == 0
    assert "mod.py:1:1: format would reformat line 1 (existing)" in result.out


def test_full_mode_fails_on_old_debt(debt_repo: Path, hook: Runner) -> None:
    assert hook(format_main, "--all-files").code == 1


def test_partial_staging_both_ways(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "mod.py", UGLY_BASE + "\n\ny  =  2\n")
    stage(debt_repo)
    write(debt_repo, "mod.py", UGLY_BASE + "\n\ny = 2\n")
    before = snapshot(debt_repo)
    assert hook(format_main).code == 1
    assert snapshot(debt_repo) == before
    stage(debt_repo)
    write(debt_repo, "mod.py", UGLY_BASE + "\n\ny  =  2\n")
    before = snapshot(debt_repo)
    assert hook(format_main).code == 0
    assert snapshot(debt_repo) == before


def test_fix_formats_the_file(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "mod.py", UGLY_BASE + "\n\ny  =  2\n")
    stage(debt_repo)
    assert hook(format_main, "--fix").code == 1  # the staged content is still unformatted
    assert (debt_repo / "mod.py").read_text().endswith("\ny = 2\n")
    stage(debt_repo)
    assert hook(format_main).code == 0


def test_syntax_error_fails_with_a_reason(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "mod.py", UGLY_BASE + "def (:\n")
    stage(debt_repo)
    result = hook(format_main)
    assert result.code == 1
    assert "format: mod.py: ruff cannot format it" in result.out


DIFF = """--- a.py
+++ a.py
@@ -1,4 +1,5 @@
 import os
+
 x = 1
-y  =  2
+y = 2
 z = 3
"""


def test_parse_format_diff_regions() -> None:
    findings = parse_format_diff(DIFF)
    assert [(f.path, f.line, f.end_line) for f in findings] == [("a.py", 1, 3)]
