from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from helpers import GIT_ENV, LEAKY_ENV, HookRun, init_repo, run_hook


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in LEAKY_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty git repository (no commits yet)."""
    return init_repo(tmp_path / "repo")


Runner = Callable[..., HookRun]


@pytest.fixture
def hook(repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Runner:
    """Call a console-script main in the repo: hook(lint_main, "--show-existing")."""

    def call(
        main: Callable[[Sequence[str] | None], int], *args: str, cwd: Path | None = None
    ) -> HookRun:
        return run_hook(main, args, cwd or repo, capsys, monkeypatch)

    os.environ.pop("PRE_COMMIT", None)
    return call
