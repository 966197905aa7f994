"""Click entry points: parse arguments, call the runner, map the outcome to an exit code."""

from __future__ import annotations

import io
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from quality_gates import __version__
from quality_gates.errors import EXIT_CRASH, EXIT_ERROR, FatalError

CONTEXT = {"ignore_unknown_options": True, "help_option_names": ["-h", "--help"]}
SCOPE_CHOICES = ("lines", "files", "full")
FORMAT_CHOICES = ("text", "json", "github")


@dataclass(frozen=True)
class Invocation:
    """The options every hook shares, parsed."""

    files: tuple[str, ...]
    from_ref: str | None
    to_ref: str | None
    all_files: bool
    scope: str | None
    show_existing: bool
    output_format: str
    stage: str | None
    config: str | None
    settings: tuple[str, ...]
    fix: bool = False


def _common_options(function: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.argument("files", nargs=-1, type=click.UNPROCESSED),
        click.option("--from-ref", help="Range mode: base of the change (FROM...TO)."),
        click.option("--to-ref", help="Range mode: tip of the change."),
        click.option("--all-files", is_flag=True, help="Check every tracked file, whole."),
        click.option(
            "--scope",
            type=click.Choice(SCOPE_CHOICES),
            help="lines: changed lines; files: changed files whole; full: all given.",
        ),
        click.option(
            "--show-existing",
            is_flag=True,
            help="Also list findings on unchanged lines (they never fail).",
        ),
        click.option(
            "--format",
            "output_format",
            type=click.Choice(FORMAT_CHOICES),
            default="text",
            show_default=True,
            help="Output format.",
        ),
        click.option(
            "--stage", help="Policy stage profile (default: pre-commit under pre-commit)."
        ),
        click.option(
            "--config",
            type=click.Path(dir_okay=False),
            help="pyproject.toml to read [tool.quality-gates] from.",
        ),
        click.option(
            "--set",
            "settings",
            multiple=True,
            metavar="KEY=VALUE",
            help="Override a policy key, e.g. lint.threshold=9.5 (repeatable).",
        ),
        click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _check_files(files: Sequence[str]) -> tuple[str, ...]:
    """Accept `--` and dash-named files that exist; anything else dashed is an unknown option.

    pre-commit passes file names after the options with no `--` (pre-commit#2896), so a staged
    file named `-x.py` arrives looking like an option.
    """
    kept = []
    for name in files:
        if name == "--":
            continue
        if name.startswith("-") and not os.path.lexists(name):
            raise click.UsageError(f"no such option: {name}")
        kept.append(name)
    return tuple(kept)


def _invocation(kwargs: dict[str, Any], *, fix: bool = False) -> Invocation:
    return Invocation(
        files=_check_files(kwargs["files"]),
        from_ref=kwargs["from_ref"],
        to_ref=kwargs["to_ref"],
        all_files=kwargs["all_files"],
        scope=kwargs["scope"],
        show_existing=kwargs["show_existing"],
        output_format=kwargs["output_format"],
        stage=kwargs["stage"],
        config=kwargs["config"],
        settings=tuple(kwargs["settings"]),
        fix=fix,
    )


def _stage(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    return "pre-commit" if os.environ.get("PRE_COMMIT") else None


def _policy(root: Path, invocation: Invocation, extra: dict[str, Any]) -> Any:
    from quality_gates import thresholds

    overrides = dict(thresholds.parse_override(s) for s in invocation.settings)
    overrides.update(extra)
    pyproject = Path(invocation.config) if invocation.config else root / "pyproject.toml"
    if invocation.config and not pyproject.is_file():  # asked for: never fall back to defaults
        raise FatalError(f"--config {invocation.config}: no such file")
    return thresholds.load(pyproject, stage=_stage(invocation.stage), overrides=overrides)


def run_gates(gates: Sequence[str] | None, invocation: Invocation, extra: dict[str, Any]) -> int:
    """Load the change and the policy, run the gates, print the results, return the exit code."""
    from quality_gates import changes, output, runner

    change_set = changes.load(Path.cwd(), from_ref=invocation.from_ref, to_ref=invocation.to_ref)
    policy = _policy(change_set.root, invocation, extra)
    names = runner.available(policy.gates) if gates is None else tuple(gates)
    files = runner.select_files(change_set, invocation.files, all_files=invocation.all_files)
    scope = invocation.scope or ("full" if invocation.all_files else "lines")
    request = runner.build_request(
        change_set,
        policy,
        files,
        scope=scope,  # type: ignore[arg-type]
        fix=invocation.fix,
    )
    results = runner.measure_all(names, request)
    _emit(results, invocation)
    return output.exit_code(results)


def _emit(results: Sequence[Any], invocation: Invocation) -> None:
    from quality_gates import output

    if invocation.output_format == "json":
        click.echo(output.render_json(results), nl=False)
        return
    if invocation.output_format == "text":
        click.echo(output.render_text(results, show_existing=invocation.show_existing), nl=False)
    if invocation.output_format == "github" or os.environ.get("GITHUB_ACTIONS") == "true":
        click.echo(output.render_github(results), nl=False)


def _path_option(name: str, help_text: str) -> click.Option:
    """A gate option naming a file (made absolute: policy paths are relative to the repo root)."""
    return click.Option([name], type=click.Path(dir_okay=False, resolve_path=True), help=help_text)


def gate_command(
    gate: str, *, fixable: bool, options: Sequence[tuple[click.Option, str]] = ()
) -> click.Command:
    """Build the `quality-<gate>` hook command.

    options: gate-specific Click options, each with the policy key it sets (`<gate>.<key>`);
    an option not given (None, or () for a repeatable one) sets nothing.
    """

    @click.command(f"quality-{gate}", context_settings=CONTEXT)
    @_common_options
    @click.option("--fail-under", type=float, help=f"Threshold for the {gate} gate.")
    @click.version_option(__version__, prog_name=f"quality-{gate}")
    def command(**kwargs: Any) -> int:
        extra = {} if kwargs["fail_under"] is None else {f"{gate}.threshold": kwargs["fail_under"]}
        for option, key in options:
            value = kwargs.get(str(option.name))
            if value is not None and value != ():
                extra[f"{gate}.{key}"] = list(value) if isinstance(value, tuple) else value
        invocation = _invocation(kwargs, fix=bool(kwargs.get("fix")))
        return run_gates((gate,), invocation, extra)

    command.help = f"Check the {gate} gate on the staged change (or the given FILES)."
    command.params.extend(option for option, _ in options)
    if fixable:
        command.params.append(
            click.Option(
                ["--fix"], is_flag=True, help="Let the tool rewrite files (never unstaged ones)."
            )
        )
    return command


lint_command = gate_command("lint", fixable=True)
format_command = gate_command("format", fixable=True)
security_command = gate_command("security", fixable=False)
types_command = gate_command(
    "types",
    fixable=False,
    options=(
        (
            click.Option(
                ["--python"],
                metavar="PATH",
                help="Interpreter whose packages mypy resolves imports with (types.python).",
            ),
            "python",
        ),
        (
            click.Option(
                ["--max-new-errors"],
                type=int,
                help="New mypy errors allowed before failing; -1: no cap (types.max-new-errors).",
            ),
            "max-new-errors",
        ),
    ),
)
docs_command = gate_command("docs", fixable=False)
links_command = gate_command(
    "links",
    fixable=False,
    options=(
        (
            click.Option(
                ["--external/--offline"],
                default=None,
                help="Also check http(s) links (default: only in the nightly stage).",
            ),
            "external",
        ),
        (
            click.Option(
                ["--exclude", "link_exclude"],
                multiple=True,
                metavar="REGEX",
                help="Do not check URLs matching REGEX (repeatable; replaces links.exclude).",
            ),
            "exclude",
        ),
    ),
)
a11y_command = gate_command(
    "a11y",
    fixable=False,
    options=(
        (
            click.Option(
                ["--engine"],
                type=click.Choice(("static", "axe")),
                help="static rules (default), or axe-core in the system Chromium (CI).",
            ),
            "engine",
        ),
        (
            click.Option(
                ["--fragments"],
                type=click.Choice(("auto", "always", "never")),
                help="Check files as partial pages, without document rules (default: auto).",
            ),
            "fragments",
        ),
    ),
)
coverage_command = gate_command(
    "coverage",
    fixable=False,
    options=[
        (
            _path_option("--data", "Coverage data (.coverage, coverage.xml, coverage.json, LCOV)."),
            "data",
        ),
        (
            click.Option(
                ["--fail-under-changed"],
                type=float,
                help="Threshold for the changed lines' coverage (--fail-under: the project's).",
            ),
            "changed-threshold",
        ),
    ],
)
tests_command = gate_command(
    "tests",
    fixable=False,
    options=[
        (_path_option("--junit", "Read this JUnit XML instead of running the tests."), "junit"),
        (_path_option("--data", "Coverage data with test contexts, to select tests."), "data"),
    ],
)
perf_command = gate_command(
    "perf",
    fixable=False,
    options=[
        (_path_option("--results", "pytest-benchmark JSON to judge (else: run)."), "results"),
        (_path_option("--baseline", "Baseline JSON (default: the stored one)."), "baseline"),
    ],
)


@click.group("quality-gates", context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quality-gates")
def gates_group() -> None:
    """quality-gates: a quality policy enforced on staged changes and in CI."""


@gates_group.command("check", context_settings=CONTEXT)
@_common_options
@click.option("--gates", "gate_list", help="Comma-separated gates (default: the policy's).")
@click.option("--fix", is_flag=True, help="Let fixable gates rewrite files (never unstaged ones).")
def check_command(**kwargs: Any) -> int:
    """Run the selected gates concurrently on the staged change (or the given FILES)."""
    invocation = _invocation(kwargs, fix=kwargs["fix"])
    gates = None
    if kwargs["gate_list"] is not None:
        gates = tuple(g.strip() for g in kwargs["gate_list"].split(",") if g.strip())
        if not gates:  # running no gate would pass without checking anything
            raise click.UsageError("--gates: name at least one gate")
    return run_gates(gates, invocation, {})


@gates_group.command("config")
@click.option("--stage", help="Show the policy as this stage profile resolves it.")
@click.option("--config", type=click.Path(dir_okay=False), help="pyproject.toml to read.")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE", help="Override a key.")
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
def config_command(
    stage: str | None, config: str | None, settings: tuple[str, ...], debug: bool
) -> int:
    """Print the resolved policy as TOML."""
    from quality_gates import changes, thresholds

    root = changes.load(Path.cwd()).root if config is None else Path(".")
    invocation = Invocation((), None, None, False, None, False, "text", stage, config, settings)
    click.echo(thresholds.as_toml(_policy(root, invocation, {})), nl=False)
    return 0


def _option_names(command: click.Command) -> set[str]:
    # not command.get_params(): it caches a help option built for the context given
    names = {"--", *command.context_settings.get("help_option_names", ["--help"])}
    for param in command.params:
        if isinstance(param, click.Option):
            names.update(param.opts + param.secondary_opts)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            names |= _option_names(sub)
    return names


def _protect_dash_files(command: click.Command, args: Sequence[str]) -> list[str]:
    """Turn an existing file named like `-h.py` into `./-h.py` before Click reads it.

    pre-commit passes file names after the options with no `--` (pre-commit#2896): Click would
    read `-h.py` as `-h` (help, exit 0: a false pass) and `-x.py` as unknown options.
    """
    names = _option_names(command)
    return [
        f"./{arg}"
        if arg.startswith("-") and arg.partition("=")[0] not in names and os.path.lexists(arg)
        else arg
        for arg in args
    ]


def _tolerant_output() -> None:
    """Let a file name that is not UTF-8 be printed (escaped) rather than crash the hook.

    Python names such a file with surrogates; a strict UTF-8 stdout (a UTF-8 locale outside
    Python's UTF-8 mode) cannot encode them.
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")


# ---- the full run and its companions (report, history, baseline, overrides, scaffolding) ----


def _policy_options(function: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--stage", help="Policy stage profile, e.g. nightly or pr."),
        click.option("--config", type=click.Path(dir_okay=False), help="pyproject.toml to read."),
        click.option(
            "--set", "settings", multiple=True, metavar="KEY=VALUE", help="Override a policy key."
        ),
        click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _run_options(kwargs: dict[str, Any], **more: Any) -> Any:
    from quality_gates import fullrun

    fields = {"stage", "config", "settings"}
    return fullrun.RunOptions(**{k: v for k, v in kwargs.items() if k in fields}, **more)


def _gate_list(text: str | None) -> tuple[str, ...] | None:
    if not text:
        return None
    return tuple(g.strip() for g in text.split(",") if g.strip())


@gates_group.command("run")
@_policy_options
@click.option("--gates", "gate_list", help="Comma-separated gates (default: the policy's).")
@click.option(
    "--output-dir", type=click.Path(file_okay=False), help="Report folder (run.output-dir)."
)
@click.option(
    "--badges-dir",
    type=click.Path(file_okay=False),
    help="Badge folder (run.badges-dir); an empty string writes no badges.",
)
@click.option("--history", "history_path", type=click.Path(dir_okay=False), help="History DB.")
@click.option("--no-record", is_flag=True, help="Do not record this run in the history.")
@click.option(
    "--create-issue",
    is_flag=True,
    help="On failure, open a GitHub issue (or comment on the open one with its fingerprint).",
)
@click.option("--notify", "notify_url", metavar="URL", help="On failure, POST to a Slack webhook.")
@click.option("--api-url", help="GitHub API URL (default: $GITHUB_API_URL or api.github.com).")
def run_command(**kwargs: Any) -> int:
    """Full run: every enabled gate over the whole project; report, badges, history, regressions."""
    from quality_gates import fullrun

    options = _run_options(
        kwargs,
        gates=_gate_list(kwargs["gate_list"]),
        output_dir=kwargs["output_dir"],
        badges_dir=kwargs["badges_dir"],
        history=kwargs["history_path"],
        record=not kwargs["no_record"],
        create_issue=kwargs["create_issue"],
        notify_url=kwargs["notify_url"],
        api_url=kwargs["api_url"],
    )
    return fullrun.execute(options, out=sys.stdout, err=sys.stderr)


@gates_group.command("trend")
@_policy_options
@click.option("--gate", help="One gate's runs (default: an overview of every gate).")
@click.option("--last", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--branch", help="Only runs on this branch.")
@click.option("--history", "history_path", type=click.Path(dir_okay=False), help="History DB.")
def trend_command(**kwargs: Any) -> int:
    """Print the recorded series with sparklines."""
    from quality_gates import fullrun, history, trend

    _, _, paths = fullrun.locate(_run_options(kwargs, history=kwargs["history_path"]))
    runs = history.History(paths.history).runs(branch=kwargs["branch"], last=kwargs["last"])
    click.echo(trend.render(runs, gate=kwargs["gate"]), nl=False)
    return 0


@gates_group.group("history")
def history_group() -> None:
    """Move the run history between machines as JSON lines (CI runners keep nothing)."""


@history_group.command("export")
@_policy_options
@click.option("--history", "history_path", type=click.Path(dir_okay=False), help="History DB.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File (default: stdout).")
def history_export_command(**kwargs: Any) -> int:
    """Write every recorded run as one JSON object per line."""
    from quality_gates import fullrun, history

    _, _, paths = fullrun.locate(_run_options(kwargs, history=kwargs["history_path"]))
    store = history.History(paths.history)
    if kwargs["output"]:
        target = Path(kwargs["output"])
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8") as out:
            count = store.export(out)
        click.echo(f"exported {count} run(s) to {target}", err=True)
    else:
        store.export(sys.stdout)
    return 0


@history_group.command("import")
@_policy_options
@click.option("--history", "history_path", type=click.Path(dir_okay=False), help="History DB.")
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
def history_import_command(**kwargs: Any) -> int:
    """Add exported runs (JSON lines; `-` for stdin); runs already there are skipped."""
    from quality_gates import fullrun, history

    _, _, paths = fullrun.locate(_run_options(kwargs, history=kwargs["history_path"]))
    source = kwargs["source"]
    try:
        with click.open_file(source, encoding="utf-8") as lines:
            records = list(history.parse_jsonl(lines, where=source))
    except (OSError, UnicodeDecodeError) as exc:
        raise FatalError(f"{source}: cannot read: {exc}") from None
    added, skipped = history.History(paths.history).import_runs(records)
    click.echo(f"imported {added} run(s), {skipped} already present")
    return 0


@gates_group.group("baseline")
def baseline_group() -> None:
    """The baseline regressions are measured against (default: last run on the default branch)."""


@baseline_group.command("save")
@_policy_options
@click.argument("gates", nargs=-1)
@click.option("--run", "run_uid", help="Pin this recorded run (uid prefix; default: the last).")
@click.option("--history", "history_path", type=click.Path(dir_okay=False), help="History DB.")
def baseline_save_command(**kwargs: Any) -> int:
    """Pin a recorded run's values as the baseline (only the GATES named, when given)."""
    from quality_gates import fullrun, history

    change_set, policy, paths = fullrun.locate(_run_options(kwargs, history=kwargs["history_path"]))
    for message in fullrun.save_gate_baselines(change_set, policy, kwargs["gates"]):
        click.echo(message)
    store = history.History(paths.history)
    run = store.find(kwargs["run_uid"]) if kwargs["run_uid"] else store.last(branch=None)
    if run is None:
        if kwargs["gates"]:
            return 0  # a gate that pins its own data (perf) needs no recorded run
        raise FatalError("no recorded run to pin: run `quality-gates run` first")
    pinned = history.save_pinned(
        paths.baseline, history.baseline_from(run, source="pinned"), gates=kwargs["gates"]
    )
    values = ", ".join(f"{g} {v:.2f}%" for g, v in sorted(pinned.percents.items()))
    click.echo(f"pinned baseline {paths.baseline}: run {run.uid[:12]} ({run.time}): {values}")
    return 0


@baseline_group.command("show")
@_policy_options
@click.option("--history", "history_path", type=click.Path(dir_okay=False), help="History DB.")
def baseline_show_command(**kwargs: Any) -> int:
    """Print the baseline the next run will compare with."""
    from quality_gates import fullrun, history

    change_set, policy, paths = fullrun.locate(_run_options(kwargs, history=kwargs["history_path"]))
    branch = fullrun.default_branch(change_set, str(policy.run["default-branch"]))
    found = history.choose_baseline(
        history.History(paths.history), paths.baseline, default_branch=branch, exclude=""
    )
    if found is None:
        click.echo(f"no baseline: no pinned baseline and no recorded run on {branch}")
        return 0
    click.echo(found.describe())
    for gate, value in found.percents.items():
        click.echo(f"{gate}: {value:.2f}%")
    return 0


@baseline_group.command("clear")
@_policy_options
def baseline_clear_command(**kwargs: Any) -> int:
    """Remove the pinned baseline (back to the last run on the default branch)."""
    from quality_gates import fullrun

    _, _, paths = fullrun.locate(_run_options(kwargs))
    if not paths.baseline.exists():
        click.echo("no pinned baseline")
        return 0
    paths.baseline.unlink()
    click.echo(f"removed {paths.baseline}")
    return 0


@gates_group.group("override")
def override_group() -> None:
    """Emergency overrides: reviewed, committed, expiring (.quality-gates/overrides.toml)."""


@override_group.command("add")
@_policy_options
@click.option("--gate", required=True, help="The gate whose failure becomes a loud pass.")
@click.option("--reason", required=True, help="Why the gate cannot pass now.")
@click.option("--issue", "issue_url", required=True, help="URL of the issue tracking the fix.")
@click.option("--approved-by", required=True, help="Who approved the override.")
@click.option("--expires", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD.")
def override_add_command(**kwargs: Any) -> int:
    """Add an override (active through its expiry date)."""
    import datetime as dt

    from quality_gates import fullrun, overrides

    _, _, paths = fullrun.locate(_run_options(kwargs))
    override = overrides.Override(
        kwargs["gate"],
        kwargs["reason"],
        kwargs["issue_url"],
        kwargs["approved_by"],
        kwargs["expires"].date(),
    )
    overrides.add(paths.overrides, override, today=dt.date.today())
    click.echo(f"added to {paths.overrides}: {override.describe()}")
    click.echo("commit the file so the override is reviewed like code")
    return 0


@override_group.command("list")
@_policy_options
def override_list_command(**kwargs: Any) -> int:
    """List the overrides and whether each is active or expired."""
    import datetime as dt

    from quality_gates import fullrun, overrides

    _, _, paths = fullrun.locate(_run_options(kwargs))
    found = overrides.load(paths.overrides)
    if not found:
        click.echo(f"no override ({paths.overrides})")
    today = dt.date.today()
    for override in found:
        state = "active" if override.active(today) else "EXPIRED"
        click.echo(f"{state}: {override.describe()}")
    return 0


@override_group.command("remove")
@_policy_options
@click.option("--gate", required=True, help="Remove every override of this gate.")
def override_remove_command(**kwargs: Any) -> int:
    """Remove a gate's overrides."""
    from quality_gates import fullrun, overrides

    _, _, paths = fullrun.locate(_run_options(kwargs))
    for override in overrides.remove(paths.overrides, kwargs["gate"]):
        click.echo(f"removed: {override.describe()}")
    return 0


@gates_group.command("init")
@_policy_options
@click.option("--repo-url", default=None, help="Where the hooks come from (the hooks' repo).")
@click.option("--rev", default=None, help="The hooks' tag or commit (default: this version).")
@click.option("--python", "python_version", default=None, help="Python for the CI workflows.")
def init_command(**kwargs: Any) -> int:
    """Write the policy section, pre-commit config and CI workflows that are missing."""
    from quality_gates import fullrun, scaffold

    change_set, policy, _ = fullrun.locate(_run_options(kwargs))
    defaults = scaffold.InitOptions()
    options = scaffold.InitOptions(
        repo_url=kwargs["repo_url"] or defaults.repo_url,
        rev=kwargs["rev"] or defaults.rev,
        python=kwargs["python_version"] or defaults.python,
    )
    for line in scaffold.init(change_set.root, policy, options):
        click.echo(line)
    return 0


@gates_group.command("protect")
@_policy_options
@click.option("--print", "print_", is_flag=True, required=True, help="Print the JSON payload.")
@click.option("--branch", default=None, help="Branch to protect (default: the default branch).")
@click.option("--reviews", type=click.IntRange(0, 6), default=1, show_default=True)
def protect_command(**kwargs: Any) -> int:
    """Print the branch-protection payload (required checks = the enabled gates) for `gh api`."""
    import json

    from quality_gates import fullrun, scaffold

    change_set, policy, _ = fullrun.locate(_run_options(kwargs))
    branch = kwargs["branch"] or fullrun.default_branch(
        change_set, str(policy.run["default-branch"])
    )
    payload = scaffold.protection_payload(policy, reviews=kwargs["reviews"])
    click.echo(json.dumps(payload, indent=2))
    click.echo(f"apply with: {scaffold.protect_command(branch)}", err=True)
    return 0


def _main(command: click.Command, argv: Sequence[str] | None) -> int:
    """The one top-level handler: every outcome becomes exit code 0, 1, 2 or 3."""
    _tolerant_output()
    args = _protect_dash_files(command, sys.argv[1:] if argv is None else argv)
    try:
        result = command.main(args=args, prog_name=command.name, standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return EXIT_ERROR
    except click.Abort:
        click.echo("aborted", err=True)
        return EXIT_ERROR
    except FatalError as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_ERROR
    except Exception as exc:  # the crash handler: one line, the traceback only with --debug
        if "--debug" in args:
            traceback.print_exc()
        click.echo(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug)", err=True)
        return EXIT_CRASH
    return int(result or 0)


def lint_main(argv: Sequence[str] | None = None) -> int:
    """Console script quality-lint."""
    return _main(lint_command, argv)


def format_main(argv: Sequence[str] | None = None) -> int:
    """Console script quality-format."""
    return _main(format_command, argv)


def security_main(argv: Sequence[str] | None = None) -> int:
    """Console script quality-security."""
    return _main(security_command, argv)


def types_main(argv: Sequence[str] | None = None) -> int:
    """Console script quality-types."""
    return _main(types_command, argv)


def docs_main(argv: Sequence[str] | None = None) -> int:
    """Console script quality-docs."""
    return _main(docs_command, argv)


def links_main(argv: Sequence[str] | None = None) -> int:
    """Console script quality-links."""
    return _main(links_command, argv)


def coverage_main(argv: Sequence[str] | None = None) -> int:
    """Console script quality-coverage."""
    return _main(coverage_command, argv)


def quality_tests_main(argv: Sequence[str] | None = None) -> int:
    """Console script quality-tests."""
    return _main(tests_command, argv)


def perf_main(argv: Sequence[str] | None = None) -> int:
    """Console script quality-perf."""
    return _main(perf_command, argv)


def a11y_main(argv: Sequence[str] | None = None) -> int:
    """Console script quality-a11y."""
    return _main(a11y_command, argv)


def gates_main(argv: Sequence[str] | None = None) -> int:
    """Console script quality-gates."""
    return _main(gates_group, argv)
