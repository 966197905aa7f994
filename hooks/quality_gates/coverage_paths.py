"""Match the file names in coverage data to repository paths.

Data names files in many ways: absolute paths of the machine that ran the tests, paths relative to
a Cobertura `<source>`, relative to a `src/` root, or remapped by `[tool.coverage.paths]`. The
matcher tries, in order: the `[paths]` aliases, the name as a repo path, the name under each
source root, then the longest path suffix that names exactly one repository file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath

from quality_gates.errors import FatalError

SHOWN = 3


def _alias_regexes(
    aliases: Sequence[tuple[str, Sequence[str]]],
) -> list[tuple[re.Pattern[str], str]]:
    from coverage.files import globs_to_regex

    compiled = []
    for _canonical, patterns in aliases:
        if not patterns:
            continue
        result = patterns[0].replace("\\", "/").rstrip("/")
        for pattern in patterns[1:]:
            clean = pattern.replace("\\", "/").rstrip("/")
            compiled.append((globs_to_regex([clean + "/"], partial=True), result))
    return compiled


def _norm(name: str) -> str:
    name = name.replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return name


class PathMatcher:
    """Map data file names to repository paths (None when a name is not a repository file)."""

    def __init__(
        self,
        root: Path,
        repo_files: Iterable[str],
        *,
        sources: Sequence[str] = (),
        aliases: Sequence[tuple[str, Sequence[str]]] = (),
    ) -> None:
        self.root = root
        self.files = frozenset(repo_files)
        self.roots = tuple({root.as_posix(), root.resolve().as_posix()})
        self.sources = tuple(_norm(s).rstrip("/") for s in sources)
        self.aliases = _alias_regexes(aliases)
        self._suffixes: dict[str, list[str]] | None = None

    def match(self, name: str) -> str | None:
        """The repository path that a data name stands for."""
        name = self._remap(_norm(name))
        for candidate in self._direct(name):
            if candidate in self.files:
                return candidate
        return self._by_suffix(name)

    def _remap(self, name: str) -> str:
        for regex, result in self.aliases:
            found = regex.match(name)
            if found:
                rest = name[found.end() :].lstrip("/")
                return _norm(f"{result}/{rest}" if result else rest)
        return name

    def _direct(self, name: str) -> list[str]:
        candidates = [self._relative(name)] if name.startswith("/") else [name]
        for source in self.sources:
            if not name.startswith("/"):
                candidates.append(self._relative(f"{source}/{name}"))
        return [c for c in candidates if c]

    def _relative(self, name: str) -> str:
        if not name.startswith("/"):
            return os.path.normpath(name).replace("\\", "/")
        for root in self.roots:
            if name.startswith(root.rstrip("/") + "/"):
                return os.path.normpath(name[len(root.rstrip("/")) + 1 :]).replace("\\", "/")
        return ""

    def _suffix_index(self) -> dict[str, list[str]]:
        if self._suffixes is None:
            index: dict[str, list[str]] = {}
            for path in self.files:
                parts = PurePosixPath(path).parts
                for k in range(1, len(parts)):
                    index.setdefault("/".join(parts[k:]), []).append(path)
            self._suffixes = index
        return self._suffixes

    def _by_suffix(self, name: str) -> str | None:
        parts = [p for p in PurePosixPath(name).parts if p not in ("/", ".", "..")]
        index = self._suffix_index()
        for k in range(len(parts), 0, -1):
            tail = "/".join(parts[-k:])
            if k < len(parts) and tail in self.files:
                return tail
            matches = index.get(tail, [])
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                return None  # ambiguous: refuse to guess
        return None


def match_all(matcher: PathMatcher, names: Iterable[str]) -> dict[str, str]:
    """Map every data name that names a repository file; repo path -> data name."""
    mapped: dict[str, str] = {}
    for name in names:
        path = matcher.match(name)
        if path is not None and path not in mapped:
            mapped[path] = name
    return mapped


def no_match_error(
    data: str, names: Sequence[str], repo_files: Iterable[str], root: Path
) -> FatalError:
    """The error for data none of whose files is in the repository, naming both sides."""
    ours = sorted(p for p in repo_files if p.endswith(".py"))[:SHOWN] or sorted(repo_files)[:SHOWN]
    theirs = ", ".join(sorted(names)[:SHOWN]) + (", ..." if len(names) > SHOWN else "")
    return FatalError(
        f"{data} measured {len(names)} file(s) ({theirs}) and none of them is a file of the "
        f"repository at {root} (e.g. {', '.join(ours) or 'no files'}): map them with "
        "[tool.coverage.paths], or measure with `relative_files = true`"
    )


def invert(mapping: Mapping[str, str]) -> dict[str, str]:
    """Data name -> repo path."""
    return {name: path for path, name in mapping.items()}
