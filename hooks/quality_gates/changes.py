"""The change engine: which files changed, which lines of the new side, and their staged content.

Staged mode compares the index with HEAD (or the empty tree before the first commit); range mode
compares FROM...TO (their merge base), as pre-commit's --from-ref/--to-ref does. A file that is
checked but has no change in the active diff is in scope whole (full mode).
"""

from __future__ import annotations

import bisect
import functools
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from quality_gates.errors import FatalError
from quality_gates.process import run

if TYPE_CHECKING:
    import git

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
HUNK_RE = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)
SYMLINK_MODE = 0o120000
SUBMODULE_MODE = 0o160000
# the user's git config must not change the answer: diff.noprefix would hide every file from
# GitPython's parser, a textconv filter or diff.interHunkContext would shift or widen the lines
DIFF_OPTIONS: Mapping[str, Any] = {
    "unified": 0,
    "inter_hunk_context": 0,
    "no_textconv": True,
    "src_prefix": "a/",
    "dst_prefix": "b/",
}
PATCH_ARGS = (
    "-p",
    "-M",
    "--unified=0",
    "--inter-hunk-context=0",
    "--no-textconv",
    "--no-ext-diff",
    "--no-color",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)
NAME_STATUS_ARGS = ("--name-status", "-z", "-M", "--no-ext-diff", "--no-color")
SECTION_RE = re.compile(rb"^diff --git ", re.MULTILINE)
Scope = Literal["lines", "files", "full"]
SCOPES: tuple[Scope, ...] = ("lines", "files", "full")


class LineRanges:
    """An immutable set of line numbers stored as sorted, disjoint, inclusive ranges."""

    __slots__ = ("_ends", "_starts")

    def __init__(self, ranges: Iterable[tuple[int, int]] = ()) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(r for r in ranges if r[0] <= r[1]):
            if merged and start <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = tuple(r[0] for r in merged)
        self._ends = tuple(r[1] for r in merged)

    def __contains__(self, line: object) -> bool:
        if not isinstance(line, int):
            return False
        i = bisect.bisect_right(self._starts, line) - 1
        return i >= 0 and line <= self._ends[i]

    def __iter__(self) -> Iterator[int]:
        for start, end in zip(self._starts, self._ends, strict=True):
            yield from range(start, end + 1)

    def __len__(self) -> int:
        return sum(end - start + 1 for start, end in zip(self._starts, self._ends, strict=True))

    def __bool__(self) -> bool:
        return bool(self._starts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LineRanges) and self.ranges == other.ranges

    def __hash__(self) -> int:
        return hash(self.ranges)

    def __repr__(self) -> str:
        return f"LineRanges({list(self.ranges)!r})"

    @property
    def ranges(self) -> tuple[tuple[int, int], ...]:
        """The (start, end) ranges, inclusive, in order."""
        return tuple(zip(self._starts, self._ends, strict=True))

    def overlaps(self, start: int, end: int) -> bool:
        """Tell whether any line in start..end (inclusive) is in the set."""
        i = bisect.bisect_right(self._starts, end) - 1
        return i >= 0 and self._ends[i] >= start


@dataclass(frozen=True)
class FileChange:
    """One file of the active diff, on its new side."""

    path: str
    old_path: str | None
    status: Literal["A", "M", "R"]
    lines: LineRanges
    binary: bool = False


@dataclass(frozen=True)
class FileScope:
    """What part of a file a gate judges: the changed lines, or the whole file."""

    path: str
    whole: bool
    lines: LineRanges

    def covers(self, line: int) -> bool:
        """Tell whether a finding on this line belongs to the change."""
        return self.whole or line in self.lines

    def covers_span(self, start: int, end: int) -> bool:
        """Tell whether any line of start..end belongs to the change."""
        return self.whole or self.lines.overlaps(start, end)


def parse_hunks(patch: bytes) -> LineRanges:
    """Return the new-side lines added or modified by a -U0 patch."""
    ranges = []
    for match in HUNK_RE.finditer(patch):
        start = int(match.group(1))
        count = 1 if match.group(2) is None else int(match.group(2))
        if count:
            ranges.append((start, start + count - 1))
    return LineRanges(ranges)


def _open_repo(cwd: Path) -> git.Repo:
    import git  # lazy: GitPython costs ~100 ms to import

    try:
        repo = git.Repo(cwd, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise FatalError(f"{cwd}: not inside a git repository") from None
    if repo.bare or repo.working_tree_dir is None:
        raise FatalError(f"{cwd}: a bare repository has no working tree to check")
    return repo


def _resolve(repo: git.Repo, ref: str) -> str:
    import git

    try:  # git itself, not GitPython's rev_parse: that one names a shallow clone's missing parents
        return str(
            repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
        )
    except git.GitCommandError:
        shallow = " (this is a shallow clone)" if _is_shallow(repo) else ""
        raise FatalError(
            f"ref {ref!r} not found{shallow}: fetch the history it needs, e.g. "
            "`actions/checkout` with `fetch-depth: 0`, or `git fetch origin <branch>`"
        ) from None


def _is_shallow(repo: git.Repo) -> bool:
    return (Path(repo.git_dir) / "shallow").exists()


def _diff_changes(diffs: Iterable[git.Diff]) -> dict[str, FileChange]:
    changes: dict[str, FileChange] = {}
    for diff in diffs:
        if diff.deleted_file or diff.b_rawpath is None:
            continue
        patch = diff.diff if isinstance(diff.diff, bytes) else b""
        status: Literal["A", "M", "R"] = "A" if diff.new_file else "R" if diff.renamed_file else "M"
        # the raw bytes, as the file system names them: b_path replaces what is not UTF-8
        path = os.fsdecode(diff.b_rawpath)
        old = os.fsdecode(diff.a_rawpath) if status == "R" and diff.a_rawpath else None
        changes[path] = FileChange(path, old, status, parse_hunks(patch), _is_binary_patch(patch))
    return changes


def _is_binary_patch(patch: bytes) -> bool:
    return patch.startswith(b"Binary files") or b"\nBinary files" in patch


class _Entry(NamedTuple):
    status: str
    old: bytes | None
    new: bytes


def _name_status(raw: bytes) -> list[_Entry]:
    """Parse `--name-status -z`: unmunged names, renames and copies with their source."""
    fields = raw.split(b"\0")
    entries, i = [], 0
    while i < len(fields) and fields[i]:
        status = fields[i][:1].decode()
        if status in ("R", "C"):
            entries.append(_Entry(status, fields[i + 1], fields[i + 2]))
            i += 3
        else:
            entries.append(_Entry(status, None, fields[i + 1]))
            i += 2
    return entries


def _aligned(entries: Sequence[_Entry], patch: bytes) -> list[tuple[_Entry, bytes]] | None:
    """Pair each entry with its patch section; None when they cannot be paired with certainty.

    Both outputs come from one diff queue in one order, except unmerged paths, which get no
    section. A section whose header does not name its entry (a quoted name) is not checked.
    """
    sections = SECTION_RE.split(patch)[1:]
    entries = [e for e in entries if e.status != "U"]
    if len(sections) != len(entries):
        return None
    for entry, section in zip(entries, sections, strict=True):
        header = section.split(b"\n", 1)[0]
        if b'"' not in header and not header.endswith(b"b/" + entry.new):
            return None
    return list(zip(entries, sections, strict=True))


def _changes_from(pairs: Iterable[tuple[_Entry, bytes]]) -> dict[str, FileChange]:
    changes: dict[str, FileChange] = {}
    for entry, section in pairs:
        if entry.status in ("D", "U"):
            continue
        status: Literal["A", "M", "R"] = (
            "R" if entry.status == "R" else "A" if entry.status in ("A", "C") else "M"
        )
        path = os.fsdecode(entry.new)
        old = os.fsdecode(entry.old) if status == "R" and entry.old else None
        body = section.split(b"\n", 1)[1] if b"\n" in section else b""
        changes[path] = FileChange(path, old, status, parse_hunks(body), _is_binary_patch(body))
    return changes


def _diff(repo: git.Repo, *revs: str) -> dict[str, FileChange] | None:
    """The change between revs (a tree and the index with --cached), or None if unpairable.

    Two plain git calls instead of GitPython's Diff objects, whose constructor reads the
    submodule list once per changed file (about 10 ms a file).
    """
    names = repo.git.diff(*revs, *NAME_STATUS_ARGS, stdout_as_string=False)
    patch = repo.git.diff(*revs, *PATCH_ARGS, stdout_as_string=False)
    pairs = _aligned(_name_status(names), patch)
    return None if pairs is None else _changes_from(pairs)


@dataclass(frozen=True)
class ChangeSet:
    """The active change of a repository and access to the content being checked."""

    repo: git.Repo
    root: Path
    mode: Literal["staged", "range"]
    base: str
    target: str | None
    changes: Mapping[str, FileChange]

    def scope(self, path: str, scope: Scope = "lines") -> FileScope:
        """Return the part of path a gate judges under the given --scope."""
        change = self.changes.get(path)
        if scope == "full" or change is None:
            return FileScope(path, True, LineRanges())
        if scope == "files" or change.status == "A":
            return FileScope(path, True, change.lines)
        return FileScope(path, False, change.lines)

    def changed_files(self) -> list[str]:
        """The added, modified and renamed files of the change (deleted ones are never checked)."""
        return sorted(self.changes)

    def all_files(self) -> list[str]:
        """Every file in the snapshot being checked (the index, or the target commit)."""
        if self.target is None:
            out = self.repo.git.ls_files("-z", "--cached")
        else:
            out = self.repo.git.ls_tree("-r", "-z", "--name-only", self.target)
        return sorted({p for p in out.split("\0") if p})

    def object_name(self, path: str) -> str:
        """The git object name of path's checked content (`:path` is the index)."""
        return f"{self.target or ''}:{path}"

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes]:
        """Return the checked content of paths (the staged blobs, or the target's) in one call.

        Untracked or conflicted files fall back to what is on disk, which is all there is.
        """
        paths = list(dict.fromkeys(paths))
        batch = [p for p in paths if not breaks_line(p)]
        found = dict(zip(batch, self._read_batch(batch), strict=True))
        found.update((p, self._read_one(p)) for p in paths if breaks_line(p))
        return {p: self._fallback(p) if found[p] is None else found[p] for p in paths}  # type: ignore[misc]

    def _read_batch(self, paths: Sequence[str]) -> Iterator[bytes | None]:
        if not paths:
            return iter(())
        names = b"".join(os.fsencode(self.object_name(p)) + b"\n" for p in paths)
        return _split_batch(run(("git", "cat-file", "--batch"), cwd=self.root, stdin=names).stdout)

    def _read_one(self, path: str) -> bytes | None:
        """Read a blob whose name the line-based batch protocol cannot carry."""
        completed = run(
            ("git", "cat-file", "blob", self.object_name(path)), cwd=self.root, ok=(0, 128)
        )
        return completed.stdout if completed.returncode == 0 else None

    def read(self, path: str) -> bytes:
        """Return the checked content of one path."""
        return self.read_many([path])[path]

    def _fallback(self, path: str) -> bytes:
        disk = self.root / path
        if self.target is None and self._unmerged(path):
            raise FatalError(f"{path}: unmerged (a merge conflict): resolve it and `git add` it")
        if self.target is None and disk.is_file():
            return disk.read_bytes()
        if disk.exists():
            raise FatalError(f"{path}: not in the {self.describe_snapshot()}")
        raise FatalError(f"{path}: no such file")

    def _unmerged(self, path: str) -> bool:
        argv = ("git", "--literal-pathspecs", "ls-files", "--unmerged", "-z", "--", path)
        return bool(run(argv, cwd=self.root).stdout)

    def describe_snapshot(self) -> str:
        """Name what is being checked, for messages."""
        return "index" if self.target is None else f"commit {self.target[:12]}"

    def differs_on_disk(self, paths: Sequence[str]) -> set[str]:
        """Return the paths whose working-tree content is not the content being checked."""
        if not paths:
            return set()
        against = [] if self.target is None else [self.target]
        out = self.repo.git.diff("--name-only", "-z", "--no-ext-diff", *against, "--", *paths)
        differ = {p for p in out.split("\0") if p}
        missing = {p for p in paths if not os.path.lexists(self.root / p)}
        return differ | missing


def read_blobs(root: Path, names: Sequence[str]) -> list[bytes | None]:
    """Read git objects by name (`REV:path`, a blob id) in one call; None for a missing one."""
    if not names:
        return []
    request = "".join(f"{name}\n" for name in names).encode()
    out = run(("git", "cat-file", "--batch"), cwd=root, stdin=request).stdout
    return list(_split_batch(out))


def breaks_line(path: str) -> bool:
    """Tell whether a name would break a line-based protocol (git strips a trailing CR too)."""
    return "\n" in path or "\r" in path


def _split_batch(out: bytes) -> Iterator[bytes | None]:
    """Split `git cat-file --batch` output into each object's content (None when missing)."""
    pos = 0
    while pos < len(out):
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        if header[-1] in (b"missing", b"ambiguous") or len(header) != 3:
            pos = end + 1
            yield None
            continue
        size = int(header[2])
        yield out[end + 1 : end + 1 + size] if header[1] == b"blob" else None
        pos = end + 1 + size + 1


def load(
    cwd: Path | None = None,
    *,
    from_ref: str | None = None,
    to_ref: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> ChangeSet:
    """Build the ChangeSet for the repository around cwd: range mode when refs are given."""
    import git

    env = os.environ if environ is None else environ
    from_ref = from_ref or env.get("PRE_COMMIT_FROM_REF") or None
    to_ref = to_ref or env.get("PRE_COMMIT_TO_REF") or None
    if bool(from_ref) != bool(to_ref):
        raise FatalError("--from-ref and --to-ref go together: give both, or neither")
    repo = _open_repo(cwd or Path.cwd())
    root = Path(str(repo.working_tree_dir))
    if from_ref and to_ref:
        return _range(repo, root, from_ref, to_ref)
    base = _head(repo) or EMPTY_TREE
    changes = _diff(repo, "--cached", base)
    if changes is None:
        diffs = repo.tree(base).diff(git.IndexFile.Index, create_patch=True, **DIFF_OPTIONS)
        changes = _diff_changes(diffs)
    return ChangeSet(repo, root, "staged", base, None, changes)


def _head(repo: git.Repo) -> str | None:
    try:
        return repo.head.commit.hexsha
    except ValueError:  # no commit yet: HEAD points at an unborn branch
        return None


def _range(repo: git.Repo, root: Path, from_ref: str, to_ref: str) -> ChangeSet:
    start, end = _resolve(repo, from_ref), _resolve(repo, to_ref)
    bases = repo.merge_base(start, end)
    base = bases[0].hexsha if bases and bases[0] is not None else start
    changes = _diff(repo, base, end)
    if changes is None:
        changes = _diff_changes(repo.commit(base).diff(end, create_patch=True, **DIFF_OPTIONS))
    return ChangeSet(repo, root, "range", base, end, changes)


@functools.lru_cache(maxsize=8)
def _resolved(root: Path) -> Path:
    return root.resolve()  # once per root: resolving per file cost ~1.5 ms each


def to_repo_path(root: Path, name: str, cwd: Path | None = None) -> str:
    """Turn a path given on the command line (relative to cwd) into a repo-relative posix path."""
    absolute = Path(os.path.abspath((cwd or Path.cwd()) / name))
    try:
        rel = absolute.relative_to(_resolved(root))
    except ValueError:
        try:
            rel = absolute.relative_to(root)
        except ValueError:
            raise FatalError(f"{name}: outside the repository at {root}") from None
    return rel.as_posix()


def is_skippable(root: Path, path: str) -> str | None:
    """Say why a path cannot be checked as a regular file (symlink, submodule), or None."""
    disk = root / path
    if disk.is_symlink():
        return "a symlink"
    if disk.is_dir():
        return "a directory or submodule"
    return None
