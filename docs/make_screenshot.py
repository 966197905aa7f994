"""Make docs/dashboard.png: real runs over a scratch project, then headless Chromium.

Run with `make docs` (needs Debian's chromium). Every number on the picture comes from a real
`quality-gates run` of the lint, format and security gates over the scratch project's commits.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import screenshot  # noqa: E402
from helpers import commit_files, init_repo  # noqa: E402
from quality_gates import process  # noqa: E402
from scratch import CALC, CALC_WITH_UNUSED_IMPORT, make_project  # noqa: E402

QG = str(Path(sys.executable).parent / "quality-gates")
SHELL = (
    'import subprocess\n\n\ndef run(cmd: str) -> None:\n    """Run."""\n'
    "    subprocess.call(cmd, shell=True)\n"
)
STEPS = (
    {"pkg/calc.py": CALC_WITH_UNUSED_IMPORT},
    {"pkg/calc.py": CALC},
    {"pkg/more.py": '"""More."""\n\nVALUE = 1\n'},
    {"pkg/shell.py": SHELL},
)


def run(repo: Path, *args: str) -> None:
    """One real full run (its exit code is part of the story, not an error here)."""
    process.run((QG, *args), cwd=repo, ok=(0, 1), env={"NO_COLOR": "1"})


def main() -> None:
    """Build the history, add an override on the last failure, screenshot the dashboard."""
    with tempfile.TemporaryDirectory() as tmp:
        repo = init_repo(Path(tmp) / "demo-project")
        make_project(repo)
        run(repo, "run")
        for files in STEPS:
            commit_files(repo, files)
            run(repo, "run")
        expires = (dt.date.today() + dt.timedelta(days=14)).isoformat()
        run(repo, "override", "add", "--gate", "security", "--reason",
            "vendored script, fix in progress", "--issue",
            "https://example.invalid/demo/issues/42", "--approved-by", "Release lead",
            "--expires", expires)  # fmt: skip
        run(repo, "run")
        page = repo / ".quality-gates/report/index.html"
        screenshot(page, ROOT / "docs/dashboard.png", height=1000)
    print(f"wrote {ROOT / 'docs/dashboard.png'}")


if __name__ == "__main__":
    main()
