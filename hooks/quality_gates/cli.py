"""Click entry points: parse arguments, call the runner, map the outcome to an exit code."""

from __future__ import annotations

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


def gate_command(
    gate: str, *, fixable: bool, options: Sequence[tuple[click.Option, str]] = ()
) -> click.Command:
    """Build the `quality-<gate>` hook command.

    options: gate-specific click options, each with the policy key (of this gate) it sets.
    """

    @click.command(f"quality-{gate}", context_settings=CONTEXT)
    @_common_options
    @click.option("--fail-under", type=float, help=f"Threshold for the {gate} gate.")
    @click.version_option(__version__, prog_name=f"quality-{gate}")
    def command(**kwargs: Any) -> int:
        extra = {} if kwargs["fail_under"] is None else {f"{gate}.threshold": kwargs["fail_under"]}
        for option, key in options:
            if kwargs.get(option.name or "") is not None:
                extra[f"{gate}.{key}"] = kwargs[option.name or ""]
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    if kwargs["gate_list"]:
        gates = tuple(g.strip() for g in kwargs["gate_list"].split(",") if g.strip())
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


def _main(command: click.Command, argv: Sequence[str] | None) -> int:
    """The one top-level handler: every outcome becomes exit code 0, 1, 2 or 3."""
    args = list(sys.argv[1:] if argv is None else argv)
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


def gates_main(argv: Sequence[str] | None = None) -> int:
    """Console script quality-gates."""
    return _main(gates_group, argv)
