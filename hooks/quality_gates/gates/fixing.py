"""The opt-in --fix path shared by the gates whose tool can rewrite files."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from quality_gates.workspace import Workspace


def fix_clean_files(
    workspace: Workspace, files: Sequence[str], apply: Callable[[Sequence[str]], None]
) -> tuple[str, ...]:
    """Apply a fixer to the files whose working tree matches the index; refuse the others.

    A fixer run on a file with unstaged edits would mix its rewrite into work the user has not
    staged, so those files are left alone and named in the returned failure reasons.
    """
    dirty = workspace.differs_on_disk(files)
    clean = [f for f in files if f not in dirty]
    if clean:
        apply(clean)
        workspace.forget_disk_state()
    return tuple(
        f"{path}: not fixed, its working tree differs from the index (stage or stash it first)"
        for path in sorted(dirty)
    )
