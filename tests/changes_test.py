"""The change engine on real repositories: which files, which new-side lines, what content."""

from __future__ import annotations

import difflib
import os
import shutil
import sys
from pathlib import Path

import pytest
from conftest import Runner
from helpers import commit_files, git, init_repo, snapshot, stage, write
from hypothesis import given, settings
from hypothesis import strategies as st
from quality_gates import changes
from quality_gates.changes import EMPTY_TREE, ChangeSet, FileChange, LineRanges, load
from quality_gates.cli import gates_main, lint_main
from quality_gates.errors import FatalError

TEN = "".join(f"v{n} = {n}\n" for n in range(1, 11))


BAD = "bad = nowhere\n"  # F821, and nothing else, under ruff's default rules


def f821(path: str, line: int) -> str:
    """The lint line for BAD at path:line."""
    return f"{path}:{line}:7: F821 Undefined name `nowhere`"


def numbered(count: int, prefix: str = "v") -> str:
    """count distinct assignment lines: v1 = 1 ... (valid, lint-clean Python)."""
    return "".join(f"{prefix}{n} = {n}\n" for n in range(1, count + 1))


def lines_of(change_set: ChangeSet, path: str) -> list[int]:
    return list(change_set.changes[path].lines)


def edit_line(text: str, line: int, new: str) -> str:
    rows = text.splitlines(keepends=True)
    rows[line - 1] = new
    return "".join(rows)


@pytest.fixture
def based(repo: Path) -> Path:
    """A repository whose HEAD has a.py (ten lines) and b.py (ten lines)."""
    commit_files(repo, {"a.py": TEN, "b.py": numbered(10, "w")})
    return repo


# -- staged mode ------------------------------------------------------------------------------


def test_no_head_yet_diffs_against_the_empty_tree(repo: Path, hook: Runner) -> None:
    write(repo, "a.py", "x = 1\n" + BAD)
    stage(repo)
    change_set = load(repo)
    assert (change_set.mode, change_set.base, change_set.target) == ("staged", EMPTY_TREE, None)
    assert change_set.changes == {"a.py": FileChange("a.py", None, "A", LineRanges([(1, 2)]))}
    assert change_set.read("a.py") == b"x = 1\nbad = nowhere\n"
    assert change_set.scope("a.py").whole
    result = hook(lint_main)
    assert (result.code, result.out.splitlines()[0]) == (
        1,
        f821("a.py", 2),
    )


def test_nothing_staged_has_no_changes_and_passes(based: Path, hook: Runner) -> None:
    assert load(based).changes == {}
    result = hook(gates_main, "check")
    assert result.code == 0
    assert "lint: score 0/0 = 10.00 (threshold 10) PASS (nothing to measure)" in result.out


def test_modified_lines_are_the_new_side_only(based: Path) -> None:
    text = edit_line(TEN, 3, "v3 = 33\n")
    text = text.replace("v7 = 7\n", "")  # deleting line 7 adds no new-side line
    text = text.replace("v9 = 9\n", "v9 = 9\nnew_a = 1\nnew_b = 2\n")  # inserted as lines 9-10
    write(based, "a.py", text)
    stage(based)
    change_set = load(based)
    assert list(change_set.changes) == ["a.py"]
    assert change_set.changes["a.py"].status == "M"
    assert lines_of(change_set, "a.py") == [3, 9, 10]
    assert change_set.read("a.py") == text.encode()


def test_staged_content_is_the_index_not_the_working_tree(based: Path) -> None:
    staged = edit_line(TEN, 2, "v2 = 22\n")
    write(based, "a.py", staged)
    stage(based)
    write(based, "a.py", "on_disk = 1\n")
    change_set = load(based)
    assert change_set.read("a.py") == staged.encode()
    assert lines_of(change_set, "a.py") == [2]
    assert change_set.differs_on_disk(["a.py", "b.py"]) == {"a.py"}


def test_rename_with_edits_keeps_the_mapping(based: Path) -> None:
    git(based, "mv", "a.py", "renamed.py")
    write(based, "renamed.py", edit_line(TEN, 5, "v5 = 55\n"))
    stage(based)
    change_set = load(based)
    assert change_set.changes == {
        "renamed.py": FileChange("renamed.py", "a.py", "R", LineRanges([(5, 5)]))
    }
    assert not change_set.scope("renamed.py").whole


def test_pure_rename_changes_no_line(based: Path, hook: Runner) -> None:
    commit_files(based, {"debt.py": BAD + TEN})
    git(based, "mv", "debt.py", "moved.py")
    change_set = load(based)
    assert change_set.changes == {"moved.py": FileChange("moved.py", "debt.py", "R", LineRanges())}
    result = hook(lint_main, "--show-existing")  # the old F821 moved with the file: existing
    assert (result.code, result.out) == (
        0,
        f"{f821('moved.py', 1)} (existing)\nlint: score 0/0 = 10.00 (threshold 10) PASS"
        " (nothing to measure)\n",
    )


def test_deleted_file_is_never_checked_and_never_an_error(based: Path, hook: Runner) -> None:
    git(based, "rm", "-q", "b.py")
    write(based, "a.py", TEN + "extra = 1\n")
    stage(based)
    change_set = load(based)
    assert change_set.changed_files() == ["a.py"]
    assert "b.py" not in change_set.all_files()
    result = hook(gates_main, "check")
    assert result.code == 0
    assert "b.py" not in result.out


def test_deletion_only_change_checks_nothing(based: Path, hook: Runner) -> None:
    git(based, "rm", "-q", "a.py", "b.py")
    assert load(based).changes == {}
    result = hook(lint_main)
    assert (result.code, result.out) == (
        0,
        "lint: score 0/0 = 10.00 (threshold 10) PASS (nothing to measure)\n",
    )


def test_binary_file_is_skipped_with_a_note(based: Path, hook: Runner) -> None:
    blob = b"\x00\x01\x02binary\x00" * 10
    write(based, "data.py", blob)
    stage(based)
    change_set = load(based)
    assert change_set.changes["data.py"].binary
    assert change_set.changes["data.py"].lines == LineRanges()
    assert change_set.read("data.py") == blob
    result = hook(lint_main)
    assert (result.code, result.out) == (
        0,
        "lint: note: data.py: skipped (binary)\n"
        "lint: score 0/0 = 10.00 (threshold 10) PASS (nothing to measure)\n",
    )


def test_crlf_line_endings(repo: Path, hook: Runner) -> None:
    base = "x = 1\r\ny = 2\r\nz = 3\r\n"
    commit_files(repo, {"crlf.py": base})
    changed = "x = 1\r\nbad = nowhere\r\nz = 3\r\n"
    write(repo, "crlf.py", changed)
    stage(repo)
    change_set = load(repo)
    assert lines_of(change_set, "crlf.py") == [2]
    assert change_set.read("crlf.py") == changed.encode()
    result = hook(lint_main)
    assert result.code == 1
    assert result.out.splitlines()[0] == f821("crlf.py", 2)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"name = 'caf\xe9'\nother = 1\n", id="latin-1 without cookie"),
        pytest.param(
            b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\nother = 1\n", id="latin-1 with cookie"
        ),
    ],
)
def test_non_utf8_content_is_read_byte_for_byte(repo: Path, hook: Runner, content: bytes) -> None:
    commit_files(repo, {"latin.py": b"other = 1\n"})
    write(repo, "latin.py", content)
    stage(repo)
    change_set = load(repo)
    new_lines = content.count(b"\n") - 1  # every line but the unchanged last one
    assert lines_of(change_set, "latin.py") == list(range(1, new_lines + 1))
    assert change_set.read("latin.py") == content
    result = hook(lint_main)  # ruff reads UTF-8 only: a clear failure, never a pass or a crash
    assert result.code == 1
    assert result.out.startswith("latin.py:1:1: E902 stream did not contain valid UTF-8\n")


ODD_NAMES = ["with space.py", "ünïcödé.py", "dir with space/naïve.py", "-x.py", "--y.py"]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_file_names(based: Path, hook: Runner, name: str) -> None:
    write(based, name, BAD)
    stage(based)
    change_set = load(based)
    assert change_set.changes == {name: FileChange(name, None, "A", LineRanges([(1, 1)]))}
    assert change_set.read(name) == BAD.encode()
    expected = f821(name, 1)
    with_files = hook(lint_main, name)  # as pre-commit passes it: no `--` before the files
    assert (with_files.code, with_files.out.splitlines()[0]) == (1, expected)
    without = hook(lint_main)
    assert (without.code, without.out.splitlines()[0]) == (1, expected)


@pytest.mark.parametrize("name", ["-h.py", "--help.py", "--version.py", "-v.py"])
def test_dash_named_file_is_never_read_as_an_option(based: Path, hook: Runner, name: str) -> None:
    write(based, name, BAD)
    stage(based)
    result = hook(lint_main, "--show-existing", name)
    assert result.code == 1, result.out
    assert result.out.splitlines()[0] == f821(name, 1)


def test_file_name_with_a_line_break(based: Path, hook: Runner) -> None:
    name = "two\nlines.py"
    write(based, name, BAD)
    stage(based)
    change_set = load(based)
    assert change_set.changes == {name: FileChange(name, None, "A", LineRanges([(1, 1)]))}
    assert change_set.read_many([name, "a.py"]) == {name: BAD.encode(), "a.py": TEN.encode()}
    result = hook(gates_main, "check")  # tools print one name per line: never a silent pass
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "error: lint: 'two\\nlines.py': a file name with a line break cannot be checked "
        "(tools report one name per line): rename it\n"
    )


def test_file_name_that_is_not_utf8(based: Path, hook: Runner) -> None:
    name = os.fsdecode(b"caf\xe9.py")  # what Python calls it: the byte kept as a surrogate
    write(based, name, BAD)
    stage(based)
    change_set = load(based)
    assert change_set.changes == {name: FileChange(name, None, "A", LineRanges([(1, 1)]))}
    assert change_set.read(name) == BAD.encode()
    assert name in change_set.all_files()
    result = hook(lint_main)
    assert (result.code, result.out) == (2, "")
    assert "a file name that is not UTF-8 cannot be checked" in result.err


def test_unknown_dash_option_that_is_no_file_is_a_usage_error(based: Path, hook: Runner) -> None:
    result = hook(lint_main, "-q.py")
    assert result.code == 2
    assert "no such option: -q.py" in result.err


def test_running_from_a_subdirectory_with_relative_files(based: Path, hook: Runner) -> None:
    commit_files(based, {"pkg/mod.py": TEN})
    write(based, "pkg/mod.py", edit_line(TEN, 4, BAD))
    stage(based)
    change_set = load(based / "pkg")
    assert change_set.root == based
    assert lines_of(change_set, "pkg/mod.py") == [4]
    expected = f821("pkg/mod.py", 4)
    relative = hook(lint_main, "mod.py", cwd=based / "pkg")
    assert (relative.code, relative.out.splitlines()[0]) == (1, expected)
    up_and_down = hook(lint_main, "../pkg/mod.py", cwd=based / "pkg")
    assert up_and_down.out == relative.out
    outside = hook(lint_main, "../../elsewhere.py", cwd=based / "pkg")
    assert outside.code == 2
    assert "elsewhere.py: outside the repository" in outside.err


def test_detached_head(based: Path, hook: Runner) -> None:
    head = git(based, "rev-parse", "HEAD").strip()
    git(based, "checkout", "-q", "--detach")
    write(based, "a.py", edit_line(TEN, 6, BAD))
    stage(based)
    change_set = load(based)
    assert (change_set.mode, change_set.base) == ("staged", head)
    assert lines_of(change_set, "a.py") == [6]
    assert hook(lint_main).out.splitlines()[0] == f821("a.py", 6)


def test_merge_in_progress_compares_the_index_with_head(based: Path, hook: Runner) -> None:
    git(based, "checkout", "-q", "-b", "feature")
    commit_files(based, {"a.py": edit_line(TEN, 2, BAD)}, "feature")
    git(based, "checkout", "-q", "main")
    main_tip = commit_files(based, {"a.py": edit_line(TEN, 9, "v9 = 99\n")}, "main")
    git(based, "merge", "-q", "--no-ff", "--no-commit", "feature")
    assert (based / ".git" / "MERGE_HEAD").exists()
    change_set = load(based)
    assert change_set.base == main_tip
    assert change_set.changes == {"a.py": FileChange("a.py", None, "M", LineRanges([(2, 2)]))}
    assert change_set.read("a.py") == edit_line(edit_line(TEN, 2, BAD), 9, "v9 = 99\n").encode()
    result = hook(lint_main)
    assert (result.code, result.out.splitlines()[0]) == (
        1,
        f821("a.py", 2),
    )


def test_merge_conflict_is_an_error_not_a_pass(based: Path, hook: Runner) -> None:
    git(based, "checkout", "-q", "-b", "feature")
    commit_files(based, {"a.py": edit_line(TEN, 2, "v2 = 'feature'\n")}, "feature")
    git(based, "checkout", "-q", "main")
    commit_files(based, {"a.py": edit_line(TEN, 2, "v2 = 'main'\n")}, "main")
    with pytest.raises(AssertionError, match="merge -q feature failed"):
        git(based, "merge", "-q", "feature")
    result = hook(lint_main, "a.py")
    assert result.code == 2
    assert "a.py: unmerged" in result.err
    assert "Traceback" not in result.out + result.err


@pytest.mark.parametrize(
    "how", [("-a",), ("--", "a.py"), ("--include", "--", "a.py")], ids=["-a", "path", "include"]
)
def test_commit_with_a_temporary_index_is_judged_on_what_it_commits(
    based: Path, how: tuple[str, ...]
) -> None:
    """`git commit -a` and `git commit PATH` name their own index in GIT_INDEX_FILE."""
    hook_script = based / ".git" / "hooks" / "pre-commit"
    hook_script.parent.mkdir(exist_ok=True)
    hook_script.write_text(f"#!/bin/sh\nexec '{Path(sys.executable).parent / 'quality-lint'}'\n")
    hook_script.chmod(0o755)
    head = git(based, "rev-parse", "HEAD")
    write(based, "a.py", edit_line(TEN, 5, BAD))  # on disk only: the index is clean
    with pytest.raises(AssertionError, match="F821 Undefined name"):
        git(based, "commit", "-q", "-m", "bad", *how)
    assert git(based, "rev-parse", "HEAD") == head
    git(based, "commit", "-q", "--allow-empty", "-m", "the index alone is clean")
    assert git(based, "rev-parse", "HEAD") != head


# -- range mode -------------------------------------------------------------------------------


@pytest.fixture
def forked(based: Path) -> tuple[Path, str]:
    """main and feature diverge after the base commit; return (repo, merge-base sha)."""
    fork = git(based, "rev-parse", "HEAD").strip()
    git(based, "checkout", "-q", "-b", "feature")
    commit_files(based, {"a.py": edit_line(TEN, 3, BAD)}, "feature: a.py line 3")
    commit_files(based, {"c.py": BAD}, "feature: new c.py")
    git(based, "checkout", "-q", "main")
    commit_files(based, {"b.py": edit_line(numbered(10, "w"), 8, BAD)}, "main moves on")
    commit_files(based, {"a.py": edit_line(TEN, 10, "v10 = 100\n")}, "main edits a.py too")
    git(based, "checkout", "-q", "feature")
    return based, fork


def test_range_mode_uses_the_merge_base(forked: tuple[Path, str]) -> None:
    repo, fork = forked
    change_set = load(repo, from_ref="main", to_ref="feature")
    feature = git(repo, "rev-parse", "feature").strip()
    assert (change_set.mode, change_set.base, change_set.target) == ("range", fork, feature)
    assert change_set.changes == {
        "a.py": FileChange("a.py", None, "M", LineRanges([(3, 3)])),
        "c.py": FileChange("c.py", None, "A", LineRanges([(1, 1)])),
    }
    assert change_set.read("a.py") == edit_line(TEN, 3, BAD).encode()
    assert change_set.all_files() == ["a.py", "b.py", "c.py"]


def test_range_mode_reads_the_target_not_the_working_tree(forked: tuple[Path, str]) -> None:
    repo, _ = forked
    git(repo, "checkout", "-q", "main")
    change_set = load(repo, environ={"PRE_COMMIT_FROM_REF": "main", "PRE_COMMIT_TO_REF": "feature"})
    assert change_set.read("c.py") == BAD.encode()
    assert not (repo / "c.py").exists()
    assert change_set.differs_on_disk(["a.py", "c.py"]) == {"a.py", "c.py"}


def test_range_mode_hook_lists_only_the_branch_findings(
    forked: tuple[Path, str], hook: Runner
) -> None:
    result = hook(lint_main, "--from-ref", "main", "--to-ref", "feature")
    assert result.code == 1
    assert result.out.splitlines()[:2] == [
        f821("a.py", 3),
        f821("c.py", 1),
    ]
    assert "b.py" not in result.out


def test_missing_ref_names_fetch_depth(based: Path, hook: Runner) -> None:
    with pytest.raises(FatalError, match="fetch-depth: 0"):
        load(based, from_ref="origin/nowhere", to_ref="HEAD")
    result = hook(lint_main, "--from-ref", "origin/nowhere", "--to-ref", "HEAD")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("error: ref 'origin/nowhere' not found: fetch the history")
    assert "`fetch-depth: 0`" in result.err


def test_missing_ref_in_a_shallow_clone_says_so(based: Path, tmp_path: Path, hook: Runner) -> None:
    commit_files(based, {"a.py": TEN + "more = 1\n"})
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{based}", str(clone))
    with pytest.raises(FatalError) as caught:
        load(clone, from_ref="HEAD~1", to_ref="HEAD")
    assert "(this is a shallow clone)" in str(caught.value)
    assert "fetch-depth: 0" in str(caught.value)


@pytest.mark.parametrize(
    "args", [("--from-ref", "HEAD"), ("--to-ref", "HEAD")], ids=["from only", "to only"]
)
def test_one_ref_without_the_other_is_a_usage_error(
    based: Path, hook: Runner, args: tuple[str, str]
) -> None:
    result = hook(lint_main, *args)
    assert (result.code, result.out) == (2, "")
    assert result.err == "error: --from-ref and --to-ref go together: give both, or neither\n"


def test_one_ref_in_the_environment_is_an_error_too(based: Path) -> None:
    with pytest.raises(FatalError, match="go together"):
        load(based, environ={"PRE_COMMIT_FROM_REF": "HEAD"})


# -- files that are not regular files ----------------------------------------------------------


def test_symlink_passed_as_a_file_is_skipped(based: Path, hook: Runner) -> None:
    os.symlink("a.py", based / "link.py")
    stage(based)
    result = hook(lint_main, "link.py")
    assert (result.code, result.out) == (
        0,
        "lint: note: link.py: skipped (a symlink)\n"
        "lint: score 0/0 = 10.00 (threshold 10) PASS (nothing to measure)\n",
    )


def test_submodule_passed_as_a_file_is_skipped(based: Path, tmp_path: Path, hook: Runner) -> None:
    inner = init_repo(tmp_path / "inner")
    commit_files(inner, {"x.py": "import os\n"})
    git(based, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "sub")
    change_set = load(based)
    assert sorted(change_set.changes) == [".gitmodules", "sub"]
    for args in (("sub",), ()):
        result = hook(gates_main, "check", *args)
        assert result.code == 0, result.err
        assert "lint: note: sub: skipped (a directory or submodule)" in result.out


def test_file_neither_in_the_index_nor_on_disk_is_an_error(based: Path, hook: Runner) -> None:
    result = hook(lint_main, "ghost.py")
    assert (result.code, result.out) == (2, "")
    assert result.err == "error: lint: ghost.py: no such file\n"


def test_untracked_file_is_read_from_disk(based: Path) -> None:
    write(based, "new.py", "fresh = 1\n")
    assert load(based).read("new.py") == b"fresh = 1\n"


# -- --scope ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "first_lines", "code"),
    [
        ("lines", [f821("a.py", 5)], 1),
        (
            "files",
            [
                f821("a.py", 1),
                f821("a.py", 5),
            ],
            1,
        ),
        (
            "full",
            [
                f821("a.py", 1),
                f821("a.py", 5),
                f821("b.py", 1),
            ],
            1,
        ),
    ],
)
def test_scope_option(
    repo: Path, hook: Runner, scope: str, first_lines: list[str], code: int
) -> None:
    commit_files(repo, {"a.py": BAD + TEN, "b.py": BAD})
    write(repo, "a.py", edit_line(BAD + TEN, 5, BAD))
    stage(repo)
    change_set = load(repo)
    expected_whole = {"lines": False, "files": True, "full": True}[scope]
    assert change_set.scope("a.py", scope).whole is expected_whole  # type: ignore[arg-type]
    assert change_set.scope("b.py", scope).whole  # type: ignore[arg-type]
    result = hook(lint_main, "--scope", scope, "a.py", *(("b.py",) if scope == "full" else ()))
    findings = [line for line in result.out.splitlines() if ": F821 " in line]
    assert (result.code, findings) == (code, first_lines)


# -- hostile git configuration ------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        ("diff.noprefix", "true"),
        ("diff.mnemonicPrefix", "true"),
        ("diff.external", "false"),
        ("color.ui", "always"),
        ("diff.renames", "copies"),
        ("core.quotePath", "true"),
        ("diff.interHunkContext", "10"),
        ("diff.relative", "true"),
        ("diff.algorithm", "histogram"),
    ],
)
def test_user_git_config_does_not_change_the_answer(based: Path, config: tuple[str, str]) -> None:
    git(based, "config", *config)
    write(based, "ünï.py", "fresh = 1\n")
    write(based, "a.py", edit_line(edit_line(TEN, 4, "v4 = 44\n"), 7, "v7 = 77\n"))
    stage(based)
    (based / "sub").mkdir()  # diff.relative would limit a diff run from here to sub/
    change_set = load(based / "sub")
    assert change_set.changes == {
        "a.py": FileChange("a.py", None, "M", LineRanges([(4, 4), (7, 7)])),
        "ünï.py": FileChange("ünï.py", None, "A", LineRanges([(1, 1)])),
    }


def test_textconv_does_not_shift_the_lines(based: Path) -> None:
    write(based, ".gitattributes", "*.py diff=shout\n")
    git(based, "config", "diff.shout.textconv", "sed 1d")  # drops a line from what diff sees
    write(based, "a.py", edit_line(TEN, 4, "v4 = 44\n"))
    stage(based)
    assert lines_of(load(based), "a.py") == [4]


def test_load_leaves_the_working_tree_and_index_untouched(based: Path) -> None:
    write(based, "a.py", edit_line(TEN, 4, "v4 = 44\n"))
    stage(based)
    write(based, "a.py", "unstaged = 1\n")
    before = snapshot(based)
    change_set = load(based)
    change_set.read_many(["a.py", "b.py"])
    change_set.differs_on_disk(["a.py", "b.py"])
    assert snapshot(based) == before


def test_outside_any_repository(tmp_path: Path) -> None:
    bare_dir = tmp_path / "plain"
    bare_dir.mkdir()
    with pytest.raises(FatalError, match="not inside a git repository"):
        load(bare_dir)


def test_bare_repository(tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    with pytest.raises(FatalError, match="a bare repository has no working tree"):
        load(bare)


# -- LineRanges and hunk parsing ------------------------------------------------------------------


def test_line_ranges_merge_and_answer() -> None:
    ranges = LineRanges([(5, 7), (1, 2), (3, 3), (10, 9), (8, 8)])
    assert ranges.ranges == ((1, 3), (5, 8))
    assert (0 in ranges, 1 in ranges, 4 in ranges, 8 in ranges, 9 in ranges, "1" in ranges) == (
        False,
        True,
        False,
        True,
        False,
        False,
    )
    split_ranges = LineRanges([(1, 2), (6, 6)])
    assert (split_ranges.overlaps(3, 5), split_ranges.overlaps(3, 6), len(split_ranges)) == (
        False,
        True,
        3,
    )
    assert not LineRanges()


def test_parse_hunks() -> None:
    patch = b"@@ -1 +1 @@\n-a\n+b\n@@ -5,0 +6,2 @@\n+c\n+d\n@@ -9,2 +10,0 @@\n-e\n-f\n"
    assert changes.parse_hunks(patch) == LineRanges([(1, 1), (6, 7)])


# -- property: the engine agrees with difflib ------------------------------------------------------

FRESH = iter(range(10**9))


def _fresh_line() -> str:
    """A line never seen before, so the longest common subsequence is unique and every diff
    algorithm (git's Myers, difflib's matching blocks) must agree on which lines are new."""
    return f"fresh_{next(FRESH)} = 0\n"


EDIT = st.tuples(st.sampled_from(["insert", "delete", "replace"]), st.integers(0, 10**6))
FILE_EDITS = st.tuples(st.integers(0, 30), st.lists(EDIT, max_size=12), st.booleans())


def apply_edits(base: list[str], edits: list[tuple[str, int]], *, strip_last_newline: bool) -> str:
    rows = list(base)
    for op, where in edits:
        if op == "insert":
            rows.insert(where % (len(rows) + 1), _fresh_line())
        elif rows and op == "delete":
            del rows[where % len(rows)]
        elif rows:
            rows[where % len(rows)] = _fresh_line()
    text = "".join(rows)
    return text[:-1] if strip_last_newline and text.endswith("\n") else text


def difflib_new_lines(old: str, new: str) -> list[int]:
    """Ground truth: the new side's lines of difflib's 'replace' and 'insert' opcodes."""
    matcher = difflib.SequenceMatcher(
        None, old.splitlines(keepends=True), new.splitlines(keepends=True), autojunk=False
    )
    found: list[int] = []
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            found += range(j1 + 1, j2 + 1)
    return found


@settings(max_examples=60, deadline=None)
@given(st.lists(FILE_EDITS, min_size=1, max_size=4))
def test_changed_lines_match_difflib(
    tmp_path_factory: pytest.TempPathFactory, files: list[tuple[int, list[tuple[str, int]], bool]]
) -> None:
    repo = init_repo(tmp_path_factory.mktemp("property") / "repo")
    bases = {
        f"f{i}.py": [f"base_{i}_{n} = {n}\n" for n in range(size)]
        for i, (size, _, _) in enumerate(files)
    }
    commit_files(repo, {name: "".join(rows) for name, rows in bases.items()})
    expected: dict[str, list[int]] = {}
    for i, (_, edits, strip) in enumerate(files):
        name = f"f{i}.py"
        new = apply_edits(bases[name], edits, strip_last_newline=strip)
        write(repo, name, new)
        truth = difflib_new_lines("".join(bases[name]), new)
        if new != "".join(bases[name]):
            expected[name] = truth
    stage(repo)
    change_set = load(repo)
    assert {p: list(c.lines) for p, c in change_set.changes.items()} == expected
    shutil.rmtree(repo)


def test_plain_git_parse_equals_gitpython_diff_objects(repo: Path) -> None:
    """The fast two-call parse and GitPython's Diff objects agree on a mixed change."""
    import git as gitpython

    long_text = numbered(30)
    commit_files(
        repo,
        {"keep.py": long_text, "gone.py": "x = 1\n", "move me.py": long_text, "bin.dat": b"\0a"},
    )
    write(repo, "keep.py", edit_line(long_text, 3, "changed = 3"))
    (repo / "gone.py").unlink()
    (repo / "move me.py").rename(repo / "mövéd.py")
    write(repo, "mövéd.py", edit_line(long_text, 10, "moved = 10"))
    write(repo, "bin.dat", b"\0b")
    write(repo, "new.py", "a = 1\nb = 2\n")
    write(repo, "empty.py", "")
    git(repo, "add", "-A")
    gp = gitpython.Repo(repo)
    head = gp.head.commit.hexsha
    fast = changes._diff(gp, "--cached", head)
    slow = changes._diff_changes(
        gp.tree(head).diff(gitpython.IndexFile.Index, create_patch=True, **changes.DIFF_OPTIONS)
    )
    assert fast == slow
    assert fast is not None
    assert sorted(fast) == ["bin.dat", "empty.py", "keep.py", "mövéd.py", "new.py"]


def test_unpairable_outputs_are_refused_not_guessed() -> None:
    entries = changes._name_status(b"M\0a.py\0M\0b.py\0")
    assert changes._aligned(entries, b"diff --git a/a.py b/a.py\n@@ -1 +1 @@\n-x\n+y\n") is None
    swapped = b"diff --git a/b.py b/b.py\n@@ -1 +1 @@\n-x\n+y\ndiff --git a/a.py b/a.py\n"
    assert changes._aligned(entries, swapped) is None
