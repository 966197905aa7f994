from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import Runner
from helpers import commit_files, git, snapshot, stage, write
from quality_gates.cli import types_main

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow  # every test runs mypy for real, most of them twice

SHAPES = "def area(w: int, h: int) -> int:\n    return w * h\n"
SHAPES_3D = "def area(w: int, h: int, d: int) -> int:\n    return w * h * d\n"
REPORT = "from pkg.shapes import area\n\n\ndef total() -> int:\n    return area(2, 3)\n"
DEBT = 'def load() -> int:\n    value: int = "seven"\n    return value\n'
DEBT_ERROR = 'Incompatible types in assignment (expression has type "str", variable has type "int")'


@pytest.fixture(autouse=True)
def _no_outer_venv(monkeypatch: pytest.MonkeyPatch) -> None:
    """The interpreter choice must come from the test repository, not from the test runner."""
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)


@pytest.fixture
def callers(repo: Path) -> Path:
    commit_files(repo, {"pkg/__init__.py": "", "pkg/shapes.py": SHAPES, "pkg/report.py": REPORT})
    return repo


def _json(out: str) -> dict[str, object]:
    result = json.loads(out)["results"][0]
    assert isinstance(result, dict)
    return result


def test_signature_change_breaks_an_unchanged_caller(callers: Path, hook: Runner) -> None:
    write(callers, "pkg/shapes.py", SHAPES_3D)
    stage(callers)
    result = hook(types_main)
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        'pkg/report.py:5:12: call-arg Missing positional argument "d" in call to "area"'
    )
    assert "types: 1 new mypy error(s), max-new-errors is 0" in result.out
    # what the usual hook runs, mypy on the changed files only, does not see it
    plain = subprocess.run(
        (sys.executable, "-m", "mypy", "--strict", "--no-incremental", "pkg/shapes.py"),
        cwd=callers,
        capture_output=True,
        text=True,
        check=False,
    )
    assert plain.returncode == 0, plain.stdout
    assert plain.stdout.startswith("Success: no issues found in 1 source file")


def test_existing_error_does_not_fail_a_clean_change_even_moved_down(
    repo: Path, hook: Runner
) -> None:
    commit_files(repo, {"app.py": DEBT})
    write(repo, "app.py", "import os\n\nHOME = os.sep\n\n\n" + DEBT)
    stage(repo)
    result = hook(types_main, "--show-existing")
    assert result.code == 0, result.out
    assert f"app.py:7:18: assignment {DEBT_ERROR} (existing)" in result.out
    # the changed lines: `import os` and `HOME = os.sep` (the blank ones are empty)
    assert result.out.endswith("types: type coverage 2/2 = 100.00% (threshold 100%) PASS\n")
    quiet = hook(types_main)
    assert quiet.code == 0
    assert "baseline: mypy ran" not in quiet.out  # the cached baseline served the second run


def test_touching_the_line_of_an_existing_error_reports_it(repo: Path, hook: Runner) -> None:
    commit_files(repo, {"app.py": DEBT})
    write(repo, "app.py", DEBT.replace('"seven"', '"eight"'))
    stage(repo)
    result = hook(types_main)
    assert result.code == 1
    assert result.out.splitlines()[0] == f"app.py:2:18: assignment {DEBT_ERROR}"


def test_added_type_ignore_is_listed_and_capped(repo: Path, hook: Runner) -> None:
    commit_files(repo, {"app.py": "X = 1\n"})
    write(repo, "app.py", 'X = 1\nY: int = "y"  # type: ignore[assignment]\n')
    stage(repo)
    result = hook(types_main)
    assert result.code == 0, result.out
    assert "app.py:2: suppression added: # type: ignore[assignment]" in result.out
    capped = hook(types_main, "--set", "max-new-suppressions=0")
    assert capped.code == 1
    assert "types: 1 suppression(s) added, max-new-suppressions is 0" in capped.out


def test_full_mode_counts_every_error(repo: Path, hook: Runner) -> None:
    commit_files(repo, {"app.py": DEBT})
    result = hook(types_main, "--all-files")
    assert result.code == 1
    assert result.out.splitlines()[0] == f"app.py:2:18: assignment {DEBT_ERROR}"


def _wheel(folder: Path, files: dict[str, str]) -> Path:
    """Write a minimal wheel by hand: pip installs it offline, with no build backend needed."""
    dist = "typedlib-1.0.dist-info"
    files = {
        **files,
        f"{dist}/METADATA": "Metadata-Version: 2.1\nName: typedlib\nVersion: 1.0\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    wheel = folder / "typedlib-1.0-py3-none-any.whl"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
        archive.writestr(f"{dist}/RECORD", "\n".join(record) + "\n")
    return wheel


def _venv_with_typed_package(repo: Path, tmp_path: Path) -> None:
    """A real .venv in the repository with a small typed package installed by pip, offline."""
    wheel = _wheel(
        tmp_path / "dist",
        {
            "typedlib/__init__.py": "def parse(text: str) -> int:\n    return int(text)\n",
            "typedlib/py.typed": "",
        },
    )
    subprocess.run((sys.executable, "-m", "venv", str(repo / ".venv")), check=True)
    python = str(repo / ".venv" / "bin" / "python")
    subprocess.run(
        (python, "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheel)),
        check=True,
        capture_output=True,
    )


def test_dependency_in_the_project_venv_is_type_checked_with_its_real_types(
    repo: Path, tmp_path: Path, hook: Runner
) -> None:
    _venv_with_typed_package(repo, tmp_path)
    write(repo, ".gitignore", ".venv/\n")
    write(repo, "app.py", 'from typedlib import parse\n\nlabel: str = parse("1")\n')
    stage(repo)
    result = hook(types_main)
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        "app.py:3:14: assignment Incompatible types in assignment "
        '(expression has type "int", variable has type "str")'
    )
    venv_python = repo / ".venv" / "bin" / "python"
    assert f"mypy resolves imports with {venv_python} (the repository's .venv)" in result.out


def test_missing_dependency_is_reported_not_ignored(repo: Path, hook: Runner) -> None:
    write(repo, "app.py", 'from typedlib import parse\n\nlabel: str = parse("1")\n')
    stage(repo)
    result = hook(types_main)
    assert result.code == 1
    assert result.out.startswith("app.py:1:1: import-not-found Cannot find implementation")


FIXTURE = """from typing import Any


def typed(a: int) -> list[int]:
    return [a, a + 1]


def untyped(a, b):
    return a + b


def loose(x: Any) -> dict[str, Any]:
    values = {"x": x}
    return values


result: int = typed(1)[0]
mixed = loose(2)
"""


def _lineprecision(repo: Path, tmp_path: Path, *files: str) -> tuple[int, int]:
    """precise and precise+imprecise+any from mypy's own --lineprecision-report."""
    report = tmp_path / "report"
    subprocess.run(
        (sys.executable, "-m", "mypy", "--strict", "--lineprecision-report", str(report), *files),
        cwd=repo,
        capture_output=True,
        check=False,
    )
    rows = (report / "lineprecision.txt").read_text().splitlines()[2:]
    precise = imprecise = anys = 0
    for row in rows:
        _, _, p, i, a, _, _ = row.split()
        precise, imprecise, anys = precise + int(p), imprecise + int(i), anys + int(a)
    return precise, precise + imprecise + anys


def test_type_coverage_agrees_with_mypy_line_precision_report(
    repo: Path, tmp_path: Path, hook: Runner
) -> None:
    commit_files(repo, {"lib/__init__.py": "", "lib/calc.py": FIXTURE, "lib/more.py": REPORT})
    write(repo, "pkg/__init__.py", "")
    write(repo, "pkg/shapes.py", SHAPES)
    stage(repo)
    result = hook(types_main, "--format", "json", "--all-files")
    metric = _json(result.out)["metric"]
    assert isinstance(metric, dict)
    precise, total = _lineprecision(repo, tmp_path, "lib", "pkg")
    assert (metric["good"], metric["total"]) == (precise, total)
    assert 0 < precise < total  # the fixture has imprecise and Any lines


def test_type_coverage_counts_only_the_changed_lines(repo: Path, hook: Runner) -> None:
    commit_files(repo, {"calc.py": FIXTURE})
    write(repo, "calc.py", FIXTURE + "\n\ndef twice(a: int) -> int:\n    return 2 * a\n")
    stage(repo)
    result = hook(types_main)
    assert result.code == 0, result.out
    assert result.out.endswith("types: type coverage 2/2 = 100.00% (threshold 100%) PASS\n")
    write(repo, "calc.py", FIXTURE + "\n\ndef twice(a):\n    return 2 * a\n")
    stage(repo)
    failed = hook(types_main)
    assert failed.code == 1
    assert failed.out.endswith("types: type coverage 0/2 = 0.00% (threshold 100%) FAIL\n")


def test_partial_staging_follows_the_index(callers: Path, hook: Runner) -> None:
    write(callers, "pkg/shapes.py", SHAPES_3D)
    stage(callers)
    write(callers, "pkg/shapes.py", SHAPES)  # the working tree is fine, the index is not
    before = snapshot(callers)
    result = hook(types_main)
    assert result.code == 1
    assert result.out.startswith("pkg/report.py:5:12: call-arg")
    assert snapshot(callers) == before
    write(callers, "pkg/shapes.py", SHAPES + "\n\nUNIT = 1\n")
    stage(callers)
    write(callers, "pkg/shapes.py", SHAPES_3D)  # now the index is fine, the working tree is not
    before = snapshot(callers)
    result = hook(types_main)
    assert result.code == 0, result.out
    assert snapshot(callers) == before


def test_cache_stays_untracked(callers: Path, hook: Runner) -> None:
    write(callers, "pkg/shapes.py", SHAPES + "\n\nUNIT = 1\n")
    stage(callers)
    assert hook(types_main).code == 0
    assert (callers / ".quality-gates" / "cache" / "mypy").is_dir()
    assert git(callers, "status", "--porcelain", "--untracked-files=all") == "M  pkg/shapes.py\n"


def test_range_mode_compares_with_the_merge_base(callers: Path, hook: Runner) -> None:
    base = git(callers, "rev-parse", "HEAD").strip()
    tip = commit_files(callers, {"pkg/shapes.py": SHAPES_3D})
    result = hook(types_main, "--from-ref", base, "--to-ref", tip)
    assert result.code == 1
    assert result.out.startswith("pkg/report.py:5:12: call-arg")


def test_user_mypy_config_is_honoured(repo: Path, hook: Runner) -> None:
    pyproject = (
        '[tool.mypy]\nexclude = ["^generated/"]\n\n'
        '[[tool.mypy.overrides]]\nmodule = ["legacy"]\nallow_untyped_defs = true\n'
    )
    commit_files(repo, {"pyproject.toml": pyproject})
    write(repo, "legacy.py", "def old(a):\n    return a\n")
    write(repo, "generated/out.py", "x: int = 'no'\n")
    stage(repo)
    result = hook(types_main, "--scope", "files", "--set", "types.threshold=0")
    assert result.code == 0, result.out
    assert "types: note: generated/out.py: skipped (excluded by the mypy config)" in result.out


def test_a_staged_mypy_config_is_the_one_used(repo: Path, hook: Runner) -> None:
    relaxed = (
        '[tool.mypy]\n\n[[tool.mypy.overrides]]\nmodule = ["legacy"]\nallow_untyped_defs = true\n'
    )
    commit_files(repo, {"pyproject.toml": "[tool.mypy]\n", "legacy.py": "X = 1\n"})
    write(repo, "legacy.py", "def old(a):\n    return a\n")
    write(repo, "pyproject.toml", relaxed)
    stage(repo)
    write(repo, "pyproject.toml", "[tool.mypy]\n")  # the working tree's config is strict again
    before = snapshot(repo)
    result = hook(types_main, "--set", "types.threshold=0")
    assert result.code == 0, result.out
    assert snapshot(repo) == before
    write(repo, "pyproject.toml", relaxed)
    git(repo, "reset", "-q", "--", "pyproject.toml")  # now only the working tree relaxes it
    result = hook(types_main, "--set", "types.threshold=0")
    assert result.code == 1
    assert result.out.startswith("legacy.py:1:1: no-untyped-def Function is missing")


@pytest.mark.parametrize(
    ("files", "args", "code", "expected"),
    [
        ({"bad.py": "def broken(:\n"}, (), 1, "bad.py:1:13: syntax Expected a parameter"),
        ({"latin.py": b"# -*- coding: latin-1 -*-\nNAME: str = '\xe9'\n"}, (), 0, "PASS"),
        ({"empty.py": ""}, (), 0, "(nothing to measure)"),
        ({"blob.py": b"\x00\x01binary"}, (), 0, "blob.py: skipped (binary)"),
        (
            {"ok.py": "X = 1\n", "pyproject.toml": "[tool.mypy]\nno_such_option = true\n"},
            (),
            0,
            "types: note: mypy said: pyproject.toml: [mypy]: Unrecognized option: "
            "no_such_option = True",
        ),
        ({"ok.py": "X = 1\n"}, ("--set", "types.strict=yes"), 2, "types.strict = 'yes'"),
        ({"ok.py": "X = 1\n"}, ("--python", "nowhere/python"), 2, "no such interpreter"),
        ({"ok.py": "X = 1\n"}, ("--set", "types.args=['--no-such-flag']"), 2, "no-such-flag"),
    ],
)
def test_hostile_inputs(
    repo: Path,
    hook: Runner,
    files: dict[str, str | bytes],
    args: tuple[str, ...],
    code: int,
    expected: str,
) -> None:
    for name, content in files.items():
        write(repo, name, content)
    stage(repo)
    result = hook(types_main, *args)
    assert result.code == code, (result.out, result.err)
    assert expected in result.out + result.err
    assert "Traceback" not in result.out + result.err


def test_under_pre_commit_the_project_venv_is_used_not_the_hook_env(
    repo: Path, tmp_path: Path
) -> None:
    """pre-commit sets VIRTUAL_ENV to the hook's own environment: the repository's .venv wins."""
    _venv_with_typed_package(repo, tmp_path)
    write(repo, ".gitignore", ".venv/\n")
    write(repo, "app.py", 'from typedlib import parse\n\nlabel: str = parse("1")\n')
    stage(repo)
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PRE_COMMIT_COLOR": "never",
    }
    done = subprocess.run(
        (sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "quality-types"),
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "app.py:3:14: assignment Incompatible types in assignment "
        '(expression has type "int", variable has type "str")'
    ) in done.stdout
    assert "(the repository's .venv)" in done.stdout
