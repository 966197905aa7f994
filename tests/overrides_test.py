"""quality-gates override add|list|remove, and the overrides file's validation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import Runner
from helpers import write
from quality_gates.cli import gates_main
from quality_gates.errors import FatalError
from quality_gates.overrides import Override, active_for_run, load

FILE = ".quality-gates/overrides.toml"
SOON = (dt.date.today() + dt.timedelta(days=3)).isoformat()


def _add(hook: Runner, *extra: str, gate: str = "lint", expires: str = SOON) -> tuple[int, str]:
    args = ["override", "add", "--gate", gate, "--reason", "incident 12", "--issue"]
    args += ["https://example.invalid/i/12", "--approved-by", "Ann", "--expires", expires, *extra]
    result = hook(gates_main, *args)
    return result.code, result.out + result.err


def test_add_list_remove(repo: Path, hook: Runner) -> None:
    assert _add(hook) == (
        0,
        f"added to {repo / FILE}: lint: override until {SOON} approved by Ann: incident 12 "
        "(https://example.invalid/i/12)\ncommit the file so the override is reviewed like code\n",
    )
    assert _add(hook, gate="security")[0] == 0
    listed = hook(gates_main, "override", "list").out.splitlines()
    assert listed == [
        f"active: lint: override until {SOON} approved by Ann: incident 12 (https://example.invalid/i/12)",
        f"active: security: override until {SOON} approved by Ann: incident 12 "
        "(https://example.invalid/i/12)",
    ]
    text = (repo / FILE).read_text()
    assert 'gate = "lint"\nreason = "incident 12"\nissue = "https://example.invalid/i/12"' in text
    assert f"expires = {SOON}\n" in text
    removed = hook(gates_main, "override", "remove", "--gate", "lint")
    assert removed.out.startswith("removed: lint: override until")
    assert [o.gate for o in load(repo / FILE)] == ["security"]
    missing = hook(gates_main, "override", "remove", "--gate", "lint")
    assert missing.code == 2
    assert "no override for gate 'lint'" in missing.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--gate", "speed"), "unknown gate 'speed'"),
        (("--expires", "2020-01-01"), "--expires 2020-01-01 is in the past"),
        (("--expires", "tomorrow"), "Invalid value for '--expires'"),
        (("--issue", "see slack"), "issue 'see slack': must be an http(s) URL"),
        (("--reason", "  "), "--reason must not be empty"),
    ],
)
def test_add_validates(repo: Path, hook: Runner, args: tuple[str, str], message: str) -> None:
    base = {"--gate": "lint", "--reason": "r", "--issue": "https://x.invalid/1",
            "--approved-by": "Ann", "--expires": SOON}  # fmt: skip
    base[args[0]] = args[1]
    flat = [part for pair in base.items() for part in pair]
    result = hook(gates_main, "override", "add", *flat)
    assert result.code == 2
    assert message in result.err
    assert not (repo / FILE).exists()


def test_list_marks_expired(repo: Path, hook: Runner) -> None:
    write(repo, FILE, '[[override]]\ngate = "docs"\nreason = "r"\nissue = "https://x.invalid/1"\n'
          'approved-by = "Ann"\nexpires = 2021-05-01\n')  # fmt: skip
    assert hook(gates_main, "override", "list").out.startswith(
        "EXPIRED: docs: override until 2021-05-01"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("override = 3\n", "override must be an array of tables"),
        ("[[override]]\ngate = 'lint'\n", "reason must be a non-empty string"),
        ("[other]\n", "unknown key(s) other"),
        ("[[override]]\ngate = 'x'\nreason = 'r'\nissue = 'https://a.invalid'\n"
         "approved-by = 'A'\nexpires = 2030-01-01\n", "unknown gate 'x'"),
        ("[[override]]\ngate = 'lint'\nreason = 'r'\nissue = 'https://a.invalid'\n"
         "approved-by = 'A'\nexpires = 'soon'\n", "expires must be a date (YYYY-MM-DD)"),
        ("[[override]]\ngate = 'lint'\nextra = 1\n", "unknown key(s) extra"),
        ("not toml [", "cannot read"),
    ],
)  # fmt: skip
def test_hostile_overrides_file(repo: Path, hook: Runner, content: str, message: str) -> None:
    write(repo, FILE, content)
    result = hook(gates_main, "override", "list")
    assert result.code == 2
    assert message in result.err


def test_active_through_the_expiry_day() -> None:
    day = dt.date(2026, 3, 1)
    override = Override("lint", "r", "https://x.invalid", "Ann", day)
    assert active_for_run([override], day) == {"lint": override}
    with pytest.raises(FatalError, match=r"lint \(expired 2026-03-01"):
        active_for_run([override], day + dt.timedelta(days=1))
