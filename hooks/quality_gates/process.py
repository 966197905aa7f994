"""The one subprocess helper: argv tuples in, a clear error out."""

from __future__ import annotations

import os
import shutil

# argv tuples only, never a shell
import subprocess  # nosec B404
import sys
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import NamedTuple

from quality_gates.errors import FatalError

OUTPUT_SHOWN = 4000


class Completed(NamedTuple):
    """What a finished command returned."""

    returncode: int
    stdout: bytes
    stderr: bytes


class CalledProcessError(FatalError):
    """A command exited with a code its caller did not expect."""

    def __init__(self, argv: tuple[str, ...], completed: Completed) -> None:
        self.argv = argv
        self.completed = completed
        super().__init__(
            f"command failed (exit {completed.returncode}): {' '.join(argv)}\n"
            f"{_tail(completed.stdout)}{_tail(completed.stderr)}".rstrip()
        )


def _tail(data: bytes) -> str:
    text = data.decode("utf-8", "replace").strip()
    if not text:
        return ""
    if len(text) > OUTPUT_SHOWN:
        text = "...\n" + text[-OUTPUT_SHOWN:]
    return text + "\n"


def tool_path(name: str) -> str:
    """Find a tool next to this interpreter first (the hook's venv), then on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise FatalError(f"{name} is not installed: install it in the environment running the hook")
    return found


def run(
    argv: tuple[str, ...],
    *,
    cwd: Path | str | None = None,
    stdin: bytes | None = None,
    ok: Collection[int] = (0,),
    env: Mapping[str, str] | None = None,
) -> Completed:
    """Run argv (never through a shell); raise CalledProcessError unless its exit code is in ok."""
    try:
        proc = subprocess.run(  # nosec B603
            argv,
            cwd=cwd,
            input=stdin,
            capture_output=True,
            env=None if env is None else {**os.environ, **env},
            check=False,
        )
    except OSError as exc:
        raise FatalError(f"could not run {argv[0]}: {exc}") from exc
    completed = Completed(proc.returncode, proc.stdout, proc.stderr)
    if completed.returncode not in ok:
        raise CalledProcessError(argv, completed)
    return completed
