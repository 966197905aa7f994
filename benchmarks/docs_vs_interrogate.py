"""quality-docs against interrogate: the same counts on click and Django, and the time on Django.

Usage: python benchmarks/docs_vs_interrogate.py [--runs N] [--write]

The sdists (click 8.1.8, Django 5.1.4) are fetched with `pip download --no-binary :all: --no-deps`
into benchmarks/.cache/ (git-ignored by a `.gitignore` written there) and committed into scratch
git repositories there. For each option set, interrogate's own API and `quality-docs --scope full`
over the package's .py files must report the same covered and total counts. The timing runs both
command-line tools on Django's package, alternating, and reports the median of the per-pair ratios.
With --write the tables replace the marked block in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import resource
import shutil
import statistics

# argv lists only, never a shell
import subprocess
import sys
import tarfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from quality_gates.thresholds import INTERROGATE_FLAGS

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
BIN = Path(sys.executable).parent
README = HERE / "README.md"
BEGIN, END = "<!-- docs-vs-interrogate:begin -->", "<!-- docs-vs-interrogate:end -->"
GIT = (
    *("git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"),
    *("-c", "commit.gpgsign=false"),
)


@dataclass(frozen=True)
class Project:
    """A released sdist and the package folder inside it that is measured."""

    name: str
    version: str
    package: str


CLICK = Project("click", "8.1.8", "src/click")
DJANGO = Project("Django", "5.1.4", "django")
ALL_FLAGS = INTERROGATE_FLAGS
# option sets: interrogate option name -> value (as in [tool.interrogate])
OPTION_SETS: dict[str, dict[str, object]] = {
    "defaults": {},
    "every ignore-* switch": dict.fromkeys(ALL_FLAGS, True),
    "nested + magic + init-method": {
        "ignore-nested-functions": True,
        "ignore-nested-classes": True,
        "ignore-magic": True,
        "ignore-init-method": True,
    },
    "google style, ignore-regex `^test_`, `^get_`": {
        "style": "google",
        "ignore-regex": ["^test_", "^get_"],
    },
    "exclude `PKG/core` (a glob prefix, as interrogate)": {"exclude": ["PKG/core"]},
    "property decorators + setters + overloads": {
        "ignore-property-decorators": True,
        "ignore-setters": True,
        "ignore-overloaded-functions": True,
    },
    "whitelist-regex ^[A-Z]": {"whitelist-regex": ["^[A-Z]"]},
}


def run(argv: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Run argv in cwd, failing loudly."""
    done = subprocess.run(tuple(argv), cwd=cwd, capture_output=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr.decode()}")
    return done


def prepare(project: Project) -> Path:
    """Download and unpack the sdist once, and commit it into a scratch git repository."""
    CACHE.mkdir(exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n")
    repo = CACHE / f"{project.name}-{project.version}"
    if (repo / ".git").is_dir():
        return repo
    pip = (sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps")
    run((*pip, "-q", "-d", str(CACHE), f"{project.name}=={project.version}"), CACHE)
    sdist = next(
        p for p in CACHE.glob("*.tar.gz") if p.name.lower() == f"{repo.name.lower()}.tar.gz"
    )
    with tarfile.open(sdist) as archive:
        archive.extractall(CACHE, filter="data")
    run((*GIT, "init", "-q", "-b", "main"), repo)
    run((*GIT, "add", "-A", "-f", "."), repo)
    run((*GIT, "commit", "-q", "--no-verify", "-m", "sdist"), repo)
    return repo


def python_files(repo: Path, package: str) -> list[str]:
    """The package's .py files, as interrogate walks them."""
    out = run(("git", "ls-files", "-z", "--", f"{package}/"), repo).stdout.decode()
    return sorted(p for p in out.split("\0") if p.endswith(".py"))


def interrogate_counts(repo: Path, project: Project, options: dict[str, object]) -> tuple[int, int]:
    """(covered, total) from interrogate's own API with these options."""
    # the bench extra installs interrogate; it ships no type information
    config = importlib.import_module("interrogate.config")
    coverage = importlib.import_module("interrogate.coverage")

    regex = [re.compile(p) for p in options.get("ignore-regex", [])]  # type: ignore[attr-defined]
    white = [re.compile(p) for p in options.get("whitelist-regex", [])]  # type: ignore[attr-defined]
    flags = {k: bool(options.get(k)) for k in ALL_FLAGS}
    conf = config.InterrogateConfig(
        docstring_style=str(options.get("style", "sphinx")),
        ignore_regex=regex or False,
        include_regex=white or False,
        ignore_init_method=flags["ignore-init-method"],
        ignore_init_module=flags["ignore-init-module"],
        ignore_magic=flags["ignore-magic"],
        ignore_module=flags["ignore-module"] or bool(white),
        ignore_nested_functions=flags["ignore-nested-functions"],
        ignore_nested_classes=flags["ignore-nested-classes"],
        ignore_private=flags["ignore-private"],
        ignore_semiprivate=flags["ignore-semiprivate"],
        ignore_property_decorators=flags["ignore-property-decorators"],
        ignore_property_setters=flags["ignore-setters"],
        ignore_overloaded_functions=flags["ignore-overloaded-functions"],
    )
    excluded = tuple(str(repo / e) for e in _excludes(project, options))
    results = coverage.InterrogateCoverage(
        paths=[str(repo / project.package)], conf=conf, excluded=excluded
    )
    found = results.get_coverage()
    return found.covered, found.total


def _excludes(project: Project, options: dict[str, object]) -> list[str]:
    return [e.replace("PKG", project.package) for e in options.get("exclude", [])]  # type: ignore[attr-defined]


def docs_argv(
    files: Sequence[str], options: dict[str, object], *, output: str = "json"
) -> list[str]:
    """quality-docs over the files, with the options as --set docs.KEY=VALUE."""
    argv = [str(BIN / "quality-docs"), "--scope", "full", "--format", output]
    for key, value in options.items():
        argv += ["--set", f"docs.{key}={json.dumps(value)}"]
    return [*argv, "--", *files]


def docs_counts(repo: Path, files: Sequence[str], options: dict[str, object]) -> tuple[int, int]:
    """(covered, total) from quality-docs."""
    doc = json.loads(run(docs_argv(files, options), repo).stdout)
    metric = doc["results"][0]["metric"]
    return int(metric["good"]), int(metric["total"])


def agreement(projects: Sequence[Project]) -> tuple[list[str], bool]:
    """The agreement table rows, and whether every row agrees."""
    rows, agree = [], True
    for project in projects:
        repo = prepare(project)
        files = python_files(repo, project.package)
        for label, options in OPTION_SETS.items():
            theirs = interrogate_counts(repo, project, options)
            mine = (
                {**options, "exclude": _excludes(project, options)}
                if "exclude" in options
                else options
            )
            ours = docs_counts(repo, files, mine)
            same = theirs == ours
            agree &= same
            rows.append(
                f"| {project.name} {project.version} `{project.package}` | {label} | "
                f"{_pair(theirs)} | {_pair(ours)} | {'yes' if same else '**NO**'} |"
            )
    return rows, agree


def _pair(counts: tuple[int, int]) -> str:
    covered, total = counts
    return f"{covered}/{total} = {100 * covered / total:.2f}%"


def timing(runs: int) -> dict[str, list[float]]:
    """Alternate interrogate and quality-docs (cold, then warm cache) on Django's package.

    Each run records its wall time under its name and its CPU time under "<name> cpu".
    """
    repo = prepare(DJANGO)
    files = python_files(repo, DJANGO.package)
    commands = {
        "interrogate": [str(BIN / "interrogate"), "--fail-under", "0", DJANGO.package],
        "cold": docs_argv(files, {}, output="text"),  # default outputs of both tools
        "warm": docs_argv(files, {}, output="text"),
    }
    times: dict[str, list[float]] = {}
    for index in range(runs):
        order = ["interrogate", "cold", "warm"]
        for name in order if index % 2 == 0 else order[1:] + order[:1]:
            if name == "cold":
                shutil.rmtree(repo / ".quality-gates" / "cache", ignore_errors=True)
            cpu, start = _children_cpu(), time.perf_counter()
            run(commands[name], repo)
            times.setdefault(name, []).append(time.perf_counter() - start)
            times.setdefault(f"{name} cpu", []).append(_children_cpu() - cpu)
    return times


def _children_cpu() -> float:
    """User + system CPU seconds of every finished child process (their workers included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _ratio(times: dict[str, list[float]], mine: str, theirs: str) -> float:
    return statistics.median(o / t for o, t in zip(times[mine], times[theirs], strict=True))


def report(rows: list[str], times: dict[str, list[float]]) -> str:
    """The README block: agreement table, timing table and the ratios."""
    cold, warm = _ratio(times, "cold", "interrogate"), _ratio(times, "warm", "interrogate")
    cold_cpu = _ratio(times, "cold cpu", "interrogate cpu")
    warm_cpu = _ratio(times, "warm cpu", "interrogate cpu")
    count = len(python_files(prepare(DJANGO), DJANGO.package))
    lines = [
        BEGIN,
        "| project | options | interrogate 1.7.0 | quality-docs | same |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"Time on Django {DJANGO.version} `django/` ({count} files), {len(times['cold'])} "
        "alternating runs each, default (text) output of both; machine load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores when it ended:",
        "",
        "| tool | median s | min s | max s | median CPU s |",
        "|---|---|---|---|---|",
        _time_row("interrogate 1.7.0", times, "interrogate"),
        _time_row("quality-docs --scope full, no cache (cold)", times, "cold"),
        _time_row("quality-docs --scope full, cache from the run before (warm)", times, "warm"),
        "",
        f"**Ratio quality-docs / interrogate (wall): {cold:.2f}x cold, {warm:.2f}x warm** "
        "(median of per-run ratios; target <= 0.5x). CPU time (user + system, worker "
        f"processes included; it hardly moves with the machine's load): {cold_cpu:.2f}x cold, "
        f"{warm_cpu:.2f}x warm.",
        END,
    ]
    return "\n".join(lines)


def _time_row(label: str, times: dict[str, list[float]], name: str) -> str:
    wall, cpu = times[name], times[f"{name} cpu"]
    spread = f"{statistics.median(wall):.2f} | {min(wall):.2f} | {max(wall):.2f}"
    return f"| {label} | {spread} | {statistics.median(cpu):.2f} |"


INTRO = """## quality-docs vs interrogate (issue 5)

`python benchmarks/docs_vs_interrogate.py --runs 7 --write` (needs the `bench` extra:
`pip install -e '.[bench]'`). It fetches the sdists of click 8.1.8 and Django 5.1.4 with
`pip download --no-binary :all: --no-deps` into `benchmarks/.cache/` (git-ignored), commits each
into a scratch repository, and for every option set compares interrogate's own API
(`InterrogateCoverage(...).get_coverage()` on the package folder) with `quality-docs --scope full
--set docs.KEY=VALUE ...` over the package's `.py` files (covered and total counts). Then it
times both command-line tools on Django, alternating, and records the median of the per-run
ratios. The script exits 1 if any row disagrees.

Differences by design (none of them changes a count in the table): quality-docs applies
`exclude` and `ignore-init-module` to files passed on the command line too (interrogate only
when it walks a folder, interrogate#60); it does not count `.pyi` stubs (interrogate only with
`--ext pyi`); a file that does not parse counts as one undocumented definition where
interrogate stops with a traceback; and the threshold is compared unrounded where interrogate
rounds the percentage to the decimals of `--fail-under` first. The speed comes from walking only
statement blocks (interrogate visits every AST node through `NodeVisitor`), from pausing the
cyclic garbage collector while parsing (syntax trees have no cycles), from parsing on several
cores when there is more than 2 MiB of source, the process has one thread and the 1-minute load
average leaves cores idle, and, warm, from the content-keyed cache in `.quality-gates/cache/`.
Cold, `ast.parse` bounds the ratio: it is about 1.2 s of quality-docs' 1.95 s of CPU on Django,
so a serial cold run cannot go much below 0.5x. These runs were serial: the machine is shared
with other jobs (load average 2 to 7 on its 2 cores), so the load-aware worker count stayed at
one. So the 0.5x target is met warm and not cold; parsing on idle cores could not be measured
here (the machine was never idle).

"""


def write_readme(block: str) -> None:
    """Replace the marked block in benchmarks/README.md (append the section when absent)."""
    text = README.read_text() if README.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + INTRO + block + "\n"
    README.write_text(text)


def main() -> int:
    """Run the agreement check and the timing; print (and with --write record) the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="record in benchmarks/README.md")
    args = parser.parse_args()
    rows, agree = agreement((CLICK, DJANGO))
    block = report(rows, timing(args.runs))
    print(block)
    if args.write:
        write_readme(block)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
