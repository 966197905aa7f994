from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Runner
from helpers import commit_files, snapshot, stage, write
from quality_gates.cli import security_main
from quality_gates.gates.security import is_excluded

BASE = 'import subprocess\n\n\ndef run():\n    return subprocess.call("ls", shell=True)\n'


@pytest.fixture
def debt_repo(repo: Path) -> Path:
    """HEAD has an existing bandit finding (B602, shell=True) on line 5."""
    commit_files(repo, {"app.py": BASE})
    return repo


def test_new_eval_fails_naming_b307(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "app.py", BASE + "\n\nvalue = eval('1 + 1')\n")
    stage(debt_repo)
    result = hook(security_main)
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        "app.py:8:9: B307 Use of possibly insecure function - consider using safer "
        "ast.literal_eval. (severity MEDIUM, confidence HIGH)"
    )
    assert result.out.endswith("security: score 0/1 = 0.00% (threshold 100%) FAIL\n")
    assert "B602" not in result.out.split("\n")[0]


def test_existing_finding_on_unchanged_line_does_not_fail(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "app.py", BASE + "\n\nVALUE = 2\n")
    stage(debt_repo)
    result = hook(security_main)
    assert result.code == 0
    assert result.out == "security: score 1/1 = 100.00% (threshold 100%) PASS\n"
    shown = hook(security_main, "--show-existing")
    assert "app.py:5:12: B602" in shown.out


def test_full_mode_counts_all_statements(debt_repo: Path, hook: Runner) -> None:
    result = hook(security_main, "app.py")
    assert result.code == 1
    assert result.out.endswith("security: score 1/3 = 33.33% (threshold 100%) FAIL\n")


def test_nosec_added_is_counted(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "app.py", BASE + "\n\nvalue = eval('1')  # nosec B307\n")
    stage(debt_repo)
    result = hook(security_main)
    assert result.code == 0
    assert "app.py:8: suppression added: # nosec B307" in result.out


def test_high_severity_fails_even_under_a_lowered_threshold(debt_repo: Path, hook: Runner) -> None:
    write(
        debt_repo,
        "app.py",
        BASE + "\n\ndef more(cmd):\n    return subprocess.call(cmd, shell=True)\n",
    )
    stage(debt_repo)
    result = hook(security_main, "--fail-under", "0")
    assert result.code == 1
    assert "app.py:9: B602 is HIGH severity: never allowed" in result.out


def test_severity_floor_from_policy(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "app.py", BASE + "\n\nassert VALUE\n")
    stage(debt_repo)
    assert hook(security_main).code == 1  # B101 is LOW severity, HIGH confidence
    assert hook(security_main, "--set", "security.severity=medium").code == 0


def test_bandit_config_and_excludes_apply_to_passed_files(debt_repo: Path, hook: Runner) -> None:
    pyproject = '[tool.bandit]\nexclude_dirs = ["./tests"]\nskips = ["B101"]\n'
    commit_files(debt_repo, {"pyproject.toml": pyproject})
    write(debt_repo, "tests/test_app.py", "value = eval('1')\n")
    write(debt_repo, "app.py", BASE + "\n\nassert BASE\n")
    stage(debt_repo)
    before = snapshot(debt_repo)
    result = hook(security_main, "tests/test_app.py", "app.py")
    assert result.code == 0, result.out
    assert snapshot(debt_repo) == before


def test_partial_staging_follows_the_index(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "app.py", BASE + "\n\nvalue = eval('1')\n")
    stage(debt_repo)
    write(debt_repo, "app.py", BASE)
    before = snapshot(debt_repo)
    assert hook(security_main).code == 1
    assert snapshot(debt_repo) == before
    write(debt_repo, "app.py", BASE + "\n\nVALUE = 1\n")
    stage(debt_repo)
    write(debt_repo, "app.py", BASE + "\n\nvalue = eval('1')\n")
    before = snapshot(debt_repo)
    assert hook(security_main).code == 0
    assert snapshot(debt_repo) == before


@pytest.mark.parametrize(
    ("path", "excludes", "expected"),
    [
        ("tests/test_x.py", ["tests"], True),
        ("tests/test_x.py", ["./tests"], True),
        ("tests/test_x.py", ["tests/"], True),
        ("pkg/tests/test_x.py", ["tests"], True),
        ("pkg/tests/test_x.py", ["./tests"], False),
        ("testsuite/x.py", ["tests"], False),
        ("build/gen/x.py", ["build/*"], True),
        ("app.py", [], False),
    ],
)
def test_is_excluded(path: str, excludes: list[str], expected: bool) -> None:
    assert is_excluded(path, excludes) is expected
