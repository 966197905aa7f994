"""A scratch project for the full-run tests: a package, its tests, a policy, committed on main."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers import commit_files

PYPROJECT = """\
[tool.quality-gates]
gates = ["lint", "format", "security"]

[tool.quality-gates.lint]
threshold = 5

[tool.bandit]
exclude_dirs = ["tests"]
"""
CALC = '''\
"""Arithmetic."""


def add(a: int, b: int) -> int:
    """Add."""
    return a + b


def sub(a: int, b: int) -> int:
    """Subtract."""
    return a - b
'''
TESTS = """\
from pkg.calc import add, sub


def test_add() -> None:
    assert add(1, 2) == 3


def test_sub() -> None:
    assert sub(3, 2) == 1
"""
# one new unused import: the lint score drops but stays above the threshold of 5
CALC_WITH_UNUSED_IMPORT = CALC.replace('"""Arithmetic."""\n', '"""Arithmetic."""\n\nimport os\n')


def make_project(repo: Path, pyproject: str = PYPROJECT) -> str:
    """Commit the scratch project on main; return the commit."""
    return commit_files(
        repo,
        {
            "pyproject.toml": pyproject,
            "pkg/__init__.py": "",
            "pkg/calc.py": CALC,
            "tests/test_calc.py": TESTS,
        },
        "scratch project",
    )


def report_json(repo: Path) -> dict[str, Any]:
    """The report.json the last run wrote."""
    return json.loads((repo / ".quality-gates/report/report.json").read_text())  # type: ignore[no-any-return]
