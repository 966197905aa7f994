"""The change engine with a submodule staged beside ordinary files."""

from __future__ import annotations

from pathlib import Path

from helpers import commit_files, git, init_repo, stage, write
from quality_gates import changes


def test_a_staged_submodule_and_files_beside_it(repo: Path, tmp_path: Path) -> None:
    library = init_repo(tmp_path / "library")
    commit_files(library, {"lib.py": "X = 1\n"})
    commit_files(repo, {"app.py": "A = 1\n"})
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "vendor")
    write(repo, "app.py", "A = 2\n")
    stage(repo, "app.py")
    change_set = changes.load(repo)
    assert sorted(change_set.changes) == [".gitmodules", "app.py", "vendor"]
    assert change_set.changes["app.py"].lines.ranges == ((1, 1),)
    assert len(change_set.repo.submodules) == 1
