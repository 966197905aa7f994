"""The entry points: quality-gates check/config, exit codes 0-3 from one handler, staged truth."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import click
import pytest
from conftest import Runner
from helpers import commit_files, snapshot, stage, write
from quality_gates import __version__, cli, runner, thresholds
from quality_gates.cli import format_main, gates_main, lint_main, security_main
from quality_gates.errors import FatalError

GOOD = "x = 1\n"
BAD_EVERYWHERE = "x  =  eval(nowhere)\n"  # F821 (lint), spacing (format), B307 (security)
AVAILABLE = ", ".join(runner.GATE_MODULES)
UNAVAILABLE = [gate for gate in thresholds.GATES if gate not in runner.GATE_MODULES]
HOOKS: dict[str, tuple[Callable[[Sequence[str] | None], int], tuple[str, ...]]] = {
    "quality-lint": (lint_main, ()),
    "quality-format": (format_main, ()),
    "quality-security": (security_main, ()),
    "quality-gates check": (gates_main, ("check",)),
}


@pytest.fixture
def based(repo: Path) -> Path:
    # other.py is checked whole when passed unchanged: clean for every gate (docs: a docstring)
    commit_files(repo, {"mod.py": GOOD, "other.py": '"""Other."""\n\n' + GOOD})
    return repo


def test_check_runs_the_gates_in_order(based: Path, hook: Runner) -> None:
    write(based, "mod.py", GOOD + "y = 2\n")
    stage(based)
    result = hook(gates_main, "check")
    assert result.code == 0
    summaries = [line for line in result.out.splitlines() if ": note: " not in line]
    for expected in (
        "lint: score 1/1 = 10.00 (threshold 10) PASS",
        "format: files formatted 1/1 = 100.00% (threshold 100%) PASS",
        "security: score 1/1 = 100.00% (threshold 100%) PASS",
    ):
        assert expected in summaries
    gates = [line.split(":")[0] for line in summaries]
    assert gates == list(runner.available(thresholds.GATES))  # every gate this version has


def test_check_fails_when_any_gate_fails(based: Path, hook: Runner) -> None:
    write(based, "mod.py", GOOD + 'y = eval("2")\n')
    stage(based)
    result = hook(gates_main, "check", "--gates", "lint,format,security")
    assert (result.code, result.out.splitlines()) == (
        1,
        [
            "lint: score 1/1 = 10.00 (threshold 10) PASS",
            "format: files formatted 1/1 = 100.00% (threshold 100%) PASS",
            "mod.py:2:5: B307 Use of possibly insecure function - consider using safer "
            "ast.literal_eval. (severity MEDIUM, confidence HIGH)",
            "security: score 0/1 = 0.00% (threshold 100%) FAIL",
        ],
    )


def test_gates_option_selects_gates(based: Path, hook: Runner) -> None:
    write(based, "mod.py", GOOD + 'y = eval("2")\n')
    stage(based)
    result = hook(gates_main, "check", "--gates", "lint, format")
    assert (result.code, result.out) == (
        0,
        "lint: score 1/1 = 10.00 (threshold 10) PASS\n"
        "format: files formatted 1/1 = 100.00% (threshold 100%) PASS\n",
    )


def test_policy_gates_key_is_the_default_selection(based: Path, hook: Runner) -> None:
    missing = [g for g in thresholds.GATES if g not in runner.GATE_MODULES][:1]
    gates = ", ".join(f'"{g}"' for g in ["security", *missing])
    commit_files(based, {"pyproject.toml": f"[tool.quality-gates]\ngates = [{gates}]\n"})
    write(based, "mod.py", GOOD + "y = 2\n")
    stage(based)
    result = hook(gates_main, "check")  # a gate this version lacks is left out
    assert (result.code, result.out) == (
        0,
        "security: score 1/1 = 100.00% (threshold 100%) PASS\n",
    )


@pytest.mark.parametrize(
    ("gates", "message"),
    [
        ("lint,nope", f"error: gate 'nope' is not available (available: {AVAILABLE})\n"),
        *(
            (gate, f"error: gate {gate!r} is not available (available: {AVAILABLE})\n")
            for gate in UNAVAILABLE[:1]
        ),
        (
            ",",
            "Usage: quality-gates check [OPTIONS] [FILES]...\n"
            "Try 'quality-gates check --help' for help.\n\n"
            "Error: --gates: name at least one gate\n",
        ),
    ],
)
def test_unknown_or_empty_gate_list_is_an_error(
    based: Path, hook: Runner, gates: str, message: str
) -> None:
    result = hook(gates_main, "check", "--gates", gates)
    assert (result.code, result.out, result.err) == (2, "", message)


def test_version_and_help(based: Path, hook: Runner) -> None:
    version = hook(lint_main, "--version")
    assert (version.code, version.out) == (0, f"quality-lint, version {__version__}\n")
    for main, args, usage in [
        (gates_main, ("check", "-h"), "quality-gates check"),
        (lint_main, ("-h",), "quality-lint"),
        (gates_main, ("--help",), "quality-gates"),
    ]:
        helped = hook(main, *args)
        assert helped.code == 0
        assert helped.out.startswith(f"Usage: {usage} [OPTIONS]")


def test_console_scripts_are_installed(based: Path) -> None:
    script = Path(sys.executable).parent / "quality-gates"
    proc = subprocess.run(
        (str(script), "--version"), cwd=based, capture_output=True, text=True, check=False
    )
    assert (proc.returncode, proc.stdout) == (0, f"quality-gates, version {__version__}\n")


# -- the one handler: exit codes 0, 1, 2, 3 ---------------------------------------------------


def _command(raise_: BaseException | None, result: int = 0) -> click.Command:
    @click.command("probe")
    @click.option("--debug", is_flag=True)
    def probe(debug: bool) -> int:
        if raise_ is not None:
            raise raise_
        return result

    return probe


def test_crash_is_one_line_and_exit_3(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli._main(_command(RuntimeError("boom")), [])
    captured = capsys.readouterr()
    assert (code, captured.out, captured.err) == (
        3,
        "",
        "internal error: RuntimeError: boom (rerun with --debug)\n",
    )


def test_crash_with_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli._main(_command(RuntimeError("boom")), ["--debug"])
    err = capsys.readouterr().err
    assert code == 3
    assert err.startswith("Traceback (most recent call last):\n")
    assert "raise raise_\nRuntimeError: boom\n" in err.replace("    ", "").replace("^", "")
    assert err.endswith("internal error: RuntimeError: boom (rerun with --debug)\n")


@pytest.mark.parametrize(
    ("error", "code", "err"),
    [
        (FatalError("bad config"), 2, "error: bad config\n"),
        (
            click.UsageError("wrong"),
            2,
            "Usage: probe [OPTIONS]\nTry 'probe --help' for help.\n\nError: wrong\n",
        ),
        (click.Abort(), 2, "aborted\n"),
        (None, 0, ""),
    ],
)
def test_handler_maps_outcomes_to_exit_codes(
    capsys: pytest.CaptureFixture[str], error: BaseException | None, code: int, err: str
) -> None:
    assert cli._main(_command(error), []) == code
    assert capsys.readouterr().err == err


def test_handler_returns_the_command_result_and_reads_sys_argv(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "argv", ["probe", "--debug"])
    assert cli._main(_command(None, result=1), None) == 1


def test_crash_inside_a_real_hook_is_exit_3_without_traceback(
    based: Path, hook: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quality_gates.gates import lint

    def explode(request: object) -> object:
        raise KeyError("unexpected")

    monkeypatch.setattr(lint, "measure", explode)  # a bug in a gate, not in git or the tools
    result = hook(lint_main, "mod.py")
    assert (result.code, result.out) == (3, "")
    assert result.err == "internal error: KeyError: 'unexpected' (rerun with --debug)\n"


# -- staged content is the truth, and nothing is touched --------------------------------------


@pytest.mark.parametrize("name", list(HOOKS))
def test_partial_staging_follows_the_index_and_touches_nothing(
    based: Path, hook: Runner, name: str
) -> None:
    main, prefix = HOOKS[name]
    write(based, "mod.py", GOOD + BAD_EVERYWHERE)
    stage(based)
    write(based, "mod.py", GOOD + "y = 2\n")  # the fix is on disk, not staged
    before = snapshot(based)
    bad_staged = hook(main, *prefix)
    assert bad_staged.code == 1, bad_staged.out + bad_staged.err
    assert snapshot(based) == before

    write(based, "mod.py", GOOD + "y = 2\n")
    stage(based)
    write(based, "mod.py", GOOD + BAD_EVERYWHERE)  # the problem is on disk, not staged
    before = snapshot(based)
    good_staged = hook(main, *prefix)
    assert good_staged.code == 0, good_staged.out + good_staged.err
    assert snapshot(based) == before

    with_files = hook(main, *prefix, "mod.py", "other.py")  # as pre-commit passes them
    assert with_files.code == 0, with_files.out + with_files.err
    assert snapshot(based) == before
