"""The manifest, the entry points and the README agree."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
SCRIPTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]


def test_every_hook_id_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [hook["id"] for hook in MANIFEST if f"`{hook['id']}`" not in readme]
    assert missing == []


def test_every_hook_entry_is_a_console_script() -> None:
    entries = {hook["entry"].split()[0] for hook in MANIFEST}
    assert entries <= set(SCRIPTS)


def test_hooks_follow_the_conventions() -> None:
    for hook in MANIFEST:
        assert hook["language"] == "python"
        assert hook["require_serial"] is True
        assert "pre-commit" in hook["stages"]
        assert hook["minimum_pre_commit_version"] == "3.2.0"
