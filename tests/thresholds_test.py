"""The shared policy: defaults < [tool.quality-gates] < stage profile < command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Runner
from helpers import commit_files, stage, write
from quality_gates import thresholds
from quality_gates.cli import gates_main, lint_main, security_main
from quality_gates.errors import FatalError

PYPROJECT = """\
[tool.quality-gates]
gates = ["lint", "security"]
max-new-suppressions = 3

[tool.quality-gates.lint]
threshold = 9

[tool.quality-gates.security]
severity = "Medium"

[tool.quality-gates.stages.pre-commit]
lint = { threshold = 8.5 }
max-new-suppressions = 1

[tool.quality-gates.stages.nightly]
gates = ["lint"]
security = { threshold = 90, confidence = "high" }
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT)
    return path


def test_built_in_defaults(tmp_path: Path) -> None:
    policy = thresholds.load(tmp_path / "absent.toml")
    assert (policy.source, policy.stage, policy.max_new_suppressions) == (
        "built-in defaults",
        None,
        None,
    )
    assert policy.gates == thresholds.GATES
    assert {g: policy.gate(g).threshold for g in thresholds.GATES} == {
        "coverage": 95.0,
        "lint": 10.0,
        "format": 100.0,
        "types": 100.0,
        "security": 100.0,
        "docs": 100.0,
        "links": 100.0,
        "a11y": 100.0,
        "tests": 100.0,
        "perf": 100.0,
    }
    assert policy.gate("security").options == {
        "threshold": 100.0,
        "target": 100.0,
        "severity": "low",
        "confidence": "medium",
    }


def test_pyproject_overrides_defaults(project: Path) -> None:
    policy = thresholds.load(project)
    assert (policy.source, policy.gates, policy.max_new_suppressions) == (
        str(project),
        ("lint", "security"),
        3,
    )
    assert (policy.gate("lint").threshold, policy.gate("lint").target) == (9.0, 10.0)
    assert policy.gate("security").get("severity") == "medium"  # normalised
    assert policy.gate("security").get("confidence") == "medium"  # still the default


def test_stage_profile_overrides_pyproject(project: Path) -> None:
    pre_commit = thresholds.load(project, stage="pre-commit")
    assert (pre_commit.gate("lint").threshold, pre_commit.max_new_suppressions) == (8.5, 1)
    assert pre_commit.gates == ("lint", "security")  # not in the profile: the pyproject's
    nightly = thresholds.load(project, stage="nightly")
    assert nightly.gates == ("lint",)
    assert nightly.gate("security").options == {
        "threshold": 90.0,
        "target": 100.0,
        "severity": "medium",
        "confidence": "high",
    }
    assert nightly.gate("lint").threshold == 9.0


def test_command_line_overrides_the_stage(project: Path) -> None:
    policy = thresholds.load(
        project,
        stage="pre-commit",
        overrides={"lint.threshold": 7.25, "max-new-suppressions": -1, "gates": ["format"]},
    )
    assert (policy.gate("lint").threshold, policy.max_new_suppressions, policy.gates) == (
        7.25,
        None,
        ("format",),
    )


def test_a_stage_with_no_profile_is_the_pyproject(project: Path) -> None:
    assert thresholds.load(project, stage="deploy").gate_policies == (
        thresholds.load(project).gate_policies
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("lint.threshold=9.5", ("lint.threshold", 9.5)),
        ("lint.threshold = 9", ("lint.threshold", 9)),
        ("security.severity=high", ("security.severity", "high")),
        ('security.severity="high"', ("security.severity", "high")),
        ('gates=["lint", "format"]', ("gates", ["lint", "format"])),
        ("max-new-suppressions=-1", ("max-new-suppressions", -1)),
    ],
)
def test_parse_override(text: str, value: tuple[str, object]) -> None:
    assert thresholds.parse_override(text) == value


@pytest.mark.parametrize("text", ["lint.threshold", "=3", ""])
def test_parse_override_needs_key_and_value(text: str) -> None:
    with pytest.raises(FatalError, match="expected KEY=VALUE"):
        thresholds.parse_override(text)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[tool.quality-gates]\nbogus = 1\n", "[tool.quality-gates] unknown key 'bogus' (known: "),
        (
            "[tool.quality-gates.lint]\nfail-under = 1\n",
            "[tool.quality-gates.lint] unknown key 'fail-under' (known: target, threshold)",
        ),
        (
            "[tool.quality-gates.lint]\nthreshold = 10.5\n",
            "tool.quality-gates.lint.threshold = 10.5: must be between 0 and 10",
        ),
        (
            "[tool.quality-gates.format]\ntarget = -1\n",
            "tool.quality-gates.format.target = -1: must be between 0 and 100",
        ),
        (
            "[tool.quality-gates.lint]\nthreshold = true\n",
            "tool.quality-gates.lint.threshold = True: must be a number between 0 and 10",
        ),
        (
            '[tool.quality-gates.security]\nseverity = "critical"\n',
            "tool.quality-gates.security.severity = 'critical': must be one of low, medium, high",
        ),
        (
            "[tool.quality-gates]\nmax-new-suppressions = 1.5\n",
            "tool.quality-gates.max-new-suppressions = 1.5: must be a whole number >= 0",
        ),
        (
            '[tool.quality-gates]\ngates = "lint"\n',
            "tool.quality-gates.gates = 'lint': must be a list of gate names",
        ),
        ("[tool.quality-gates]\nlint = 5\n", "[tool.quality-gates.lint] must be a table"),
        ("[tool]\nquality-gates = 5\n", "[tool.quality-gates] must be a table"),
        ("tool = 5\n", "[tool] must be a table"),
        (
            "[tool.quality-gates]\nstages = 5\n",
            "[tool.quality-gates.stages] must be a table of stage profiles",
        ),
        (
            "[tool.quality-gates.stages]\npr = 5\n",
            "[tool.quality-gates.stages.pr] must be a table",
        ),
        (
            "[tool.quality-gates.stages.pr]\nlnt = { threshold = 1 }\n",
            "[tool.quality-gates.stages.pr] unknown key 'lnt'",
        ),
        (
            "[tool.quality-gates.stages.pr.lint]\nthreshold = 11\n",
            "tool.quality-gates.stages.pr.lint.threshold = 11: must be between 0 and 10",
        ),
        (
            "[tool.quality-gates.stages.pr.stages.x]\n",
            "[tool.quality-gates.stages.pr] cannot nest stages",
        ),
        ("[tool.quality-gates\n", "cannot read: "),
        (b"[tool.quality-gates]\n# caf\xe9\n", "cannot read: "),
    ],
)
def test_errors_name_the_key_and_the_file(tmp_path: Path, toml: str | bytes, message: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(toml.encode() if isinstance(toml, str) else toml)
    with pytest.raises(FatalError) as caught:
        thresholds.load(path)  # every stage profile is checked, even one not in use
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"lint.threshold": 11.0}, "command line: --set.lint.threshold = 11.0: must be between"),
        ({"nope": 1}, "command line: [--set] unknown key 'nope'"),
        ({"lint.nope": 1}, "command line: [--set.lint] unknown key 'nope'"),
    ],
)
def test_command_line_errors_name_the_key(
    project: Path, overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(FatalError) as caught:
        thresholds.load(project, overrides=overrides)
    assert str(caught.value).startswith(message)


# -- through the command line --------------------------------------------------------------


@pytest.fixture
def configured(repo: Path) -> Path:
    commit_files(repo, {"pyproject.toml": PYPROJECT})
    return repo


def test_config_command_prints_the_resolved_policy_exactly(configured: Path, hook: Runner) -> None:
    small = '[tool.quality-gates]\ngates = ["lint"]\n[tool.quality-gates.lint]\nthreshold = 9.5\n'
    write(configured, "pyproject.toml", small)
    result = hook(gates_main, "config")
    assert result.code == 0
    sections = result.out.split("\n\n")
    assert sections[0] == (
        f"# resolved from {configured / 'pyproject.toml'}, stage (none)\n"
        "[tool.quality-gates]\n"
        'gates = ["lint"]\n'
        "max-new-suppressions = -1"
    )
    by_gate = {s.splitlines()[0]: s for s in sections[1:]}
    gate_sections = [f"[tool.quality-gates.{gate}]" for gate in thresholds.GATE_KEYS]
    assert [header for header in by_gate if header in gate_sections] == gate_sections
    assert by_gate["[tool.quality-gates.lint]"] == (
        "[tool.quality-gates.lint]\nthreshold = 9.5\ntarget = 10"
    )
    assert by_gate["[tool.quality-gates.security]"] == (
        "[tool.quality-gates.security]\n"
        "threshold = 100\n"
        "target = 100\n"
        'severity = "low"\n'
        'confidence = "medium"'
    )
    assert by_gate["[tool.quality-gates.coverage]"] == (
        "[tool.quality-gates.coverage]\n"
        "threshold = 95\n"
        "target = 100\n"
        "changed-threshold = 95\n"
        'data = ""\n'
        "require-data = false\n"
        "branch = true\n"
        'project = "full"\n'
        'stale = "warn"\n'
        "omit = []"
    )
    assert result.out.endswith("\n")
    assert not result.out.endswith("\n\n")


def test_config_output_reads_back_as_the_same_policy(configured: Path, hook: Runner) -> None:
    result = hook(gates_main, "config", "--stage", "nightly", "--set", "lint.target=9.75")
    round_trip = configured / "round-trip.toml"
    round_trip.write_text(result.out)
    again = thresholds.load(round_trip)
    original = thresholds.load(
        configured / "pyproject.toml", stage="nightly", overrides={"lint.target": 9.75}
    )
    assert (again.gates, again.max_new_suppressions, again.gate_policies) == (
        original.gates,
        original.max_new_suppressions,
        original.gate_policies,
    )


def test_stage_defaults_to_pre_commit_under_pre_commit(
    configured: Path, hook: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "stage (none)" in hook(gates_main, "config").out.splitlines()[0]
    monkeypatch.setenv("PRE_COMMIT", "1")
    under_pre_commit = hook(gates_main, "config").out
    assert under_pre_commit.splitlines()[0].endswith(", stage pre-commit")
    assert "\n[tool.quality-gates.lint]\nthreshold = 8.5\n" in under_pre_commit
    assert "max-new-suppressions = 1\n" in under_pre_commit
    explicit = hook(gates_main, "config", "--stage", "nightly").out
    assert explicit.splitlines()[0].endswith(", stage nightly")


def test_precedence_decides_the_verdict(
    configured: Path, hook: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two statements, one with a new violation: score 5.00, below 9 and 8.5, above 5."""
    write(configured, "mod.py", "ok = 1\nbad = nowhere\n")
    stage(configured)
    assert hook(lint_main).code == 1  # pyproject: 9
    monkeypatch.setenv("PRE_COMMIT", "1")
    assert hook(lint_main).code == 1  # pre-commit profile: 8.5
    assert hook(lint_main, "--fail-under", "5").code == 0  # the flag wins over the profile
    assert hook(lint_main, "--set", "lint.threshold=5").code == 0
    assert hook(lint_main, "--set", "lint.threshold=5.01").code == 1  # compared unrounded
    result = hook(lint_main, "--fail-under", "5", "--set", "lint.threshold=6")
    assert result.code == 0, "--fail-under is the gate's own flag and wins over --set"


def test_config_flag_points_at_another_file(configured: Path, hook: Runner, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text("[tool.quality-gates.security]\nconfidence = 'medium'\n")
    write(configured, "app.py", "assert True\n")  # B101: LOW severity, HIGH confidence
    stage(configured)
    assert hook(security_main).code == 0  # the repo's floor is medium severity
    assert hook(security_main, "--config", str(other)).code == 1  # other's floor: low


def test_cli_error_names_the_key(configured: Path, hook: Runner) -> None:
    result = hook(lint_main, "--fail-under", "12")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "error: command line: --set.lint.threshold = 12.0: must be between 0 and 10\n"
    )
    pyproject_error = hook(gates_main, "config", "--set", "security.severity=extreme")
    assert pyproject_error.code == 2
    assert "security.severity = 'extreme': must be one of low, medium, high" in (
        pyproject_error.err
    )
