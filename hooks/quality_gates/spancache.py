"""What is parsed from a file's content, cached by content under `.quality-gates/cache/`.

lint and security both count statements and look for suppression comments, and under
pre-commit each is its own process: without a cache every hook parses and tokenizes every
changed file again (0.35 s for the click 8.1.7 -> 8.1.8 change). One small JSON file per
content hash and kind, written atomically, so parallel hooks never see half a file; a damaged
or unreadable entry is computed again, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from quality_gates import __version__
from quality_gates.cachedir import cache_dir
from quality_gates.pysource import Source, Span, comments, parse

SALT = f"{__version__}:{sys.version_info[0]}.{sys.version_info[1]}".encode()
T = TypeVar("T")


def key(content: bytes) -> str:
    """The cache key of content: its hash with this package's and Python's versions."""
    return hashlib.blake2b(SALT + b"\0" + content, digest_size=20).hexdigest()


def _entry(root: Path, digest: str, kind: str = "spans") -> Path:
    return root / ".quality-gates" / "cache" / kind / digest[:2] / f"{digest}.json"


def _store(root: Path, path: Path, data: bytes) -> None:
    try:
        cache_dir(root)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError:  # a read-only checkout still works, only slower
        return


def _cached(
    root: Path,
    kind: str,
    content: bytes,
    compute: Callable[[bytes], T],
    dump: Callable[[T], Any],
    load: Callable[[Any], T],
) -> T:
    path = _entry(root, key(content), kind)
    try:
        return load(json.loads(path.read_bytes()))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    value = compute(content)
    _store(root, path, json.dumps(dump(value)).encode())
    return value


def _dump_source(source: Source) -> dict[str, Any]:
    spans = None if source.spans is None else [list(s) for s in source.spans]
    return {"spans": spans, "lines": source.line_count}


def _load_source(data: Any) -> Source:
    spans = data["spans"]
    return Source(
        None if spans is None else tuple(Span(int(a), int(b)) for a, b in spans),
        int(data["lines"]),
    )


def parse_cached(root: Path, content: bytes) -> Source:
    """Parse content, or reuse the spans an earlier run of any hook stored for it."""
    return _cached(root, "spans", content, parse, _dump_source, _load_source)


def _load_comments(data: Any) -> list[tuple[int, str]]:
    return [(int(line), str(text)) for line, text in data]


def comments_cached(root: Path, content: bytes) -> list[tuple[int, str]]:
    """The comments of content, or those an earlier run of any hook stored for it."""
    return _cached(root, "comments", content, comments, lambda c: c, _load_comments)
