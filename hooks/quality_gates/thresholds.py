"""The shared policy: built-in defaults < [tool.quality-gates] < stage profile < CLI flags.

Every hook and the full run read their thresholds here, so a commit and CI use the same numbers.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quality_gates.errors import FatalError

if sys.version_info >= (3, 11):  # pragma: no cover (depends on the interpreter)
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SECTION = "tool.quality-gates"
GATES = (
    "coverage",
    "lint",
    "format",
    "types",
    "security",
    "docs",
    "links",
    "a11y",
    "tests",
    "perf",
)
SEVERITIES = ("low", "medium", "high")
STAGES_KEY = "stages"

Validator = Callable[[Any], Any]


@dataclass(frozen=True)
class Key:
    """One policy key: its default and how a configured value is checked and normalised."""

    default: Any
    check: Validator
    help: str


def _number(low: float, high: float) -> Validator:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"must be a number between {low:g} and {high:g}")
        if not low <= value <= high:
            raise ValueError(f"must be between {low:g} and {high:g}")
        return float(value)

    return check


def _count(value: Any) -> int | None:
    if value is None or value == -1:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("must be a whole number >= 0, or -1 for no cap")
    return value


def _choice(*choices: str) -> Validator:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value.lower() not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return value.lower()

    return check


def _whole_number(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("must be a whole number >= 0")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _text_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError("must be a list of strings")
    return tuple(value)


def _allowance(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < -1:
        raise ValueError("must be a whole number >= 0, or -1 for no cap")
    return value


def _command(value: Any) -> tuple[str, ...]:
    command = _text_list(value)
    if not command:
        raise ValueError("must name a command: a non-empty list of strings (argv)")
    return command


def _positive(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError("must be a number >= 0")
    return float(value)


def _categories(value: Any) -> dict[str, dict[str, tuple[str, ...]]]:
    """Test categories: {name: {markers = [...], paths = [...]}}."""
    if not isinstance(value, Mapping) or not value:
        raise ValueError("must be a table of categories, each {markers = [...], paths = [...]}")
    checked: dict[str, dict[str, tuple[str, ...]]] = {}
    for name, spec in value.items():
        if not isinstance(spec, Mapping) or set(spec) - {"markers", "paths"}:
            raise ValueError(f"category {name!r} must be a table with markers and/or paths")
        checked[str(name)] = {k: _text_list(spec.get(k, [])) for k in ("markers", "paths")}
    return checked


def _gate_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError("must be a list of gate names")
    unknown = sorted(set(value) - set(GATES))
    if unknown:
        raise ValueError(f"unknown gate(s) {', '.join(unknown)} (known: {', '.join(GATES)})")
    return tuple(value)


def _flag_or_unset(value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _strings_or_unset(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError("must be a list of strings")
    return tuple(value)


def _regexes(value: Any) -> tuple[str, ...]:
    patterns = _strings_or_unset(value) or ()
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{pattern!r} is not a valid regex: {exc}") from None
    return patterns


def _optional(check: Validator) -> Validator:
    return lambda value: None if value is None else check(value)


def _whole(low: int, high: int) -> Validator:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"must be a whole number between {low} and {high}")
        return value

    return check


DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def _duration(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    match = DURATION_RE.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError('must be seconds, or a number with a unit s, m, h or d (e.g. "1d")')
    return float(match.group(1)) * DURATION_UNITS[match.group(2)]


STATUS_RE = re.compile(r"^\s*(\d{3})\s*(?:(?:\.\.=?|-)\s*(\d{3}))?\s*$")


def status_ranges(value: Any) -> tuple[tuple[int, int], ...]:
    """HTTP status codes and inclusive ranges: [200, "200..299", "300-399"] as (low, high)."""
    items = value if isinstance(value, (list, tuple)) else [value]
    ranges = []
    for item in items:
        text = str(item) if isinstance(item, int) and not isinstance(item, bool) else item
        match = STATUS_RE.match(text) if isinstance(text, str) else None
        if match is None:
            raise ValueError('must be status codes or ranges, e.g. [200, "200..299"]')
        low = int(match.group(1))
        ranges.append((low, int(match.group(2) or low)))
    return tuple(ranges)


def _statuses(value: Any) -> tuple[str, ...]:
    return tuple(f"{low}..{high}" for low, high in status_ranges(value))


# interrogate's switches, by its own names, so [tool.interrogate] users can migrate
INTERROGATE_FLAGS = (
    "ignore-init-method",
    "ignore-init-module",
    "ignore-magic",
    "ignore-module",
    "ignore-nested-functions",
    "ignore-nested-classes",
    "ignore-private",
    "ignore-semiprivate",
    "ignore-property-decorators",
    "ignore-setters",
    "ignore-overloaded-functions",
)


def _docs_keys() -> dict[str, Key]:
    unset = "(unset: [tool.interrogate]'s value, else off)"
    keys = {
        name: Key(None, _flag_or_unset, f"interrogate's --{name} {unset}")
        for name in INTERROGATE_FLAGS
    }
    keys["ignore-regex"] = Key(None, _optional(_regexes), f"names to leave out (re.match) {unset}")
    keys["whitelist-regex"] = Key(None, _optional(_regexes), f"only names matching {unset}")
    keys["exclude"] = Key(None, _strings_or_unset, f"paths to leave out, also passed ones {unset}")
    keys["style"] = Key(None, _optional(_choice("sphinx", "google")), f"docstring style {unset}")
    return {**_percent_keys(100.0), **keys}


def _links_keys() -> dict[str, Key]:
    return {
        **_percent_keys(100.0),
        "external": Key(
            None, _flag_or_unset, "check http(s) links (unset: only in the nightly stage)"
        ),
        "accept": Key(("200..299",), _statuses, "HTTP statuses that count as alive"),
        "exclude": Key((), _regexes, "regexes of URLs not to check (re.search)"),
        "exclude-path": Key((), _regexes, "regexes of document paths not to check (re.search)"),
        "timeout": Key(10.0, _number(0.1, 600), "seconds per request"),
        "max-retries": Key(2, _whole(0, 10), "retries after a timeout, 429 or 5xx"),
        "retry-wait": Key(1.0, _number(0, 600), "first backoff in seconds (doubles each retry)"),
        "max-retry-after": Key(60.0, _number(0, 3600), "longest Retry-After honoured, in seconds"),
        "max-concurrency": Key(16, _whole(1, 256), "requests in flight in all"),
        "host-concurrency": Key(4, _whole(1, 64), "requests in flight per host"),
        "cache-max-age": Key(
            86400.0, _duration, 'how long a result is reused ("1d", "12h", seconds; 0: no cache)'
        ),
        "max-file-mb": Key(10.0, _number(0.001, 10_000), "larger documents fail as unchecked"),
    }


def _percent_keys(threshold: float, target: float = 100.0) -> dict[str, Key]:
    return {
        "threshold": Key(threshold, _number(0, 100), "minimum value (percent) to pass"),
        "target": Key(target, _number(0, 100), "value aimed for; the report shows the gap"),
    }


def _tolerances(value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise ValueError("must be a table of gate = percentage points, e.g. { coverage = 0.5 }")
    unknown = sorted(set(value) - set(GATES))
    if unknown:
        raise ValueError(f"unknown gate(s) {', '.join(unknown)} (known: {', '.join(GATES)})")
    check = _number(0, 100)
    return {gate: check(points) for gate, points in value.items()}


RUN_TABLE = "run"
# the full run (`quality-gates run`): where it keeps its files, and what counts as a regression
RUN_KEYS: dict[str, Key] = {
    "history": Key(".quality-gates/history.db", _text, "SQLite history of full runs"),
    "baseline": Key(
        ".quality-gates/baseline.json", _text, "pinned baseline (`quality-gates baseline save`)"
    ),
    "overrides": Key(".quality-gates/overrides.toml", _text, "emergency overrides file"),
    "output-dir": Key(".quality-gates/report", _text, "report.json/md, SARIF, index.html"),
    "badges-dir": Key(".quality-gates/badges", _text, "SVG badges; empty: no badges"),
    "default-branch": Key(
        "", _text, "branch whose last run is the baseline; empty: origin/HEAD, else main"
    ),
    "tolerance": Key(0.0, _number(0, 100), "regression tolerance in percentage points"),
    "tolerances": Key({}, _tolerances, "per-gate tolerance, e.g. { coverage = 0.5 }"),
    "top-findings": Key(10, _count, "findings listed per gate in report.md and issue bodies"),
}

TOP_KEYS: dict[str, Key] = {
    "gates": Key(GATES, _gate_list, "gates that `quality-gates check` and `run` use"),
    "max-new-suppressions": Key(
        None, _count, "cap on suppressions (# noqa, # nosec, ...) added per change; -1: no cap"
    ),
}

DEFAULT_CATEGORIES: dict[str, dict[str, tuple[str, ...]]] = {
    "unit": {"markers": ("unit",), "paths": ("tests/unit/*", "*/tests/unit/*")},
    "integration": {
        "markers": ("integration",),
        "paths": ("tests/integration/*", "*/tests/integration/*"),
    },
    "performance": {
        "markers": ("performance", "benchmark"),
        "paths": ("tests/performance/*", "tests/perf/*", "*/tests/performance/*"),
    },
    "ui": {"markers": ("ui", "e2e"), "paths": ("tests/ui/*", "tests/e2e/*", "*/tests/ui/*")},
}

GATE_KEYS: dict[str, dict[str, Key]] = {
    "coverage": {
        **_percent_keys(95.0),
        "changed-threshold": Key(
            95.0, _number(0, 100), "minimum coverage (percent) of the changed lines"
        ),
        "data": Key("", _text, "coverage data file; empty: the newest found in the repo root"),
        "require-data": Key(
            False, _flag, "no data found is an error (exit 2), not a note and nothing measured"
        ),
        "branch": Key(True, _flag, "count branch exits where branch coverage was measured"),
        "project": Key(
            "full", _choice("full", "always"), "when project % below threshold fails the gate"
        ),
        "stale": Key("warn", _choice("warn", "fail"), "data older than a changed file: warn/fail"),
        "omit": Key((), _text_list, "globs of repository files the gate leaves out"),
    },
    "lint": {
        "threshold": Key(10.0, _number(0, 10), "minimum lint score (0-10) to pass"),
        "target": Key(10.0, _number(0, 10), "score aimed for"),
    },
    "format": _percent_keys(100.0),
    "types": {
        **_percent_keys(100.0),
        "python": Key("", _text, "interpreter whose packages mypy resolves imports with"),
        "strict": Key(True, _flag, "run mypy with --strict (your [tool.mypy] still applies)"),
        "max-new-errors": Key(0, _allowance, "new mypy errors a change may add; -1: no cap"),
        "args": Key((), _text_list, "extra mypy command-line flags, e.g. to relax --strict"),
    },
    "security": {
        **_percent_keys(100.0),
        "severity": Key("low", _choice(*SEVERITIES), "lowest bandit severity that counts"),
        "confidence": Key("medium", _choice(*SEVERITIES), "lowest bandit confidence that counts"),
    },
    "docs": _docs_keys(),
    "links": _links_keys(),
    "a11y": {
        **_percent_keys(100.0),
        "engine": Key("static", _choice("static", "axe"), "static rules, or axe-core in Chromium"),
        "fragments": Key(
            "auto",
            _choice("auto", "always", "never"),
            "treat files as partial pages (no document rules): auto-detect, always, never",
        ),
        "max-bytes": Key(2_000_000, _whole_number, "larger pages are not parsed (0: no limit)"),
        "ignore": Key((), _text_list, "rule ids not to check"),
        "browser": Key("", _text, "Chromium to launch for the axe engine (empty: the system's)"),
    },
    "tests": {
        **_percent_keys(100.0),
        "command": Key(("pytest",), _command, "test command (argv); pytest options are added"),
        "junit": Key("", _text, "read this JUnit XML instead of running the tests"),
        "data": Key("", _text, "coverage data with test contexts for selection; empty: .coverage"),
        "categories": Key(DEFAULT_CATEGORIES, _categories, "test categories: markers, path globs"),
        "default-category": Key("unit", _text, "category of a test that matches none"),
        "test-files": Key(
            ("test_*.py", "*_test.py"), _text_list, "file name globs of test files (pytest's)"
        ),
    },
    "perf": {
        **_percent_keys(100.0),
        "tolerance": Key(10.0, _positive, "allowed slowdown of the median, percent"),
        "results": Key("", _text, "pytest-benchmark JSON to judge; empty: run the command"),
        "command": Key(
            ("pytest", "--benchmark-only"), _command, "benchmark command (argv), run for results"
        ),
        "baseline": Key(
            ".quality-gates/baselines/perf.json", _text, "stored baseline (baseline save perf)"
        ),
    },
}


@dataclass(frozen=True)
class GatePolicy:
    """The resolved settings of one gate."""

    name: str
    threshold: float
    target: float
    options: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        """Return a gate-specific setting (its default when not configured)."""
        return self.options[key]


@dataclass(frozen=True)
class Policy:
    """The resolved policy, with where it came from."""

    source: str
    stage: str | None
    gates: tuple[str, ...]
    max_new_suppressions: int | None
    gate_policies: Mapping[str, GatePolicy]
    run: Mapping[str, Any] = field(default_factory=lambda: _table_defaults(RUN_KEYS))

    def gate(self, name: str) -> GatePolicy:
        """Return the settings of the gate called name."""
        return self.gate_policies[name]


def _table_defaults(keys: Mapping[str, Key]) -> dict[str, Any]:
    return {k: key.default for k, key in keys.items()}


def _defaults() -> dict[str, Any]:
    resolved: dict[str, Any] = {k: key.default for k, key in TOP_KEYS.items()}
    for gate, keys in GATE_KEYS.items():
        resolved[gate] = {k: key.default for k, key in keys.items()}
    resolved[RUN_TABLE] = {k: key.default for k, key in RUN_KEYS.items()}
    return resolved


def _apply_gate(
    resolved: dict[str, Any], gate: str, table: Any, *, where: str, section: str
) -> None:
    if not isinstance(table, Mapping):
        raise FatalError(f"{where}: [{section}] must be a table")
    keys = RUN_KEYS if gate == RUN_TABLE else GATE_KEYS[gate]
    for key, value in table.items():
        if key not in keys:
            raise FatalError(
                f"{where}: [{section}] unknown key {key!r} (known: {', '.join(sorted(keys))})"
            )
        resolved[gate][key] = _checked(keys[key], value, where=where, name=f"{section}.{key}")


def _checked(key: Key, value: Any, *, where: str, name: str) -> Any:
    try:
        return key.check(value)
    except ValueError as exc:
        raise FatalError(f"{where}: {name} = {value!r}: {exc}") from None


def _apply_layer(
    resolved: dict[str, Any], layer: Mapping[str, Any], *, where: str, section: str
) -> None:
    for key, value in layer.items():
        if key in GATE_KEYS or key == RUN_TABLE:
            _apply_gate(resolved, key, value, where=where, section=f"{section}.{key}")
        elif key in TOP_KEYS:
            resolved[key] = _checked(TOP_KEYS[key], value, where=where, name=f"{section}.{key}")
        elif key != STAGES_KEY:
            known = ", ".join(sorted([*TOP_KEYS, *GATE_KEYS, RUN_TABLE, STAGES_KEY]))
            raise FatalError(f"{where}: [{section}] unknown key {key!r} (known: {known})")


def read_section(pyproject: Path) -> Mapping[str, Any]:
    """Read [tool.quality-gates] from a pyproject.toml; an absent file or section is empty."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FatalError(f"{pyproject}: cannot read: {exc}") from None
    tool = data.get("tool", {})
    if not isinstance(tool, Mapping):
        raise FatalError(f"{pyproject}: [tool] must be a table")
    section = tool.get("quality-gates", {})
    if not isinstance(section, Mapping):
        raise FatalError(f"{pyproject}: [{SECTION}] must be a table")
    return section


def _stage_layer(section: Mapping[str, Any], stage: str, *, where: str) -> Mapping[str, Any]:
    stages = section.get(STAGES_KEY, {})
    if not isinstance(stages, Mapping):
        raise FatalError(f"{where}: [{SECTION}.{STAGES_KEY}] must be a table of stage profiles")
    layer = stages.get(stage, {})
    if not isinstance(layer, Mapping):
        raise FatalError(f"{where}: [{SECTION}.{STAGES_KEY}.{stage}] must be a table")
    if STAGES_KEY in layer:
        raise FatalError(f"{where}: [{SECTION}.{STAGES_KEY}.{stage}] cannot nest stages")
    return layer


def _apply_stage(
    resolved: dict[str, Any], section: Mapping[str, Any], stage: str, *, where: str
) -> None:
    profile = _stage_layer(section, stage, where=where)
    _apply_layer(resolved, profile, where=where, section=f"{SECTION}.{STAGES_KEY}.{stage}")


def _check_stages(section: Mapping[str, Any], *, where: str) -> None:
    """Validate every stage profile, so a typo fails now rather than on the day it is used."""
    stages = section.get(STAGES_KEY, {})
    if not isinstance(stages, Mapping):
        raise FatalError(f"{where}: [{SECTION}.{STAGES_KEY}] must be a table of stage profiles")
    for name in stages:
        _apply_stage(_defaults(), section, name, where=where)


def parse_override(text: str) -> tuple[str, Any]:
    """Parse a CLI override `gate.key=value` (value in TOML syntax, bare words as strings)."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise FatalError(f"--set {text!r}: expected KEY=VALUE, e.g. lint.threshold=9.5")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return name.strip(), value


def _overrides_layer(overrides: Mapping[str, Any]) -> dict[str, Any]:
    layer: dict[str, Any] = {}
    for name, value in overrides.items():
        gate, dot, key = name.partition(".")
        if dot:
            layer.setdefault(gate, {})[key] = value
        else:
            layer[name] = value
    return layer


def load(
    pyproject: Path,
    *,
    stage: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Policy:
    """Resolve the policy for a repository: defaults, its pyproject, the stage, then CLI flags."""
    where = str(pyproject)
    section = read_section(pyproject)
    resolved = _defaults()
    _apply_layer(resolved, section, where=where, section=SECTION)
    _check_stages(section, where=where)
    if stage is not None:
        _apply_stage(resolved, section, stage, where=where)
    if overrides:
        _apply_layer(resolved, _overrides_layer(overrides), where="command line", section="--set")
    return _freeze(resolved, source=where if section else "built-in defaults", stage=stage)


def _freeze(resolved: dict[str, Any], *, source: str, stage: str | None) -> Policy:
    gate_policies = {
        gate: GatePolicy(
            name=gate,
            threshold=resolved[gate]["threshold"],
            target=resolved[gate]["target"],
            options=dict(resolved[gate]),
        )
        for gate in GATE_KEYS
    }
    return Policy(
        source=source,
        stage=stage,
        gates=tuple(resolved["gates"]),
        max_new_suppressions=resolved["max-new-suppressions"],
        gate_policies=gate_policies,
        run=dict(resolved[RUN_TABLE]),
    )


def as_toml(policy: Policy) -> str:
    """Render the resolved policy as the [tool.quality-gates] TOML that would produce it."""
    lines = [f"# resolved from {policy.source}, stage {policy.stage or '(none)'}", f"[{SECTION}]"]
    lines.append(f"gates = [{', '.join(repr(g).replace(chr(39), chr(34)) for g in policy.gates)}]")
    cap = policy.max_new_suppressions
    lines.append(f"max-new-suppressions = {-1 if cap is None else cap}")
    for gate in GATE_KEYS:
        lines.append(f"\n[{SECTION}.{gate}]")
        for key, value in policy.gate(gate).options.items():
            if value is None:
                lines.append(f"# {key}: unset")
            else:
                lines.append(f"{key} = {_toml_value(value)}")
    lines.append(f"\n[{SECTION}.{RUN_TABLE}]")
    for key, value in policy.run.items():
        lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_key(key: str) -> str:
    return key if key.replace("-", "").replace("_", "").isalnum() else f'"{key}"'


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    return f"{value:g}" if isinstance(value, float) else str(value)
