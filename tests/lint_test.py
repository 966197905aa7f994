from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Runner
from helpers import commit, commit_files, git, snapshot, stage, write
from quality_gates.cli import lint_main

BASE = "import os\n\n\ndef f(a):\n    return a\n"
WITH_NEW_VIOLATION = BASE + "\n\ndef g():\n    import sys\n    return 1\n"
CLEAN_CHANGE = BASE + "\n\ndef g():\n    return 1\n"


@pytest.fixture
def debt_repo(repo: Path) -> Path:
    """A repository whose HEAD already has one lint violation (F401 on line 1)."""
    commit_files(repo, {"pkg/mod.py": BASE})
    return repo


def test_new_violation_on_changed_line_fails_and_lists_only_it(
    debt_repo: Path, hook: Runner
) -> None:
    write(debt_repo, "pkg/mod.py", WITH_NEW_VIOLATION)
    stage(debt_repo)
    result = hook(lint_main)
    assert result.code == 1
    assert result.out == (
        "pkg/mod.py:9:12: F401 `sys` imported but unused\n"
        "lint: 1 existing finding(s) on unchanged lines not shown (--show-existing lists them)\n"
        "lint: score 2/3 = 6.67 (threshold 10) FAIL\n"
    )


def test_show_existing_lists_old_finding_without_failing_on_it(
    debt_repo: Path, hook: Runner
) -> None:
    write(debt_repo, "pkg/mod.py", CLEAN_CHANGE)
    stage(debt_repo)
    result = hook(lint_main, "--show-existing")
    assert result.code == 0
    assert "pkg/mod.py:1:8: F401 `os` imported but unused (existing)" in result.out
    assert result.out.endswith("lint: score 2/2 = 10.00 (threshold 10) PASS\n")


def test_clean_change_passes_with_one_summary_line(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "pkg/mod.py", CLEAN_CHANGE)
    stage(debt_repo)
    result = hook(lint_main)
    assert (result.code, result.out) == (0, "lint: score 2/2 = 10.00 (threshold 10) PASS\n")


def test_range_mode_holds_the_line_too(debt_repo: Path, hook: Runner) -> None:
    base = git(debt_repo, "rev-parse", "HEAD").strip()
    write(debt_repo, "pkg/mod.py", WITH_NEW_VIOLATION)
    stage(debt_repo)
    tip = commit(debt_repo)
    failing = hook(lint_main, "--from-ref", base, "--to-ref", tip)
    assert failing.code == 1
    assert failing.out.splitlines()[0] == "pkg/mod.py:9:12: F401 `sys` imported but unused"
    write(debt_repo, "pkg/mod.py", CLEAN_CHANGE)
    stage(debt_repo)
    clean_tip = commit(debt_repo)
    assert hook(lint_main, "--from-ref", tip, "--to-ref", clean_tip).code == 0


def test_range_mode_from_pre_commit_environment(
    debt_repo: Path, hook: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = git(debt_repo, "rev-parse", "HEAD").strip()
    write(debt_repo, "pkg/mod.py", WITH_NEW_VIOLATION)
    stage(debt_repo)
    tip = commit(debt_repo)
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", base)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", tip)
    result = hook(lint_main, "pkg/mod.py")
    assert result.code == 1
    assert "pkg/mod.py:1:8" not in result.out


def test_full_mode_when_nothing_is_staged_fails_on_old_debt(debt_repo: Path, hook: Runner) -> None:
    result = hook(lint_main, "pkg/mod.py")
    assert result.code == 1
    assert result.out == (
        "pkg/mod.py:1:8: F401 `os` imported but unused\n"
        "lint: score 2/3 = 6.67 (threshold 10) FAIL\n"
    )
    assert hook(lint_main, "--all-files").out == result.out


def test_partial_staging_bad_in_index_good_on_disk_fails(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "pkg/mod.py", WITH_NEW_VIOLATION)
    stage(debt_repo)
    write(debt_repo, "pkg/mod.py", CLEAN_CHANGE)
    before = snapshot(debt_repo)
    result = hook(lint_main)
    assert result.code == 1
    assert "F401 `sys` imported but unused" in result.out
    assert snapshot(debt_repo) == before


def test_partial_staging_good_in_index_bad_on_disk_passes(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "pkg/mod.py", CLEAN_CHANGE)
    stage(debt_repo)
    write(debt_repo, "pkg/mod.py", WITH_NEW_VIOLATION)
    before = snapshot(debt_repo)
    assert hook(lint_main).code == 0
    assert snapshot(debt_repo) == before


def test_user_ruff_config_is_honoured_on_the_staged_copy(debt_repo: Path, hook: Runner) -> None:
    commit_files(debt_repo, {"pyproject.toml": '[tool.ruff.lint]\nignore = ["F401"]\n'})
    write(debt_repo, "pkg/mod.py", WITH_NEW_VIOLATION)
    stage(debt_repo)
    write(debt_repo, "pkg/mod.py", "unstaged = 1\n")  # forces the temporary staged copy
    assert hook(lint_main).code == 0


def test_fix_rewrites_clean_files_and_refuses_unstaged_ones(debt_repo: Path, hook: Runner) -> None:
    commit_files(debt_repo, {"other.py": "x = 1\n"})
    write(debt_repo, "pkg/mod.py", WITH_NEW_VIOLATION)
    write(debt_repo, "other.py", "import json\nx = 1\n")
    stage(debt_repo)
    write(debt_repo, "other.py", "import json\nx = 2\n")
    result = hook(lint_main, "--fix")
    assert result.code == 1
    assert "other.py: not fixed, its working tree differs from the index" in result.out
    assert "import sys" not in (debt_repo / "pkg/mod.py").read_text()
    assert (debt_repo / "other.py").read_text() == "import json\nx = 2\n"


def test_added_noqa_is_counted_and_capped(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "pkg/mod.py", BASE + "import sys  # noqa: F401\n")
    stage(debt_repo)
    counted = hook(lint_main)
    assert counted.code == 0
    assert "pkg/mod.py:6: suppression added: # noqa: F401" in counted.out
    capped = hook(lint_main, "--set", "max-new-suppressions=0")
    assert capped.code == 1
    assert "lint: 1 suppression(s) added, max-new-suppressions is 0" in capped.out


def test_project_fix_setting_never_rewrites_files_or_hides_findings(
    repo: Path, hook: Runner
) -> None:
    commit_files(repo, {"pyproject.toml": "[tool.ruff]\nfix = true\n", "mod.py": "x = 1\n"})
    write(repo, "mod.py", "import os\n\nx = 1\n")
    stage(repo)
    before = snapshot(repo)
    result = hook(lint_main)
    assert result.code == 1
    assert result.out.splitlines()[0] == "mod.py:1:8: F401 `os` imported but unused"
    assert snapshot(repo) == before
