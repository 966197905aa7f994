from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from quality_gates.mypy_driver import Request, line_statuses, main, read_request

SOURCE = (
    "from typing import Any\n\n\n"
    "def f(x: int) -> int:\n    return x\n\n\n"
    "def g(y):\n    return y\n\n\n"
    "z: Any = 3\n"
)


def test_line_statuses_follow_the_report_line_count() -> None:
    assert line_statuses(b"a = 1\n\nb = 2", {1: 2, 3: 4}, 0) == "204"
    assert line_statuses(b"a = 1\r\nb = 2\rc = 3\n", {2: 3}, 0) == "030"
    assert line_statuses(b"", {}, 0) == ""
    latin = "# -*- coding: latin-1 -*-\nx = 'é'\n".encode("latin-1")
    assert line_statuses(latin, {2: 2}, 0) == "02"


@pytest.mark.parametrize(
    "content",
    ["", "not json", '{"mypy_args": "x"}', '{"mypy_args": [], "targets": [1]}'],
)
def test_bad_requests_are_refused(tmp_path: Path, content: str) -> None:
    request = tmp_path / "request.json"
    request.write_text(content)
    with pytest.raises(ValueError, match=r"request key|Expecting|Extra data"):
        read_request(request)
    assert main([str(request)]) == 2


def test_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: python -m quality_gates.mypy_driver REQUEST.json" in capsys.readouterr().err


def _drive(folder: Path, request: Request) -> dict[str, object]:
    path = folder / "request.json"
    path.write_text(json.dumps(request))
    done = subprocess.run(
        (sys.executable, "-m", "quality_gates.mypy_driver", str(path)),
        cwd=folder,
        capture_output=True,
        check=True,
    )
    document = json.loads(done.stdout)
    assert isinstance(document, dict)
    return document


@pytest.mark.slow
def test_precision_is_the_same_checked_fresh_or_cached(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(SOURCE)
    request = Request(
        mypy_args=["--strict", "-O", "json", "--cache-dir", str(tmp_path / "cache")],
        targets=["mod.py"],
        extra=[],
        precision=["mod.py"],
        precision_cache=str(tmp_path / "precision.json"),
    )
    first = _drive(tmp_path, request)  # mod.py is checked: measured
    # the untyped def and its body are Any lines; so is the line annotated Any
    assert first["precision"] == {"mod.py": "200220044004"}
    assert first["blocked"] is False
    assert _drive(tmp_path, request)["precision"] == first["precision"]  # fresh: from our cache
    (tmp_path / "precision.json").unlink()
    again = _drive(tmp_path, request)  # fresh in mypy's cache, not in ours: checked again
    assert again["precision"] == first["precision"]
    assert again["messages"] == first["messages"]
    messages = again["messages"]
    assert isinstance(messages, list)
    assert len(messages) == 1  # g is untyped


@pytest.mark.slow
def test_excluded_and_added_files(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("A = 1\n")
    (tmp_path / "b.py").write_text("B = 1\n")
    (tmp_path / "gen").mkdir()
    (tmp_path / "gen" / "c.py").write_text("C = 1\n")
    request = Request(
        mypy_args=["-O", "json", "--cache-dir", str(tmp_path / "cache"), "--exclude", "^gen/"],
        targets=["a.py"],
        extra=["a.py", "b.py", "gen/c.py"],
        precision=["b.py", "gen/c.py"],
        precision_cache="",
    )
    document = _drive(tmp_path, request)
    assert document["excluded"] == ["gen/c.py"]
    assert document["added"] == ["b.py"]
    assert document["precision"] == {"b.py": "2"}
