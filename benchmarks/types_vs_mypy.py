"""quality-types against raw `mypy --strict` on a one-file change to click 8.1.8, warm caches.

The click sdist is fetched with pip into benchmarks/.cache (gitignored) and committed into a
scratch git repository. Each round stages a different one-file change to src/click/core.py (so
both tools see a changed module against their cache) and times, in alternating order:

- `quality-types` (the hook, as pre-commit calls it with the staged file): the staged run over
  the whole project plus the baseline comparison (the baseline is cached after the warm-up);
- `mypy --strict src/click/core.py` with its own warm cache: what the usual mypy hook runs.

The result is the median of the per-round ratios; `--write` puts it in benchmarks/README.md.

    python benchmarks/types_vs_mypy.py [--rounds 9] [--write]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
VERSION = "8.1.8"
CHANGED = "src/click/core.py"
BIN = Path(sys.executable).parent
START, END = "<!-- types-benchmark:start -->", "<!-- types-benchmark:end -->"
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}
for leaky in ("PRE_COMMIT", "PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF", "VIRTUAL_ENV"):
    ENV.pop(leaky, None)


def sh(*argv: str, cwd: Path, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, cwd=cwd, env=ENV, capture_output=True, text=True, check=False)
    if done.returncode not in ok:
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done


def sdist() -> Path:
    archive = CACHE / f"click-{VERSION}.tar.gz"
    if not archive.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        sh(
            sys.executable,
            *("-m", "pip", "download", "--no-binary", ":all:", "--no-deps"),
            *(f"click=={VERSION}", "-d", str(CACHE)),
            cwd=HERE,
        )
    return archive


def scratch_repo(archive: Path) -> Path:
    repo = CACHE / "types-click"
    shutil.rmtree(repo, ignore_errors=True)
    with tarfile.open(archive) as tar:
        tar.extractall(CACHE / "unpacked", filter="data")
    shutil.copytree(CACHE / "unpacked" / f"click-{VERSION}", repo)
    sh("git", "init", "-q", "-b", "main", cwd=repo)
    sh("git", "add", "-A", cwd=repo)
    sh("git", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "click", cwd=repo)
    return repo


def change(repo: Path, original: str, round_no: int) -> None:
    """A one-file change: a new typed function at the end of core.py, different each round."""
    name = f"_bench_probe_{round_no}"
    addition = f"\n\ndef {name}(value: int) -> int:\n    return value + {round_no}\n"
    (repo / CHANGED).write_text(original + addition)
    sh("git", "add", CHANGED, cwd=repo)


def timed(argv: list[str], repo: Path, ok: tuple[int, ...]) -> float:
    start = time.perf_counter()
    sh(*argv, cwd=repo, ok=ok)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--write", action="store_true", help="update benchmarks/README.md")
    options = parser.parse_args()
    repo = scratch_repo(sdist())
    original = (repo / CHANGED).read_text()
    ours = [str(BIN / "quality-types"), "--python", sys.executable, CHANGED]
    raw = [str(BIN / "mypy"), "--strict", "--cache-dir", ".mypy_cache", CHANGED]
    change(repo, original, 0)  # warm-up: both caches, and the baseline
    warm = sh(*ours, cwd=repo, ok=(0, 1))
    sh(*raw, cwd=repo, ok=(0, 1))
    ratios, our_times, raw_times = [], [], []
    for round_no in range(1, options.rounds + 1):
        change(repo, original, round_no)
        if round_no % 2:
            ours_s, raw_s = timed(ours, repo, (0, 1)), timed(raw, repo, (0, 1))
        else:
            raw_s, ours_s = timed(raw, repo, (0, 1)), timed(ours, repo, (0, 1))
        our_times.append(ours_s)
        raw_times.append(raw_s)
        ratios.append(ours_s / raw_s)
        print(f"round {round_no}: quality-types {ours_s:.2f} s, mypy {raw_s:.2f} s")
    report = render(options.rounds, our_times, raw_times, ratios, warm.stdout)
    print(report)
    if options.write:
        write(report)


def render(
    rounds: int, ours: list[float], raw: list[float], ratios: list[float], output: str
) -> str:
    summary = output.strip().splitlines()[-1] if output.strip() else ""
    return "\n".join(
        [
            START,
            f"Median of {rounds} alternating rounds, one-file change to `{CHANGED}` of click "
            f"{VERSION}, warm caches (`python benchmarks/types_vs_mypy.py --write`):",
            "",
            "| tool | median time |",
            "|---|---|",
            f"| `quality-types {CHANGED}` | {statistics.median(ours):.2f} s |",
            f"| `mypy --strict {CHANGED}` | {statistics.median(raw):.2f} s |",
            "",
            f"**Ratio quality-types / mypy: {statistics.median(ratios):.2f}x** (median of the "
            f"per-round ratios; target <= 1.5x). quality-types' summary on that change: "
            f"`{summary}`. Machine: {os.cpu_count()} cores, load average "
            f"{os.getloadavg()[0]:.1f} at the end of the run.",
            END,
        ]
    )


def write(report: str) -> None:
    readme = HERE / "README.md"
    text = readme.read_text() if readme.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: report, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section_intro() + report + "\n"
    readme.write_text(text)


def section_intro() -> str:
    return (
        "## quality-types vs mypy --strict\n\n"
        "`benchmarks/types_vs_mypy.py`: the hook on a staged one-file change to click "
        f"{VERSION} against\nplain `mypy --strict` on the same file, both with warm caches, "
        "both run directly (not through\npre-commit). quality-types does more: it checks the "
        "whole project (mypy's `files` config), so a\nchange that breaks an unchanged caller is "
        "caught, compares with the cached baseline at HEAD, and\nmeasures the changed lines' "
        "type coverage.\n\n"
    )


if __name__ == "__main__":
    main()
