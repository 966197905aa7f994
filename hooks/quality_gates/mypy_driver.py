"""Run mypy once, in its own process, for the types gate: its messages plus per-line precision.

`python -m quality_gates.mypy_driver REQUEST.json` reads a request (mypy's arguments, the files
to check, the files to measure), runs mypy's build with the user's configuration and prints one
JSON document on stdout.

Why not `mypy --lineprecision-report`: any report turns mypy's incremental cache off, so every
commit would pay for a cold run over the whole import graph. Here the measured files are given
to the build with their text (so they are always re-checked and their syntax trees and types
kept) while everything else comes from the cache; each line is classified by the same visitor
mypy's line precision report uses, so the numbers agree with that report.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import tokenize
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypedDict

FORMAT = 1  # bump when the output document changes (it is part of the baseline cache key)


class Request(TypedDict):
    """What the gate asks for: mypy's options, the files to check and the files to measure."""

    mypy_args: list[str]
    targets: list[str]  # used when the mypy config names no files, packages or modules
    extra: list[str]  # checked in every case (the files the hook was given)
    precision: list[str]  # files whose lines are classified
    precision_cache: str  # file keeping the last precision of each file ("" for none)


def read_request(path: Path) -> Request:
    """Load and check a request file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in ("mypy_args", "targets", "extra", "precision"):
        value = data.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"request key {key!r} must be a list of strings")
    return Request(
        mypy_args=data["mypy_args"],
        targets=data["targets"],
        extra=data["extra"],
        precision=data["precision"],
        precision_cache=str(data.get("precision_cache") or ""),
    )


def line_statuses(data: bytes, line_map: dict[int, int], empty: int) -> str:
    """One digit per physical line, as mypy's line precision report counts them.

    The report enumerates `tokenize.open(path)`: the file decoded by its coding cookie with
    universal newlines; a line the visitor did not classify is empty.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace")
    count = sum(1 for _ in text)
    return "".join(str(line_map.get(n, empty)) for n in range(1, count + 1))


def _norm(path: str) -> str:
    return os.path.normpath(path)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _load_cache(path: str) -> dict[str, list[str]]:
    """The precision of files as last measured: {path: [content sha256, statuses]}."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == FORMAT else {}


def _save_cache(path: str, cache: dict[str, Any]) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps({**cache, "format": FORMAT}), encoding="utf-8")
    os.replace(temporary, target)


class _Build:
    """mypy's build over the sources, with what the precision visitor needs kept."""

    def __init__(self, request: Request) -> None:
        from mypy.defaults import RECURSION_LIMIT
        from mypy.find_sources import create_source_list
        from mypy.fscache import FileSystemCache
        from mypy.main import process_options
        from mypy.modulefinder import matches_exclude

        sys.setrecursionlimit(RECURSION_LIMIT)
        self.fscache = FileSystemCache()
        configured, options = process_options(
            list(request["mypy_args"]), require_targets=False, fscache=self.fscache
        )
        options.export_types = True  # keep the types of re-checked modules
        options.preserve_asts = True  # and their syntax trees, for the precision visitor
        # ...but per module keep mypy's usual shortcut of not checking the function bodies of
        # silenced (third-party) modules, as its line precision report does; "*.*" is the
        # unstructured glob that matches every module
        options.per_module_options.setdefault("*.*", {})["preserve_asts"] = False
        if hasattr(options, "num_workers"):  # mypy >= 1.19 can check in parallel processes
            options.num_workers = 0  # one process: the trees must stay here
        options.install_types = False
        self.options = options
        self.shadows = {_norm(src): shadow for src, shadow in options.shadow_file or ()}

        def excluded(path: str) -> bool:
            return matches_exclude(path, options.exclude, self.fscache, verbose=False)

        has_config_targets = bool(options.files or options.packages or options.modules)
        wanted = [] if has_config_targets else [p for p in request["targets"] if not excluded(p)]
        self.skipped = sorted({p for p in request["extra"] if excluded(p)})
        seen = {_norm(s.path) for s in configured if s.path} | {_norm(p) for p in wanted}
        self.added = _unique((p for p in request["extra"] if p not in self.skipped), seen)
        paths = wanted + self.added
        self.sources = configured + create_source_list(paths, options, self.fscache)

    def content(self, path: str) -> bytes:
        """What mypy reads for path: its shadow file, else the file."""
        return Path(self.shadows.get(_norm(path), path)).read_bytes()

    def build(self, forced: set[str], messages: list[str]) -> Any:
        """Run the build; the forced paths are given with their text, so they are re-checked."""
        from mypy import build
        from mypy.modulefinder import BuildSource
        from mypy.util import decode_python_encoding

        sources = [
            BuildSource(s.path, s.module, decode_python_encoding(self.content(s.path)), s.base_dir)
            if s.path and _norm(s.path) in forced
            else s
            for s in self.sources
        ]

        def flush_errors(_: str | None, new: list[str], __: bool) -> None:
            messages.extend(new)

        result = build.build(sources, self.options, None, flush_errors, self.fscache)
        result.manager.metastore.close()
        return result


def _measure(result: Any, source: Any, data: bytes) -> str:
    from mypy import stats

    tree = result.files[source.module]
    visitor = stats.StatisticsVisitor(
        inferred=True,
        filename=tree.fullname,
        modules=result.files,
        typemap=result.types,
        all_nodes=True,
    )
    tree.accept(visitor)
    return line_statuses(data, visitor.line_map, stats.TYPE_EMPTY)


def _precision(
    work: _Build, result: Any, measured: set[str], cache: dict[str, Any]
) -> tuple[dict[str, str], set[str]]:
    """Measure the re-checked files; take the others (fresh in mypy's cache) from ours."""
    found: dict[str, str] = {}
    missing: set[str] = set()
    rechecked = result.manager.rechecked_modules
    for source in work.sources:
        key = _norm(source.path or "")
        if key not in measured:
            continue
        data = work.content(key)
        entry = cache.get(key)
        if source.module in rechecked and source.module in result.files:
            found[key] = _measure(result, source, data)
            cache[key] = [_digest(data), found[key]]
        elif isinstance(entry, list) and entry[0] == _digest(data):
            found[key] = entry[1]
        else:
            missing.add(key)
    return found, missing


def run(request: Request) -> dict[str, Any]:
    """Run the build; return the document the gate reads."""
    from mypy.errors import CompileError
    from mypy.find_sources import InvalidSourceList
    from mypy.version import __version__

    try:
        work = _Build(request)
    except InvalidSourceList as exc:
        return _document(__version__, [f"mypy: error: {exc}"], blocked=True, skipped=[])
    measured = {_norm(p) for p in request["precision"]} - {_norm(p) for p in work.skipped}
    cache = _load_cache(request["precision_cache"]) if request["precision_cache"] else {}
    messages: list[str] = []
    try:
        result = work.build(set(), messages)
        precision, missing = _precision(work, result, measured, cache)
        if missing:  # fresh in mypy's cache but not in ours: check those again, with their text
            messages.clear()
            result = work.build(missing, messages)
            precision.update(_precision(work, result, missing, cache)[0])
    except CompileError as exc:
        seen = set(messages)
        messages += [m for m in exc.messages if m not in seen]
        return _document(
            __version__, messages, blocked=True, skipped=work.skipped, added=work.added
        )
    if request["precision_cache"] and measured:
        _save_cache(request["precision_cache"], cache)
    return _document(
        __version__,
        messages,
        blocked=False,
        skipped=work.skipped,
        added=work.added,
        precision=precision,
    )


def _unique(paths: Iterable[str], seen: set[str]) -> list[str]:
    """The paths not seen yet, in order, once each (seen is updated)."""
    kept = []
    for path in paths:
        if _norm(path) not in seen:
            seen.add(_norm(path))
            kept.append(path)
    return kept


def _document(
    version: str,
    messages: list[str],
    *,
    blocked: bool,
    skipped: Sequence[str],
    added: Sequence[str] = (),
    precision: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "mypy": version,
        "messages": messages,
        "blocked": blocked,
        "excluded": list(skipped),
        "added": list(added),
        "precision": precision or {},
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: one request file in, one JSON document out."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m quality_gates.mypy_driver REQUEST.json", file=sys.stderr)
        return 2
    try:
        request = read_request(Path(args[0]))
    except (OSError, ValueError) as exc:
        print(f"mypy_driver: bad request {args[0]}: {exc}", file=sys.stderr)
        return 2
    document = run(request)
    sys.stdout.write(json.dumps(document) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":  # pragma: no cover (run as a subprocess by the types gate)
    CODE = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # as mypy itself does: skip tearing down the syntax trees and types, which costs more than
    # the incremental check of a small change
    os._exit(CODE)
