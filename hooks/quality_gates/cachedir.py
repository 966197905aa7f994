"""The untracked cache folder, `.quality-gates/cache/`, which ignores itself."""

from __future__ import annotations

from pathlib import Path

CACHE_DIR = ".quality-gates/cache"
IGNORE_ALL = "*\n"


def cache_dir(root: Path) -> Path:
    """Create (if needed) and return the cache folder under root, with a `.gitignore` of `*`.

    The `.gitignore` inside makes git ignore the folder whatever the project's own ignores say.
    """
    directory = root / CACHE_DIR
    directory.mkdir(parents=True, exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text(IGNORE_ALL)
    return directory
