from __future__ import annotations

from pathlib import Path

from helpers import commit_files, git
from quality_gates.changes import EMPTY_TREE
from quality_gates.type_baseline import (
    KEEP,
    MARKER,
    Baseline,
    baseline_key,
    export_tree,
    load,
    python_targets,
    store,
    tree_files,
    tree_id,
)


def test_python_targets_prefer_stubs_and_skip_other_files() -> None:
    paths = ["b.py", "b.pyi", "a.py", "README.md", "pkg/c.py", "a.py", "setup.cfg"]
    assert python_targets(paths) == ["a.py", "b.pyi", "pkg/c.py"]


def test_tree_files_and_export_keep_unchanged_files(repo: Path, tmp_path: Path) -> None:
    first = commit_files(
        repo,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "A = 1\n",
            "pkg/py.typed": "",
            "pyproject.toml": "[tool.mypy]\n",
            "docs/index.md": "# docs\n",
            "sub/pyproject.toml": "[tool.mypy]\n",
        },
    )
    files = tree_files(repo, first)
    assert sorted(files) == ["pkg/__init__.py", "pkg/a.py", "pkg/py.typed", "pyproject.toml"]
    dest = tmp_path / "export" / "tree"
    export_tree(repo, files, dest)
    assert (dest / "pkg" / "a.py").read_text() == "A = 1\n"
    assert (dest / MARKER).is_dir()
    kept = (dest / "pkg" / "__init__.py").stat().st_mtime_ns
    git(repo, "rm", "-q", "pkg/py.typed")
    second = commit_files(repo, {"pkg/a.py": "A = 2\n", "pkg/b.py": "B = 1\n"})
    export_tree(repo, tree_files(repo, second), dest)
    assert (dest / "pkg" / "a.py").read_text() == "A = 2\n"
    assert (dest / "pkg" / "b.py").read_text() == "B = 1\n"
    assert not (dest / "pkg" / "py.typed").exists()
    assert (dest / "pkg" / "__init__.py").stat().st_mtime_ns == kept


def test_tree_id(repo: Path) -> None:
    head = commit_files(repo, {"a.py": "A = 1\n"})
    assert tree_id(repo, head) == git(repo, "rev-parse", "HEAD^{tree}").strip()
    assert tree_id(repo, EMPTY_TREE) == EMPTY_TREE
    assert tree_files(repo, EMPTY_TREE) == {}


def test_key_changes_with_each_input() -> None:
    key = baseline_key("tree", "1.0", ["--strict"])
    assert key == baseline_key("tree", "1.0", ["--strict"])
    others = {
        baseline_key("tree2", "1.0", ["--strict"]),
        baseline_key("tree", "1.1", ["--strict"]),
        baseline_key("tree", "1.0", []),
    }
    assert key not in others
    assert len(others) == 3


def test_store_load_and_prune(tmp_path: Path) -> None:
    saved = Baseline((("a.py", "misc", "X", "x = 1"),), ("extra.py",), blocked=False)
    store(tmp_path, "k0", saved)
    assert load(tmp_path, "k0") == saved
    assert load(tmp_path, "missing") is None
    (tmp_path / "baseline-bad.json").write_text("{not json")
    assert load(tmp_path, "bad") is None
    (tmp_path / "baseline-old.json").write_text('{"format": 0, "keys": []}')
    assert load(tmp_path, "old") is None
    for i in range(1, KEEP + 3):
        store(tmp_path, f"k{i}", saved)
    assert len(list(tmp_path.glob("baseline-*.json"))) == KEEP
