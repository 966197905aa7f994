"""coverage: changed-lines and project coverage from the data the tests left behind.

Changed lines map to statements (a changed continuation line counts as its statement, through
coverage.py's parser); with branch data, each branch line also counts its exits, as coverage.py's
total does. A changed file that should be measured but is absent from the data counts as uncovered.
"""

from __future__ import annotations

import bisect
import os
import tokenize
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from quality_gates import coverage_data as cd
from quality_gates.coverage_paths import PathMatcher, match_all, no_match_error
from quality_gates.findings import Finding, GateResult, Metric, suppression_cap_reason
from quality_gates.gates.common import GateRequest, Selection, is_full_run, select, suppressions
from quality_gates.pysource import decode, is_python
from quality_gates.thresholds import GatePolicy
from quality_gates.workspace import Workspace

GATE = "coverage"
RULE = "not-covered"


@dataclass(frozen=True)
class FileCoverage:
    """One file's part of the metric: statements in scope, those missing, and branch exits."""

    path: str
    statements: tuple[int, ...]
    missing: tuple[int, ...]
    branches: Mapping[int, tuple[int, int]] = field(default_factory=dict)
    missed_exits: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    absent: bool = False

    @property
    def good(self) -> int:
        """Covered statements plus taken branch exits."""
        taken = sum(t for t, _ in self.branches.values())
        return len(self.statements) - len(self.missing) + taken

    @property
    def total(self) -> int:
        """Statements plus branch exits."""
        return len(self.statements) + sum(n for _, n in self.branches.values())

    @property
    def partial(self) -> dict[int, tuple[int, int]]:
        """Branch lines that ran but left some exit untaken."""
        gone = set(self.missing)
        return {n: b for n, b in self.branches.items() if b[0] < b[1] and n not in gone}


@dataclass(frozen=True)
class Loaded:
    """The data, the repository files it measured, and the coverage.py settings."""

    report: cd.Report
    settings: cd.CoverageSettings
    measured: Mapping[str, str]  # repo path -> data name
    ignored: int  # measured files outside the repository


def data_path(workspace: Workspace, configured: str) -> Path | None:
    """The data file the policy names (relative to the repository root), or None to search."""
    if not configured:
        return None
    path = Path(configured)
    return path if path.is_absolute() else workspace.root / path


def load(workspace: Workspace, configured: str) -> Loaded:
    """Read the coverage data and match its file names to the repository's."""
    root = workspace.root
    settings = cd.read_settings(root)
    path = data_path(workspace, configured)
    report = cd.read(path) if path is not None else cd.read(*cd.find(root, settings))
    repo_files = workspace.changes.all_files()
    matcher = PathMatcher(root, repo_files, sources=report.sources, aliases=settings.paths)
    names = report.names()
    measured = match_all(matcher, names)
    if names and not measured:
        raise no_match_error(report.describe(), names, repo_files, root)
    return Loaded(report, settings, measured, len(names) - len(measured))


def _matcher(patterns: Iterable[str], root: Path) -> object | None:
    from coverage.files import GlobMatcher

    prepared = [p if p[:1] in "*?" else os.path.join(root, p) for p in patterns]
    return GlobMatcher(prepared) if prepared else None


def is_expected(path: str, loaded: Loaded, omit: Sequence[str], root: Path) -> bool:
    """Tell whether a repository file absent from the data should have been measured.

    Python files count when coverage.py's config would measure them: inside `source`/`include`
    when those are set, else in a top-level folder (or the root) where the data measured files;
    never when `omit` (coverage.py's, or the gate's own) leaves them out.
    """
    if not is_python(path) or path.endswith(".pyi") or path in loaded.measured:
        return False
    settings = loaded.settings
    absolute = str(root / path)
    for patterns in (settings.omit, omit):
        matcher = _matcher(patterns, root)
        if matcher is not None and matcher.match(absolute):  # type: ignore[attr-defined]
            return False
    if settings.source or settings.include:
        return _in_source(path, settings.source, root) or _included(absolute, settings, root)
    return _top(path) in {_top(p) for p in loaded.measured}


def _included(absolute: str, settings: cd.CoverageSettings, root: Path) -> bool:
    matcher = _matcher(settings.include, root)
    return matcher is not None and bool(matcher.match(absolute))  # type: ignore[attr-defined]


def _in_source(path: str, sources: Sequence[str], root: Path) -> bool:
    """Inside a `source` folder or package, where coverage.py looks for unexecuted files.

    Like coverage.py, below the source folder only packages count: every folder between it and
    the file needs an `__init__.py` (tests/typing/x.py is not found under source = ["tests"]).
    """
    parts = path.split("/")[:-1]
    for source in sources:
        clean = source.replace("\\", "/").strip("/")
        base: list[str] | None = None
        if (root / clean).is_dir():
            base = clean.split("/")
        else:  # a package name: the folder holding it, wherever it is (src/ layouts)
            base = _package_folder(parts, clean.split("."))
        if base is not None and parts[: len(base)] == base:
            return _packages_down(root, base, parts)
    return False


def _package_folder(parts: Sequence[str], package: Sequence[str]) -> list[str] | None:
    for i in range(len(parts) - len(package) + 1):
        if list(parts[i : i + len(package)]) == list(package):
            return list(parts[: i + len(package)])
    return None


def _packages_down(root: Path, base: Sequence[str], parts: Sequence[str]) -> bool:
    for depth in range(len(base) + 1, len(parts) + 1):
        if not (root.joinpath(*parts[:depth]) / "__init__.py").is_file():
            return False
    return True


def _top(path: str) -> str:
    return path.split("/", 1)[0] if "/" in path else ""


def file_data(workspace: Workspace, loaded: Loaded, path: str) -> cd.FileData | None:
    """The coverage of one repository file (analysed on its checked content for `.coverage`)."""
    name = loaded.measured[path]
    text = decode(workspace.content(path)) if loaded.report.kind == "coverage.py" else None
    return loaded.report.analyse(name, text, loaded.settings)


def in_scope(
    workspace: Workspace,
    loaded: Loaded,
    path: str,
    data: cd.FileData,
    lines: Iterable[int] | None,
    *,
    branch: bool,
) -> FileCoverage:
    """Restrict a file's coverage to the statements owning the given lines (None: all)."""
    missing = set(data.missing)
    if lines is None:
        owned = set(data.statements)
    else:
        owned, unknown = _owned(workspace, loaded, path, data, lines)
        missing |= unknown
    branches = {n: b for n, b in data.branches.items() if n in owned} if branch else {}
    exits = {n: e for n, e in data.missed_exits.items() if n in branches}
    return FileCoverage(path, tuple(sorted(owned)), tuple(sorted(owned & missing)), branches, exits)


def _owned(
    workspace: Workspace, loaded: Loaded, path: str, data: cd.FileData, lines: Iterable[int]
) -> tuple[set[int], set[int]]:
    """Statements owning the changed lines, and those the data does not know (stale data).

    When the file changed after the data was written, a statement of the checked content that
    the data never saw cannot have been covered by it: it counts as missing rather than
    vanishing from the count (coverage.py's parser decides what a statement is).
    """
    lines = list(lines)
    owned = statements_of(workspace, path, data.statements, lines)
    if not is_python(path) or not _newer_than(workspace, path, loaded.report.written):
        return owned & data.statements, set()
    parsed = cd.statement_map(decode(workspace.content(path)), loaded.settings)
    if parsed is None:
        return owned & data.statements, set()
    known, first = parsed
    unknown = {first.get(line, line) for line in lines} & known - data.statements
    return (owned & data.statements) | unknown, unknown


def _newer_than(workspace: Workspace, path: str, written: float) -> bool:
    try:
        return (workspace.root / path).stat().st_mtime > written
    except OSError:
        return False


def statements_of(
    workspace: Workspace, path: str, statements: frozenset[int], lines: Iterable[int]
) -> set[int]:
    """Map changed lines to the measured statements owning them (Python), else keep them."""
    if not is_python(path):
        return set(lines)
    return owning_statements(workspace.content(path), statements, lines)


def owning_statements(content: bytes, statements: frozenset[int], lines: Iterable[int]) -> set[int]:
    """The statements (first lines, as coverage data names them) that own the given lines.

    A line that is not itself a statement belongs to the nearest statement above it when that
    statement's logical line (tokenized from its first line to its NEWLINE) reaches it: a
    continuation line, a decorator's or a header's second line. Comments, blank lines and
    docstrings belong to none. Only the few lines of each such statement are tokenized.
    """
    ordered = sorted(statements)
    text: list[str] | None = None
    ends: dict[int, int] = {}
    owned = set()
    for line in lines:
        if line in statements:
            owned.add(line)
            continue
        index = bisect.bisect_right(ordered, line) - 1
        if index < 0:
            continue
        start = ordered[index]
        if start not in ends:
            text = decode(content).splitlines(keepends=True) if text is None else text
            ends[start] = logical_end(text, start)
        if line <= ends[start]:
            owned.add(start)
    return owned


def logical_end(text: Sequence[str], start: int) -> int:
    """The last line of the logical line that begins on line start."""
    lines = iter(text[start - 1 :])
    try:
        for token in tokenize.generate_tokens(lambda: next(lines, "")):
            if token.type == tokenize.NEWLINE:
                return start + token.start[0] - 1
    except (tokenize.TokenError, SyntaxError):
        pass
    return start


def absent(
    workspace: Workspace, loaded: Loaded, path: str, lines: Iterable[int] | None
) -> FileCoverage | None:
    """A file missing from the data: every statement in scope counts as uncovered."""
    parsed = cd.statement_map(decode(workspace.content(path)), loaded.settings)
    if parsed is None:
        return None
    statements, first = parsed
    owned = set(statements) if lines is None else {first.get(n, n) for n in lines} & statements
    ordered = tuple(sorted(owned))
    return FileCoverage(path, ordered, ordered, absent=True)


def format_ranges(lines: Sequence[int], statements: Sequence[int]) -> str:
    """`3-4, 7`: runs of missing statements with no other statement between them."""
    order = {line: i for i, line in enumerate(sorted(statements))}
    runs: list[list[int]] = []
    for line in sorted(lines):
        if runs and order.get(line, -2) == order.get(runs[-1][-1], -9) + 1:
            runs[-1].append(line)
        else:
            runs.append([line])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def _exits(exits: Sequence[int]) -> str:
    return ", ".join("exit" if e < 0 else str(e) for e in exits)


def finding(result: FileCoverage, statements: Sequence[int], what: str) -> Finding | None:
    """One finding per file listing its uncovered lines and partial branches, as diff-cover does."""
    partial = result.partial
    if not result.missing and not partial:
        return None
    percent = 100.0 * result.good / result.total if result.total else 100.0
    parts = []
    if result.missing:
        lines = format_ranges(result.missing, statements)
        parts.append(f"missing line{'s' if len(result.missing) > 1 else ''} {lines}")
    if partial:
        shown = []
        for line, (taken, total) in sorted(partial.items()):
            where = result.missed_exits.get(line, ())
            shown.append(f"{line} ({taken}/{total}{' ->' + _exits(where) if where else ''})")
        parts.append(f"partial branch{'es' if len(partial) > 1 else ''} {', '.join(shown)}")
    counts = f"{result.good}/{result.total} {what} covered ({percent:.1f}%)"
    marked = sorted([*result.missing, *partial])
    return Finding(
        result.path, marked[0], 1, RULE, f"{counts}: {'; '.join(parts)}", end_line=marked[-1]
    )


def absent_finding(result: FileCoverage, data: str) -> Finding:
    """The loud finding for a file that is not in the data."""
    first = result.statements[0] if result.statements else 1
    return Finding(
        result.path,
        first,
        1,
        RULE,
        f"not in the coverage data ({data}): its {len(result.statements)} statement(s) in "
        "scope count as uncovered",
        end_line=result.statements[-1] if result.statements else 1,
    )


def metric(name: str, results: Iterable[FileCoverage]) -> Metric:
    """Sum good/total over files."""
    results = list(results)
    return Metric(name, sum(r.good for r in results), sum(r.total for r in results))


@dataclass
class Measured:
    """What the gate collected over the selected files."""

    results: list[FileCoverage] = field(default_factory=list)
    new: list[Finding] = field(default_factory=list)
    existing: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def measure_files(
    workspace: Workspace, loaded: Loaded, selection: Selection, policy: GatePolicy
) -> Measured:
    """Measure the selected files in their scopes."""
    out = Measured()
    branch = bool(policy.get("branch")) and loaded.report.branch
    omit = tuple(policy.get("omit"))
    for path in selection.files:
        if _omitted(path, omit, workspace.root):
            continue
        scope = selection.scopes[path]
        lines = None if scope.whole else list(scope.lines)
        if path in loaded.measured:
            _measured_file(workspace, loaded, path, lines, branch=branch, out=out)
        elif is_expected(path, loaded, omit, workspace.root):
            _absent_file(workspace, loaded, path, lines, out=out)
    return out


def _omitted(path: str, omit: Sequence[str], root: Path) -> bool:
    matcher = _matcher(omit, root)
    return matcher is not None and bool(matcher.match(str(root / path)))  # type: ignore[attr-defined]


def _measured_file(
    workspace: Workspace,
    loaded: Loaded,
    path: str,
    lines: list[int] | None,
    *,
    branch: bool,
    out: Measured,
) -> None:
    data = file_data(workspace, loaded, path)
    if data is None:
        out.notes.append(f"{path}: measured, but its content does not parse: left out")
        return
    result = in_scope(workspace, loaded, path, data, lines, branch=branch)
    out.results.append(result)
    found = finding(
        result,
        sorted(data.statements),
        "statements+branches" if branch and result.branches else "statements",
    )
    if found is not None:
        out.new.append(found)
    if lines is not None:
        rest = in_scope(workspace, loaded, path, data, None, branch=branch)
        outside = FileCoverage(
            path,
            tuple(n for n in rest.statements if n not in result.statements),
            tuple(n for n in rest.missing if n not in result.statements),
        )
        older = finding(outside, sorted(data.statements), "other statements")
        if older is not None:
            out.existing.append(older)


def _absent_file(
    workspace: Workspace, loaded: Loaded, path: str, lines: list[int] | None, *, out: Measured
) -> None:
    result = absent(workspace, loaded, path, lines)
    if result is None or not result.statements:
        return
    out.results.append(result)
    out.new.append(absent_finding(result, loaded.report.describe()))
    out.notes.append(
        f"{path}: not in the coverage data ({loaded.report.describe()}); counted as uncovered"
    )


def project_metric(workspace: Workspace, loaded: Loaded, policy: GatePolicy) -> Metric:
    """Coverage of every repository file in the data (coverage.py's total)."""
    branch = bool(policy.get("branch")) and loaded.report.branch
    omit = tuple(policy.get("omit"))
    paths = [p for p in sorted(loaded.measured) if not _omitted(p, omit, workspace.root)]
    if loaded.report.kind == "coverage.py":
        workspace.prefetch(paths)
    results = []
    for path in paths:
        data = file_data(workspace, loaded, path)
        if data is not None:
            results.append(in_scope(workspace, loaded, path, data, None, branch=branch))
    return metric("project", results)


def stale_files(workspace: Workspace, report: cd.Report, paths: Iterable[str]) -> list[str]:
    """Changed files modified on disk after the data was written."""
    stale = []
    for path in paths:
        if path not in workspace.changes.changes:
            continue
        try:
            if (workspace.root / path).stat().st_mtime > report.written:
                stale.append(path)
        except OSError:
            continue
    return stale


def _stale_reason(
    stale: Sequence[str], report: cd.Report, *, fail: bool
) -> tuple[list[str], list[str]]:
    if not stale:
        return [], []
    text = (
        f"coverage data {report.path.name} is older than changed file(s) "
        f"{', '.join(stale[:5])}{', ...' if len(stale) > 5 else ''}: run the tests again"
    )
    return ([text], []) if fail else ([], [f"stale: {text}"])


def _project_reason(
    project: Metric, policy: GatePolicy, *, full: bool
) -> tuple[list[str], list[str]]:
    if project.value >= policy.threshold:
        return [], []
    text = f"project coverage {project.value:.2f}% is below the threshold {policy.threshold:g}%"
    if full or policy.get("project") == "always":
        return [text], []
    return [], [f"{text} (it fails the full run; this commit is judged on its changed lines)"]


def measure(request: GateRequest) -> GateResult:
    """Measure the coverage gate: changed lines in a commit, the whole project in a full run."""
    workspace, policy = request.workspace, request.policy.gate(GATE)
    try:
        loaded = load(workspace, str(policy.get("data")))
    except cd.NoData as exc:
        if policy.get("require-data"):
            raise
        return _no_data(request, policy, str(exc))
    selection = select(request, lambda path, head: True)
    full = is_full_run(request)
    measured = measure_files(workspace, loaded, selection, policy)
    project = project_metric(workspace, loaded, policy)
    stale = stale_files(workspace, loaded.report, [r.path for r in measured.results])
    stale_reasons, stale_notes = _stale_reason(
        stale, loaded.report, fail=policy.get("stale") == "fail"
    )
    project_reasons, project_notes = _project_reason(project, policy, full=full)
    added = suppressions(workspace, _python_only(selection), ("pragma: no cover",))
    cap = suppression_cap_reason(len(added), request.policy.max_new_suppressions)
    notes = [*selection.notes, *measured.notes, *stale_notes, *project_notes]
    if loaded.ignored:
        notes.append(f"{loaded.ignored} measured file(s) outside the repository left out")
    if full:
        primary = _with_absent(project, measured)
        threshold, extra = policy.threshold, tuple[Metric, ...]()
    else:
        primary = metric("changed", measured.results)
        threshold, extra = float(policy.get("changed-threshold")), (project,)
    return GateResult(
        gate=GATE,
        metric=primary,
        threshold=threshold,
        target=policy.target,
        new=tuple(sorted(measured.new, key=Finding.sort_key)),
        existing=tuple(sorted(measured.existing, key=Finding.sort_key)),
        suppressions=added,
        notes=tuple(notes),
        reasons=(*stale_reasons, *project_reasons, *cap),
        extra=extra,
    )


def _no_data(request: GateRequest, policy: GatePolicy, why: str) -> GateResult:
    """No data found (and none required): nothing is measured, and the result says so."""
    full = is_full_run(request)
    return GateResult(
        gate=GATE,
        metric=Metric("project" if full else "changed", 0, 0),
        threshold=policy.threshold if full else float(policy.get("changed-threshold")),
        target=policy.target,
        notes=(f"{why}; nothing measured (coverage.require-data = true makes this an error)",),
    )


def _with_absent(project: Metric, measured: Measured) -> Metric:
    """The project metric plus the files that should have been measured and were not."""
    gone = [r for r in measured.results if r.absent]
    return Metric(project.name, project.good, project.total + sum(r.total for r in gone))


def _python_only(selection: Selection) -> Selection:
    kept = tuple(p for p in selection.files if is_python(p))
    return Selection(kept, {p: selection.scopes[p] for p in kept}, selection.notes)
