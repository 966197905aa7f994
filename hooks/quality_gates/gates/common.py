"""What the gates share: the request they receive, file selection, and the statement metric."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from quality_gates.changes import FileScope, Scope, breaks_line, is_skippable
from quality_gates.errors import FatalError
from quality_gates.findings import Finding, Metric, Suppression, added_suppressions
from quality_gates.pysource import is_binary, is_python
from quality_gates.spancache import comments_cached
from quality_gates.thresholds import Policy
from quality_gates.workspace import Workspace


@dataclass(frozen=True)
class GateRequest:
    """Everything a gate needs: the workspace, the files to judge, the scope and the policy."""

    workspace: Workspace
    files: tuple[str, ...]
    scope: Scope
    policy: Policy
    fix: bool = False


class Selection(NamedTuple):
    """The files a gate will check, their scopes, and notes about the files it skipped."""

    files: tuple[str, ...]
    scopes: Mapping[str, FileScope]
    notes: tuple[str, ...]


def select(request: GateRequest, accept: Callable[[str, bytes], bool]) -> Selection:
    """Keep the files this gate checks; say why each other file was skipped."""
    workspace = request.workspace
    kept: list[str] = []
    notes: list[str] = []
    for path in request.files:
        change = workspace.changes.changes.get(path)
        why = is_skippable(workspace.root, path)
        if why is None and change is not None and change.binary:
            why = "binary"
        if why is None:
            head = workspace.content(path)[:256]
            if not accept(path, head):
                continue
            problem = _name_problem(path)
            if problem:
                raise FatalError(f"{path!r}: {problem}: rename it")
            if is_binary(workspace.content(path)):
                why = "binary"
        if why is None:
            kept.append(path)
        else:
            notes.append(f"{path}: skipped ({why})")
    scopes = {p: workspace.changes.scope(p, request.scope) for p in kept}
    return Selection(tuple(kept), scopes, tuple(notes))


def _name_problem(path: str) -> str | None:
    """Say why the tools could not report on a file of this name faithfully (a silent pass)."""
    if breaks_line(path):
        return "a file name with a line break cannot be checked (tools report one name per line)"
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return "a file name that is not UTF-8 cannot be checked (tools report names in UTF-8)"
    return None


def is_full_run(request: GateRequest) -> bool:
    """A full run: `--scope full`, or files were given and none is part of the active change.

    The second case is `pre-commit run --all-files` on a clean checkout, where pre-commit passes
    every file and the diff is empty.
    """
    if request.scope == "full":
        return True
    changed = request.workspace.changes.changes
    return bool(request.files) and not any(path in changed for path in request.files)


def select_python(request: GateRequest) -> Selection:
    """Keep the Python files (by suffix, or a python shebang)."""
    return select(request, is_python)


def statement_metric(
    name: str,
    workspace: Workspace,
    selection: Selection,
    new: Iterable[Finding],
    *,
    scale: float,
) -> tuple[Metric, tuple[str, ...]]:
    """Count statements in scope, and those without a new finding (§5 lint and security)."""
    bad: dict[str, set[int]] = {}
    for finding in new:
        bad.setdefault(finding.path, set()).add(finding.line)
    good = total = 0
    notes = []
    for path in selection.files:
        source = workspace.source(path)
        scope = selection.scopes[path]
        if source.spans is None:
            notes.append(f"{path}: does not parse; counted as one failing statement")
            total += 1
            continue
        owned = [i for i, span in enumerate(source.spans) if scope.covers_span(*span)]
        hit = {source.statement_at(line) for line in bad.get(path, ())}
        total += len(owned) + len(hit - set(owned))
        good += len(set(owned) - hit)
    return Metric(name, good, total, scale), tuple(notes)


def suppressions(
    workspace: Workspace, selection: Selection, kinds: Sequence[str]
) -> tuple[Suppression, ...]:
    """Suppression comments of the given kinds added on changed lines of the selected files."""
    found: list[Suppression] = []
    for path in selection.files:
        found += added_suppressions(
            path,
            workspace.content(path),
            selection.scopes[path],
            kinds,
            comments_of=lambda content: comments_cached(workspace.root, content),
        )
    return tuple(found)


def tool_path_of(root_relative: str) -> str:
    """Normalise a path a tool printed (`./x.py`) to the repo-relative form (`x.py`)."""
    while root_relative.startswith("./"):
        root_relative = root_relative[2:]
    return root_relative
