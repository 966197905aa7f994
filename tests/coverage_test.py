from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Runner
from helpers import commit_files, snapshot, stage, write
from quality_gates.cli import coverage_main
from quality_gates.coverage_paths import PathMatcher
from quality_gates.gates.coverage import format_ranges, owning_statements

MOD = """\
def add(a, b):
    return a + b


def sign(x):
    if x > 0:
        return 1
    return -1
"""
DRIVER = "from mod import add, sign\n\nassert add(1, 2) == 3\nassert sign(2) == 1\n"
PYPROJECT = '[tool.coverage.run]\nbranch = true\nomit = ["drive*.py"]\n'
FORMATS = {
    ".coverage": (),
    "coverage.xml": ("xml", "-o", "coverage.xml"),
    "coverage.json": ("json", "-o", "coverage.json"),
    "coverage.lcov": ("lcov", "-o", "coverage.lcov"),
}


def measure(repo: Path, driver: str = "drive.py", *, reports: bool = True) -> None:
    """Run the driver under coverage.py in repo and write every report format."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE")}
    for args in [("run", driver), *(FORMATS.values() if reports else ())]:
        if not args:
            continue
        subprocess.run(
            (sys.executable, "-m", "coverage", *args, "-q"),
            cwd=repo,
            env=env,
            check=True,
            capture_output=True,
        )


@pytest.fixture
def project(repo: Path) -> Path:
    ignore = ".coverage*\ncoverage.*\n"
    commit_files(
        repo,
        {"mod.py": MOD, "drive.py": DRIVER, "pyproject.toml": PYPROJECT, ".gitignore": ignore},
    )
    return repo


def test_untested_new_function_fails_naming_its_lines(project: Path, hook: Runner) -> None:
    write(project, "mod.py", MOD + "\n\ndef mul(a, b):\n    product = a * b\n    return product\n")
    stage(project)
    measure(project)
    result = hook(coverage_main)
    assert result.code == 1
    assert hook(coverage_main, "--fail-under-changed", "33").code == 0
    lines = result.out.splitlines()
    assert lines[0] == (
        "mod.py:12:1: not-covered 1/3 statements covered (33.3%): missing lines 12-13"
    )
    assert lines[-1] == (
        "coverage: changed 1/3 = 33.33% (threshold 95%, target 100%) FAIL; project 7/11 = 63.64%"
    )


def test_covering_the_new_function_passes(project: Path, hook: Runner) -> None:
    write(project, "mod.py", MOD + "\n\ndef mul(a, b):\n    product = a * b\n    return product\n")
    write(project, "drive.py", DRIVER + "from mod import mul\n\nassert mul(2, 3) == 6\n")
    stage(project)
    measure(project)
    result = hook(coverage_main)
    assert result.code == 0, result.out
    assert result.out.splitlines()[-1] == (
        "coverage: changed 3/3 = 100.00% (threshold 95%) PASS; project 9/11 = 81.82%"
    )


def test_changed_continuation_line_counts_as_its_statement(project: Path, hook: Runner) -> None:
    body = "def sign(x):\n    if x > 0:\n        return 1\n    return (-1 *\n            1)\n"
    commit_files(project, {"mod.py": MOD.replace(MOD[MOD.index("def sign") :], body)})
    write(project, "mod.py", MOD.replace(MOD[MOD.index("def sign") :], body.replace("1)", "2)")))
    stage(project)
    measure(project)
    result = hook(coverage_main, "--format", "json")
    doc = json.loads(result.out)["results"][0]
    assert result.code == 1
    assert (doc["metric"]["good"], doc["metric"]["total"]) == (0, 1)
    assert doc["new"][0]["message"] == ("0/1 statements covered (0.0%): missing line 8")


def test_changed_file_missing_from_the_data_is_uncovered(project: Path, hook: Runner) -> None:
    measure(project, reports=False)
    write(project, "extra.py", "VALUE = 1\n\n\ndef double(x):\n    return 2 * x\n")
    stage(project)
    result = hook(coverage_main)
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        "extra.py:1:1: not-covered not in the coverage data (.coverage (coverage.py data)): "
        "its 3 statement(s) in scope count as uncovered"
    )
    assert "coverage: note: extra.py: not in the coverage data" in result.out
    assert "changed 0/3 = 0.00%" in result.out


@pytest.mark.parametrize("data", list(FORMATS))
def test_every_format_gives_the_same_numbers(project: Path, hook: Runner, data: str) -> None:
    write(project, "mod.py", MOD + "\n\ndef neg(x):\n    if x:\n        return -x\n    return 0\n")
    write(project, "drive.py", DRIVER + "from mod import neg\n\nassert neg(3) == -3\n")
    stage(project)
    measure(project)
    result = hook(coverage_main, "--data", data, "--format", "json")
    doc = json.loads(result.out)["results"][0]
    assert (doc["metric"]["good"], doc["metric"]["total"]) == (4, 6)  # 3/4 stmts, 1/2 exits
    assert (doc["extra"][0]["good"], doc["extra"][0]["total"]) == (10, 14)
    report = subprocess.run(
        (sys.executable, "-m", "coverage", "report", "--format=total", "--precision=4"),
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"{doc['extra'][0]['value']:.4f}" == report.stdout.strip()
    shown = "4/6 statements+branches covered (66.7%): missing line 14; partial branch 12 (1/2"
    # LCOV does not say where an untaken branch goes; the other formats do
    assert doc["new"][0]["message"] == shown + ("" if data.endswith(".lcov") else " ->14") + ")"


def test_full_run_judges_the_project(project: Path, hook: Runner) -> None:
    measure(project)
    result = hook(coverage_main, "--all-files", "--data", "coverage.xml")
    assert result.code == 1
    assert "coverage: project coverage 75.00% is below the threshold 95%" in result.out
    assert result.out.splitlines()[-1] == (
        "coverage: project 6/8 = 75.00% (threshold 95%, target 100%) FAIL"
    )
    assert hook(coverage_main, "--all-files", "--fail-under", "75").code == 0


def test_stale_data_is_reported(project: Path, hook: Runner) -> None:
    measure(project)
    write(project, "mod.py", MOD + "\nVALUE = 1\n")
    stage(project)
    stamp = (project / ".coverage").stat().st_mtime + 5
    os.utime(project / "mod.py", (stamp, stamp))
    warned = hook(coverage_main, "--data", ".coverage")
    assert (
        "coverage: note: stale: coverage data .coverage is older than changed file(s) mod.py"
        in (warned.out)
    )
    failed = hook(coverage_main, "--data", ".coverage", "--set", "coverage.stale=fail")
    assert failed.code == 1
    assert "coverage: coverage data .coverage is older than changed file(s) mod.py" in failed.out


def test_paths_from_another_machine_and_src_roots_match(repo: Path, hook: Runner) -> None:
    commit_files(repo, {"src/pkg/__init__.py": "", "src/pkg/mod.py": MOD})
    write(repo, "src/pkg/mod.py", MOD + "\nVALUE = 1\n")
    stage(repo)
    files = {
        "/home/runner/work/x/x/src/pkg/mod.py": {
            "executed_lines": [1, 2, 5, 6, 7, 8, 10],
            "missing_lines": [],
            "excluded_lines": [],
        },
    }
    write(repo, "ci.json", json.dumps({"meta": {"branch_coverage": False}, "files": files}))
    write(repo, "rel.json", json.dumps({"files": {"pkg/mod.py": files[next(iter(files))]}}))
    for data in ("ci.json", "rel.json"):
        result = hook(coverage_main, "--data", data)
        assert result.code == 0, result.out
        assert result.out.endswith(
            "coverage: changed 1/1 = 100.00% (threshold 95%) PASS; project 7/7 = 100.00%\n"
        )


def test_coverage_paths_remap(repo: Path, hook: Runner) -> None:
    pyproject = '[tool.coverage.paths]\nsource = ["lib/", "/build/*/lib/"]\n'
    commit_files(repo, {"lib/mod.py": MOD, "pyproject.toml": pyproject})
    write(repo, "lib/mod.py", MOD + "\nVALUE = 1\n")
    stage(repo)
    entry = {"executed_lines": [1, 5, 10], "missing_lines": [2, 6, 7, 8], "excluded_lines": []}
    write(repo, "c.json", json.dumps({"files": {"/build/abc/lib/mod.py": entry}}))
    result = hook(coverage_main, "--data", "c.json")
    assert result.code == 0, result.out
    assert result.out.endswith("project 3/7 = 42.86%\n")


def test_nothing_matching_is_an_error_naming_both_sides(project: Path, hook: Runner) -> None:
    entry = {"executed_lines": [1], "missing_lines": [], "excluded_lines": []}
    write(project, "c.json", json.dumps({"files": {"/elsewhere/other.py": entry}}))
    result = hook(coverage_main, "--data", "c.json")
    assert result.code == 2
    assert result.err.startswith(
        "error: coverage: c.json (coverage.py JSON) measured 1 file(s) (/elsewhere/other.py) and "
        "none of them is a file of the repository at "
    )
    assert "(e.g. drive.py, mod.py)" in result.err


def test_omitted_files_are_not_expected(project: Path, hook: Runner) -> None:
    measure(project, reports=False)
    write(project, "drive2.py", "print(1)\n")
    stage(project)
    result = hook(coverage_main)
    assert result.code == 0, result.out
    assert "nothing to measure" in result.out


def test_partial_staging_follows_the_index(project: Path, hook: Runner) -> None:
    tested = MOD + "\n\ndef mul(a, b):\n    return a * b\n"
    write(project, "drive.py", DRIVER + "from mod import mul\n\nassert mul(2, 3) == 6\n")
    write(project, "mod.py", tested)
    measure(project)
    stage(project)
    write(project, "mod.py", tested + "\n\ndef untested():\n    return 1\n")
    before = snapshot(project)
    assert hook(coverage_main, "--data", "coverage.json").code == 0
    assert snapshot(project) == before
    stage(project)
    write(project, "mod.py", tested)
    before = snapshot(project)
    assert hook(coverage_main, "--data", "coverage.json").code == 1
    assert snapshot(project) == before


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    "<coverage>&lol2;</coverage>"
)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (".coverage", b"SQLite format 3\x00" + b"\x01" * 200, "not readable coverage.py data"),
        ("coverage.xml", b"<coverage><packages>", "malformed XML"),
        ("coverage.xml", BOMB.encode(), "refused hostile XML (EntitiesForbidden"),
        ("coverage.xml", b"<report/>", "not Cobertura XML (root element <report>"),
        (
            "coverage.xml",
            b'<coverage><class filename="m.py"><line number="x"/></class></coverage>',
            "not valid Cobertura XML",
        ),
        ("coverage.json", b"{}", "not coverage.py JSON: KeyError"),
        ("coverage.json", b"{not json", "not coverage.py JSON"),
        ("coverage.lcov", b"SF:mod.py\nDA:1,1\n", "not a valid LCOV tracefile"),
        ("coverage.lcov", b"DA:1,1\nend_of_record\n", "not a valid LCOV tracefile"),
        ("notes.txt", b"hello", "not coverage data this gate reads"),
        ("empty.xml", b"", "not coverage data this gate reads"),
    ],
)
def test_hostile_data_is_a_clear_error(
    project: Path, hook: Runner, name: str, content: bytes, message: str
) -> None:
    write(project, name, content)
    write(project, "mod.py", MOD + "\nVALUE = 1\n")
    stage(project, "mod.py")
    result = hook(coverage_main, "--data", name)
    assert result.code == 2, result.out + result.err
    assert message in result.err
    assert "Traceback" not in result.err


def test_no_data_found_says_where_it_looked(project: Path, hook: Runner) -> None:
    write(project, "mod.py", MOD + "\nVALUE = 1\n")
    stage(project)
    result = hook(coverage_main, "--set", "coverage.require-data=true")
    assert result.code == 2
    assert "no coverage data in" in result.err
    assert "looked for .coverage, coverage.xml, coverage.json, coverage.lcov" in result.err
    lenient = hook(coverage_main)
    assert lenient.code == 0
    assert lenient.out.startswith(f"coverage: note: no coverage data in {project} (looked for ")
    assert lenient.out.endswith(
        "; nothing measured (coverage.require-data = true makes this an error)\n"
        "coverage: changed 0/0 = 100.00% (threshold 95%) PASS (nothing to measure)\n"
    )
    assert hook(coverage_main, "--data", "missing.xml").code == 2


@pytest.mark.parametrize(
    ("missing", "statements", "expected"),
    [
        ([3, 4, 7], [1, 3, 4, 5, 7], "3-4, 7"),
        ([3, 5], [3, 5, 9], "3-5"),
        ([3, 9], [3, 5, 9], "3, 9"),
        ([2], [2], "2"),
    ],
)
def test_format_ranges(missing: list[int], statements: list[int], expected: str) -> None:
    assert format_ranges(missing, statements) == expected


SOURCE = b'''\
import functools
@functools.lru_cache(
    maxsize=3)
def f(
    a,
    b):
    """doc
    string"""
    # a comment
    if (a and
        b):
        return {
            1: 2,
        }
    return None
'''
STATEMENTS = frozenset({1, 2, 4, 10, 12, 15})


@pytest.mark.parametrize(
    ("line", "owner"),
    [
        (1, {1}),
        (3, {2}),  # a decorator's second line
        (5, {4}),  # a def header's parameters
        (6, {4}),
        (7, set()),  # the docstring is not a statement
        (8, set()),
        (9, set()),  # a comment
        (11, {10}),  # a condition's second line
        (13, {12}),  # inside a literal
        (14, {12}),
        (15, {15}),
    ],
)
def test_owning_statements(line: int, owner: set[int]) -> None:
    assert owning_statements(SOURCE, STATEMENTS, [line]) == owner


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("src/pkg/mod.py", "src/pkg/mod.py"),
        ("./src/pkg/mod.py", "src/pkg/mod.py"),
        ("pkg/mod.py", "src/pkg/mod.py"),
        ("/ci/build/src/pkg/mod.py", "src/pkg/mod.py"),
        ("C:\\ci\\src\\pkg\\mod.py", "src/pkg/mod.py"),
        ("/site-packages/pkg/mod.py", "src/pkg/mod.py"),
        ("__init__.py", None),  # ambiguous: two packages have one
        ("/elsewhere/other.py", None),
    ],
)
def test_path_matcher(tmp_path: Path, name: str, expected: str | None) -> None:
    files = ["src/pkg/mod.py", "src/pkg/__init__.py", "tests/__init__.py", "setup.py"]
    assert PathMatcher(tmp_path, files).match(name) == expected


def test_path_matcher_absolute_under_root_and_sources(tmp_path: Path) -> None:
    files = ["src/pkg/mod.py", "lib/mod.py"]
    matcher = PathMatcher(tmp_path, files, sources=[str(tmp_path / "src")])
    assert matcher.match(str(tmp_path / "lib" / "mod.py")) == "lib/mod.py"
    assert matcher.match("pkg/mod.py") == "src/pkg/mod.py"
    aliased = PathMatcher(tmp_path, files, aliases=[("source", ["lib/", "*/site-packages/"])])
    assert aliased.match("/venv/lib/site-packages/mod.py") == "lib/mod.py"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/test_x.py", True),  # directly in a source folder
        ("tests/typing/t.py", False),  # not a package: coverage.py does not look there
        ("tests/unit/test_y.py", True),  # a package
        ("src/pkg/mod.py", True),  # the package named in source, under src/
        ("src/pkg/sub/mod.py", True),
        ("src/other/mod.py", False),
        ("docs/conf.py", False),
    ],
)
def test_absent_files_follow_coverage_source(repo: Path, path: str, expected: bool) -> None:
    from quality_gates.gates.coverage import _in_source

    for init in ("tests/unit/__init__.py", "src/pkg/__init__.py", "src/pkg/sub/__init__.py"):
        write(repo, init, "")
    write(repo, "tests/typing/t.py", "")
    assert _in_source(path, ("tests", "pkg"), repo) is expected
