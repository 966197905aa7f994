"""Real projects for the benchmarks: sdists from PyPI, cached, turned into scratch git repos.

Nothing third-party is committed to this repository: the source distributions are fetched with
`pip download --no-binary :all: --no-deps NAME==VERSION` into `benchmarks/.cache/` (gitignored)
the first time a benchmark needs them, unpacked there, and copied into scratch repositories that
are rebuilt on every run so each run starts from the same state.
"""

from __future__ import annotations

import re
import shutil

# argv lists only, never a shell; a benchmark script, excluded from bandit like tests
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"
SDIST_SUFFIXES = (".tar.gz", ".zip")
GIT_IDENTITY = (
    "-c",
    "user.name=quality-gates benchmark",
    "-c",
    "user.email=benchmark@quality-gates.invalid",
    "-c",
    "commit.gpgsign=false",
)
# Appended to a real module for the one-file change: clean under ruff (within click's 88
# columns too), ruff format and bandit, so the hooks do their whole job and pass.
ADDED_FUNCTION = '''

def quality_gates_benchmark(value: str) -> str:
    """Return value reversed (a change made by the quality-gates benchmark)."""
    return value[::-1]
'''


class BenchmarkError(Exception):
    """Something the benchmark needs could not be prepared; the message says what."""


@dataclass(frozen=True)
class Release:
    """One released version of a project on PyPI."""

    name: str
    version: str

    @property
    def spec(self) -> str:
        """The pip requirement that pins this release."""
        return f"{self.name}=={self.version}"

    @property
    def label(self) -> str:
        """A file-system friendly name, e.g. click-8.1.7."""
        return f"{canonical(self.name)}-{self.version}"


CLICK_OLD = Release("click", "8.1.7")
CLICK_NEW = Release("click", "8.1.8")
DJANGO = Release("Django", "5.1.4")


@dataclass(frozen=True)
class Scratch:
    """A scratch repository with a change staged, and what that change holds."""

    path: Path
    title: str
    tracked_files: int
    staged_python: int


def canonical(name: str) -> str:
    """Normalise a project name as PyPI does (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _run(argv: Sequence[str], *, cwd: Path | None = None) -> str:
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BenchmarkError(
            f"command failed (exit {proc.returncode}): {' '.join(argv)}\n"
            f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}".rstrip()
        )
    return proc.stdout


def git(repo: Path, *args: str) -> str:
    """Run git in repo with a fixed identity; return its stdout."""
    return _run(("git", *GIT_IDENTITY, *args), cwd=repo)


def is_sdist_of(filename: str, release: Release) -> bool:
    """Tell whether an sdist file name (Django-5.1.4.tar.gz, django-5.1.4.tar.gz) is release's."""
    for suffix in SDIST_SUFFIXES:
        if filename.endswith(suffix):
            name, _, version = filename[: -len(suffix)].rpartition("-")
            return canonical(name) == canonical(release.name) and version == release.version
    return False


def _cached_sdist(release: Release, folder: Path) -> Path | None:
    if not folder.is_dir():
        return None
    found = [p for p in sorted(folder.iterdir()) if is_sdist_of(p.name, release)]
    return found[0] if found else None


def sdist(release: Release, cache: Path = CACHE) -> Path:
    """Return the release's source distribution, downloading it into the cache the first time."""
    folder = cache / "sdists"
    cached = _cached_sdist(release, folder)
    if cached is not None:
        return cached
    folder.mkdir(parents=True, exist_ok=True)
    print(f"fetching {release.spec} (sdist) into {folder}", file=sys.stderr)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        pip = (sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps")
        _run((*pip, "--quiet", release.spec, "-d", tmp))
        downloaded = _cached_sdist(release, Path(tmp))
        if downloaded is None:
            raise BenchmarkError(f"pip download {release.spec} gave no source distribution")
        return Path(shutil.move(str(downloaded), folder / downloaded.name))


def _extract(archive: Path, target: Path) -> None:
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(target)
        return
    with tarfile.open(archive) as tarred:
        if hasattr(tarfile, "data_filter"):
            tarred.extractall(target, filter="data")
        else:  # pragma: no cover - Python without the extraction filters (before 3.10.12)
            tarred.extractall(target)


def unpacked(release: Release, cache: Path = CACHE) -> Path:
    """Return the folder holding the release's unpacked sdist (unpacked once, then cached)."""
    target = cache / "src" / release.label
    if target.is_dir():
        return target
    archive = sdist(release, cache)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        _extract(archive, Path(tmp))
        tops = list(Path(tmp).iterdir())
        if len(tops) != 1 or not tops[0].is_dir():
            raise BenchmarkError(f"{archive.name}: expected one top-level folder in the sdist")
        tops[0].rename(target)
    return target


def _fresh_repo(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    git(path, "init", "--quiet", "--initial-branch=main")
    return path


def replace_tree(repo: Path, source: Path) -> None:
    """Make repo's working tree (everything but .git) an exact copy of source."""
    for child in repo.iterdir():
        if child.name == ".git":
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    shutil.copytree(source, repo, symlinks=True, dirs_exist_ok=True)


def commit_tree(repo: Path, source: Path, message: str) -> None:
    """Replace the tree with source and commit it (no hooks)."""
    replace_tree(repo, source)
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--no-verify", "-m", message)


def _describe(repo: Path, title: str) -> Scratch:
    tracked = git(repo, "ls-files", "-z").split("\0")
    staged = git(repo, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMRTUXB")
    python = [p for p in staged.split("\0") if p.endswith((".py", ".pyi"))]
    return Scratch(repo, title, len([p for p in tracked if p]), len(python))


def release_change(old: Release, new: Release, cache: Path = CACHE) -> Scratch:
    """A repo with release old committed and the real change to release new staged."""
    repo = _fresh_repo(cache / "repos" / f"{old.label}-to-{new.version}")
    commit_tree(repo, unpacked(old, cache), f"{old.spec}")
    replace_tree(repo, unpacked(new, cache))
    git(repo, "add", "--all")
    return _describe(repo, f"{old.name} {old.version} -> {new.version}")


def one_file_change(release: Release, module: str, cache: Path = CACHE) -> Scratch:
    """A repo with release committed and one function appended to module staged."""
    repo = _fresh_repo(cache / "repos" / f"{release.label}-one-file")
    commit_tree(repo, unpacked(release, cache), f"{release.spec}")
    target = repo / module
    if not target.is_file():
        raise BenchmarkError(f"{release.spec} has no {module} to edit")
    target.write_bytes(target.read_bytes().rstrip(b"\n") + b"\n" + ADDED_FUNCTION.encode())
    git(repo, "add", "--", module)
    return _describe(repo, f"{release.name} {release.version} + one function in {module}")


def exclude_locally(repo: Path, *names: str) -> None:
    """Keep benchmark files in repo untracked and out of `git add --all` (.git/info/exclude)."""
    exclude = repo / ".git" / "info" / "exclude"
    exclude.parent.mkdir(parents=True, exist_ok=True)
    with exclude.open("a", encoding="utf-8") as handle:
        handle.writelines(f"/{name}\n" for name in names)
