"""`quality-gates run`: every enabled gate over the whole project, then report, badges, history.

Gates come from the policy and runner.GATE_MODULES, so a new gate joins the full run with no
change here. Gates run concurrently (their tools are subprocesses); a gate that cannot measure is
reported as an error (exit 2) while the others still report.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from quality_gates import __version__, changes, history, overrides, process, runner, thresholds
from quality_gates.errors import EXIT_ERROR, FatalError
from quality_gates.gates.common import GateRequest
from quality_gates.report import (
    STATUSES,
    GateError,
    Outcome,
    Report,
    gate_report,
    summary_table,
)

NO_BASELINE = "none yet (the first run on the default branch records it)"
# ANSI colours of the statuses, in STATUSES order: pass, fail, regressed, overridden, error
STATUS_COLORS = dict(zip(STATUSES, ("32", "31", "31", "33;1", "35"), strict=True))


@dataclass(frozen=True)
class RunOptions:
    """What the command line asked of one full run."""

    stage: str | None = None
    config: str | None = None
    settings: tuple[str, ...] = ()
    gates: tuple[str, ...] | None = None
    output_dir: str | None = None
    badges_dir: str | None = None
    history: str | None = None
    record: bool = True
    create_issue: bool = False
    notify_url: str | None = None
    api_url: str | None = None
    cwd: Path | None = None
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    today: dt.date | None = None


@dataclass(frozen=True)
class Paths:
    """Where the run reads and writes, resolved against the repository root."""

    history: Path
    baseline: Path
    overrides: Path
    output_dir: Path
    badges_dir: Path | None


def resolve_paths(root: Path, policy: thresholds.Policy, options: RunOptions) -> Paths:
    """Policy paths are relative to the repository root; command-line paths to the cwd."""
    cwd = options.cwd or Path.cwd()

    def pick(cli: str | None, key: str) -> Path | None:
        if cli is not None:
            return (cwd / cli) if cli else None
        configured = str(policy.run[key])
        return (root / configured) if configured else None

    output = pick(options.output_dir, "output-dir") or root / ".quality-gates/report"
    return Paths(
        history=pick(options.history, "history") or root / ".quality-gates/history.db",
        baseline=root / str(policy.run["baseline"]),
        overrides=root / str(policy.run["overrides"]),
        output_dir=output,
        badges_dir=pick(options.badges_dir, "badges-dir"),
    )


def load_policy(root: Path, options: RunOptions) -> thresholds.Policy:
    """The policy for the run: pyproject, the stage profile, then --set overrides."""
    cwd = options.cwd or Path.cwd()
    pyproject = (cwd / options.config) if options.config else root / "pyproject.toml"
    settings = dict(thresholds.parse_override(s) for s in options.settings)
    return thresholds.load(pyproject, stage=options.stage, overrides=settings)


def gate_names(policy: thresholds.Policy, explicit: Sequence[str] | None) -> tuple[str, ...]:
    """The gates to run: those asked for, else the policy's that this version implements."""
    if explicit is None:
        return runner.available(policy.gates)
    unknown = [g for g in explicit if g not in runner.GATE_MODULES]
    if unknown:
        known = ", ".join(runner.GATE_MODULES)
        raise FatalError(
            f"--gates: unknown or unavailable gate(s) {', '.join(unknown)} (available: {known})"
        )
    return tuple(dict.fromkeys(explicit))


# ---- progress -------------------------------------------------------------------------------


class Progress:
    """Shows which gates are running: one rewritten status line on a terminal, else plain lines."""

    def __init__(self, stream: IO[str], names: Sequence[str], *, live: bool) -> None:
        self.stream = stream
        self.names = list(names)
        self.live = live
        self.done: dict[str, str] = {}

    def start(self) -> None:
        """Announce the gates."""
        if self.live:
            self._redraw()
        else:
            self._line(f"running {len(self.names)} gate(s): {', '.join(self.names)}")

    def finished(self, name: str, status: str, seconds: float) -> None:
        """One gate is done."""
        self.done[name] = status
        if self.live:
            self._redraw()
        else:
            self._line(
                f"[{len(self.done)}/{len(self.names)}] {name}: {status.upper()} ({seconds:.1f} s)"
            )

    def close(self) -> None:
        """Leave the terminal clean for the summary."""
        if self.live:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def _redraw(self) -> None:
        parts = []
        for name in self.names:
            status = self.done.get(name)
            if status is None:
                parts.append(f"\033[2m{name}…\033[0m")
            else:
                parts.append(f"\033[{STATUS_COLORS.get(status, '0')}m{name}\033[0m")
        count = f"[{len(self.done)}/{len(self.names)}]"
        self.stream.write(f"\r\033[K{count} " + " ".join(parts))
        self.stream.flush()


def wants_live(stream: IO[str], environ: Mapping[str, str]) -> bool:
    """A live display only on a terminal, and never under NO_COLOR or TERM=dumb."""
    if "NO_COLOR" in environ or environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _measure(name: str, request: GateRequest) -> tuple[Outcome, float]:
    started = time.monotonic()
    try:
        outcome: Outcome = runner.measure(name, request)
    except FatalError as exc:
        outcome = GateError(name, str(exc).removeprefix(f"{name}: "))
    return outcome, time.monotonic() - started


def measure_all(
    names: Sequence[str], request: GateRequest, progress: Progress
) -> dict[str, tuple[Outcome, float]]:
    """Run the gates concurrently; report each as it finishes."""
    progress.start()
    done: dict[str, tuple[Outcome, float]] = {}
    with ThreadPoolExecutor(max_workers=max(1, len(names))) as pool:
        futures: dict[Future[tuple[Outcome, float]], str] = {
            pool.submit(_measure, name, request): name for name in names
        }
        for future in as_completed(futures):
            name = futures[future]
            outcome, seconds = future.result()
            done[name] = (outcome, seconds)
            status = (
                "error"
                if isinstance(outcome, GateError)
                else ("pass" if outcome.passed else "fail")
            )
            progress.finished(name, status, seconds)
    progress.close()
    return done


# ---- where and when -------------------------------------------------------------------------


def _git(change_set: changes.ChangeSet, *args: str) -> str | None:
    """The output of git, or None when it exits 1 (no such ref, no such setting)."""
    done = process.run(("git", *args), cwd=change_set.root, ok=(0, 1))
    return done.stdout.decode("utf-8", "replace").strip() or None if done.returncode == 0 else None


def current_branch(change_set: changes.ChangeSet, environ: Mapping[str, str]) -> str | None:
    """The branch being measured: GitHub's head/ref name in Actions, else git's (None detached)."""
    if environ.get("GITHUB_ACTIONS") == "true":
        for name in ("GITHUB_HEAD_REF", "GITHUB_REF_NAME"):
            if environ.get(name):
                return environ[name]
    return _git(change_set, "symbolic-ref", "--short", "-q", "HEAD")


def default_branch(change_set: changes.ChangeSet, configured: str) -> str:
    """The configured default branch, else origin/HEAD's, else init.defaultBranch, else main."""
    if configured:
        return configured
    origin = _git(change_set, "symbolic-ref", "-q", "refs/remotes/origin/HEAD")
    if origin:
        return origin.removeprefix("refs/remotes/origin/")
    return _git(change_set, "config", "--get", "init.defaultBranch") or "main"


def head_commit(change_set: changes.ChangeSet) -> str | None:
    """The commit measured (HEAD; the index is what is read, as in every hook)."""
    if change_set.target is not None:
        return change_set.target
    try:
        return str(change_set.repo.head.commit.hexsha)
    except ValueError:
        return None


def now_utc() -> str:
    """The run's time, ISO 8601 in UTC to the second."""
    return (
        dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    )


# ---- the run --------------------------------------------------------------------------------


@dataclass
class RunContext:
    """What one run has loaded before measuring."""

    change_set: changes.ChangeSet
    policy: thresholds.Policy
    paths: Paths
    active: dict[str, overrides.Override]
    names: tuple[str, ...]
    unavailable: tuple[str, ...]


def locate(options: RunOptions) -> tuple[changes.ChangeSet, thresholds.Policy, Paths]:
    """The repository around the cwd, its policy and the run's paths.

    The full run reads the index (all tracked files), whatever PRE_COMMIT_*_REF says.
    """
    change_set = changes.load(options.cwd or Path.cwd(), environ={})
    policy = load_policy(change_set.root, options)
    return change_set, policy, resolve_paths(change_set.root, policy, options)


def prepare(options: RunOptions) -> RunContext:
    """Load the repository, the policy, the overrides (an expired one stops here) and the gates."""
    change_set, policy, paths = locate(options)
    today = options.today or dt.date.today()
    active = overrides.active_for_run(overrides.load(paths.overrides), today)
    names = gate_names(policy, options.gates)
    unavailable = tuple(g for g in policy.gates if g not in runner.GATE_MODULES)
    if not names:
        raise FatalError(
            "no gate to run: the policy's `gates` has none that this version implements"
        )
    return RunContext(
        change_set, policy, paths, active, names, unavailable if options.gates is None else ()
    )


def build_report(
    context: RunContext,
    measured: Mapping[str, tuple[Outcome, float]],
    options: RunOptions,
    store: history.History,
) -> Report:
    """Judge every gate against threshold, baseline and overrides; assemble the report."""
    change_set, policy = context.change_set, context.policy
    uid = uuid.uuid4().hex
    main_branch = default_branch(change_set, str(policy.run["default-branch"]))
    baseline = history.choose_baseline(
        store, context.paths.baseline, default_branch=main_branch, exclude=uid
    )
    tolerances: Mapping[str, float] = policy.run["tolerances"]
    gates = tuple(
        gate_report(
            measured[name][0],
            baseline=baseline,
            tolerance=tolerances.get(name, float(policy.run["tolerance"])),
            override=context.active.get(name),
            seconds=measured[name][1],
        )
        for name in context.names
    )
    return Report(
        run_uid=uid,
        time=now_utc(),
        commit=head_commit(change_set),
        branch=current_branch(change_set, options.environ),
        stage=policy.stage,
        default_branch=main_branch,
        policy_source=_relative(policy.source, change_set.root),
        tool_version=__version__,
        gates=gates,
        baseline=baseline,
        unavailable=context.unavailable,
        overrides=tuple(context.active.values()),
        project=change_set.root.name,
    )


def _relative(source: str, root: Path) -> str:
    try:
        return Path(source).relative_to(root).as_posix()
    except ValueError:
        return source


def measure(
    context: RunContext, err: IO[str], environ: Mapping[str, str]
) -> dict[str, tuple[Outcome, float]]:
    """Measure every gate of the run over every tracked file, whole."""
    files = runner.select_files(context.change_set, (), all_files=True)
    request = runner.build_request(context.change_set, context.policy, files, scope="full")
    progress = Progress(err, context.names, live=wants_live(err, environ))
    return measure_all(context.names, request, progress)


def save_gate_baselines(
    change_set: changes.ChangeSet, policy: thresholds.Policy, gates: Sequence[str]
) -> list[str]:
    """Let each named gate whose module defines `save_baseline(request) -> str` pin its own data.

    The perf gate pins its benchmark results this way; metric baselines are pinned by the caller.
    """
    import importlib

    unknown = [g for g in gates if g not in runner.GATE_MODULES]
    if unknown:
        raise FatalError(f"unknown or unavailable gate(s): {', '.join(unknown)}")
    savers: dict[str, Callable[[GateRequest], str]] = {}
    for gate in gates:
        saver = getattr(importlib.import_module(runner.GATE_MODULES[gate]), "save_baseline", None)
        if callable(saver):
            savers[gate] = saver
    if not savers:
        return []
    files = runner.select_files(change_set, (), all_files=True)
    request = runner.build_request(change_set, policy, files, scope="full")
    return [f"{gate}: {saver(request)}" for gate, saver in savers.items()]


# ---- text output ----------------------------------------------------------------------------


def render_table(rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell; numbers right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    numeric = {2, 3, 4, 5, 7}
    lines = []
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def render_text(report: Report, *, color: bool = False) -> str:
    """The summary printed after the run: table, loud overrides, problems, the verdict."""
    out = [render_table(summary_table(report))]
    overall = report.overall
    if overall is not None:
        measured = sum(g.percent is not None for g in report.gates)
        out.append(f"quality: {overall:.2f}% (mean of {measured} gate(s))\n")
    baseline = report.baseline.describe() if report.baseline else NO_BASELINE
    out.append(f"baseline: {baseline}\n")
    for gate in report.overridden:
        approval = gate.override.describe() if gate.override else ""
        out.append(
            _paint(
                f"OVERRIDDEN {gate.gate}: {gate.problem()}; {approval}\n",
                "33;1",
                color,
            )
        )
    for override in report.overrides:
        if override.gate not in {g.gate for g in report.overridden}:
            out.append(f"override active (not needed this run): {override.describe()}\n")
    for gate in report.gates:
        if gate.status in ("fail", "regressed", "error"):
            out.append(
                _paint(f"{gate.status.upper()} {gate.gate}: {gate.problem()}\n", "31", color)
            )
    if report.unavailable:
        missing = ", ".join(report.unavailable)
        out.append(f"note: not available in quality-gates {report.tool_version}: {missing}\n")
    verdict = {0: "PASSED", 1: "FAILED", 2: "ERROR"}[report.exit_code]
    out.append(
        _paint(f"quality-gates run: {verdict}\n", "32" if report.exit_code == 0 else "31", color)
    )
    return "".join(out)


def _paint(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text.rstrip(chr(10))}\033[0m\n" if color else text


def github_annotations(report: Report, cap: int) -> str:
    """GitHub annotations for the failing gates' first findings, capped as GitHub caps them."""
    from quality_gates.output import annotation

    pairs = [(f, g.gate) for g in report.gates if not g.passed for f in g.findings]
    lines = [annotation(f, gate) for f, gate in pairs[:cap]]
    if len(pairs) > cap:
        lines.append(
            f"::notice title=quality-gates::{len(pairs) - cap} more finding(s) not annotated; "
            "see the step summary and the SARIF report"
        )
    return "".join(line + "\n" for line in lines)


# ---- writing --------------------------------------------------------------------------------


def write_outputs(
    report: Report, context: RunContext, runs: Sequence[history.RunRecord]
) -> list[Path]:
    """Write report.json/.md/.sarif, index.html and the badges; return the files written."""
    import json

    from quality_gates import badges, dashboard, report_md, sarif
    from quality_gates.report import to_json

    out = context.paths.output_dir
    out.mkdir(parents=True, exist_ok=True)
    limit = context.policy.run["top-findings"]
    files = {
        "report.json": json.dumps(to_json(report), indent=2) + "\n",
        "report.md": report_md.render(report, top=limit),
        "report.sarif": json.dumps(sarif.render(report), indent=2) + "\n",
        "index.html": dashboard.render(report, runs),
    }
    issue = out / "issue.md"
    if report.failures:
        from quality_gates import notify

        files["issue.md"] = notify.issue_body(report, top=limit)
    elif issue.exists():
        issue.unlink()  # a stale body from an earlier failing run would mislead
    for name, text in files.items():
        _atomic_write(out / name, text)
    written = [out / name for name in files]
    if context.paths.badges_dir is not None:
        written += badges.write_all(report, context.paths.badges_dir)
    return written


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def append_step_summary(report: Report, environ: Mapping[str, str], top: int | None) -> None:
    """Append report.md to $GITHUB_STEP_SUMMARY when it is set."""
    from quality_gates import report_md

    target = environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as summary:
            summary.write(report_md.render(report, top=top))


def execute(options: RunOptions, *, out: IO[str], err: IO[str]) -> int:
    """The whole full run; returns the exit code."""
    context = prepare(options)
    store = history.History(context.paths.history)
    measured = measure(context, err, options.environ)
    report = build_report(context, measured, options, store)
    if options.record:
        store.record(history.record_of(report))
    runs = store.runs(last=200)
    if not options.record:
        runs.append(history.record_of(report))
    write_outputs(report, context, runs)
    append_step_summary(report, options.environ, context.policy.run["top-findings"])
    out.write(render_text(report, color=wants_live(out, options.environ)))
    if options.environ.get("GITHUB_ACTIONS") == "true":
        out.write(github_annotations(report, cap=10))
    code = report.exit_code
    if options.create_issue or options.notify_url:
        from quality_gates import notify

        notified = notify.after_run(
            report,
            create_issue=options.create_issue,
            notify_url=options.notify_url,
            api_url=options.api_url,
            environ=options.environ,
            top=context.policy.run["top-findings"],
            out=out,
            err=err,
        )
        if notified == EXIT_ERROR:
            code = EXIT_ERROR
    return code
