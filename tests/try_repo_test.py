"""pre-commit installs and runs these hooks from the checkout, as users will."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import commit_files, stage, write

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = (sys.executable, "-m", "pre_commit")


def _try_repo(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        (*PRE_COMMIT, "try-repo", str(ROOT), *args),
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


@pytest.mark.slow
def test_try_repo_holds_the_line(repo: Path, tmp_path: Path) -> None:
    commit_files(repo, {"mod.py": "import os\n"})
    write(repo, "mod.py", "import os\nimport sys\n")
    stage(repo)
    home = tmp_path / "pre-commit-home"
    failing = _try_repo(repo, home, "quality-lint")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "mod.py:2:8: F401 `sys` imported but unused" in failing.stdout
    assert "mod.py:1:8" not in failing.stdout
    write(repo, "mod.py", "import os\n\nVALUE = 1\n")
    stage(repo)
    passing = _try_repo(repo, home, "quality-gates")
    assert passing.returncode == 0, passing.stdout + passing.stderr
