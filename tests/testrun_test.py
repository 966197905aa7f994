from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Runner
from helpers import commit_files, git, snapshot, stage, write
from quality_gates.cli import quality_tests_main

MOD = """\
def add(a, b):
    return a + b


def sign(x):
    if x > 0:
        return 1
    return -1


def unused():
    return 0
"""
TEST_MOD = """\
from mod import add, sign


def test_add():
    assert add(1, 2) == 3


def test_sign():
    assert sign(2) == 1


class TestMore:
    def test_sign_negative(self):
        assert sign(-2) == -1
"""
TEST_OTHER = "import mod\n\n\ndef test_module_loads():\n    assert mod.add\n"
PYPROJECT = '[tool.pytest.ini_options]\ntestpaths = ["tests"]\npythonpath = ["."]\n'
IGNORE = ".coverage*\ncoverage.*\n.pytest_cache/\n__pycache__/\n"


def run_with_contexts(repo: Path, *, style: str) -> None:
    """The last full run: pytest under coverage with test contexts, in repo."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE")}
    argv: tuple[str, ...]
    if style == "pytest-cov":
        argv = (sys.executable, "-m", "pytest", "-q", "--cov=.", "--cov-context=test")
    else:
        write(repo, ".coveragerc", "[run]\ndynamic_context = test_function\n")
        argv = (sys.executable, "-m", "coverage", "run", "-m", "pytest", "-q")
    subprocess.run(argv, cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture
def project(repo: Path) -> Path:
    commit_files(
        repo,
        {
            "mod.py": MOD,
            "tests/test_mod.py": TEST_MOD,
            "tests/test_other.py": TEST_OTHER,
            "pyproject.toml": PYPROJECT,
            ".gitignore": IGNORE,
        },
    )
    return repo


def selected(out: str) -> list[str]:
    notes = [
        line.split(": note: ", 1)[1] for line in out.splitlines() if ": note: selected " in line
    ]
    return [note.split(": ", 1)[0] for note in notes]


@pytest.mark.slow
@pytest.mark.parametrize("style", ["pytest-cov", "test_function"])
def test_selects_exactly_the_tests_that_ran_the_changed_function(
    project: Path, hook: Runner, style: str
) -> None:
    run_with_contexts(project, style=style)
    write(project, "mod.py", MOD.replace("return 1\n", "return +1\n"))
    stage(project)
    result = hook(quality_tests_main)
    assert result.code == 0, result.out
    assert selected(result.out) == [
        "selected tests/test_mod.py::TestMore::test_sign_negative",
        "selected tests/test_mod.py::test_sign",
    ]
    assert "ran mod.py::sign in the last context run" in result.out
    assert result.out.endswith(
        "tests: pass rate 2/2 = 100.00% (threshold 100%) PASS; unit 2/2 = 100.00%\n"
    )


@pytest.mark.slow
def test_a_failing_selected_test_fails_with_its_id_and_message(project: Path, hook: Runner) -> None:
    run_with_contexts(project, style="pytest-cov")
    write(project, "mod.py", MOD.replace("return 1\n", "return 2\n"))
    stage(project)
    result = hook(quality_tests_main)
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        "tests/test_mod.py:8:1: test-failed tests/test_mod.py::test_sign: "
        "assert 2 == 1 + where 2 = sign(2)"
    )
    assert result.out.endswith(
        "tests: pass rate 1/2 = 50.00% (threshold 100%) FAIL; unit 1/2 = 50.00%\n"
    )


def test_without_context_data_the_import_graph_selects(project: Path, hook: Runner) -> None:
    write(project, "mod.py", MOD.replace("return 0", "return 5"))
    stage(project)
    result = hook(quality_tests_main)
    assert result.code == 0, result.out
    assert selected(result.out) == ["selected tests/test_mod.py", "selected tests/test_other.py"]
    assert (
        "imports mod.py (no coverage data with test contexts at .coverage: static import graph)"
        in result.out
    )
    assert result.out.endswith(
        "pass rate 4/4 = 100.00% (threshold 100%) PASS; unit 4/4 = 100.00%\n"
    )


@pytest.mark.slow
def test_module_level_change_falls_back_to_imports(project: Path, hook: Runner) -> None:
    run_with_contexts(project, style="pytest-cov")
    write(project, "mod.py", MOD + "\nLIMIT = 3\n")
    stage(project)
    result = hook(quality_tests_main)
    assert selected(result.out) == ["selected tests/test_mod.py", "selected tests/test_other.py"]
    assert "imports mod.py (module-level code changed: static import graph)" in result.out


def test_changed_test_file_is_selected(project: Path, hook: Runner) -> None:
    write(project, "tests/test_other.py", TEST_OTHER + "\n\ndef test_more():\n    assert 1\n")
    stage(project)
    result = hook(quality_tests_main)
    assert result.code == 0, result.out
    assert selected(result.out) == ["selected tests/test_other.py"]
    assert "changed test file" in result.out
    assert "pass rate 2/2" in result.out


def test_zero_selected_says_why(project: Path, hook: Runner) -> None:
    commit_files(project, {"tools/lonely.py": "X = 1\n"})
    write(project, "tools/lonely.py", "X = 2\n")
    stage(project)
    result = hook(quality_tests_main)
    assert result.code == 0
    assert result.out == (
        "tests: note: tools/lonely.py: no coverage data with test contexts at .coverage, "
        "and no test file imports it\n"
        "tests: note: no test selected: nothing recorded or imported reaches the changed code "
        "(see above)\n"
        "tests: pass rate 0/0 = 100.00% (threshold 100%) PASS (nothing to measure)\n"
    )


CATEGORISED = """\
import pytest


@pytest.mark.integration
def test_db():
    assert True


@pytest.mark.skip(reason="no network")
def test_remote():
    pass


@pytest.mark.xfail(reason="known bug")
def test_known():
    assert False


def test_ok():
    assert True
"""


def test_full_run_reports_categories_and_lists_skips_apart(project: Path, hook: Runner) -> None:
    pyproject = PYPROJECT + 'markers = ["integration", "ui"]\n'
    commit_files(
        project,
        {
            "pyproject.toml": pyproject,
            "tests/test_cat.py": CATEGORISED,
            "tests/ui/test_page.py": "def test_page():\n    assert 1 == 2\n",
        },
    )
    result = hook(quality_tests_main, "--all-files")
    assert result.code == 1
    lines = result.out.splitlines()
    assert (
        lines[0]
        == "tests/ui/test_page.py:1:1: test-failed tests/ui/test_page.py::test_page: assert 1 == 2"
    )
    assert "tests: ui tests: pass rate 0.00% is below the threshold 100%" in lines
    assert "tests: note: 1 skipped: tests/test_cat.py::test_remote (no network)" in lines
    assert "tests: note: 1 xfailed: tests/test_cat.py::test_known (known bug)" in lines
    assert lines[-1] == (
        "tests: pass rate 6/7 = 85.71% (threshold 100%) FAIL; unit 5/5 = 100.00%; "
        "integration 1/1 = 100.00%; ui 0/1 = 0.00%"
    )


def test_partial_staging_follows_the_index(project: Path, hook: Runner) -> None:
    broken = MOD.replace("return a + b", "return a - b")
    write(project, "mod.py", broken)
    stage(project)
    write(project, "mod.py", MOD.replace("return 0", "return 0  # fine"))
    before = snapshot(project)
    assert hook(quality_tests_main).code == 1
    assert snapshot(project) == before
    write(project, "mod.py", MOD.replace("return 0", "return 0  # fine"))
    stage(project)
    write(project, "mod.py", broken)
    before = snapshot(project)
    assert hook(quality_tests_main).code == 0
    assert snapshot(project) == before


SUITES = """\
<testsuites>
  <testsuite name="a" tests="2">
    <testcase classname="tests.test_a" name="test_one" file="tests/test_a.py" line="3"/>
    <testcase classname="tests.test_a" name="test_two" file="tests/test_a.py" line="7">
      <failure message="assert 1 == 2">trace</failure>
    </testcase>
  </testsuite>
  <testsuite name="b" tests="2">
    <testcase classname="tests.integration.test_b.TestB" name="test_three"
              file="tests/integration/test_b.py"/>
    <testcase classname="tests.integration.test_b" name="test_four"
              file="tests/integration/test_b.py">
      <error message="fixture 'db' not found"/>
    </testcase>
  </testsuite>
</testsuites>
"""


def test_junit_totals_are_summed_over_suites(project: Path, hook: Runner) -> None:
    write(project, "junit.xml", SUITES)
    result = hook(quality_tests_main, "--all-files", "--junit", "junit.xml")
    assert result.code == 1
    assert result.out.splitlines() == [
        "tests/test_a.py:7:1: test-failed tests/test_a.py::test_two: assert 1 == 2",
        "tests/integration/test_b.py:1:1: test-error tests/integration/test_b.py::test_four: "
        "fixture 'db' not found",
        "tests: unit tests: pass rate 50.00% is below the threshold 100%",
        "tests: integration tests: pass rate 50.00% is below the threshold 100%",
        "tests: pass rate 2/4 = 50.00% (threshold 100%) FAIL; unit 1/2 = 50.00%; "
        "integration 1/2 = 50.00%",
    ]


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    "<testsuite>&b;</testsuite>"
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "malformed XML: no element found"),
        ("<testsuite>", "malformed XML"),
        (BOMB, "refused hostile XML (EntitiesForbidden"),
        ("<coverage/>", "not JUnit XML (root element <coverage>)"),
        ("<testsuite><testcase/></testsuite>", "not valid JUnit XML: a <testcase> has no name"),
    ],
)
def test_hostile_junit_is_a_clear_error(
    project: Path, hook: Runner, content: str, message: str
) -> None:
    write(project, "junit.xml", content)
    result = hook(quality_tests_main, "--all-files", "--junit", "junit.xml")
    assert result.code == 2, result.out
    assert message in result.err
    assert "Traceback" not in result.err


def test_a_test_command_that_cannot_run_is_an_error(project: Path, hook: Runner) -> None:
    result = hook(
        quality_tests_main, "--all-files", "--set", 'tests.command=["no-such-runner-xyz"]'
    )
    assert result.code == 2
    assert "no-such-runner-xyz is not installed" in result.err


def test_range_mode_runs_the_target_commit(project: Path, hook: Runner) -> None:
    good = git(project, "rev-parse", "HEAD").strip()
    broken = commit_files(project, {"mod.py": MOD.replace("return a + b", "return a - b")})
    git(project, "checkout", "-q", good)
    before = snapshot(project)
    result = hook(quality_tests_main, "--from-ref", good, "--to-ref", broken)
    assert result.code == 1, result.out
    assert "tests/test_mod.py::test_add: assert -1 == 3" in result.out
    assert snapshot(project) == before
