"""Run the selected gates over one change, concurrently, in one process."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from quality_gates.changes import ChangeSet, Scope, is_skippable, to_repo_path
from quality_gates.errors import FatalError
from quality_gates.findings import GateResult
from quality_gates.gates.common import GateRequest
from quality_gates.thresholds import Policy
from quality_gates.workspace import Workspace

GATE_MODULES: Mapping[str, str] = {
    "lint": "quality_gates.gates.lint",
    "format": "quality_gates.gates.formatting",
    "security": "quality_gates.gates.security",
    "types": "quality_gates.gates.types_gate",
    "docs": "quality_gates.gates.docs",
    "links": "quality_gates.gates.links",
    "a11y": "quality_gates.gates.a11y",
    "coverage": "quality_gates.gates.coverage",
    "tests": "quality_gates.gates.testrun",
    "perf": "quality_gates.gates.perf",
}


def available(names: Sequence[str]) -> tuple[str, ...]:
    """The gates among names that this version implements, in the given order."""
    return tuple(n for n in names if n in GATE_MODULES)


def _measure_function(name: str) -> Callable[[GateRequest], GateResult]:
    if name not in GATE_MODULES:
        raise FatalError(f"gate {name!r} is not available (available: {', '.join(GATE_MODULES)})")
    module = importlib.import_module(GATE_MODULES[name])
    return module.measure  # type: ignore[no-any-return]


def measure(name: str, request: GateRequest) -> GateResult:
    """Run one gate; its errors name the gate."""
    function = _measure_function(name)
    try:
        return function(request)
    except FatalError as exc:
        raise FatalError(f"{name}: {exc}") from exc


def measure_all(names: Sequence[str], request: GateRequest) -> list[GateResult]:
    """Run the gates concurrently (their tools are subprocesses) and keep the given order."""
    for name in names:
        _measure_function(name)  # fail on an unknown gate before starting any tool
    if len(names) == 1:
        return [measure(names[0], request)]
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        futures = [pool.submit(measure, name, request) for name in names]
        return [future.result() for future in futures]


def select_files(
    changes: ChangeSet, names: Sequence[str], *, all_files: bool, cwd: Path | None = None
) -> tuple[str, ...]:
    """The files to check: those named, else every file (--all-files), else the change's."""
    if names:
        paths = [to_repo_path(changes.root, name, cwd) for name in names]
        return tuple(dict.fromkeys(paths))
    return tuple(changes.all_files() if all_files else changes.changed_files())


def build_request(
    changes: ChangeSet,
    policy: Policy,
    files: Sequence[str],
    *,
    scope: Scope,
    fix: bool = False,
) -> GateRequest:
    """Bundle what the gates need for one call, with the files' content read in one go."""
    workspace = Workspace(changes)
    readable = [
        f
        for f in files
        if is_skippable(changes.root, f) is None
        and ((changes.root / f).is_file() or f in changes.changes)
    ]
    workspace.prefetch(readable)
    workspace.differs_on_disk(readable)  # one git call for every gate's tool tree
    return GateRequest(workspace, tuple(files), scope, policy, fix)
