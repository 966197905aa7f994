"""Pick the tests a change can affect, and say why each was picked.

Three sources, in order: tests in changed test files; tests that executed a changed function
according to coverage.py dynamic contexts from the last full run (`--cov-context=test` or
`dynamic_context = test_function`); and, for changes the context data cannot place (a file it did
not measure, module-level code, no context data at all), tests that import the changed module
through the static import graph.
"""

from __future__ import annotations

import ast
import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from quality_gates.coverage_paths import PathMatcher
from quality_gates.pysource import decode, is_python

if TYPE_CHECKING:
    from coverage import CoverageData

    from quality_gates.workspace import Workspace

MODULE = "<module>"


@dataclass
class Selection:
    """Selected pytest arguments (files or node ids), why each, and notes on what was not."""

    reasons: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, test: str, why: str) -> None:
        """Select a test (first reason wins)."""
        self.reasons.setdefault(test, why)

    def args(self) -> tuple[str, ...]:
        """Pytest arguments: node ids under a selected file are left to the file."""
        files = {t for t in self.reasons if "::" not in t}
        return tuple(
            t for t in sorted(self.reasons) if "::" not in t or t.split("::")[0] not in files
        )


def is_test_file(path: str, patterns: Sequence[str]) -> bool:
    """Tell whether path is a test file by its name (pytest's python_files globs)."""
    name = PurePosixPath(path).name
    return path.endswith(".py") and any(fnmatch.fnmatch(name, p) for p in patterns)


# which functions a change touches ------------------------------------------------------------


def definitions(source: str) -> dict[str, tuple[int, int]]:
    """Qualified names of functions and classes with their line spans (decorators included)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {}
    spans: dict[str, tuple[int, int]] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                start = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                spans[name] = (start, child.end_lineno or child.lineno)
                visit(child, f"{name}.")

    visit(tree, "")
    return spans


def touched(source: str, lines: Iterable[int]) -> set[str]:
    """The innermost function (or class) owning each changed line; MODULE for the rest."""
    spans = definitions(source)
    names = set()
    for line in lines:
        owners = [
            (end - start, name) for name, (start, end) in spans.items() if start <= line <= end
        ]
        names.add(min(owners)[1] if owners else MODULE)
    return names


# context data -> test ids --------------------------------------------------------------------


def context_to_test(context: str, test_files: Sequence[str]) -> str | None:
    """Turn a dynamic context into a pytest node id (None for the empty or unknown context).

    pytest-cov writes `tests/test_x.py::TestC::test_a[1]|run`; coverage.py's test_function
    context writes the dotted `tests.test_x.TestC.test_a`.
    """
    if not context:
        return None
    if "::" in context:
        return context.split("|", 1)[0]
    parts = context.split(".")
    for k in range(len(parts) - 1, 0, -1):
        module = "/".join(parts[:k]) + ".py"
        found = [f for f in test_files if f == module or f.endswith("/" + module)]
        if len(found) == 1:
            return "::".join([found[0], *parts[k:]])
    return None


def exists(node_id: str, workspace: Workspace, files: frozenset[str]) -> bool:
    """Tell whether a node id still names a test in the checked content."""
    path, *names = node_id.split("::")
    if path not in files:
        return False
    if not names:
        return True
    spans = definitions(decode(workspace.content(path)))
    return ".".join(n.split("[", 1)[0] for n in names) in spans


@dataclass(frozen=True)
class Contexts:
    """Coverage data with test contexts, and how its file names map to the repository."""

    data: CoverageData
    name_of: Mapping[str, str]  # repo path -> data name
    written: float


def load_contexts(path: Path, root: Path, repo_files: Sequence[str]) -> tuple[Contexts | None, str]:
    """Read context data; (None, why) when there is none to use."""
    from quality_gates.coverage_data import open_data

    if not path.is_file():
        return None, f"no coverage data with test contexts at {path.name}"
    data = open_data(path)
    if not (set(data.measured_contexts()) - {""}):
        return (
            None,
            f"{path.name} has no test contexts (record them with pytest-cov's "
            "--cov-context=test or [run] dynamic_context = test_function)",
        )
    matcher = PathMatcher(root, repo_files)
    name_of: dict[str, str] = {}
    for name in data.measured_files():
        repo_path = matcher.match(name)
        if repo_path is not None:
            name_of.setdefault(repo_path, name)
    return Contexts(data, name_of, path.stat().st_mtime), ""


def tests_for(
    contexts: Contexts, path: str, spans: Iterable[tuple[int, int]], test_files: Sequence[str]
) -> set[str]:
    """Tests whose contexts executed a line within the spans of path."""
    by_line = contexts.data.contexts_by_lineno(contexts.name_of[path])
    found = set()
    for start, end in spans:
        for line in range(start, end + 1):
            for context in by_line.get(line, ()):
                test = context_to_test(context, test_files)
                if test is not None:
                    found.add(test)
    return found


# static import graph -------------------------------------------------------------------------


def module_names(path: str) -> list[str]:
    """Dotted names a file may be imported as: every suffix of its path (src roots vary)."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return [".".join(parts[i:]) for i in range(len(parts))]


def imports(source: str, path: str) -> set[str]:
    """Dotted names a module imports (relative imports resolved against its package)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    package = list(PurePosixPath(path).parent.parts)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1] if node.level > 1 else package
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" if base else alias.name for alias in node.names)
    return found


def importers(workspace: Workspace, python_files: Sequence[str]) -> dict[str, set[str]]:
    """Reverse import graph: file -> files that import it."""
    owners: dict[str, set[str]] = {}
    for path in python_files:
        for name in module_names(path):
            owners.setdefault(name, set()).add(path)
    workspace.prefetch(python_files)
    reverse: dict[str, set[str]] = {}
    for path in python_files:
        for name in imports(decode(workspace.content(path)), path):
            for target in owners.get(name, ()):
                if target != path:
                    reverse.setdefault(target, set()).add(path)
    return reverse


def importing_tests(changed: str, reverse: Mapping[str, set[str]], is_test: set[str]) -> set[str]:
    """Test files that import changed, directly or through other modules."""
    seen = {changed}
    todo = [changed]
    while todo:
        for parent in reverse.get(todo.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return (seen - {changed}) & is_test


# the selection -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One changed file and its changed lines (None: the whole file)."""

    path: str
    lines: tuple[int, ...] | None


def select(
    workspace: Workspace,
    changed: Sequence[Change],
    *,
    test_patterns: Sequence[str],
    data: Path,
) -> Selection:
    """Select tests for the changed files; every file that selects nothing says why."""
    out = Selection()
    repo_files = workspace.changes.all_files()
    python = [p for p in repo_files if is_python(p) and p.endswith(".py")]
    tests = [p for p in python if is_test_file(p, test_patterns)]
    for change in changed:
        if change.path in tests:
            out.add(change.path, "changed test file")
    sources = [c for c in changed if c.path not in tests and is_python(c.path)]
    if not sources:
        return out
    contexts, why = load_contexts(data, workspace.root, repo_files)
    fallback: list[tuple[str, str]] = []
    for change in sources:
        reason = _by_contexts(workspace, contexts, change, tests, out) if contexts else why
        if reason:
            fallback.append((change.path, reason))
    if fallback:
        _by_imports(workspace, fallback, python, set(tests), out)
    return out


def _by_contexts(
    workspace: Workspace, contexts: Contexts, change: Change, tests: Sequence[str], out: Selection
) -> str:
    """Select by contexts; return why the import graph must be used instead ('' if not)."""
    path = change.path
    if path not in contexts.name_of:
        return "not in the context data"
    new = decode(workspace.content(path))
    lines = change.lines if change.lines is not None else range(1, new.count("\n") + 2)
    names = touched(new, lines)
    measured = _measured_version(workspace, contexts, path, new)
    spans = definitions(measured)
    files = frozenset(workspace.changes.all_files())
    for name in sorted(names - {MODULE}):
        if name not in spans:
            out.notes.append(
                f"{path}: {name} is new since the context run: no recorded test ran it"
            )
            continue
        found = {
            t
            for t in tests_for(contexts, path, [spans[name]], tests)
            if exists(t, workspace, files)
        }
        for test in found:
            out.add(test, f"ran {path}::{name} in the last context run")
        if not found:
            out.notes.append(f"{path}: no test ran {name} in the last context run")
    return "module-level code changed" if MODULE in names else ""


def _measured_version(workspace: Workspace, contexts: Contexts, path: str, new: str) -> str:
    """The content the context data was recorded on.

    That is the new content when the data is newer than the file on disk, else the base
    revision's (the data predates the edit).
    """
    try:
        fresh = (workspace.root / path).stat().st_mtime <= contexts.written
    except OSError:
        fresh = False
    if fresh:
        return new
    import git

    changes = workspace.changes
    try:
        old = changes.repo.git.show(f"{changes.base}:{path}")
    except git.GitCommandError:  # new in this change: nothing was measured on its base
        return new
    return str(old)


def _by_imports(
    workspace: Workspace,
    fallback: Sequence[tuple[str, str]],
    python: Sequence[str],
    tests: set[str],
    out: Selection,
) -> None:
    reverse = importers(workspace, python)
    for path, why in fallback:
        found = importing_tests(path, reverse, tests)
        for test in sorted(found):
            out.add(test, f"imports {path} ({why}: static import graph)")
        if not found:
            out.notes.append(f"{path}: {why}, and no test file imports it")
