"""docs: docstring coverage by interrogate's rules, on the definitions a change touches.

In a commit a definition is in scope when the change touches its `def`/`class` line (through
the end of the signature) or its docstring, or removes the docstring it had; a new file and full
mode count every definition. Missing docstrings are listed as `path:line: kind name`.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from typing import Any, NamedTuple

from quality_gates.basefiles import old_paths, read_base
from quality_gates.cachedir import cache_dir
from quality_gates.changes import FileScope
from quality_gates.defcache import DefinitionCache, Found, content_key, fingerprint
from quality_gates.docstrings import (
    BOOL_OPTIONS,
    Definition,
    Rules,
    compile_patterns,
    definitions,
    module_name,
    parse_module,
    skips_file,
)
from quality_gates.errors import FatalError
from quality_gates.findings import Finding, GateResult, Metric
from quality_gates.gates.common import GateRequest, Selection, select
from quality_gates.pysource import is_python
from quality_gates.thresholds import GatePolicy
from quality_gates.workspace import Workspace

if sys.version_info >= (3, 11):  # pragma: no cover (depends on the interpreter)
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

GATE = "docs"
PYPROJECT = "pyproject.toml"
PARALLEL_BYTES = 2 * 1024 * 1024  # below this, starting worker processes costs more than it saves
MAX_WORKERS = 4
CACHE_MIN_FILES = 50  # a commit's few files are parsed afresh; full runs reuse the cache


def read_interrogate_config(pyproject: bytes | None, *, where: str = PYPROJECT) -> dict[str, Any]:
    """Read [tool.interrogate] (keys with `-` or `_`), keeping what affects the counts."""
    if pyproject is None:
        return {}
    try:
        data = tomllib.loads(pyproject.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FatalError(f"{where}: cannot read: {exc}") from None
    section = data.get("tool", {}).get("interrogate", {})
    if not isinstance(section, Mapping):
        raise FatalError(f"{where}: [tool.interrogate] must be a table")
    config = {str(k).replace("_", "-").lstrip("-"): v for k, v in section.items()}
    for key in BOOL_OPTIONS:
        if key in config and not isinstance(config[key], bool):
            raise FatalError(f"{where}: [tool.interrogate] {key} must be true or false")
    for key in ("ignore-regex", "whitelist-regex", "exclude"):
        value = config.get(key)
        if isinstance(value, str):
            config[key] = [value]
        elif value is not None and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise FatalError(f"{where}: [tool.interrogate] {key} must be a list of strings")
    return config


def resolve_rules(policy: GatePolicy, interrogate: Mapping[str, Any]) -> Rules:
    """Resolve the rules: [tool.quality-gates.docs] wins; [tool.interrogate] fills what is unset."""

    def pick(key: str, default: Any) -> Any:
        mine = policy.get(key)
        if mine is not None:
            return mine
        return interrogate.get(key, default)

    flags = {key.replace("-", "_"): bool(pick(key, False)) for key in BOOL_OPTIONS}
    try:
        ignore = compile_patterns(pick("ignore-regex", ()), key="ignore-regex")
        whitelist = compile_patterns(pick("whitelist-regex", ()), key="whitelist-regex")
    except ValueError as exc:
        raise FatalError(str(exc)) from None
    style = str(pick("style", "sphinx")).lower()
    if style not in ("sphinx", "google"):
        raise FatalError(f"style = {style!r}: must be sphinx or google")
    if whitelist:  # interrogate's CLI does the same: modules are not whitelisted names
        flags["ignore_module"] = True
    return Rules(
        **flags,
        ignore_regex=ignore,
        whitelist_regex=whitelist,
        exclude=tuple(pick("exclude", ())),
        style=style,
    )


def _fail_under_note(policy: GatePolicy, interrogate: Mapping[str, Any]) -> tuple[str, ...]:
    fail_under = interrogate.get("fail-under")
    if fail_under is None or fail_under == policy.threshold:
        return ()
    return (
        f"[tool.interrogate] fail-under = {fail_under} is not used: the threshold is "
        f"docs.threshold = {policy.threshold:g}",
    )


class FileCount(NamedTuple):
    """One file's definitions in scope, and its missing docstrings split new/existing."""

    good: int
    total: int
    new: list[Finding]
    existing: list[Finding]


def in_scope(definition: Definition, scope: FileScope, was_documented: bool) -> bool:
    """Tell whether the change owns a definition: its def line, docstring, or a lost docstring."""
    if scope.whole:
        return True
    if definition.kind != "module" and scope.lines.overlaps(*definition.header):
        return True
    if definition.docstring is not None and scope.lines.overlaps(*definition.docstring):
        return True
    return was_documented and not definition.documented


def finding(path: str, definition: Definition) -> Finding:
    """`path:line: kind name` (no column: a definition is a line)."""
    return Finding(path, definition.line, 0, definition.kind, definition.name)


def analyse(content: bytes, name: str, rules: Rules) -> Found:
    """The definitions interrogate would count in content; None when it does not parse."""
    tree = parse_module(content)
    return None if tree is None else tuple(definitions(tree, name, rules))


def count_file(path: str, found: Found, scope: FileScope, documented_before: set[str]) -> FileCount:
    """Count one file's definitions in scope; a file that does not parse is one missing one."""
    if found is None:
        broken = Finding(path, 1, 0, "syntax-error", "does not parse: counted as undocumented")
        return FileCount(0, 1, [broken], [])
    good = total = 0
    new: list[Finding] = []
    existing: list[Finding] = []
    for definition in found:
        if not in_scope(definition, scope, _key(definition) in documented_before):
            if not definition.documented:
                existing.append(finding(path, definition))
            continue
        total += 1
        good += definition.documented
        if not definition.documented:
            new.append(finding(path, definition))
    return FileCount(good, total, new, existing)


def _key(definition: Definition) -> str:
    return f"{definition.kind} {definition.name}"


def documented_before(
    workspace: Workspace, selection: Selection, files: list[str], rules: Rules
) -> dict[str, set[str]]:
    """For files in line scope: the definitions that had a docstring on the base side."""
    partial = [p for p in files if not selection.scopes[p].whole]
    before = read_base(workspace.changes, old_paths(workspace.changes, partial))
    found: dict[str, set[str]] = {}
    for path, content in before.items():
        defined = analyse(content, module_name(path), rules) or ()
        found[path] = {_key(d) for d in defined if d.documented}
    return found


def _analyse_batch(batch: list[tuple[bytes, str]], rules: Rules) -> list[Found]:
    # Syntax trees hold no reference cycles, so reference counting frees each one; the cyclic
    # collector would only re-scan the many nodes a parse allocates (about a quarter of the time).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return [analyse(content, name, rules) for content, name in batch]
    finally:
        if was_enabled:
            gc.enable()


def _can_fork() -> bool:
    """Fork only a single-threaded process on Linux (other gates' threads could hold locks).

    fork needs no re-import of __main__, unlike spawn and forkserver, so it works however the
    hook was started.
    """
    return sys.platform == "linux" and threading.active_count() == 1


def idle_cores() -> int:
    """Cores not busy with other work (by the 1-minute load average), at most MAX_WORKERS.

    On a machine already loaded, extra worker processes only add their start-up and transfer
    costs, so they are used when there are idle cores to run them.
    """
    cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except OSError:
        busy = 0.0
    return max(1, min(MAX_WORKERS, cores, int(cores - busy + 0.5)))


def analyse_all(items: list[tuple[bytes, str]], rules: Rules) -> list[Found]:
    """Analyse (content, module name) items; many bytes are parsed on several cores."""
    workers = idle_cores()
    if workers < 2 or not _can_fork() or sum(len(c) for c, _ in items) < PARALLEL_BYTES:
        return _analyse_batch(items, rules)
    order = sorted(range(len(items)), key=lambda i: -len(items[i][0]))
    batches = [order[i::workers] for i in range(workers)]  # balanced by size
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        parts = pool.map(
            _analyse_batch, [[items[i] for i in b] for b in batches], [rules] * workers
        )
        done = {
            i: found
            for batch, part in zip(batches, parts, strict=True)
            for i, found in zip(batch, part, strict=True)
        }
    return [done[i] for i in range(len(items))]


def analyse_cached(
    items: list[tuple[bytes, str]], rules: Rules, cache: DefinitionCache | None
) -> list[Found]:
    """analyse_all, reusing and refreshing the cache when there is one."""
    if cache is None:
        return analyse_all(items, rules)
    keys = [content_key(content, name) for content, name in items]
    looked = [cache.get(key) for key in keys]
    missing = [i for i, (hit, _) in enumerate(looked) if not hit]
    fresh = analyse_all([items[i] for i in missing], rules)
    results = [found for _, found in looked]
    for i, found in zip(missing, fresh, strict=True):
        results[i] = found
        cache.put(keys[i], found)
    return results


def _cache(workspace: Workspace, rules: Rules, *, enabled: bool) -> DefinitionCache | None:
    if not enabled:
        return None
    try:
        directory = cache_dir(workspace.root)
    except OSError:
        return None  # a read-only checkout: measure without a cache
    return DefinitionCache(directory / f"docs-{fingerprint(rules)}.json")


def _is_module_source(path: str, head: bytes) -> bool:
    return is_python(path, head) and not path.endswith(".pyi")


def measure(request: GateRequest) -> GateResult:
    """Measure docstring coverage over the request's Python files."""
    workspace, policy = request.workspace, request.policy.gate(GATE)
    interrogate = read_interrogate_config(workspace.optional_content(PYPROJECT))
    rules = resolve_rules(policy, interrogate)
    selection = select(request, _is_module_source)
    files = [p for p in selection.files if not skips_file(p, rules)]
    before = documented_before(workspace, selection, files, rules)
    items = [(workspace.content(path), module_name(path)) for path in files]
    cache = _cache(workspace, rules, enabled=len(files) >= CACHE_MIN_FILES)
    analysed = analyse_cached(items, rules, cache)
    counts = [
        count_file(path, found, selection.scopes[path], before.get(path, set()))
        for path, found in zip(files, analysed, strict=True)
    ]
    if cache is not None:
        cache.save()
    good = sum(c.good for c in counts)
    total = sum(c.total for c in counts)
    new = [f for c in counts for f in c.new]
    existing = [f for c in counts for f in c.existing]
    left_out = len(selection.files) - len(files)
    notes = selection.notes + _fail_under_note(policy, interrogate)
    if left_out:
        notes += (f"{left_out} file(s) left out by exclude / ignore-init-module",)
    return GateResult(
        gate=GATE,
        metric=Metric("coverage", good, total, 100.0),
        threshold=policy.threshold,
        target=policy.target,
        new=tuple(new),
        existing=tuple(existing),
        notes=notes,
    )
