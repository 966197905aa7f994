"""Run the project's pytest on the content being checked, and collect its JUnit XML.

The tests run where the checked content is: the working tree when it matches the index (always
under pre-commit, which stashes unstaged changes), else an export of the index (or of the target
commit in range mode) in a temporary folder, so unstaged edits never decide a result.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from quality_gates.changes import ChangeSet
from quality_gates.errors import FatalError
from quality_gates.process import Completed, run, tool_path

PLUGIN_MODULE = "quality_gates_pytest_properties"
# a plugin file with no import of ours, so it loads in whatever environment runs the tests
PLUGIN_SOURCE = '''"""Written by quality-gates: node id, path, line, markers into the JUnit XML."""


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        path, line, _ = item.location
        item.user_properties.append(("nodeid", item.nodeid))
        item.user_properties.append(("path", str(path).replace("\\\\", "/")))
        item.user_properties.append(("line", str((line or 0) + 1)))
        markers = sorted({mark.name for mark in item.iter_markers()})
        item.user_properties.append(("markers", ",".join(markers)))
'''
PYTEST_OK = (0, 1, 2, 5)  # 1 failures, 2 interrupted (collection errors), 5 no tests collected


def _worktree_matches(changes: ChangeSet) -> bool:
    repo = changes.repo
    if changes.target is not None and repo.head.commit.hexsha != changes.target:
        return False
    return not repo.git.diff(
        "--name-only", "--no-ext-diff", *([] if changes.target is None else ["HEAD"])
    )


@contextmanager
def snapshot_tree(changes: ChangeSet) -> Iterator[Path]:
    """Yield a folder holding the checked content of every tracked file."""
    if _worktree_matches(changes):
        yield changes.root
        return
    with tempfile.TemporaryDirectory(prefix="quality-gates-tests-") as tmp:
        root = Path(tmp) / "tree"
        root.mkdir()
        if changes.target is None:
            run(
                ("git", "checkout-index", "--all", "--force", f"--prefix={root}/"), cwd=changes.root
            )
        else:
            _extract(changes, root)
        yield root


def _extract(changes: ChangeSet, root: Path) -> None:
    """Check out the target commit's tree through a throwaway index: the repo's stays as it is."""
    env = {"GIT_INDEX_FILE": str(root.parent / "index")}
    run(("git", "read-tree", str(changes.target)), cwd=changes.root, env=env)
    run(
        ("git", "checkout-index", "--all", "--force", f"--prefix={root}/"),
        cwd=changes.root,
        env=env,
    )


def _environment(where: Path, plugin_dir: Path) -> dict[str, str]:
    extra = [str(plugin_dir)]
    if (where / "src").is_dir():
        extra.append(str(where / "src"))
    extra.append(str(where))
    old = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": os.pathsep.join([*extra, *([old] if old else [])])}


def resolve(command: Sequence[str]) -> tuple[str, ...]:
    """The command with its program found beside this interpreter first, then on PATH."""
    program = command[0]
    if os.sep in program or "/" in program:
        return tuple(command)
    return (tool_path(program), *command[1:])


def run_pytest(
    command: Sequence[str],
    where: Path,
    args: Sequence[str],
    *,
    junit: Path,
    env: Mapping[str, str] | None = None,
) -> Completed:
    """Run the pytest command in where with our properties plugin and a JUnit XML output."""
    with tempfile.TemporaryDirectory(prefix="quality-gates-plugin-") as plugin_dir:
        (Path(plugin_dir) / f"{PLUGIN_MODULE}.py").write_text(PLUGIN_SOURCE, encoding="utf-8")
        argv = (
            *resolve(command),
            "-p",
            PLUGIN_MODULE,
            f"--junitxml={junit}",
            *args,
        )
        environment = {**_environment(where, Path(plugin_dir)), **(env or {})}
        completed = run(argv, cwd=where, ok=(*PYTEST_OK, 3, 4), env=environment)
    if completed.returncode in (3, 4) or not junit.is_file():
        raise FatalError(
            f"the test command failed (exit {completed.returncode}): {' '.join(argv)}\n"
            + _tail(completed)
        )
    return completed


def _tail(completed: Completed) -> str:
    text = (completed.stdout + completed.stderr).decode("utf-8", "replace").strip()
    return text[-3000:]
