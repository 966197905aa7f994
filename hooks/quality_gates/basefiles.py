"""The base side of a change: old content of files, and the files the change removed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from quality_gates.changes import ChangeSet
from quality_gates.process import run


def old_paths(changes: ChangeSet, paths: list[str]) -> dict[str, str]:
    """Map each modified or renamed path to its path on the base side (added files have none)."""
    found = {}
    for path in paths:
        change = changes.changes.get(path)
        if change is not None and change.status != "A":
            found[path] = change.old_path or path
    return found


def read_base(changes: ChangeSet, paths: Mapping[str, str]) -> dict[str, bytes]:
    """Return the base content of {new path: base path} in one git call (absent ones left out)."""
    if not paths:
        return {}
    names = "".join(f"{changes.base}:{old}\n" for old in paths.values()).encode()
    out = run(("git", "cat-file", "--batch"), cwd=changes.root, stdin=names).stdout
    blobs = dict(zip(paths, _blobs(out), strict=True))
    return {path: blob for path, blob in blobs.items() if blob is not None}


def _blobs(out: bytes) -> Iterator[bytes | None]:
    pos = 0
    while pos < len(out):
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        if len(header) != 3:
            pos = end + 1
            yield None
            continue
        size = int(header[2])
        yield out[end + 1 : end + 1 + size] if header[1] == b"blob" else None
        pos = end + 1 + size + 1


def removed_files(changes: ChangeSet) -> set[str]:
    """The paths the change deletes (renames are not deletions: see FileChange.old_path)."""
    side = ("--cached", changes.base) if changes.target is None else (changes.base, changes.target)
    argv = ("git", "diff", "-M", "--name-only", "-z", "--no-ext-diff", "--diff-filter=D", *side)
    out = run(argv, cwd=changes.root).stdout.decode("utf-8", "surrogateescape")
    return {p for p in out.split("\0") if p}


def renamed_files(changes: ChangeSet) -> dict[str, str]:
    """Map each renamed file's old path to its new path."""
    return {
        change.old_path: path
        for path, change in changes.changes.items()
        if change.status == "R" and change.old_path
    }
