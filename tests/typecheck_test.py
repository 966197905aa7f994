from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from quality_gates.errors import FatalError
from quality_gates.findings import Finding
from quality_gates.typecheck import (
    choose_config,
    error_key,
    find_interpreter,
    match_baseline,
    normalise_message,
    parse_document,
    parse_messages,
    text_lines,
)

ROOT = Path("/repo")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            '{"file": "a.py", "line": 5, "column": 11, "end_line": 5, "end_column": 17, '
            '"message": "Bad", "hint": null, "code": "return-value", "severity": "error"}',
            Finding("a.py", 5, 12, "return-value", "Bad", end_line=5, end_column=18),
        ),
        (
            "bad.py:1: error: invalid syntax  [syntax]",
            Finding("bad.py", 1, 1, "syntax", "invalid syntax"),
        ),
        (
            'pkg/x.py:3:7: error: Name "y" is not defined  [name-defined]',
            Finding("pkg/x.py", 3, 7, "name-defined", 'Name "y" is not defined'),
        ),
        (
            "pkg/x.py:3:7:3:9: error: Oops  [misc]",
            Finding("pkg/x.py", 3, 7, "misc", "Oops"),
        ),
        (
            "/repo/src/m.py:2: error: Absolute path",
            Finding("src/m.py", 2, 1, "blocker", "Absolute path"),
        ),
        (
            "src/m.py: error: Duplicate module named 'm'",
            Finding("src/m.py", 1, 1, "blocker", "Duplicate module named 'm'"),
        ),
    ],
)
def test_parse_messages_reads_json_and_plain_text(message: str, expected: Finding) -> None:
    findings, problems = parse_messages([message], ROOT, blocked=True)
    assert findings == (expected,)
    assert problems == ()


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        ("mypy: error: Cannot find config file 'x.ini'", "Cannot find config file 'x.ini'"),
        ("pyproject.toml: [mypy]: bad value", "pyproject.toml: [mypy]: bad value"),
    ],
)
def test_messages_without_a_place_are_problems(message: str, problem: str) -> None:
    findings, problems = parse_messages([message], ROOT)
    assert findings == ()
    assert problems == (problem,)


def test_an_error_printed_both_as_json_and_as_plain_text_counts_once() -> None:
    messages = [
        '{"file": "bad.py", "line": 1, "column": 4, "message": "invalid syntax", '
        '"code": "syntax", "severity": "error"}',
        "bad.py:1: error: invalid syntax  [syntax]",
    ]
    findings, _ = parse_messages(messages, ROOT, blocked=True)
    assert findings == (Finding("bad.py", 1, 5, "syntax", "invalid syntax"),)


def test_notes_and_pretty_context_lines_are_dropped() -> None:
    messages = [
        '{"file": "a.py", "line": 1, "column": 0, "message": "See docs", "code": null, '
        '"severity": "note"}',
        "a.py:2: note: Revealed type is int",
        "    x = 1",
        "        ^",
    ]
    assert parse_messages(messages, ROOT) == ((), ())


@pytest.mark.parametrize(
    "output",
    [b"", b"not json", b"[]", b'{"messages": "x"}', b'{"format": 1, "messages": []}'],
)
def test_unreadable_driver_output_is_an_error(output: bytes) -> None:
    with pytest.raises(FatalError, match="not its JSON format"):
        parse_document(output, ROOT)


def test_parse_document() -> None:
    doc = {
        "format": 1,
        "mypy": "2.0",
        "messages": ["a.py:1: error: X  [misc]"],
        "blocked": False,
        "excluded": ["gen/x.py"],
        "added": ["extra.py"],
        "precision": {"./a.py": "0224"},
    }
    result = parse_document(json.dumps(doc).encode(), ROOT)
    assert result.findings == (Finding("a.py", 1, 1, "misc", "X"),)
    assert result.precision == {"a.py": "0224"}
    assert (result.excluded, result.added, result.version) == (("gen/x.py",), ("extra.py",), "2.0")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ('Name "f" already defined on line 12', 'Name "f" already defined on line N'),
        ("Too   many\targuments", "Too many arguments"),
        ("Refers to line 3 and line 40", "Refers to line N and line N"),
        ("Returning Any from function", "Returning Any from function"),
    ],
)
def test_normalise_message(message: str, expected: str) -> None:
    assert normalise_message(message) == expected


def test_baseline_matching_follows_shifted_lines_and_counts_duplicates() -> None:
    base_lines = ["def f() -> int:", '    return "x"', "", 'y: int = "z"']
    new_lines = ["import os", "", *base_lines, 'y: int = "z"']
    base = [
        Finding("a.py", 2, 12, "return-value", "Bad return"),
        Finding("a.py", 4, 10, "assignment", "Bad assignment"),
    ]
    staged = [
        Finding("a.py", 4, 12, "return-value", "Bad return"),
        Finding("a.py", 6, 10, "assignment", "Bad assignment"),
        Finding("a.py", 7, 10, "assignment", "Bad assignment"),  # a second copy: new
    ]
    new, existing = match_baseline(
        staged,
        [error_key(f, new_lines) for f in staged],
        [error_key(f, base_lines) for f in base],
    )
    assert existing == staged[:2]
    assert new == staged[2:]


def test_error_key_of_a_line_past_the_end_has_no_text() -> None:
    assert error_key(Finding("a.py", 9, 1, "misc", "X"), ["one"]) == ("a.py", "misc", "X", "")


def test_text_lines_numbers_lines_as_mypy_does() -> None:
    assert text_lines(b"a\r\nb\rc\nd\x0ce") == ["a", "b", "c", "d\x0ce"]
    assert text_lines(None) == []


@pytest.mark.parametrize(
    ("contents", "expected"),
    [
        ({}, None),
        ({"pyproject.toml": b"[tool.ruff]\n"}, None),
        ({"pyproject.toml": b"[tool.mypy]\nstrict = true\n"}, "pyproject.toml"),
        ({"setup.cfg": b"[mypy]\n", "pyproject.toml": b"[tool.mypy]\n"}, "pyproject.toml"),
        ({"setup.cfg": b"[mypy]\n", "pyproject.toml": b"[tool.black]\n"}, "setup.cfg"),
        ({"mypy.ini": b"", "pyproject.toml": b"[tool.mypy]\n"}, "mypy.ini"),
        ({"pyproject.toml": b"not toml [", "setup.cfg": b"[mypy\n"}, None),
    ],
)
def test_choose_config_as_mypy_does(
    contents: dict[str, bytes | None], expected: str | None
) -> None:
    assert choose_config(contents) == expected


def _fake_venv(where: Path) -> Path:
    python = where / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("")
    return python


def test_interpreter_order(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    outer = _fake_venv(tmp_path / "outer")
    env = {"VIRTUAL_ENV": str(tmp_path / "outer")}
    assert find_interpreter(root, "", env).path == str(outer)
    assert find_interpreter(root, "", env, own_prefix=str(tmp_path / "outer")).path is None
    venv = _fake_venv(root / "venv")
    assert find_interpreter(root, "", env) == (str(venv), "the repository's venv")
    dot_venv = _fake_venv(root / ".venv")
    assert find_interpreter(root, "", env) == (str(dot_venv), "the repository's .venv")
    chosen = find_interpreter(root, "venv/bin/python", env)
    assert chosen == (str(venv), "types.python")
    assert find_interpreter(root, sys.executable, {}).path == sys.executable


def test_unknown_interpreter_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FatalError, match=r"types\.python = 'nope/python': no such interpreter"):
        find_interpreter(tmp_path, "nope/python", {})


def test_without_a_project_environment_the_note_says_so(tmp_path: Path) -> None:
    chosen = find_interpreter(tmp_path, "", {})
    assert chosen.path is None
    assert chosen.describe() == (
        f"mypy resolves imports with {sys.executable} (the hook's own environment: "
        "no .venv, venv or VIRTUAL_ENV; set types.python)"
    )
