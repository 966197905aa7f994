"""Test helpers in one place: real git repositories, staging, commits, and snapshots."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import pytest

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Quality Tester",
    "GIT_AUTHOR_EMAIL": "tester@example.invalid",
    "GIT_COMMITTER_NAME": "Quality Tester",
    "GIT_COMMITTER_EMAIL": "tester@example.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+00:00",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TEMPLATE_DIR": "",
}
# variables that would change a hook's mode if the developer's shell or CI had them set
LEAKY_ENV = (
    "PRE_COMMIT",
    "PRE_COMMIT_FROM_REF",
    "PRE_COMMIT_TO_REF",
    "GITHUB_ACTIONS",
    "GIT_DIR",
    "GIT_INDEX_FILE",
    "GIT_WORK_TREE",
)
IGNORED_IN_SNAPSHOT = (".git", ".ruff_cache", ".quality-gates", ".mypy_cache", "__pycache__")


def git(repo: Path, *args: str) -> str:
    """Run git in repo with a pinned identity and no user or system config; return stdout."""
    env = {**os.environ, **GIT_ENV, "HOME": str(repo.parent)}
    proc = subprocess.run(
        ("git", *args), cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def init_repo(path: Path) -> Path:
    """Create an empty repository (no commits) at path."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "commit.gpgsign", "false")
    git(path, "config", "core.autocrlf", "false")
    return path


def write(repo: Path, name: str, content: str | bytes) -> Path:
    """Write a file (text is written as UTF-8 bytes, with no newline translation)."""
    target = repo / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content.encode() if isinstance(content, str) else content)
    return target


def stage(repo: Path, *names: str) -> None:
    """git add the named files (everything when none are named)."""
    git(repo, "add", "--", *(names or (".",)))


def commit(repo: Path, message: str = "commit") -> str:
    """Commit what is staged; return the new HEAD sha."""
    git(repo, "commit", "-q", "--no-gpg-sign", "--no-verify", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def commit_files(repo: Path, files: dict[str, str | bytes], message: str = "commit") -> str:
    """Write, stage and commit files in one step."""
    for name, content in files.items():
        write(repo, name, content)
    stage(repo, *files)
    return commit(repo, message)


def snapshot(repo: Path) -> dict[str, bytes]:
    """Every working-tree file plus the index, byte for byte (caches left out)."""
    files = {".git/index": (repo / ".git" / "index").read_bytes()}
    for path in sorted(repo.rglob("*")):
        rel = path.relative_to(repo)
        if rel.parts[0] in IGNORED_IN_SNAPSHOT or "__pycache__" in rel.parts:
            continue
        if path.is_file() or path.is_symlink():
            files[rel.as_posix()] = (
                os.readlink(path).encode() if path.is_symlink() else (path.read_bytes())
            )
    return files


class HookRun(NamedTuple):
    """What a hook printed and returned."""

    code: int
    out: str
    err: str


def run_hook(
    main: Callable[[Sequence[str] | None], int],
    args: Sequence[str],
    cwd: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> HookRun:
    """Run a console-script main in-process from cwd and capture its output."""
    monkeypatch.chdir(cwd)
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return HookRun(code, captured.out, captured.err)
