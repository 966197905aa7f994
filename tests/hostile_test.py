"""Hostile input through every hook: a clear message and exit 0, 1 or 2; never a crash or traceback.

One table: each row prepares a repository (the base commit has a clean `ok.py`), names the files
to pass, and says per hook what exit code and which message it expects.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import pytest
from helpers import commit_files, git, init_repo, run_hook, stage, write
from quality_gates.cli import format_main, gates_main, lint_main, security_main

HOOKS: Mapping[str, tuple[Callable[[Sequence[str] | None], int], tuple[str, ...]]] = {
    "lint": (lint_main, ()),
    "format": (format_main, ()),
    "security": (security_main, ()),
    # the three gates this table was written for; gates added later bring their own rows
    "check": (gates_main, ("check", "--gates", "lint,format,security")),
}
ENTRY = {"lint": "lint_main", "format": "format_main", "security": "security_main"}
ENTRY["check"] = "gates_main"
ALL = tuple(HOOKS)
UTF8_ERROR = "stream did not contain valid UTF-8"
# fails each gate on line 1: F821 (lint), spacing (format), B307 eval (security)
BAD_EVERYWHERE = "x  =  eval(nowhere)\n"
LATIN_NAME = os.fsdecode(b"bin\xe9.py")  # as Python names a file whose name is not UTF-8


class Row(NamedTuple):
    """One hostile input: set the repo up (returning the args to pass) and what each hook says."""

    setup: Callable[[Path], Sequence[str]]
    expect: Mapping[str, tuple[int, str]]
    cwd: str = ""  # run from here (relative to the scratch dir) instead of the repo
    no_tools: bool = False  # run in a subprocess whose interpreter has no ruff/bandit beside it


def same(code: int, message: str) -> dict[str, tuple[int, str]]:
    """Every hook expects the same outcome."""
    return {hook: (code, message) for hook in ALL}


def staged(name: str, content: str | bytes) -> Callable[[Path], Sequence[str]]:
    """Stage one file and pass it."""

    def setup(repo: Path) -> Sequence[str]:
        write(repo, name, content)
        stage(repo, name)
        return (name,)

    return setup


def pyproject(text: str) -> Callable[[Path], Sequence[str]]:
    """Commit a pyproject.toml, stage a clean change to ok.py, pass nothing."""

    def setup(repo: Path) -> Sequence[str]:
        commit_files(repo, {"pyproject.toml": text})
        write(repo, "ok.py", "ok = 1\nmore = 2\n")
        stage(repo)
        return ()

    return setup


def with_args(*args: str) -> Callable[[Path], Sequence[str]]:
    """Stage a clean change and pass these args."""

    def setup(repo: Path) -> Sequence[str]:
        write(repo, "ok.py", "ok = 1\nmore = 2\n")
        stage(repo)
        return args

    return setup


def symlink(repo: Path) -> Sequence[str]:
    os.symlink("ok.py", repo / "link.py")
    stage(repo, "link.py")
    return ("link.py",)


def submodule(repo: Path) -> Sequence[str]:
    inner = init_repo(repo.parent / "inner")
    commit_files(inner, {"x.py": BAD_EVERYWHERE})
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "sub")
    return ("sub",)


def directory(repo: Path) -> Sequence[str]:
    write(repo, "pkg/inside.py", "ok = 1\n")
    return ("pkg",)


def fifo(repo: Path) -> Sequence[str]:
    os.mkfifo(repo / "pipe.py")
    return ("pipe.py",)


def conflict(repo: Path) -> Sequence[str]:
    git(repo, "checkout", "-q", "-b", "other")
    commit_files(repo, {"ok.py": "ok = 'other'\n"})
    git(repo, "checkout", "-q", "main")
    commit_files(repo, {"ok.py": "ok = 'main'\n"})
    with pytest.raises(AssertionError):
        git(repo, "merge", "-q", "other")
    return ("ok.py",)


def huge(repo: Path) -> Sequence[str]:
    """About 5 MB: 5,000 lines of 1,000-character strings."""
    body = "".join(f'S{n} = "{"x" * 1000}"\n' for n in range(5000))
    return staged("huge.py", body)(repo)


def long_statement(repo: Path) -> Sequence[str]:
    """One statement over 10,002 lines."""
    return staged("long.py", "VALUES = [\n" + "    1,\n" * 10_000 + "]\n")(repo)


def nothing(repo: Path) -> Sequence[str]:
    return ()


def ruff_config_broken(repo: Path) -> Sequence[str]:
    return pyproject('[tool.ruff]\nline-length = "wide"\n')(repo)


ROWS: dict[str, Row] = {
    "binary .py": Row(
        staged("bin.py", b"\x00\x01binary\x00" * 20), same(0, "bin.py: skipped (binary)")
    ),
    "latin-1 without cookie": Row(
        staged("latin.py", b"name = 'caf\xe9'\n"),
        {
            "lint": (1, f"latin.py:1:1: E902 {UTF8_ERROR}"),
            "format": (2, f"Failed to read latin.py: {UTF8_ERROR}"),
            "security": (1, "latin.py: bandit could not scan it"),
            "check": (2, f"Failed to read latin.py: {UTF8_ERROR}"),
        },
    ),
    "latin-1 with cookie": Row(
        staged("cookie.py", b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n"),
        {
            "lint": (1, f"cookie.py:1:1: E902 {UTF8_ERROR}"),
            "format": (2, f"Failed to read cookie.py: {UTF8_ERROR}"),
            "security": (0, "security: score 1/1 = 100.00% (threshold 100%) PASS"),
            "check": (2, f"Failed to read cookie.py: {UTF8_ERROR}"),
        },
    ),
    "syntax error": Row(
        staged("broken.py", "def (:\n"),
        {
            "lint": (1, "broken.py: does not parse; counted as one failing statement"),
            "format": (1, "format: broken.py: ruff cannot format it"),
            "security": (1, "broken.py: bandit could not scan it"),
            "check": (1, "broken.py: does not parse"),
        },
    ),
    "empty file": Row(
        staged("empty.py", ""),
        {
            "lint": (0, "lint: score 0/0 = 10.00 (threshold 10) PASS (nothing to measure)"),
            "format": (0, "format: files formatted 1/1 = 100.00% (threshold 100%) PASS"),
            "security": (0, "security: score 0/0 = 100.00% (threshold 100%) PASS"),
            "check": (0, "lint: score 0/0 = 10.00"),
        },
    ),
    "5 MB file": Row(
        huge,
        {
            "lint": (0, "lint: score 5000/5000 = 10.00 (threshold 10) PASS"),
            "format": (0, "format: files formatted 1/1 = 100.00% (threshold 100%) PASS"),
            "security": (0, "security: score 5000/5000 = 100.00% (threshold 100%) PASS"),
            "check": (0, "security: score 5000/5000"),
        },
    ),
    "10k-line statement": Row(
        long_statement,
        {
            "lint": (0, "lint: score 1/1 = 10.00 (threshold 10) PASS"),
            "format": (0, "format: files formatted 1/1 = 100.00% (threshold 100%) PASS"),
            "security": (0, "security: score 1/1 = 100.00% (threshold 100%) PASS"),
            "check": (0, "lint: score 1/1"),
        },
    ),
    "name with spaces": Row(
        staged("my module.py", BAD_EVERYWHERE),
        {
            "lint": (1, "my module.py:1:12: F821 Undefined name `nowhere`"),
            "format": (1, "my module.py:1:1: format would reformat line 1"),
            "security": (1, "my module.py:1:7: B307"),
            "check": (1, "my module.py:1:1: format would reformat line 1"),
        },
    ),
    "unicode name": Row(
        staged("mödülé.py", BAD_EVERYWHERE),
        {
            "lint": (1, "mödülé.py:1:12: F821"),
            "format": (1, "mödülé.py:1:1: format would reformat line 1"),
            "security": (1, "mödülé.py:1:7: B307"),
            "check": (1, "mödülé.py:1:7: B307"),
        },
    ),
    "leading dash (passed with no --)": Row(
        staged("-h.py", BAD_EVERYWHERE),
        {
            "lint": (1, "-h.py:1:12: F821"),
            "format": (1, "-h.py:1:1: format would reformat line 1"),
            "security": (1, "-h.py:1:7: B307"),
            "check": (1, "-h.py:1:7: B307"),
        },
    ),
    "line break in name": Row(
        staged("two\nlines.py", BAD_EVERYWHERE),
        same(2, "a file name with a line break cannot be checked"),
    ),
    "name not UTF-8": Row(
        staged(os.fsdecode(b"caf\xe9.py"), BAD_EVERYWHERE),
        same(2, "a file name that is not UTF-8 cannot be checked"),
    ),
    "binary with a name not UTF-8": Row(
        staged(LATIN_NAME, b"\x00binary"),
        same(0, "bin\\udce9.py: skipped (binary)"),  # escaped on a strict UTF-8 stdout
    ),
    "symlink": Row(symlink, same(0, "link.py: skipped (a symlink)")),
    "submodule": Row(submodule, same(0, "sub: skipped (a directory or submodule)")),
    "directory": Row(directory, same(0, "pkg: skipped (a directory or submodule)")),
    "fifo": Row(fifo, same(2, "pipe.py: not in the index")),
    "no such file": Row(with_args("ghost.py"), same(2, "ghost.py: no such file")),
    "merge conflict": Row(conflict, same(2, "ok.py: unmerged (a merge conflict)")),
    "broken pyproject.toml": Row(
        pyproject("[tool.quality-gates\n"), same(2, "pyproject.toml: cannot read")
    ),
    "unknown policy key": Row(
        pyproject("[tool.quality-gates]\nbogus = 1\n"),
        same(2, "[tool.quality-gates] unknown key 'bogus'"),
    ),
    "unknown gate in policy": Row(
        pyproject('[tool.quality-gates]\ngates = ["lint", "nope"]\n'),
        same(2, "tool.quality-gates.gates = ['lint', 'nope']: unknown gate(s) nope"),
    ),
    "out-of-range threshold": Row(
        pyproject("[tool.quality-gates.lint]\nthreshold = 11\n"),
        same(2, "tool.quality-gates.lint.threshold = 11: must be between 0 and 10"),
    ),
    "wrong type": Row(
        pyproject('[tool.quality-gates.security]\nthreshold = "high"\n'),
        same(2, "tool.quality-gates.security.threshold = 'high': must be a number"),
    ),
    "gate section not a table": Row(
        pyproject("[tool.quality-gates]\nlint = 5\n"),
        same(2, "[tool.quality-gates.lint] must be a table"),
    ),
    "negative suppression cap": Row(
        pyproject("[tool.quality-gates]\nmax-new-suppressions = -5\n"),
        same(2, "max-new-suppressions = -5: must be a whole number >= 0, or -1 for no cap"),
    ),
    "broken ruff config": Row(
        ruff_config_broken,
        {
            "lint": (2, "command failed (exit 2)"),
            "format": (2, "ruff format failed (exit 2)"),
            "security": (0, "security: score 1/1"),
            "check": (2, "line-length"),
        },
    ),
    "broken bandit config": Row(
        pyproject("[tool.bandit]\nexclude_dirs = 3\n"),
        {
            "lint": (0, "lint: score 1/1"),
            "format": (0, "format: files formatted 1/1"),
            "security": (2, "[tool.bandit] exclude_dirs must be a list of strings"),
            "check": (2, "[tool.bandit] exclude_dirs must be a list of strings"),
        },
    ),
    "missing --config file": Row(
        with_args("--config", "nowhere.toml"), same(2, "nowhere.toml: no such file")
    ),
    "bad --set value": Row(
        with_args("--set", "lint.threshold=abc"),
        same(2, "lint.threshold = 'abc': must be a number between 0 and 10"),
    ),
    "--set without =": Row(with_args("--set", "lint.threshold"), same(2, "expected KEY=VALUE")),
    "unknown option": Row(with_args("--bogus"), same(2, "no such option: --bogus")),
    "bad --scope": Row(with_args("--scope", "some"), same(2, "Invalid value for '--scope'")),
    "not a git repository": Row(nothing, same(2, "not inside a git repository"), cwd="plain"),
    "bare repository": Row(
        nothing, same(2, "a bare repository has no working tree"), cwd="bare.git"
    ),
    "tools not installed": Row(
        with_args("ok.py"),
        {
            "lint": (2, "ruff is not installed: install it in the environment running the hook"),
            "format": (2, "ruff is not installed"),
            "security": (2, "bandit is not installed"),
            "check": (2, "is not installed"),
        },
        no_tools=True,
    ),
}


@pytest.fixture(scope="module")
def toolless_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An interpreter with no ruff or bandit beside it (a fresh venv), for the tools-missing row."""
    venv = tmp_path_factory.mktemp("toolless") / "venv"
    subprocess.run((sys.executable, "-m", "venv", "--without-pip", str(venv)), check=True)
    return venv / "bin" / "python"


def run_without_tools(python: Path, hook: str, args: Sequence[str], cwd: Path) -> tuple[int, str]:
    """Run a hook in a subprocess whose interpreter and PATH have no ruff or bandit."""
    hooks_dir = Path(__file__).resolve().parent.parent / "hooks"
    site = [p for p in sys.path if p.endswith("site-packages")]
    path = os.pathsep.join(d for d in ("/usr/bin", "/bin") if Path(d).is_dir())
    assert shutil.which("ruff", path=path) is None
    assert shutil.which("bandit", path=path) is None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(PATH=path, PYTHONPATH=os.pathsep.join([str(hooks_dir), *site]))
    code = f"import sys; from quality_gates import cli; sys.exit(cli.{ENTRY[hook]}(sys.argv[1:]))"
    proc = subprocess.run(
        (str(python), "-c", code, *HOOKS[hook][1], *args),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize("hook", ALL)
@pytest.mark.parametrize("row", list(ROWS.values()), ids=list(ROWS))
def test_hostile_input(
    row: Row,
    hook: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    repo = init_repo(tmp_path / "repo")
    commit_files(repo, {"ok.py": "ok = 1\n"})
    (tmp_path / "plain").mkdir()
    git(tmp_path, "init", "-q", "--bare", "bare.git")
    args = row.setup(repo)
    cwd = tmp_path / row.cwd if row.cwd else repo
    if row.no_tools:
        python = request.getfixturevalue("toolless_python")
        code, output = run_without_tools(python, hook, args, cwd)
    else:
        main, prefix = HOOKS[hook]
        result = run_hook(main, [*prefix, *args], cwd, capsys, monkeypatch)
        code, output = result.code, result.out + result.err
    expected_code, message = row.expect[hook]
    assert "Traceback" not in output
    assert code != 3, output
    assert (code, message in output) == (expected_code, True), output
