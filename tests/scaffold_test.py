"""quality-gates init and protect: generated files are valid and nothing is overwritten."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Runner
from helpers import commit_files, write
from quality_gates import runner, thresholds
from quality_gates.cli import gates_main

BIN = Path(sys.executable).parent
WORKFLOWS = (".github/workflows/quality-pr.yml", ".github/workflows/quality-nightly.yml")
# every gate of the default policy that this version implements, in the policy's order
GATES = list(runner.available(thresholds.GATES))
WRITTEN = [
    "wrote pyproject.toml",
    "wrote .pre-commit-config.yaml",
    "wrote .github/workflows/quality-pr.yml",
    "wrote .github/workflows/quality-nightly.yml",
    "wrote .quality-gates/.gitignore",
]


@pytest.fixture
def initialised(repo: Path, hook: Runner) -> Path:
    result = hook(gates_main, "init")
    assert result.code == 0, result.err
    assert result.out.splitlines() == WRITTEN
    return repo


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def test_init_writes_the_policy_with_every_default(initialised: Path) -> None:
    policy = thresholds.load(initialised / "pyproject.toml")
    assert policy.source == str(initialised / "pyproject.toml")
    defaults = thresholds.load(initialised / "absent.toml")
    assert policy.gates == defaults.gates
    assert policy.gate_policies == defaults.gate_policies
    assert policy.run == defaults.run
    text = (initialised / "pyproject.toml").read_text()
    for gate in thresholds.GATES:
        assert f"[tool.quality-gates.{gate}]" in text
    assert "[tool.quality-gates.run]" in text


def test_init_never_overwrites(initialised: Path, hook: Runner) -> None:
    before = {
        p: p.read_bytes() for p in initialised.rglob("*") if p.is_file() and ".git/" not in str(p)
    }
    again = hook(gates_main, "init")
    assert again.out.splitlines() == [
        "kept pyproject.toml (it has [tool.quality-gates])",
        "kept .pre-commit-config.yaml (exists)",
        "kept .github/workflows/quality-pr.yml (exists)",
        "kept .github/workflows/quality-nightly.yml (exists)",
        "kept .quality-gates/.gitignore (exists)",
    ]
    after = {p: p.read_bytes() for p in before}
    assert after == before


def test_init_appends_to_an_existing_pyproject(repo: Path, hook: Runner) -> None:
    original = '[project]\nname = "demo"\nversion = "1.0"\n'
    commit_files(repo, {"pyproject.toml": original})
    result = hook(gates_main, "init")
    assert result.out.splitlines()[0] == "added [tool.quality-gates] to pyproject.toml"
    text = (repo / "pyproject.toml").read_text()
    assert text.startswith(original + "\n# quality-gates policy")
    assert thresholds.load(repo / "pyproject.toml").gates == thresholds.GATES


def test_invalid_pyproject_is_left_alone(repo: Path, hook: Runner) -> None:
    write(repo, "pyproject.toml", "[project\n")
    result = hook(gates_main, "init")
    assert result.code == 2
    assert "pyproject.toml: cannot read:" in result.err
    assert (repo / "pyproject.toml").read_text() == "[project\n"
    assert not (repo / ".pre-commit-config.yaml").exists()


def test_pre_commit_config_is_valid_for_pre_commit(initialised: Path) -> None:
    done = subprocess.run(
        (sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"),
        cwd=initialised,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    config = _yaml(initialised / ".pre-commit-config.yaml")
    (repo,) = config["repos"]
    assert repo["rev"] == "v0.1.0"
    assert [h["id"] for h in repo["hooks"]] == [f"quality-{g}" for g in GATES]
    assert {"quality-lint", "quality-format", "quality-security"} <= {
        h["id"] for h in repo["hooks"]
    }


def test_workflows_match_githubs_schema(initialised: Path) -> None:
    done = subprocess.run(
        (str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *WORKFLOWS),
        cwd=initialised,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _steps(workflow: Any, job: str) -> list[dict[str, Any]]:
    return workflow["jobs"][job]["steps"]  # type: ignore[no-any-return]


def test_pull_request_workflow(initialised: Path) -> None:
    workflow = _yaml(initialised / WORKFLOWS[0])
    assert workflow["jobs"]["gate"]["strategy"]["matrix"]["gate"] == GATES
    gate_steps = _steps(workflow, "gate")
    assert gate_steps[0]["with"] == {"fetch-depth": 0}
    run = str(gate_steps[-1]["run"])
    assert run.startswith("pre-commit run quality-${{ matrix.gate }} --from-ref origin/")
    assert "--to-ref HEAD" in run
    report = _steps(workflow, "report")
    runs = [str(s.get("run", "")) for s in report]
    assert "quality-gates run --stage pr --no-record" in runs
    upload = next(s for s in report if str(s.get("uses", "")).startswith("github/codeql-action"))
    assert upload["with"]["sarif_file"] == ".quality-gates/report/report.sarif"
    assert workflow["jobs"]["report"]["permissions"]["security-events"] == "write"


def test_nightly_workflow(initialised: Path) -> None:
    workflow = _yaml(initialised / WORKFLOWS[1])
    # YAML 1.1 reads the key `on` as True
    triggers = workflow[True]
    assert triggers["schedule"] == [{"cron": "0 0 * * *"}]
    steps = _steps(workflow, "nightly")
    uses = [str(s.get("uses", "")) for s in steps]
    assert "actions/cache/restore@v4" in uses
    save = steps[uses.index("actions/cache/save@v4")]
    assert save["if"] == "always()"
    assert save["with"]["path"] == ".quality-gates/history.db"
    run = next(str(s["run"]) for s in steps if "quality-gates run" in str(s.get("run", "")))
    assert "--stage nightly --create-issue" in run
    assert workflow["permissions"] == {"contents": "read", "issues": "write"}


def test_protect_prints_the_branch_protection_payload(initialised: Path, hook: Runner) -> None:
    result = hook(gates_main, "protect", "--print", "--reviews", "2")
    assert result.code == 0
    payload = json.loads(result.out)
    assert payload["required_status_checks"] == {
        "strict": True,
        "checks": [{"context": f"quality-{g}"} for g in GATES],
    }
    assert payload["required_pull_request_reviews"]["required_approving_review_count"] == 2
    assert payload["required_linear_history"] is True
    assert payload["enforce_admins"] is True
    assert result.err == (
        "apply with: quality-gates protect --print | gh api -X PUT "
        "repos/{owner}/{repo}/branches/main/protection --input -\n"
    )
    # the required checks are exactly the PR workflow's job names
    matrix = _yaml(initialised / WORKFLOWS[0])["jobs"]["gate"]["strategy"]["matrix"]["gate"]
    assert [c["context"] for c in payload["required_status_checks"]["checks"]] == [
        f"quality-{g}" for g in matrix
    ]


def test_protect_follows_the_policy_gates(repo: Path, hook: Runner) -> None:
    write(repo, "pyproject.toml", '[tool.quality-gates]\ngates = ["security"]\n')
    payload = json.loads(hook(gates_main, "protect", "--print").out)
    assert payload["required_status_checks"]["checks"] == [{"context": "quality-security"}]


def test_protect_requires_print(repo: Path, hook: Runner) -> None:
    assert hook(gates_main, "protect").code == 2
