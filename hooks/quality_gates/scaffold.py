"""`quality-gates init` and `quality-gates protect --print`: set a repository up for the policy.

init writes what is missing and never overwrites: the [tool.quality-gates] section with every
default spelled out, a .pre-commit-config.yaml using these hooks, a pull request workflow, a
nightly workflow, and .quality-gates/.gitignore (reports and the history database stay out of
git; badges, overrides and a pinned baseline are meant to be committed).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2

from quality_gates import __version__, runner, thresholds

if sys.version_info >= (3, 11):  # pragma: no cover (depends on the interpreter)
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_REPO_URL = "https://github.com/your-org/quality-gates"
DEFAULT_PYTHON = "3.12"
PR_WORKFLOW = ".github/workflows/quality-pr.yml"
NIGHTLY_WORKFLOW = ".github/workflows/quality-nightly.yml"
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
LOCAL_IGNORE = ".quality-gates/.gitignore"
IGNORED = ("report/", "history.db", "history.db-*", "cache/")


@dataclass(frozen=True)
class InitOptions:
    """What init writes with: where the hooks come from, and the CI's Python."""

    repo_url: str = DEFAULT_REPO_URL
    rev: str = f"v{__version__}"
    python: str = DEFAULT_PYTHON


def hook_gates(policy: thresholds.Policy) -> list[str]:
    """The policy's gates that this version implements and ships a `quality-<gate>` hook for."""
    scripts = {ep.name for ep in metadata.entry_points(group="console_scripts")}
    return [g for g in runner.available(policy.gates) if f"quality-{g}" in scripts]


def _environment() -> jinja2.Environment:
    # YAML workflows are full of GitHub's ${{ }}: template markers that cannot clash with it.
    # No autoescape: this is YAML, not HTML, and every value is ours or a checked option.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("quality_gates", "templates"),
        variable_start_string="[[",
        variable_end_string="]]",
        block_start_string="[%",
        block_end_string="%]",
        comment_start_string="[#",
        comment_end_string="#]",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # nosec B701
    )


def policy_section(policy: thresholds.Policy) -> str:
    """The [tool.quality-gates] section with every key at its default, as TOML."""
    lines = thresholds.as_toml(policy).splitlines()
    body = "\n".join(line for line in lines if not line.startswith("# resolved from"))
    return (
        "# quality-gates policy (every key at its default; see `quality-gates config`)\n"
        + body
        + "\n"
    )


def _render(name: str, policy: thresholds.Policy, options: InitOptions) -> str:
    gates = hook_gates(policy)
    return (
        _environment()
        .get_template(name)
        .render(
            gates=gates,
            gates_flow=json.dumps(gates),
            repo_url=options.repo_url,
            rev=options.rev,
            python=options.python,
            history=policy.run["history"],
            output_dir=str(policy.run["output-dir"]).rstrip("/"),
        )
    )


def _has_section(pyproject: Path) -> bool:
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return "quality-gates" in data.get("tool", {})


def write_pyproject(root: Path, policy: thresholds.Policy) -> str:
    """Append the section to pyproject.toml (created if absent) unless it is already there."""
    path = root / "pyproject.toml"
    if path.exists():  # readable TOML: the policy was loaded from it before init runs
        if _has_section(path):
            return f"kept {path.name} (it has [tool.quality-gates])"
        existing = path.read_text(encoding="utf-8")
        separator = (
            "" if existing.endswith("\n\n") else ("\n" if existing.endswith("\n") else "\n\n")
        )
        path.write_text(existing + separator + policy_section(policy), encoding="utf-8")
        return f"added [tool.quality-gates] to {path.name}"
    path.write_text(policy_section(policy), encoding="utf-8")
    return f"wrote {path.name}"


def _write_new(root: Path, relative: str, text: str) -> str:
    path = root / relative
    if path.exists():
        return f"kept {relative} (exists)"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return f"wrote {relative}"


def init(root: Path, policy: thresholds.Policy, options: InitOptions) -> list[str]:
    """Write what is missing; return one line per file saying what was done."""
    done = [write_pyproject(root, policy)]
    files = {
        PRE_COMMIT_CONFIG: _render("pre-commit-config.yaml.j2", policy, options),
        PR_WORKFLOW: _render("workflow-pr.yml.j2", policy, options),
        NIGHTLY_WORKFLOW: _render("workflow-nightly.yml.j2", policy, options),
        LOCAL_IGNORE: "# written by `quality-gates init`: generated files stay out of git\n"
        + "".join(f"{p}\n" for p in IGNORED),
    }
    done += [_write_new(root, relative, text) for relative, text in files.items()]
    return done


def protection_payload(
    policy: thresholds.Policy, *, reviews: int = 1, checks: Sequence[str] | None = None
) -> dict[str, Any]:
    """The body for `PUT /repos/{owner}/{repo}/branches/{branch}/protection`.

    Required checks are the enabled gates (the PR workflow's job names); reviews; linear history.
    """
    contexts = list(checks) if checks is not None else [f"quality-{g}" for g in hook_gates(policy)]
    return {
        "required_status_checks": {
            "strict": True,
            "checks": [{"context": c} for c in contexts],
        },
        "enforce_admins": True,
        "required_pull_request_reviews": {
            "dismiss_stale_reviews": True,
            "require_code_owner_reviews": False,
            "required_approving_review_count": reviews,
        },
        "restrictions": None,
        "required_linear_history": True,
        "allow_force_pushes": False,
        "allow_deletions": False,
        "required_conversation_resolution": True,
    }


def protect_command(branch: str) -> str:
    """How to apply the payload with the GitHub CLI."""
    return (
        f"quality-gates protect --print | gh api -X PUT "
        f"repos/{{owner}}/{{repo}}/branches/{branch}/protection --input -"
    )
