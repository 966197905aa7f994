"""Cached docstring definitions per file content, so a full run re-parses only what changed.

Entries are keyed by the SHA-256 of the content and the module name, in one JSON file per rule
set and interpreter version under `.quality-gates/cache/`; a damaged file is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from quality_gates import __version__
from quality_gates.docstrings import Definition, Rules

MAX_ENTRIES = 50_000
Found = tuple[Definition, ...] | None  # None: the content does not parse


def fingerprint(rules: Rules) -> str:
    """A short name for the rule set, this package's version and the Python version."""
    text = repr((rules, __version__, sys.version_info[:2]))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def content_key(content: bytes, name: str) -> str:
    """The cache key of one file's content under a module name."""
    return f"{hashlib.sha256(content).hexdigest()}:{name}"


class DefinitionCache:
    """Definitions by content key, loaded from and saved to one JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, Any] = self._load()
        self._used: dict[str, Any] = {}

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str) -> tuple[bool, Found]:
        """(hit, definitions) for key; a malformed entry is a miss."""
        raw = self._entries.get(key, False)
        if raw is False:
            return False, None
        try:
            found = None if raw is None else tuple(_definition(r) for r in raw)
        except (TypeError, ValueError):
            return False, None
        self._used[key] = raw
        return True, found

    def put(self, key: str, found: Found) -> None:
        """Remember the definitions of one content."""
        self._used[key] = None if found is None else [_row(d) for d in found]

    def save(self) -> None:
        """Write the entries used in this run first, then older ones up to MAX_ENTRIES."""
        merged = dict(self._used)
        for key, value in self._entries.items():
            if len(merged) >= MAX_ENTRIES:
                break
            merged.setdefault(key, value)
        try:
            handle, name = tempfile.mkstemp(dir=self.path.parent, prefix=".docs-", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(json.dumps(merged, separators=(",", ":")))  # dumps: the C encoder
            os.replace(name, self.path)
        except OSError:
            pass  # a cache is an optimisation: a full disk or read-only tree only costs time


def _row(definition: Definition) -> list[Any]:
    return [
        definition.kind,
        definition.name,
        definition.line,
        list(definition.header),
        None if definition.docstring is None else list(definition.docstring),
        definition.documented,
    ]


def _definition(row: Sequence[Any]) -> Definition:
    kind, name, line, header, docstring, documented = row
    return Definition(
        str(kind),
        str(name),
        int(line),
        (int(header[0]), int(header[1])),
        None if docstring is None else (int(docstring[0]), int(docstring[1])),
        bool(documented),
    )
