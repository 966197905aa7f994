"""Coverage data as users have it: `.coverage`, Cobertura XML, coverage.json and LCOV.

Every reader returns the same model: per measured file, its statements, the missing ones and, when
branch coverage was measured, the exits of each branch line. `.coverage` holds only what ran, so
its statements come from coverage.py's own analysis of the source given (the staged content), with
the project's coverage.py configuration (exclusions, partial branches) applied.
"""

from __future__ import annotations

import abc
import functools
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from quality_gates.errors import FatalError

if TYPE_CHECKING:
    # a type only: parsing goes through defusedxml
    from xml.etree.ElementTree import Element  # nosec B405

    from coverage import CoverageData
    from coverage.config import CoverageConfig
    from coverage.plugin import FileReporter

Kind = Literal["coverage.py", "cobertura", "json", "lcov"]
KIND_NAMES: Mapping[Kind, str] = {
    "coverage.py": "coverage.py data",
    "cobertura": "Cobertura XML",
    "json": "coverage.py JSON",
    "lcov": "LCOV",
}
DEFAULT_NAMES: tuple[tuple[str, Kind], ...] = (
    (".coverage", "coverage.py"),
    ("coverage.xml", "cobertura"),
    ("coverage.json", "json"),
    ("coverage.lcov", "lcov"),
    ("lcov.info", "lcov"),
    ("coverage/lcov.info", "lcov"),
)
CONDITION_RE = re.compile(r"\((\d+)\s*/\s*(\d+)\)")
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class FileData:
    """One measured file: statements, the missing ones, and branch exits per branch line."""

    statements: frozenset[int]
    missing: frozenset[int]
    branches: Mapping[int, tuple[int, int]] = field(default_factory=dict)  # line: (taken, total)
    missed_exits: Mapping[int, tuple[int, ...]] = field(default_factory=dict)  # when known

    @property
    def covered(self) -> frozenset[int]:
        """The statements that ran."""
        return self.statements - self.missing


@dataclass(frozen=True)
class CoverageSettings:
    """What the gate uses of the project's coverage.py configuration."""

    exclude: str
    partial: str
    omit: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    paths: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (canonical, patterns), [paths]
    outputs: Mapping[Kind, str] = field(default_factory=dict)
    where: str = "built-in defaults"


class NoData(FatalError):
    """No coverage data file was found where the gate looks for one."""


class Report(abc.ABC):
    """Coverage data read from one file: what it measured and how to analyse each file."""

    def __init__(
        self, path: Path, kind: Kind, *, branch: bool, written: float, sources: Sequence[str] = ()
    ) -> None:
        self.path = path
        self.kind = kind
        self.branch = branch
        self.written = written
        self.sources = tuple(sources)

    @abc.abstractmethod
    def names(self) -> tuple[str, ...]:
        """The file names the data measured, as it spells them."""

    @abc.abstractmethod
    def analyse(self, name: str, source: str | None, settings: CoverageSettings) -> FileData | None:
        """Return the coverage of one measured file (source: its text, when it has one)."""

    def describe(self) -> str:
        """Name the data for messages: `coverage.xml (Cobertura XML)`."""
        return f"{self.path.name} ({KIND_NAMES[self.kind]})"


class StaticReport(Report):
    """A report that lists statements itself (XML, JSON, LCOV)."""

    def __init__(
        self,
        path: Path,
        kind: Kind,
        files: Mapping[str, FileData],
        *,
        branch: bool,
        sources: Sequence[str] = (),
    ) -> None:
        super().__init__(path, kind, branch=branch, written=_mtime(path), sources=sources)
        self.files = dict(files)

    def names(self) -> tuple[str, ...]:
        """The file names in the report."""
        return tuple(self.files)

    def analyse(self, name: str, source: str | None, settings: CoverageSettings) -> FileData | None:
        """The report's own numbers for name."""
        return self.files.get(name)


class SqliteReport(Report):
    """coverage.py's `.coverage` database, read with coverage.py's CoverageData."""

    def __init__(self, path: Path, data: CoverageData) -> None:
        super().__init__(path, "coverage.py", branch=data.has_arcs(), written=_mtime(path))
        self.data = data

    def names(self) -> tuple[str, ...]:
        """The measured files (absolute paths unless relative_files was on)."""
        return tuple(sorted(self.data.measured_files()))

    def analyse(self, name: str, source: str | None, settings: CoverageSettings) -> FileData | None:
        """coverage.py's analysis of name, with source as the file's text."""
        if source is None:
            return None
        return analyse_source(self.data, name, source, settings)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError as exc:
        raise FatalError(f"{path}: cannot read: {exc.strerror}") from None


def read_settings(root: Path, environ: Mapping[str, str] | None = None) -> CoverageSettings:
    """Read the project's coverage.py configuration the way coverage.py finds it, from root."""
    from coverage.config import CoverageConfig
    from coverage.exceptions import CoverageException
    from coverage.misc import join_regex

    env = os.environ if environ is None else environ
    config = CoverageConfig()
    where = "built-in defaults"
    try:
        for name, ours in _config_candidates(env):
            path = root / name
            if path.is_file() and config.from_file(str(path), _ignore, our_file=ours):
                where = str(path)
                break
        config.post_process()
    except CoverageException as exc:
        raise FatalError(f"coverage.py configuration: {exc}") from None
    return _settings(config, where, join_regex)


def _settings(
    config: CoverageConfig, where: str, join_regex: Callable[[list[str]], str]
) -> CoverageSettings:
    outputs: dict[Kind, str] = {
        "coverage.py": config.data_file,
        "cobertura": config.xml_output,
        "json": config.json_output,
        "lcov": config.lcov_output,
    }
    return CoverageSettings(
        exclude=join_regex(config.exclude_list),
        partial=join_regex(config.partial_list + config.partial_always_list),
        omit=tuple(config.run_omit or ()) + tuple(config.report_omit or ()),
        include=tuple(config.run_include or ()) + tuple(config.report_include or ()),
        source=tuple(config.source or ()),
        paths=tuple((k, tuple(v)) for k, v in config.paths.items()),
        outputs=outputs,
        where=where,
    )


def _config_candidates(env: Mapping[str, str]) -> list[tuple[str, bool]]:
    rcfile = env.get("COVERAGE_RCFILE")
    first = [(rcfile, True)] if rcfile else [(".coveragerc", True)]
    rest = [(".coveragerc.toml", True), ("setup.cfg", False), ("tox.ini", False)]
    return [*first, *rest, ("pyproject.toml", False)]


def _ignore(message: str) -> None:
    """coverage.py config warnings (unknown options) are not the gate's to report."""


def candidates(root: Path, settings: CoverageSettings) -> list[tuple[Path, Kind]]:
    """The data files to look for, in the project's configured names first."""
    names = [(value, kind) for kind, value in settings.outputs.items() if value]
    seen: set[Path] = set()
    found = []
    for name, kind in [*names, *DEFAULT_NAMES]:
        path = root / name
        if path not in seen:
            seen.add(path)
            found.append((path, kind))
    return found


def find(root: Path, settings: CoverageSettings) -> tuple[Path, Kind]:
    """Pick the most recently written coverage data file in root."""
    present = [(p, k) for p, k in candidates(root, settings) if p.is_file()]
    if not present:
        looked = ", ".join(
            dict.fromkeys(p.relative_to(root).as_posix() for p, _ in candidates(root, settings))
        )
        parallel = sorted(root.glob(".coverage.*"))
        hint = " (parallel data files found: run `coverage combine` first)" if parallel else ""
        raise NoData(
            f"no coverage data in {root} (looked for {looked}){hint}: run the tests under "
            "coverage first, or pass --data PATH"
        )
    return max(present, key=lambda pk: pk[0].stat().st_mtime)


def kind_of(path: Path) -> Kind:
    """Tell a data file's format by its content (names vary), then by its name."""
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError as exc:
        raise FatalError(f"{path}: cannot read coverage data: {exc.strerror}") from None
    stripped = head.lstrip()
    if head.startswith(SQLITE_MAGIC):
        return "coverage.py"
    if stripped.startswith(b"<"):
        return "cobertura"
    if stripped.startswith(b"{"):
        return "json"
    if re.search(rb"^(TN|SF):", head, re.MULTILINE):
        return "lcov"
    if path.name.startswith(".coverage"):
        return "coverage.py"
    if path.suffix in (".lcov", ".info"):
        return "lcov"
    raise FatalError(
        f"{path}: not coverage data this gate reads (.coverage, Cobertura XML, coverage.json, LCOV)"
    )


def read(path: Path, kind: Kind | None = None) -> Report:
    """Read a coverage data file of any supported format."""
    if not path.is_file():
        raise FatalError(f"{path}: no such coverage data file")
    kind = kind_of(path) if kind is None else kind
    readers: Mapping[Kind, Callable[[Path], Report]] = {
        "coverage.py": read_sqlite,
        "cobertura": read_cobertura,
        "json": read_json,
        "lcov": read_lcov,
    }
    return readers[kind](path)


# coverage.py's .coverage ----------------------------------------------------------------------


def open_data(path: Path) -> CoverageData:
    """Open a `.coverage` database with coverage.py's own API; corrupt data is a clear error."""
    import sqlite3

    from coverage import CoverageData
    from coverage.exceptions import CoverageException

    data = CoverageData(basename=str(path))
    try:
        data.read()
        data.measured_files()
    except (CoverageException, sqlite3.Error) as exc:
        raise FatalError(f"{path}: not readable coverage.py data: {exc}") from None
    return data


def read_sqlite(path: Path) -> Report:
    """Read `.coverage`."""
    return SqliteReport(path, open_data(path))


def analyse_source(
    data: CoverageData, name: str, source: str, settings: CoverageSettings
) -> FileData | None:
    """coverage.py's own analysis of one measured file, with the given text as its source."""
    from coverage.exceptions import CoverageException
    from coverage.results import analysis_from_file_reporter

    try:
        reporter = text_file_reporter(name, source, settings)
        analysis = analysis_from_file_reporter(data, 2, reporter, name)
        no_branch = reporter.no_branch_lines()
    except (CoverageException, SyntaxError, ValueError):
        return None  # not Python (or not valid): coverage.py would skip it too
    branches: dict[int, tuple[int, int]] = {}
    missed: dict[int, tuple[int, ...]] = {}
    if analysis.has_arcs:
        missing_arcs = analysis.missing_branch_arcs()
        for line, total in analysis.exit_counts.items():
            if total > 1 and line in analysis.statements and line not in no_branch:
                lost = tuple(sorted(missing_arcs.get(line, ())))
                branches[line] = (total - len(lost), total)
                if lost:
                    missed[line] = lost
    return FileData(frozenset(analysis.statements), frozenset(analysis.missing), branches, missed)


def text_file_reporter(filename: str, text: str, settings: CoverageSettings) -> FileReporter:
    """coverage.py's plugin-API FileReporter over a given text (the staged content)."""
    return _reporter_class()(filename, text, settings)


@functools.cache
def _reporter_class() -> Callable[[str, str, CoverageSettings], FileReporter]:
    """Define the reporter on first use: importing coverage.py costs ~80 ms at startup."""
    from coverage.parser import PythonParser
    from coverage.plugin import FileReporter

    class Reporter(FileReporter):
        """statements, exits and arcs from coverage.py's parser of the given text."""

        def __init__(self, filename: str, text: str, settings: CoverageSettings) -> None:
            super().__init__(filename)
            self.parser = PythonParser(text=text, filename=filename, exclude=settings.exclude)
            self.parser.parse_source()
            partial = settings.partial
            self.no_branch = self.parser.lines_matching(partial) if partial else set()

        def lines(self) -> set[int]:
            """Statement lines."""
            return set(self.parser.statements)

        def excluded_lines(self) -> set[int]:
            """Excluded statement lines."""
            return set(self.parser.excluded)

        def translate_lines(self, lines: Iterable[int]) -> set[int]:
            """Map measured lines to their statements' first lines."""
            return set(self.parser.translate_lines(lines))

        def translate_arcs(self, arcs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
            """Map measured arcs to statements' first lines."""
            return set(self.parser.translate_arcs(arcs))

        def arcs(self) -> set[tuple[int, int]]:
            """Possible arcs."""
            return set(self.parser.arcs())

        def exit_counts(self) -> dict[int, int]:
            """Exits per line."""
            return dict(self.parser.exit_counts())

        def no_branch_lines(self) -> set[int]:
            """Lines the configuration marks as partial branches."""
            return set(self.no_branch)

    return Reporter


def statement_map(
    source: str, settings: CoverageSettings
) -> tuple[frozenset[int], dict[int, int]] | None:
    """Statements of a Python text, and each multi-line statement's lines to its first line.

    coverage.py's parser decides; None when the text is not Python.
    """
    from coverage.exceptions import CoverageException
    from coverage.parser import PythonParser

    try:
        parser = PythonParser(text=source, exclude=settings.exclude)
        parser.parse_source()
    except (CoverageException, SyntaxError, ValueError):
        return None
    mapping = {line: parser.first_line(line) for line in parser.multiline_map}
    return frozenset(parser.statements), mapping


# Cobertura XML --------------------------------------------------------------------------------


def parse_xml(path: Path) -> Element:
    """Parse XML from outside with defusedxml: entity bombs and external entities are refused."""
    # the exception type only: parsing goes through defusedxml
    from xml.etree.ElementTree import ParseError  # nosec B405

    import defusedxml.ElementTree as SafeTree
    from defusedxml import DefusedXmlException

    try:
        root = SafeTree.parse(str(path)).getroot()
    except DefusedXmlException as exc:
        raise FatalError(f"{path}: refused hostile XML ({type(exc).__name__}: {exc})") from None
    except ParseError as exc:
        raise FatalError(f"{path}: malformed XML: {exc}") from None
    except OSError as exc:
        raise FatalError(f"{path}: cannot read: {exc.strerror}") from None
    if root is None:
        raise FatalError(f"{path}: malformed XML: no root element")
    return root


def read_cobertura(path: Path) -> Report:
    """Read Cobertura XML (coverage.py's `coverage xml`, or any tool's)."""
    root = parse_xml(path)
    if root.tag != "coverage":
        raise FatalError(f"{path}: not Cobertura XML (root element <{root.tag}>, not <coverage>)")
    sources = [s.text.strip() for s in root.iter("source") if s.text and s.text.strip()]
    lines: dict[str, dict[int, tuple[int, tuple[int, int] | None, tuple[int, ...]]]] = {}
    try:
        for cls in root.iter("class"):
            name = cls.get("filename")
            if not name:
                raise ValueError("a <class> has no filename")
            merged = lines.setdefault(name.replace("\\", "/"), {})
            for line in cls.iter("line"):
                _merge_line(merged, line)
    except ValueError as exc:
        raise FatalError(f"{path}: not valid Cobertura XML: {exc}") from None
    branch = any(b is not None for f in lines.values() for _, b, _ in f.values())
    branch = branch or _int_attr(root, "branches-valid") > 0
    files = {name: _cobertura_file(entries) for name, entries in lines.items()}
    return StaticReport(path, "cobertura", files, branch=branch, sources=sources)


def _int_attr(element: Element, name: str) -> int:
    try:
        return int(float(element.get(name, "0")))
    except ValueError:
        return 0


def _merge_line(
    merged: dict[int, tuple[int, tuple[int, int] | None, tuple[int, ...]]], line: Element
) -> None:
    number = int(line.get("number", ""))
    hits = int(float(line.get("hits", "0")))
    branch: tuple[int, int] | None = None
    missed: tuple[int, ...] = ()
    if line.get("branch") == "true":
        match = CONDITION_RE.search(line.get("condition-coverage", ""))
        if match:
            branch = (int(match.group(1)), int(match.group(2)))
        raw = line.get("missing-branches", "")
        missed = tuple(int(x) for x in raw.split(",") if x.strip().lstrip("-").isdigit())
    old = merged.get(number)
    if old is not None:
        hits = max(hits, old[0])
        branch = branch or old[1]
    merged[number] = (hits, branch, missed)


def _cobertura_file(
    entries: Mapping[int, tuple[int, tuple[int, int] | None, tuple[int, ...]]],
) -> FileData:
    branches = {n: b for n, (_, b, _) in entries.items() if b is not None and b[1] > 1}
    missed = {n: m for n, (_, _, m) in entries.items() if m}
    return FileData(
        frozenset(entries),
        frozenset(n for n, (hits, _, _) in entries.items() if hits == 0),
        branches,
        missed,
    )


# coverage.json --------------------------------------------------------------------------------


def read_json(path: Path) -> Report:
    """Read coverage.py's `coverage json` output."""
    try:
        doc = json.loads(path.read_bytes())
        files = {
            str(name).replace("\\", "/"): _json_file(entry) for name, entry in doc["files"].items()
        }
        branch = bool(doc.get("meta", {}).get("branch_coverage", False))
    except OSError as exc:
        raise FatalError(f"{path}: cannot read: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise FatalError(f"{path}: not coverage.py JSON: {type(exc).__name__}: {exc}") from None
    return StaticReport(path, "json", files, branch=branch)


def _json_file(entry: Mapping[str, Any]) -> FileData:
    executed = {int(n) for n in entry["executed_lines"]}
    missing = {int(n) for n in entry["missing_lines"]}
    taken: dict[int, int] = {}
    exits: dict[int, int] = {}
    missed: dict[int, list[int]] = {}
    for start, _end in entry.get("executed_branches", ()):
        taken[int(start)] = taken.get(int(start), 0) + 1
        exits[int(start)] = exits.get(int(start), 0) + 1
    for start, end in entry.get("missing_branches", ()):
        exits[int(start)] = exits.get(int(start), 0) + 1
        missed.setdefault(int(start), []).append(int(end))
    branches = {line: (taken.get(line, 0), total) for line, total in exits.items()}
    return FileData(
        frozenset(executed | missing),
        frozenset(missing),
        branches,
        {k: tuple(sorted(v)) for k, v in missed.items()},
    )


# LCOV -----------------------------------------------------------------------------------------


def read_lcov(path: Path) -> Report:
    """Read an LCOV tracefile (SF/DA/BRDA records)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise FatalError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        files, branch = _parse_lcov(text.splitlines())
    except ValueError as exc:
        raise FatalError(f"{path}: not a valid LCOV tracefile: {exc}") from None
    return StaticReport(path, "lcov", files, branch=branch)


def _parse_lcov(lines: Iterable[str]) -> tuple[dict[str, FileData], bool]:
    files: dict[str, FileData] = {}
    current: str | None = None
    hits: dict[int, int] = {}
    exits: dict[int, list[bool]] = {}
    any_branch = False
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        tag, _, value = line.partition(":")
        if tag == "SF":
            current, hits, exits = value.replace("\\", "/"), {}, {}
        elif tag in ("DA", "BRDA") and current is None:
            raise ValueError(f"line {number}: {tag} record before any SF record")
        elif tag == "DA":
            fields = value.split(",")
            hits[int(fields[0])] = max(hits.get(int(fields[0]), 0), int(float(fields[1])))
        elif tag == "BRDA":
            fields = value.split(",")
            any_branch = True
            exits.setdefault(int(fields[0]), []).append(fields[3] not in ("-", "0"))
        elif line == "end_of_record" and current is not None:
            files[current] = _lcov_file(hits, exits, files.get(current))
            current = None
    if current is not None:
        raise ValueError(f"record for {current} has no end_of_record")
    return files, any_branch


def _lcov_file(
    hits: Mapping[int, int], exits: Mapping[int, list[bool]], earlier: FileData | None
) -> FileData:
    statements = set(hits)
    missing = {n for n, h in hits.items() if h == 0}
    branches = {n: (sum(e), len(e)) for n, e in exits.items() if len(e) > 1}
    if earlier is not None:  # the same file in two records (two test names): merge
        missing = (missing | (earlier.missing - statements)) - earlier.covered
        statements |= earlier.statements
        branches = {**earlier.branches, **branches}
    return FileData(frozenset(statements), frozenset(missing), branches)
