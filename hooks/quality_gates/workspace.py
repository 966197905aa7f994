"""What the gates share in one hook call: the change, cached content, and trees for the tools."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from quality_gates.changes import ChangeSet
from quality_gates.errors import FatalError
from quality_gates.pysource import Source
from quality_gates.spancache import parse_cached


class Workspace:
    """The change plus a per-call cache of file content and parsed sources (thread-safe)."""

    def __init__(self, changes: ChangeSet) -> None:
        self.changes = changes
        self._lock = threading.Lock()
        self._content: dict[str, bytes] = {}
        self._sources: dict[str, Source] = {}
        self._on_disk: dict[str, bool] = {}  # path -> working tree differs from the snapshot

    @property
    def root(self) -> Path:
        """The repository's working tree."""
        return self.changes.root

    def prefetch(self, paths: Iterable[str]) -> None:
        """Read the content of many files in one git call (before the gates start)."""
        with self._lock:
            missing = [p for p in paths if p not in self._content]
            self._content.update(self.changes.read_many(missing))

    def content(self, path: str) -> bytes:
        """The checked (staged) content of path."""
        with self._lock:
            if path not in self._content:
                self._content[path] = self.changes.read(path)
            return self._content[path]

    def differs_on_disk(self, paths: Iterable[str]) -> set[str]:
        """The paths whose working tree differs from the snapshot (one git call per new batch)."""
        paths = list(paths)
        with self._lock:
            unknown = [p for p in paths if p not in self._on_disk]
            if unknown:
                dirty = self.changes.differs_on_disk(unknown)
                self._on_disk.update((p, p in dirty) for p in unknown)
            return {p for p in paths if self._on_disk[p]}

    def forget_disk_state(self) -> None:
        """Drop what is known of the working tree (after a fixer rewrote files)."""
        with self._lock:
            self._on_disk.clear()

    def source(self, path: str) -> Source:
        """The parsed statements of path's checked content."""
        with self._lock:
            cached = self._sources.get(path)
        if cached is None:
            cached = parse_cached(self.root, self.content(path))
            with self._lock:
                self._sources[path] = cached
        return cached

    def optional_content(self, path: str) -> bytes | None:
        """The checked content of path, or None when the snapshot does not have it."""
        try:
            return self.content(path)
        except FatalError:
            return None


def _ancestors(paths: Iterable[str]) -> set[str]:
    dirs = {""}
    for path in paths:
        for parent in PurePosixPath(path).parents:
            dirs.add("" if str(parent) == "." else str(parent))
    return dirs


@contextmanager
def tool_tree(workspace: Workspace, paths: Iterable[str], configs: Iterable[str]) -> Iterator[Path]:
    """Yield a directory where paths hold their checked content, for a tool to read.

    That is the working tree itself when it already matches (always, under pre-commit, which
    stashes unstaged changes); otherwise a temporary copy of the staged blobs together with the
    config files (named in configs) of every directory above them, so the tool's own config
    discovery finds the same settings.
    """
    paths = list(paths)
    if not workspace.differs_on_disk(paths):
        yield workspace.root
        return
    with tempfile.TemporaryDirectory(prefix="quality-gates-") as tmp:
        root = Path(tmp)
        for path in paths:
            _write(root / path, workspace.content(path))
        for directory in _ancestors(paths):
            for name in configs:
                config = f"{directory}/{name}" if directory else name
                data = workspace.optional_content(config)
                if data is not None:
                    _write(root / config, data)
        yield root


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
