"""links: links that resolve / links checked, in Markdown, reStructuredText and HTML.

Offline by default: relative links to files and folders (against the checked snapshot, so an
untracked file does not count as there), images, reference-style links, and #anchors in the same
or another document. In a commit the links checked are those on changed lines, plus links
anywhere that point at a file or heading the change removed or renamed. http(s) links are
checked only when asked (see httpcheck).
"""

from __future__ import annotations

import posixpath
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import NamedTuple

from quality_gates.basefiles import old_paths, read_base, removed_files, renamed_files
from quality_gates.cachedir import cache_dir
from quality_gates.changes import FileScope
from quality_gates.findings import Finding, GateResult, Metric
from quality_gates.gates.common import GateRequest, select
from quality_gates.httpcheck import Cache, Settings, check_urls, is_external
from quality_gates.linkscan import DOC_SUFFIXES, UNPARSABLE, Document, Link, kind_of, scan
from quality_gates.slugs import matches
from quality_gates.thresholds import GatePolicy, status_ranges
from quality_gates.workspace import Workspace

GATE = "links"
UNCHECKED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "ftp:", "irc:", "news:", "sms:")
TEMPLATE_MARKERS = ("{{", "{%", "${")
MEGABYTE = 1024 * 1024


class Target(NamedTuple):
    """Where a local link points: a repo path ("" for the document itself) and a fragment."""

    path: str
    fragment: str
    outside: bool = False


class Verdict(NamedTuple):
    """A checked link: in which file, and why it is broken (rule None: it resolves)."""

    path: str
    link: Link
    rule: str | None
    message: str


def local_target(source: str, url: str) -> Target | None:
    """Resolve a relative link written in source; None for links this gate does not check."""
    lower = url.strip().lower()
    if lower.startswith(UNCHECKED_SCHEMES) or any(m in url for m in TEMPLATE_MARKERS):
        return None
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme or parts.netloc:
        return None
    fragment = urllib.parse.unquote(parts.fragment)
    raw = urllib.parse.unquote(parts.path)
    if not raw:
        return Target(source, fragment)
    joined = (
        raw.lstrip("/") if raw.startswith("/") else posixpath.join(posixpath.dirname(source), raw)
    )
    normal = posixpath.normpath(joined) if joined else "."
    outside = normal == ".." or normal.startswith("../")
    return Target("" if normal == "." else normal, fragment, outside)


@dataclass
class Snapshot:
    """The files of the checked snapshot, their folders, and documents scanned on demand."""

    workspace: Workspace
    files: frozenset[str]
    max_bytes: int
    folders: frozenset[str] = field(default_factory=frozenset)
    documents: dict[str, Document | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        folders = {""}
        for path in self.files:
            folders.update(str(p) for p in PurePosixPath(path).parents if str(p) != ".")
        self.folders = frozenset(folders)

    def document(self, path: str) -> Document | None:
        """The scanned document at path (None: not a document, or too large to scan)."""
        if path not in self.documents:
            content = self.workspace.content(path)
            self.documents[path] = None if len(content) > self.max_bytes else scan(path, content)
        return self.documents[path]

    def judge(self, source: str, link: Link) -> tuple[str | None, str]:
        """(rule, message) for a broken local link; (None, "") when it resolves."""
        target = local_target(source, link.target)
        if target is None:
            return None, ""
        if target.outside:
            return "outside-repository", f"{link.target}: points outside the repository"
        path = target.path or "."
        if path not in self.files and path not in self.folders and path != ".":
            return "missing-file", f"{_shown(link.target, path)}: no such file or folder"
        if not target.fragment or path not in self.files or kind_of(path) is None:
            return None, ""
        return self._judge_anchor(link.target, path, target.fragment)

    def _judge_anchor(self, written: str, path: str, fragment: str) -> tuple[str | None, str]:
        document = self.document(path)
        if document is None:
            detail = "over links.max-file-mb, its anchors are not read"
            return "unverifiable", f"{_shown(written, path)}: {detail}"
        anchors = frozenset(document.anchors)
        if matches(fragment, anchors, ignore_case=document.case_insensitive_anchors):
            return None, ""
        return "missing-anchor", f"{_shown(written, path)}: no such anchor"


def _shown(written: str, path: str) -> str:
    """The link as written, with the path it resolves to when that is not obvious."""
    bare = written.split("#", 1)[0].split("?", 1)[0]
    return written if not bare or bare == path else f"{written} ({path})"


def settings_of(policy: GatePolicy) -> Settings:
    """The external-check settings from the links.* keys."""
    return Settings(
        accept=status_ranges(list(policy.get("accept"))),
        timeout=float(policy.get("timeout")),
        max_retries=int(policy.get("max-retries")),
        retry_wait=float(policy.get("retry-wait")),
        max_retry_after=float(policy.get("max-retry-after")),
        max_concurrency=int(policy.get("max-concurrency")),
        host_concurrency=int(policy.get("host-concurrency")),
        cache_max_age=float(policy.get("cache-max-age")),
    )


def external_enabled(policy: GatePolicy, stage: str | None) -> bool:
    """links.external when set; else on in the nightly stage only."""
    chosen = policy.get("external")
    return bool(chosen) if chosen is not None else stage == "nightly"


@dataclass
class Removed:
    """What the change took away: whole files (deleted or renamed) and anchors of documents."""

    files: set[str] = field(default_factory=set)
    anchors: dict[str, set[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.files or self.anchors)

    def hit(self, source: str, link: Link) -> bool:
        """Tell whether link points at something the change removed."""
        target = local_target(source, link.target)
        if target is None or target.outside:
            return False
        path = target.path or source
        if path in self.files:
            return True
        return bool(target.fragment) and target.fragment in self.anchors.get(path, set())

    def names(self) -> set[str]:
        """File names worth looking for in other documents (a cheap filter before parsing)."""
        return {PurePosixPath(p).name for p in (*self.files, *self.anchors)}


def removed_targets(workspace: Workspace, snapshot: Snapshot) -> Removed:
    """Files the change deleted or renamed, and headings/ids its documents lost."""
    changes = workspace.changes
    removed = Removed(files=set(removed_files(changes)) | set(renamed_files(changes)))
    edited = [p for p in changes.changed_files() if kind_of(p) is not None]
    before = read_base(changes, old_paths(changes, edited))
    for path, content in before.items():
        now = snapshot.document(path)
        if now is None or len(content) > snapshot.max_bytes:
            continue
        lost = scan(path, content).anchors - now.anchors
        if lost:
            removed.anchors[path] = lost
    return removed


class FileLinks(NamedTuple):
    """A document's links split by scope, and its problems in scope or not."""

    checked: list[Verdict]
    existing: list[Verdict]
    external: list[tuple[str, Link]]


def _in_scope(scope: FileScope | None, link_lines: Iterable[int]) -> bool:
    if scope is None:
        return False
    return any(scope.covers(line) for line in link_lines)


def judge_document(
    path: str,
    document: Document,
    scope: FileScope | None,
    snapshot: Snapshot,
    removed: Removed,
) -> FileLinks:
    """Judge one document's links: in scope (changed lines, removed targets) or existing."""
    checked: list[Verdict] = []
    existing: list[Verdict] = []
    external: list[tuple[str, Link]] = []
    for link in document.links:
        owned = _in_scope(scope, (link.line, *link.also_lines)) or removed.hit(path, link)
        if scope is None and not owned:
            continue  # a document outside the change: only what the change broke
        if is_external(link.target):
            if owned:
                external.append((path, link))
            continue
        if local_target(path, link.target) is None:
            continue
        rule, message = snapshot.judge(path, link)
        (checked if owned else existing).append(Verdict(path, link, rule, message))
    for problem in document.problems:
        link = Link(problem.line, problem.column, "", "reference")
        verdict = Verdict(path, link, problem.rule, problem.message)
        if scope is not None:
            owned = problem.rule == UNPARSABLE or _in_scope(scope, (problem.line,))
            (checked if owned else existing).append(verdict)
    return FileLinks(checked, existing, external)


def _finding(verdict: Verdict) -> Finding:
    link = verdict.link
    return Finding(verdict.path, link.line, link.column, verdict.rule or "", verdict.message)


@dataclass
class Tally:
    """Everything measured so far."""

    checked: list[Verdict] = field(default_factory=list)
    existing: list[Verdict] = field(default_factory=list)
    external: list[tuple[str, Link]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def add(self, found: FileLinks) -> None:
        """Fold in one document's links."""
        self.checked += found.checked
        self.existing += found.existing
        self.external += found.external


def _scan_selected(
    request: GateRequest, snapshot: Snapshot, removed: Removed, tally: Tally
) -> set[str]:
    skip = [re.compile(p) for p in request.policy.gate(GATE).get("exclude-path")]
    selection = select(
        request,
        lambda path, _head: kind_of(path) is not None and not any(r.search(path) for r in skip),
    )
    tally.notes += selection.notes
    for path in selection.files:
        content = request.workspace.content(path)
        if len(content) > snapshot.max_bytes:
            size = len(content) / MEGABYTE
            limit = snapshot.max_bytes / MEGABYTE
            tally.reasons.append(
                f"{path}: {size:.1f} MB is over links.max-file-mb ({limit:g}): not checked; "
                "raise the limit or exclude the file"
            )
            continue
        _note_encoding(path, content, tally)
        document = snapshot.document(path)
        if document is not None:
            tally.add(judge_document(path, document, selection.scopes[path], snapshot, removed))
    return set(selection.files)


def _note_encoding(path: str, content: bytes, tally: Tally) -> None:
    if kind_of(path) == "html":
        return  # html5lib sniffs the encoding as a browser does
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        tally.notes.append(f"{path}: not UTF-8 (byte {exc.start}); undecodable bytes replaced")


def _scan_others(
    workspace: Workspace, snapshot: Snapshot, removed: Removed, done: set[str], tally: Tally
) -> None:
    """Links in documents outside the change that point at what the change removed."""
    candidates = [p for p in snapshot.files if p not in done and p.lower().endswith(DOC_SUFFIXES)]
    workspace.prefetch(candidates)
    names = [n.encode() for n in removed.names()]
    for path in sorted(candidates):
        content = workspace.content(path)
        if len(content) > snapshot.max_bytes or not any(n in content for n in names):
            continue
        document = snapshot.document(path)
        if document is not None:
            tally.add(judge_document(path, document, None, snapshot, removed))


def _check_external(request: GateRequest, policy: GatePolicy, tally: Tally) -> None:
    urls = [link.target for _, link in tally.external]
    if not urls:
        return
    if not external_enabled(policy, request.policy.stage):
        tally.notes.append(
            f"{len(urls)} external link(s) in scope not checked (offline; --external checks them)"
        )
        return
    patterns = [re.compile(p) for p in policy.get("exclude")]
    wanted = [u for u in urls if not any(p.search(u) for p in patterns)]
    if len(wanted) < len(urls):
        tally.notes.append(f"{len(urls) - len(wanted)} external link(s) excluded by links.exclude")
    settings = settings_of(policy)
    cache = None
    if settings.cache_max_age > 0:
        cache = Cache(cache_dir(request.workspace.root), settings.cache_max_age)
    results, hits = check_urls(wanted, settings, cache)
    if hits:
        tally.notes.append(f"{hits} external link(s) alive in the cache (links.cache-max-age)")
    for path, link in tally.external:
        result = results.get(link.target)
        if result is None:
            continue
        rule = None if result.ok else "external"
        tally.checked.append(Verdict(path, link, rule, f"{link.target}: {result.detail}"))


def measure(request: GateRequest) -> GateResult:
    """Measure the links gate over the request's documents."""
    workspace, policy = request.workspace, request.policy.gate(GATE)
    max_bytes = int(float(policy.get("max-file-mb")) * MEGABYTE)
    snapshot = Snapshot(workspace, frozenset(workspace.changes.all_files()), max_bytes)
    removed = Removed()
    if request.scope != "full":
        removed = removed_targets(workspace, snapshot)
    tally = Tally()
    done = _scan_selected(request, snapshot, removed, tally)
    if removed:
        _scan_others(workspace, snapshot, removed, done, tally)
    _check_external(request, policy, tally)
    good = sum(v.rule is None for v in tally.checked)
    new = sorted((_finding(v) for v in tally.checked if v.rule), key=Finding.sort_key)
    existing = sorted((_finding(v) for v in tally.existing if v.rule), key=Finding.sort_key)
    return GateResult(
        gate=GATE,
        metric=Metric("valid", good, len(tally.checked), 100.0),
        threshold=policy.threshold,
        target=policy.target,
        new=tuple(new),
        existing=tuple(existing),
        notes=tuple(tally.notes),
        reasons=tuple(tally.reasons),
    )
