"""What the types gate needs around mypy: the interpreter, the config, the run, its messages.

The run itself happens in `quality_gates.mypy_driver`, in a subprocess of the hook's own
interpreter (which has mypy); this module builds its request and reads its answer.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from quality_gates.errors import FatalError
from quality_gates.findings import Finding
from quality_gates.process import run

if sys.version_info >= (3, 11):  # pragma: no cover (depends on the interpreter)
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CACHE_DIR = ".quality-gates/cache"
# the files mypy looks for, in its order: the first that has a mypy section wins
MYPY_CONFIGS = ("mypy.ini", ".mypy.ini", "pyproject.toml", "setup.cfg")
PLAIN_RE = re.compile(
    r"^(?P<path>[^:\n]+?):(?:(?P<line>-?\d+):(?:(?P<column>\d+):)?(?:\d+:\d+:)?)?"
    r" (?P<severity>error|warning|note): (?P<message>.*?)(?:  \[(?P<code>[\w-]+)\])?$"
)
LINE_REF_RE = re.compile(r"\bline \d+\b")
NEWLINE_RE = re.compile(r"\r\n|\r|\n")
BLOCKING_RULE = "blocker"
WARNINGS_SHOWN = 5
SYNTAX_RULE = "syntax"


class Interpreter(NamedTuple):
    """The interpreter mypy resolves third-party imports with, and why that one."""

    path: str | None  # None: mypy's own (the hook's environment)
    origin: str

    def describe(self) -> str:
        """A note for the output: which interpreter, and where it came from."""
        where = self.path or sys.executable
        return f"mypy resolves imports with {where} ({self.origin})"


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def find_interpreter(
    root: Path, configured: str, environ: Mapping[str, str], *, own_prefix: str = sys.prefix
) -> Interpreter:
    """The policy's `types.python`, else the repository's .venv or venv, else VIRTUAL_ENV.

    pre-commit sets VIRTUAL_ENV to the hook's own environment, which is not the project's:
    that one is skipped.
    """
    if configured:
        found = shutil.which(configured) if "/" not in configured else None
        path = Path(found) if found else root / configured
        if not path.is_file():
            raise FatalError(f"types.python = {configured!r}: no such interpreter")
        return Interpreter(str(path), "types.python")
    for name in (".venv", "venv"):
        candidate = _venv_python(root / name)
        if candidate.is_file():
            return Interpreter(str(candidate), f"the repository's {name}")
    venv = environ.get("VIRTUAL_ENV", "")
    if venv and os.path.realpath(venv) != os.path.realpath(own_prefix):
        candidate = _venv_python(Path(venv))
        if candidate.is_file():
            return Interpreter(str(candidate), "VIRTUAL_ENV")
    return Interpreter(
        None, "the hook's own environment: no .venv, venv or VIRTUAL_ENV; set types.python"
    )


def has_mypy_section(name: str, content: bytes) -> bool:
    """Tell whether a config file is one mypy would use (mypy.ini always; others by section)."""
    if name in ("mypy.ini", ".mypy.ini"):
        return True
    text = content.decode("utf-8", "replace")
    if name == "pyproject.toml":
        try:
            return "mypy" in tomllib.loads(text).get("tool", {})
        except tomllib.TOMLDecodeError:
            return False
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error:
        return False
    return parser.has_section("mypy")


def choose_config(contents: Mapping[str, bytes | None]) -> str | None:
    """The config file mypy would pick among the root's candidates (name -> content or None)."""
    for name in MYPY_CONFIGS:
        content = contents.get(name)
        if content is not None and has_mypy_section(name, content):
            return name
    return None


def mypy_args(interpreter: Interpreter, *, strict: bool, extra: Sequence[str]) -> list[str]:
    """The arguments of every mypy run: JSON output, the interpreter, --strict, the policy's flags.

    The cache folder, shadow files and a temporary config are added per run; these arguments
    are what a baseline's cache key records.
    """
    args = ["-O", "json", "--no-pretty"]
    if interpreter.path is not None:
        args += ["--python-executable", interpreter.path]
    return args + (["--strict"] if strict else []) + list(extra)


@dataclass(frozen=True)
class RunResult:
    """What one mypy run found."""

    findings: tuple[Finding, ...]
    problems: tuple[str, ...]  # messages with no place, e.g. a bad option in the config
    blocked: bool  # mypy stopped at a blocking error: the rest was not checked
    excluded: tuple[str, ...]
    added: tuple[str, ...]  # extra files that the configured targets did not already have
    precision: Mapping[str, str] = field(default_factory=dict)
    version: str = ""
    warnings: tuple[str, ...] = ()  # what mypy printed on stderr (e.g. about the config)


def run_driver(
    cwd: Path,
    args: Sequence[str],
    *,
    targets: Sequence[str],
    extra: Sequence[str],
    precision: Sequence[str] = (),
    precision_cache: Path | None = None,
) -> RunResult:
    """Run mypy through the driver (one process, cwd as the project root)."""
    request = {
        "mypy_args": list(args),
        "targets": list(targets),
        "extra": list(extra),
        "precision": list(precision),
        "precision_cache": str(precision_cache or ""),
    }
    with tempfile.TemporaryDirectory(prefix="quality-types-") as tmp:
        request_file = Path(tmp) / "request.json"
        request_file.write_text(json.dumps(request), encoding="utf-8")
        argv = (sys.executable, "-m", "quality_gates.mypy_driver", str(request_file))
        completed = run(argv, cwd=cwd, ok=(0,))
    result = parse_document(completed.stdout, cwd)
    text = completed.stderr.decode("utf-8", "replace")
    warnings = tuple(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
    return replace(result, warnings=warnings[:WARNINGS_SHOWN])


def parse_document(output: bytes, root: Path) -> RunResult:
    """Read the driver's JSON document."""
    try:
        doc = json.loads(output)
        messages = [str(m) for m in doc["messages"]]
        precision = {str(k): str(v) for k, v in doc["precision"].items()}
        excluded = tuple(str(p) for p in doc["excluded"])
        added = tuple(str(p) for p in doc.get("added", ()))
        blocked, version = bool(doc["blocked"]), str(doc["mypy"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise FatalError(f"mypy driver printed output that is not its JSON format: {exc}") from None
    findings, problems = parse_messages(messages, root, blocked=blocked)
    precision = {_relative(k, root): v for k, v in precision.items()}
    return RunResult(findings, problems, blocked, excluded, added, precision, version)


def parse_messages(
    messages: Iterable[str], root: Path, *, blocked: bool = False
) -> tuple[tuple[Finding, ...], tuple[str, ...]]:
    """Turn mypy's messages (`-O json` lines, or plain text for blocking errors) into findings.

    Notes are dropped (they never fail a run); a message with no file is a problem.
    """
    findings: list[Finding] = []
    problems: list[str] = []
    for raw in messages:
        for line in raw.splitlines():
            record = _json_record(line) if line.startswith("{") else _plain_record(line)
            if record is None:
                if line.strip() and not line.startswith(" "):
                    problems.append(line.strip())
                continue
            if record.get("severity") != "error":
                continue
            if not record.get("file"):
                problems.append(str(record.get("message", line)))
                continue
            findings.append(_finding(record, root, blocked=blocked))
    return _unique_findings(findings), tuple(problems)


def _unique_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Drop an error printed twice (a blocking error both as JSON and as plain text)."""
    seen: set[tuple[str, int, str]] = set()
    kept = []
    for finding in findings:
        place = (finding.path, finding.line, finding.message)
        if place not in seen:
            seen.add(place)
            kept.append(finding)
    return tuple(kept)


def _json_record(line: str) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) and "message" in record else None


def _plain_record(line: str) -> dict[str, Any] | None:
    match = PLAIN_RE.match(line)
    if match is None or match["path"] == "mypy":
        return None if match is None else {"message": match["message"], "severity": "error"}
    column = int(match["column"]) - 1 if match["column"] else 0
    return {
        "file": match["path"],
        "line": int(match["line"] or 1),
        "column": column,
        "message": match["message"],
        "code": match["code"],
        "severity": match["severity"],
        "plain": True,
    }


def _relative(path: str, root: Path) -> str:
    if os.path.isabs(path):
        try:
            return Path(path).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return Path(path).as_posix()
    return Path(os.path.normpath(path)).as_posix()


def _finding(record: Mapping[str, Any], root: Path, *, blocked: bool) -> Finding:
    line = max(1, int(record.get("line") or 1))
    code = record.get("code") or (BLOCKING_RULE if blocked else "misc")
    end_line = record.get("end_line")
    end_column = record.get("end_column")
    return Finding(
        path=_relative(str(record["file"]), root),
        line=line,
        column=max(0, int(record.get("column") or 0)) + 1,
        rule=str(code),
        message=str(record["message"]),
        end_line=None if end_line is None else max(line, int(end_line)),
        end_column=None if end_column is None else int(end_column) + 1,
    )


ErrorKey = tuple[str, str, str, str]


def normalise_message(message: str) -> str:
    """A message without what moves when lines move: line numbers, runs of spaces."""
    return " ".join(LINE_REF_RE.sub("line N", message).split())


def error_key(finding: Finding, lines: Sequence[str]) -> ErrorKey:
    """(path, code, normalised message, line text): the same error after lines shifted."""
    text = lines[finding.line - 1].strip() if 0 < finding.line <= len(lines) else ""
    return (finding.path, finding.rule, normalise_message(finding.message), text)


def keys_of(findings: Iterable[Finding], read_lines: Any) -> list[ErrorKey]:
    """The keys of findings, reading each file's lines once (read_lines(path) -> lines)."""
    lines: dict[str, Sequence[str]] = {}
    keys = []
    for finding in findings:
        if finding.path not in lines:
            lines[finding.path] = read_lines(finding.path)
        keys.append(error_key(finding, lines[finding.path]))
    return keys


def match_baseline(
    findings: Sequence[Finding], keys: Sequence[ErrorKey], baseline: Iterable[ErrorKey]
) -> tuple[list[Finding], list[Finding]]:
    """Split findings into (new, existing): existing when the baseline has as many of its key."""
    remaining = Counter(baseline)
    new: list[Finding] = []
    existing: list[Finding] = []
    for finding, key in zip(findings, keys, strict=True):
        if remaining[key] > 0:
            remaining[key] -= 1
            existing.append(finding)
        else:
            new.append(finding)
    return new, existing


def text_lines(data: bytes | None) -> list[str]:
    """A file's lines as mypy numbers them (universal newlines), or none for no file."""
    if data is None:
        return []
    return NEWLINE_RE.split(data.decode("utf-8", "replace"))


def ensure_cache_dir(root: Path) -> Path:
    """The untracked cache folder, with a .gitignore of its own so it stays untracked."""
    cache = root / CACHE_DIR
    cache.mkdir(parents=True, exist_ok=True)
    ignore = cache / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    return cache
