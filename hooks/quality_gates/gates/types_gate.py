"""types: mypy --strict on the staged content; new errors anywhere fail; type coverage %.

One mypy run checks the whole project (the files of the user's [tool.mypy] `files`, else every
tracked Python file, plus the files given) with its incremental cache. Files whose working tree
differs from the content being checked are given to mypy as shadow files. Errors are compared
with a baseline run at the base revision (cached), so a change that breaks an unchanged caller in
another file fails, and old debt does not. Type coverage is precise lines over precise +
imprecise + any lines, as mypy's line precision report counts them, over the scope.

(Named types_gate, not types: a module called types beside a script would shadow the stdlib's.)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from quality_gates import type_baseline
from quality_gates.changes import EMPTY_TREE, FileScope
from quality_gates.findings import Finding, GateResult, Metric, suppression_cap_reason
from quality_gates.gates.common import GateRequest, Selection, select_python, suppressions
from quality_gates.process import run
from quality_gates.typecheck import (
    MYPY_CONFIGS,
    Interpreter,
    RunResult,
    choose_config,
    ensure_cache_dir,
    find_interpreter,
    keys_of,
    match_baseline,
    mypy_args,
    run_driver,
    text_lines,
)
from quality_gates.workspace import Workspace

GATE = "types"
METRIC = "type coverage"
PRECISE, IMPRECISE, ANY = "2", "3", "4"


@dataclass(frozen=True)
class Plan:
    """How the runs are made: the interpreter, mypy's arguments, the targets, the cache."""

    workspace: Workspace
    selection: Selection
    interpreter: Interpreter
    args: tuple[str, ...]  # what every run shares, and what a baseline's cache key records
    targets: tuple[str, ...]
    cache: Path


def coverage(
    precision: Mapping[str, str], scopes: Mapping[str, FileScope], files: Sequence[str]
) -> tuple[Metric, tuple[str, ...]]:
    """Precise lines over precise + imprecise + any lines of the scope (§5 types)."""
    good = total = 0
    notes = []
    for path in files:
        statuses = precision.get(path)
        if statuses is None:
            notes.append(f"{path}: not analysed by mypy; counted as one imprecise line")
            total += 1
            continue
        scope = scopes[path]
        for line, status in enumerate(statuses, 1):
            if status in (PRECISE, IMPRECISE, ANY) and scope.covers(line):
                total += 1
                good += status == PRECISE
    return Metric(METRIC, good, total), tuple(notes)


def _differ_on_disk(workspace: Workspace) -> set[str]:
    """Tracked paths whose working-tree content is not what is checked (one git call)."""
    changes = workspace.changes
    against = [] if changes.target is None else [changes.target]
    out = run(("git", "diff", "--name-only", "-z", "--no-ext-diff", *against), cwd=changes.root)
    return {p for p in out.stdout.decode("utf-8", "surrogateescape").split("\0") if p}


@contextmanager
def shadowed(workspace: Workspace, paths: Sequence[str]) -> Iterator[tuple[list[str], set[str]]]:
    """Arguments for mypy giving the checked content of the paths that differ on disk.

    Yields (arguments, paths missing on disk): mypy cannot shadow a file that is not there.
    """
    differ = _differ_on_disk(workspace)
    missing = {p for p in paths if not os.path.lexists(workspace.root / p)}
    with tempfile.TemporaryDirectory(prefix="quality-types-") as tmp:
        args: list[str] = []
        for index, path in enumerate(sorted((differ & set(paths)) - missing)):
            shadow = Path(tmp) / f"{index}{Path(path).suffix}"
            shadow.write_bytes(workspace.content(path))
            args += ["--shadow-file", path, str(shadow)]
        if differ & set(MYPY_CONFIGS):
            args += ["--config-file", _staged_config(workspace, Path(tmp))]
        yield args, missing


def _staged_config(workspace: Workspace, folder: Path) -> str:
    """A copy of the mypy config as checked (staged), for when the disk's differs."""
    contents = {name: workspace.optional_content(name) for name in MYPY_CONFIGS}
    chosen = choose_config(contents)
    data = contents[chosen] if chosen else None
    target = folder / (chosen or "mypy.ini")
    target.write_bytes(data if data is not None else b"[mypy]\n")
    return str(target)


def plan(request: GateRequest, selection: Selection) -> Plan:
    """Decide the interpreter, the arguments and the targets of the runs."""
    workspace, policy = request.workspace, request.policy.gate(GATE)
    interpreter = find_interpreter(workspace.root, policy.get("python"), os.environ)
    args = mypy_args(interpreter, strict=policy.get("strict"), extra=policy.get("args"))
    return Plan(
        workspace=workspace,
        selection=selection,
        interpreter=interpreter,
        args=tuple(args),
        targets=tuple(type_baseline.python_targets(workspace.changes.all_files())),
        cache=ensure_cache_dir(workspace.root),
    )


def staged_run(the_plan: Plan) -> tuple[RunResult, tuple[str, ...]]:
    """Run mypy on the checked content; also return the files it could not see."""
    workspace, cache = the_plan.workspace, the_plan.cache
    files = the_plan.selection.files
    with shadowed(workspace, [*the_plan.targets, *files]) as (shadows, missing):
        result = run_driver(
            workspace.root,
            ["--cache-dir", str(cache / "mypy"), *the_plan.args, *shadows],
            targets=[t for t in the_plan.targets if t not in missing],
            extra=[f for f in files if f not in missing],
            precision=[f for f in files if f not in missing],
            precision_cache=cache / "mypy" / "quality-gates-precision.json",
        )
    return result, tuple(sorted(missing & set(files)))


def _baseline_run(the_plan: Plan, tree: str, added: Sequence[str]) -> type_baseline.Baseline:
    """Run mypy at the base (its files exported to the cache) and key its errors."""
    root, cache = the_plan.workspace.root, the_plan.cache
    files = type_baseline.tree_files(root, the_plan.workspace.changes.base)
    dest = cache / "types" / "base-tree"
    type_baseline.export_tree(root, files, dest)
    args = ["--cache-dir", str(cache / "mypy-base"), *the_plan.args]
    extra = [f for f in added if f in files]
    result = run_driver(dest, args, targets=type_baseline.python_targets(files), extra=extra)
    keys = keys_of(result.findings, lambda p: text_lines(_read(dest / p)))
    return type_baseline.Baseline(tuple(keys), tuple(added), result.blocked)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


class Lookup(NamedTuple):
    """The base's tree, the baseline's cache key, and the cached baseline if there is one."""

    tree: str
    key: str
    cached: type_baseline.Baseline | None


def lookup(the_plan: Plan) -> Lookup | None:
    """Find the cached baseline for this base, mypy and arguments (None: no base to compare)."""
    changes = the_plan.workspace.changes
    if changes.base == EMPTY_TREE:
        return None
    tree = type_baseline.tree_id(changes.root, changes.base)
    key = type_baseline.baseline_key(tree, metadata.version("mypy"), the_plan.args)
    return Lookup(tree, key, type_baseline.load(the_plan.cache / "types", key))


def baseline(
    the_plan: Plan, found: Lookup | None, added: Sequence[str]
) -> tuple[type_baseline.Baseline, bool]:
    """The cached baseline when it checked the files this run added, else a new run."""
    if found is None:
        return type_baseline.Baseline((), (), False), False
    cached = found.cached
    if cached is not None and set(added) <= set(cached.added):
        return cached, False
    union = sorted(set(added) | set(cached.added if cached else ()))
    fresh = _baseline_run(the_plan, found.tree, union)
    type_baseline.store(the_plan.cache / "types", found.key, fresh)
    return fresh, True


def classify(
    the_plan: Plan, result: RunResult, found: Lookup | None
) -> tuple[list[Finding], list[Finding], tuple[str, ...]]:
    """Split the staged errors into new and existing; notes about the baseline."""
    scopes = the_plan.selection.scopes
    whole: list[Finding] = []
    others: list[Finding] = []
    for finding in result.findings:
        in_whole_file = finding.path in scopes and scopes[finding.path].whole
        (whole if in_whole_file else others).append(finding)
    if not others:
        return whole, [], ()
    base, ran = baseline(the_plan, found, result.added)
    workspace = the_plan.workspace
    keys = keys_of(others, lambda p: text_lines(workspace.optional_content(p)))
    new, existing = match_baseline(others, keys, base.keys)
    notes: tuple[str, ...] = ()
    if ran:
        notes += (f"baseline: mypy ran at the base {workspace.changes.base[:12]}",)
    if base.blocked:
        notes += ("baseline: mypy stopped at a blocking error at the base; nothing to compare",)
    return sorted(whole + new, key=Finding.sort_key), existing, notes


def _reasons(request: GateRequest, result: RunResult, new: Sequence[Finding]) -> list[str]:
    allowed = request.policy.gate(GATE).get("max-new-errors")
    reasons = [f"mypy: {problem}" for problem in result.problems]
    if result.blocked:
        reasons.append("mypy stopped at a blocking error: the rest of the code was not checked")
    if allowed >= 0 and len(new) > allowed:
        reasons.append(f"{len(new)} new mypy error(s), max-new-errors is {allowed}")
    return reasons


def _without(selection: Selection, dropped: Sequence[str], why: str) -> Selection:
    kept = tuple(p for p in selection.files if p not in dropped)
    notes = tuple(f"{p}: skipped ({why})" for p in dropped if p in selection.files)
    return Selection(kept, {p: selection.scopes[p] for p in kept}, selection.notes + notes)


def measure(request: GateRequest) -> GateResult:
    """Measure the types gate: mypy's new errors anywhere, and type coverage of the scope."""
    policy = request.policy.gate(GATE)
    selection = select_python(request)
    if not selection.files:
        empty = Metric(METRIC, 0, 0)
        return GateResult(GATE, empty, policy.threshold, policy.target, notes=selection.notes)
    the_plan = plan(request, selection)
    with ThreadPoolExecutor(max_workers=1) as pool:
        staged = pool.submit(staged_run, the_plan)
        ignores = suppressions(request.workspace, selection, ("type: ignore",))  # meanwhile
        found = lookup(the_plan)
        result, missing = staged.result()
    selection = _without(selection, missing, "staged but missing on disk: mypy cannot read it")
    selection = _without(selection, result.excluded, "excluded by the mypy config")
    the_plan = replace(the_plan, selection=selection)
    new, existing, baseline_notes = classify(the_plan, result, found)
    metric, coverage_notes = coverage(result.precision, selection.scopes, selection.files)
    added = tuple(s for s in ignores if s.path in selection.scopes)
    cap = suppression_cap_reason(len(added), request.policy.max_new_suppressions)
    return GateResult(
        gate=GATE,
        metric=metric,
        threshold=policy.threshold,
        target=policy.target,
        new=tuple(new),
        existing=tuple(existing),
        suppressions=added,
        notes=(
            the_plan.interpreter.describe(),
            *(f"mypy said: {warning}" for warning in result.warnings),
            *selection.notes,
            *baseline_notes,
            *coverage_notes,
        ),
        reasons=(*_reasons(request, result, new), *cap),
    )
