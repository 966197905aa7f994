"""The types gate's baseline: mypy's errors at the base revision, cached per base tree.

The base tree's Python files and mypy config are written to a folder kept under
`.quality-gates/cache/` (only the files whose blob changed are rewritten, so mypy's own cache
for that folder stays warm from one base to the next), mypy runs there, and the errors' match
keys are stored under a key made of the base tree id, the mypy version and the arguments.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from quality_gates.changes import EMPTY_TREE, read_blobs
from quality_gates.process import run
from quality_gates.typecheck import MYPY_CONFIGS, ErrorKey

FORMAT = 1
KEEP = 8  # baselines kept; older ones are removed
PY_SUFFIXES = (".py", ".pyi")
REGULAR_MODES = ("100644", "100755")
MARKER = ".hg"  # stops mypy's search for a config file in the parents of the exported tree


@dataclass(frozen=True)
class Baseline:
    """The errors at the base, as match keys, and whether mypy could check it at all."""

    keys: tuple[ErrorKey, ...]
    added: tuple[str, ...]  # extra files checked beside the configured targets
    blocked: bool


def tree_id(root: Path, revision: str) -> str:
    """The tree object of a commit (the empty tree stays itself)."""
    if revision == EMPTY_TREE:
        return EMPTY_TREE
    out = run(("git", "rev-parse", "--verify", f"{revision}^{{tree}}"), cwd=root).stdout
    return out.decode().strip()


def python_targets(paths: Iterable[str]) -> list[str]:
    """The Python files mypy should check: a stub wins over its source, as in mypy's search.

    Both given together would be a duplicate module.
    """
    paths = sorted(set(paths))
    stubs = {p[:-1] for p in paths if p.endswith(".pyi")}
    return [p for p in paths if p.endswith(PY_SUFFIXES) and p not in stubs]


def _wanted(path: str) -> bool:
    name = PurePosixPath(path).name
    return path.endswith(PY_SUFFIXES) or name == "py.typed" or path in MYPY_CONFIGS


def tree_files(root: Path, revision: str) -> dict[str, str]:
    """{path: blob id} of the files at revision that mypy reads (sources, stubs, config)."""
    if revision == EMPTY_TREE:
        return {}
    out = run(("git", "ls-tree", "-r", "-z", "--full-tree", revision), cwd=root).stdout
    files = {}
    for entry in out.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, path = entry.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[0] in REGULAR_MODES and parts[1] == "blob" and _wanted(path):
            files[path] = parts[2]
    return files


def export_tree(root: Path, files: dict[str, str], dest: Path) -> None:
    """Make dest hold exactly files (path -> blob id), rewriting only the changed ones."""
    manifest_path = dest.parent / f"{dest.name}.json"
    manifest = _read_json(manifest_path) if dest.is_dir() else None
    old: dict[str, str] = manifest if isinstance(manifest, dict) else {}
    if not old:
        shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / MARKER).mkdir(exist_ok=True)
    for path in set(old) - set(files):
        (dest / path).unlink(missing_ok=True)
    changed = sorted(p for p, blob in files.items() if old.get(p) != blob)
    for path, data in zip(changed, read_blobs(root, [files[p] for p in changed]), strict=True):
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data or b"")
    _write_json(manifest_path, files)


def baseline_key(tree: str, version: str, args: Sequence[str]) -> str:
    """The cache key: base tree, mypy version, our format and the arguments of the run."""
    blob = json.dumps([FORMAT, tree, version, list(args)])
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def load(folder: Path, key: str) -> Baseline | None:
    """A cached baseline, or None when there is none (or it is unreadable)."""
    data = _read_json(folder / f"baseline-{key}.json")
    try:
        if not isinstance(data, dict) or data["format"] != FORMAT:
            return None
        keys = tuple((str(a), str(b), str(c), str(d)) for a, b, c, d in data["keys"])
        return Baseline(keys, tuple(str(p) for p in data["added"]), bool(data["blocked"]))
    except (KeyError, TypeError, ValueError):
        return None


def store(folder: Path, key: str, baseline: Baseline) -> None:
    """Save a baseline atomically and drop the oldest ones beyond KEEP."""
    doc = {
        "format": FORMAT,
        "keys": [list(k) for k in baseline.keys],
        "added": list(baseline.added),
        "blocked": baseline.blocked,
    }
    _write_json(folder / f"baseline-{key}.json", doc)
    old = sorted(folder.glob("baseline-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in old[KEEP:]:
        stale.unlink(missing_ok=True)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data), encoding="utf-8")
    os.replace(temporary, path)
