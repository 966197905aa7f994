from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Runner
from helpers import commit, commit_files, git, snapshot, stage, write
from quality_gates.cli import docs_main

BASE = (
    '"""Module."""\n\n\ndef old():\n    return 1\n\n\ndef kept():\n    """Kept."""\n    return 2\n'
)
NEW_UNDOCUMENTED = BASE + "\n\ndef fresh():\n    return 3\n"
NEW_DOCUMENTED = BASE + '\n\ndef fresh():\n    """Fresh."""\n    return 3\n'


@pytest.fixture
def debt_repo(repo: Path) -> Path:
    """HEAD has one undocumented function (old, line 4)."""
    commit_files(repo, {"pkg/mod.py": BASE})
    return repo


def test_new_undocumented_function_fails_old_one_does_not(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "pkg/mod.py", NEW_UNDOCUMENTED)
    stage(debt_repo)
    result = hook(docs_main)
    assert result.code == 1
    assert result.out == (
        "pkg/mod.py:13: function fresh\n"
        "docs: 1 existing finding(s) on unchanged lines not shown (--show-existing lists them)\n"
        "docs: coverage 0/1 = 0.00% (threshold 100%) FAIL\n"
    )
    shown = hook(docs_main, "--show-existing")
    assert "pkg/mod.py:4: function old (existing)" in shown.out


def test_documented_change_passes(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "pkg/mod.py", NEW_DOCUMENTED)
    stage(debt_repo)
    result = hook(docs_main)
    assert (result.code, result.out) == (0, "docs: coverage 1/1 = 100.00% (threshold 100%) PASS\n")


def test_change_inside_a_body_is_not_the_definitions(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "pkg/mod.py", BASE.replace("return 1", "return 10"))
    stage(debt_repo)
    result = hook(docs_main)
    assert result.code == 0
    assert result.out == (
        "docs: coverage 0/0 = 100.00% (threshold 100%) PASS (nothing to measure)\n"
    )


def test_touching_a_def_line_brings_its_debt_into_scope(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "pkg/mod.py", BASE.replace("def old():", "def old(arg=None):"))
    stage(debt_repo)
    result = hook(docs_main)
    assert result.code == 1
    assert result.out.splitlines()[0] == "pkg/mod.py:4: function old"


def test_removing_a_docstring_is_caught(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "pkg/mod.py", BASE.replace('    """Kept."""\n', ""))
    stage(debt_repo)
    result = hook(docs_main)
    assert result.code == 1
    assert result.out.splitlines()[0] == "pkg/mod.py:8: function kept"
    assert result.out.endswith("docs: coverage 0/1 = 0.00% (threshold 100%) FAIL\n")


def test_full_mode_counts_the_whole_project(debt_repo: Path, hook: Runner) -> None:
    commit_files(debt_repo, {"pkg/other.py": "class A:\n    def m(self):\n        pass\n"})
    result = hook(docs_main, "--all-files")
    assert result.code == 1
    assert result.out == (
        "pkg/mod.py:4: function old\n"
        "pkg/other.py:1: module other\n"
        "pkg/other.py:1: class A\n"
        "pkg/other.py:2: method A.m\n"
        "docs: coverage 2/6 = 33.33% (threshold 100%) FAIL\n"
    )
    assert hook(docs_main, "--all-files", "--fail-under", "33.3").code == 0


def test_new_file_is_judged_whole(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "pkg/new.py", "def a():\n    pass\n")
    stage(debt_repo)
    result = hook(docs_main)
    assert result.out.splitlines()[:2] == ["pkg/new.py:1: module new", "pkg/new.py:1: function a"]
    assert result.code == 1


def test_range_mode(debt_repo: Path, hook: Runner) -> None:
    base = git(debt_repo, "rev-parse", "HEAD").strip()
    write(debt_repo, "pkg/mod.py", NEW_UNDOCUMENTED)
    stage(debt_repo)
    tip = commit(debt_repo)
    result = hook(docs_main, "--from-ref", base, "--to-ref", tip)
    assert result.code == 1
    assert result.out.splitlines()[0] == "pkg/mod.py:13: function fresh"


def test_policy_keys_and_interrogate_config(debt_repo: Path, hook: Runner) -> None:
    pyproject = '[tool.interrogate]\nignore-regex = ["^fresh"]\nfail-under = 80\n'
    commit_files(debt_repo, {"pyproject.toml": pyproject})
    write(debt_repo, "pkg/mod.py", NEW_UNDOCUMENTED)
    stage(debt_repo)
    result = hook(docs_main)
    assert result.code == 0, result.out
    assert result.out == (
        "docs: note: [tool.interrogate] fail-under = 80 is not used: the threshold is "
        "docs.threshold = 100\n"
        "docs: coverage 0/0 = 100.00% (threshold 100%) PASS (nothing to measure)\n"
    )
    # [tool.quality-gates.docs] wins over [tool.interrogate]
    assert hook(docs_main, "--set", "docs.ignore-regex=[]").code == 1


def test_exclude_applies_to_passed_files(debt_repo: Path, hook: Runner) -> None:
    commit_files(debt_repo, {"pyproject.toml": '[tool.quality-gates.docs]\nexclude = ["gen"]\n'})
    write(debt_repo, "gen/out.py", "def a():\n    pass\n")
    stage(debt_repo)
    result = hook(docs_main, "gen/out.py")
    assert result.code == 0
    assert "docs: note: 1 file(s) left out by exclude / ignore-init-module\n" in result.out


def test_bad_policy_value_is_a_usage_error(debt_repo: Path, hook: Runner) -> None:
    result = hook(docs_main, "--set", "docs.ignore-magic=maybe")
    assert result.code == 2
    assert "docs.ignore-magic = 'maybe': must be true or false" in result.err
    bad_regex = hook(docs_main, "--set", 'docs.ignore-regex=["("]')
    assert bad_regex.code == 2
    assert "is not a valid regex" in bad_regex.err


def test_partial_staging_follows_the_index(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "pkg/mod.py", NEW_UNDOCUMENTED)
    stage(debt_repo)
    write(debt_repo, "pkg/mod.py", NEW_DOCUMENTED)
    before = snapshot(debt_repo)
    assert hook(docs_main).code == 1
    assert snapshot(debt_repo) == before
    write(debt_repo, "pkg/mod.py", NEW_DOCUMENTED)
    stage(debt_repo)
    write(debt_repo, "pkg/mod.py", NEW_UNDOCUMENTED)
    before = snapshot(debt_repo)
    assert hook(docs_main).code == 0
    assert snapshot(debt_repo) == before


@pytest.mark.parametrize(
    ("name", "content", "code", "expected"),
    [
        ("bad.py", b"def broken(:\n", 1, "bad.py:1: syntax-error does not parse"),
        ("latin.py", b"# -*- coding: latin-1 -*-\n'''Caf\xe9.'''\n", 0, "coverage 1/1"),
        ("nocookie.py", b"'''Caf\xe9.'''\n", 1, "nocookie.py:1: syntax-error"),
        ("empty.py", b"", 1, "empty.py:1: module empty"),
        ("blob.py", b"\x00\x01binary", 0, "blob.py: skipped (binary)"),
        ("nul.py", b"x = 1\n" * 3 + b"\x00", 0, "skipped (binary)"),
        ("deep.py", b"x = " + b"1+" * 100_000 + b"1\n", 1, "deep.py:1: syntax-error"),
    ],
)
def test_hostile_inputs(
    repo: Path, hook: Runner, name: str, content: bytes, code: int, expected: str
) -> None:
    write(repo, name, content)
    stage(repo)
    result = hook(docs_main)
    assert result.code == code, result.out + result.err
    assert expected in result.out
    assert "Traceback" not in result.out + result.err


def test_parallel_analysis_equals_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    from quality_gates.docstrings import Rules
    from quality_gates.gates import docs

    sample = (Path(__file__).parent / "data" / "interrogate_sample.txt").read_bytes()
    items = [(sample * (i % 3 + 1), f"m{i}") for i in range(9)] + [(b"def (:", "bad")]
    serial = docs.analyse_all(items, Rules())
    monkeypatch.setattr(docs, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(docs, "idle_cores", lambda: 2)  # the machine's load must not decide
    if not docs._can_fork():
        pytest.skip("forking needs Linux and a single-threaded process")
    assert docs.analyse_all(items, Rules()) == serial
    assert [len(found or ()) for found in serial] == [29, 29 * 2 - 1, 29 * 3 - 2] * 3 + [0]
    assert serial[-1] is None


def test_full_run_cache_is_reused_and_ignored_by_git(
    repo: Path, hook: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quality_gates.gates import docs

    monkeypatch.setattr(docs, "CACHE_MIN_FILES", 2)
    commit_files(repo, {f"m{i}.py": f"def f{i}():\n    pass\n" for i in range(3)})
    first = hook(docs_main, "--all-files")
    cache = repo / ".quality-gates" / "cache"
    assert [p.name for p in cache.glob("docs-*.json")] != []
    assert (cache / ".gitignore").read_text() == "*\n"
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    for path in cache.glob("docs-*.json"):  # a damaged cache is ignored, never trusted
        path.write_text("{broken")
    assert hook(docs_main, "--all-files").out == first.out
    assert hook(docs_main, "--all-files").out == first.out
    assert first.out.endswith("docs: coverage 0/6 = 0.00% (threshold 100%) FAIL\n")


def test_cache_entries_round_trip(tmp_path: Path) -> None:
    from quality_gates.defcache import DefinitionCache, content_key
    from quality_gates.docstrings import Definition

    found = (Definition("function", "f", 3, (3, 4), (5, 5), True),)
    cache = DefinitionCache(tmp_path / "docs.json")
    cache.put(content_key(b"x", "m"), found)
    cache.put(content_key(b"y", "m"), None)
    cache.save()
    again = DefinitionCache(tmp_path / "docs.json")
    assert again.get(content_key(b"x", "m")) == (True, found)
    assert again.get(content_key(b"y", "m")) == (True, None)
    assert again.get(content_key(b"z", "m")) == (False, None)


def test_config_shows_unset_keys(repo: Path, hook: Runner) -> None:
    from quality_gates.cli import gates_main

    commit_files(repo, {"pyproject.toml": "[tool.quality-gates.docs]\nignore-magic = true\n"})
    shown = hook(gates_main, "config")
    assert shown.code == 0
    assert "ignore-magic = true\n# ignore-module: unset\n" in shown.out
    assert 'accept = ["200..299"]\n' in shown.out
