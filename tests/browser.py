"""Headless Chromium (Debian's /usr/bin/chromium) for the dashboard tests and docs screenshot."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

# offline and quiet: no sandbox (root in CI), no GPU, nothing that calls Google's hosts
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def chromium_path() -> str:
    """The browser, or a clear failure saying how to install it."""
    found = shutil.which("chromium")
    if found is None:
        raise AssertionError(
            "chromium is not installed: apt-get install -y chromium (.ci/run does)"
        )
    return found


def chromium(page: Path, *args: str, timeout: float = 120) -> str:
    """Run headless Chromium on a local page with a fresh profile; return its stdout."""
    with tempfile.TemporaryDirectory(prefix="qg-chromium-") as profile:
        argv = (chromium_path(), *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri())
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise AssertionError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def screenshot(page: Path, target: Path, *, width: int = 1280, height: int = 1400) -> None:
    """Save a PNG screenshot of page."""
    target.parent.mkdir(parents=True, exist_ok=True)
    chromium(page, f"--screenshot={target}", f"--window-size={width},{height}")


def dump_dom(page: Path) -> str:
    """The DOM after the page's scripts ran."""
    return chromium(page, "--dump-dom", "--window-size=1280,1400")
