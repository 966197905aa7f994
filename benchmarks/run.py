"""Benchmark the hooks under pre-commit against the plain tools, on real projects from PyPI.

Usage: `make bench` (or `.venv/bin/python benchmarks/run.py [--rounds N]`). See README.md here.

Every configuration runs through `pre-commit run` (staged mode) in a scratch repository, with
`repo: local` hooks of `language: unsupported` pointing at this checkout's .venv, so no hook
environment is built or timed. Configurations alternate run by run and each ratio is the median
of the per-round ratios, which cancels most of the drift of a shared machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shlex
import statistics

# argv lists only, never a shell; a benchmark script, excluded from bandit like tests
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import projects
import yaml

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent
README = HERE / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
TYPES_OR = ["python", "pyi"]
CLICK_MODULE = "src/click/utils.py"
DJANGO_MODULE = "django/utils/text.py"
COMPARED_GATES = "lint,format,security"
LEAKY_ENV = re.compile(r"^(GIT_|PRE_COMMIT|SKIP$|GITHUB_ACTIONS$)")


@dataclass(frozen=True)
class Config:
    """One pre-commit configuration under test."""

    key: str
    title: str
    hooks: tuple[tuple[str, str], ...]  # (hook id, entry)

    def yaml_text(self) -> str:
        """The `.pre-commit-config.yaml` text: local hooks, no environment to install."""
        hooks = [
            {
                "id": hook_id,
                "name": hook_id,
                "entry": entry,
                "language": "unsupported",
                "types_or": TYPES_OR,
                "require_serial": True,
            }
            for hook_id, entry in self.hooks
        ]
        return yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, sort_keys=False)

    @property
    def filename(self) -> str:
        """Where the configuration is written in the scratch repo (kept untracked)."""
        return f".pre-commit-config.bench-{self.key}.yaml"


@dataclass
class Series:
    """The timed runs of one configuration on one repository."""

    config: Config
    repo: projects.Scratch
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    exit_codes: set[int] = field(default_factory=set)

    @property
    def median(self) -> float:
        """The median wall time in seconds."""
        return statistics.median(self.seconds)

    @property
    def median_cpu(self) -> float:
        """The median CPU time (user + system of pre-commit and every process under it)."""
        return statistics.median(self.cpu)


@dataclass(frozen=True)
class Ratio:
    """numerator/denominator per round, summarised by the median of the ratios."""

    label: str
    numerator: Series
    denominator: Series
    target: float | None  # None: shown for reference

    @property
    def ratios(self) -> list[float]:
        """The wall-time ratio of each round (runs of one round were made back to back)."""
        pairs = zip(self.numerator.seconds, self.denominator.seconds, strict=True)
        return [n / d for n, d in pairs]

    @property
    def median(self) -> float:
        """The median of the per-round wall-time ratios: the figure the target applies to."""
        return statistics.median(self.ratios)

    @property
    def median_cpu(self) -> float:
        """The median of the per-round CPU-time ratios: steadier when the machine is busy."""
        pairs = zip(self.numerator.cpu, self.denominator.cpu, strict=True)
        return statistics.median(n / d for n, d in pairs)

    @property
    def verdict(self) -> str:
        """Whether the median ratio is within the target, for the table."""
        if self.target is None:
            return "(reference)"
        return "yes" if self.median <= self.target else "NO"


def venv_bin() -> Path:
    """The bin folder of the environment running this script (this checkout's .venv)."""
    folder = Path(sys.executable).parent
    for tool in ("quality-gates", "ruff", "bandit", "pre-commit"):
        if not (folder / tool).is_file():
            raise projects.BenchmarkError(
                f"{tool} is not installed beside {sys.executable}: run `make bench`"
            )
    return folder


def configs(bin_dir: Path) -> dict[str, Config]:
    """The three configurations compared: our hooks, our one hook, the plain tools."""

    def tool(name: str, *args: str) -> str:
        return shlex.join((str(bin_dir / name), *args))

    return {
        "a": Config(
            "a",
            "quality-lint + quality-format + quality-security",
            (
                ("quality-lint", tool("quality-lint")),
                ("quality-format", tool("quality-format")),
                ("quality-security", tool("quality-security")),
            ),
        ),
        # the same three gates as (a) and (c), whatever other gates the default policy gains
        "b": Config(
            "b",
            "quality-gates check --gates lint,format,security",
            (("quality-gates", tool("quality-gates", "check", f"--gates={COMPARED_GATES}")),),
        ),
        "c": Config(
            "c",
            "ruff check + ruff format --check + bandit",
            (
                # --no-fix: click's pyproject says `fix = true`; the benchmark must not edit files
                ("ruff-check", tool("ruff", "check", "--force-exclude", "--no-fix")),
                ("ruff-format", tool("ruff", "format", "--check", "--force-exclude")),
                ("bandit", tool("bandit")),
            ),
        ),
    }


def clean_env(cache: Path) -> dict[str, str]:
    """The environment for pre-commit: no inherited git/pre-commit state, its own store."""
    env = {k: v for k, v in os.environ.items() if not LEAKY_ENV.match(k)}
    env["PRE_COMMIT_HOME"] = str(cache / "pre-commit-home")
    return env


def install_configs(repo: projects.Scratch, chosen: Sequence[Config]) -> None:
    """Write the configurations into the scratch repo, untracked and out of `git add`."""
    projects.exclude_locally(repo.path, *(c.filename for c in chosen))
    for config in chosen:
        (repo.path / config.filename).write_text(config.yaml_text(), encoding="utf-8")


def repo_state(repo: Path) -> tuple[str, str]:
    """The index's tree and the working tree's unstaged diff, to prove a run changed nothing."""
    tree = projects.git(repo, "write-tree").strip()
    unstaged = projects.git(repo, "diff", "--name-only", "--no-ext-diff")
    return tree, unstaged


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(series: Series, env: Mapping[str, str], bin_dir: Path) -> tuple[float, float, str]:
    """Run `pre-commit run` once with the series' config; return (wall s, CPU s, output).

    CPU time is that of every finished descendant (pre-commit waits for its hooks, and they
    for their tools), so it covers the whole tree of processes.
    """
    repo = series.repo.path
    before = repo_state(repo)
    argv = (str(bin_dir / "pre-commit"), "run", "--config", series.config.filename)
    cpu_start, start = _cpu_of_children(), time.perf_counter()
    proc = subprocess.run(
        (*argv, "--color", "never"), cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    elapsed, cpu = time.perf_counter() - start, _cpu_of_children() - cpu_start
    output = proc.stdout + proc.stderr
    if repo_state(repo) != before:
        raise projects.BenchmarkError(f"{series.config.title} changed {repo}:\n{output}")
    if "internal error" in output or "Traceback" in output:
        raise projects.BenchmarkError(f"{series.config.title} crashed in {repo}:\n{output}")
    series.exit_codes.add(proc.returncode)
    return elapsed, cpu, output


def status_lines(output: str) -> list[str]:
    """The per-hook lines pre-commit prints (`name....Passed`)."""
    return [line for line in output.splitlines() if re.search(r"\.{3,}", line)]


def alternate(
    groups: Sequence[Series], env: Mapping[str, str], bin_dir: Path, *, rounds: int, warmup: int
) -> None:
    """Run the series in turn (one run each per round); warm-up rounds are not recorded."""
    for number in range(warmup + rounds):
        timed = number >= warmup
        for series in groups:
            elapsed, cpu, output = run_once(series, env, bin_dir)
            if timed:
                series.seconds.append(elapsed)
                series.cpu.append(cpu)
            elif number == 0:
                print(f"  warm-up ({series.config.key}) {series.repo.title}:")
                for line in status_lines(output):
                    print(f"    {line}")
        if timed:
            line = "  ".join(f"{s.config.key}={s.seconds[-1]:.3f}s" for s in groups)
            print(f"  round {number - warmup + 1}/{rounds}: {line}", flush=True)


def tool_versions(bin_dir: Path) -> dict[str, str]:
    """The versions of everything that is timed."""

    def version(*argv: str) -> str:
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
        return (proc.stdout or proc.stderr).strip().splitlines()[0]

    return {
        "quality-gates": f"{version(str(bin_dir / 'quality-gates'), '--version')}"
        f" ({checkout_commit()})",
        "pre-commit": version(str(bin_dir / "pre-commit"), "--version"),
        "ruff": version(str(bin_dir / "ruff"), "--version"),
        "bandit": version(str(bin_dir / "bandit"), "--version"),
        "git": version("git", "--version"),
        "python": f"Python {platform.python_version()}",
    }


def checkout_commit() -> str:
    """This checkout's commit, marked dirty when hooks/ has uncommitted changes."""
    sha = projects.git(CHECKOUT, "rev-parse", "--short=12", "HEAD").strip()
    dirty = projects.git(CHECKOUT, "status", "--porcelain", "--", "hooks", "pyproject.toml")
    return f"commit {sha}{' + uncommitted changes' if dirty.strip() else ''}"


def machine() -> str:
    """Cores, OS and load: the context the numbers were measured in."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{platform.system()} {platform.machine()}, {usable} cores, load average {load}"


@dataclass(frozen=True)
class Report:
    """Everything measured in one benchmark run."""

    when: str
    machine: str
    versions: Mapping[str, str]
    rounds: int
    warmup: int
    series: Sequence[Series]
    ratios: Sequence[Ratio]


def _series_rows(report: Report) -> list[str]:
    rows = [
        "| change staged | configuration | files | median s | min s | max s | median CPU s "
        "| pre-commit exit |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for s in report.series:
        files = f"{s.repo.staged_python} py of {s.repo.tracked_files}"
        codes = ", ".join(str(c) for c in sorted(s.exit_codes))
        rows.append(
            f"| {s.repo.title} | ({s.config.key}) {s.config.title} | {files} "
            f"| {s.median:.3f} | {min(s.seconds):.3f} | {max(s.seconds):.3f} "
            f"| {s.median_cpu:.3f} | {codes} |"
        )
    return rows


def _ratio_rows(report: Report) -> list[str]:
    rows = [
        "| ratio (wall time) | median of per-round ratios | min | max | target | met "
        "| CPU-time ratio |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for r in report.ratios:
        rows.append(
            f"| {r.label} | **{r.median:.2f}** | {min(r.ratios):.2f} | {max(r.ratios):.2f} "
            f"| {'' if r.target is None else f'<= {r.target:.1f}'} | {r.verdict} "
            f"| {r.median_cpu:.2f} |"
        )
    return rows


def markdown(report: Report) -> str:
    """The results block written into README.md."""
    versions = ", ".join(
        v if v.lower().startswith(k) else f"{k} {v}" for k, v in report.versions.items()
    )
    lines = [
        f"Measured {report.when} on {report.machine}; {report.rounds} rounds after "
        f"{report.warmup} warm-up round(s). Tools: {versions}.",
        "",
        *_ratio_rows(report),
        "",
        *_series_rows(report),
    ]
    return "\n".join(lines)


def update_readme(readme: Path, block: str) -> None:
    """Replace what is between the result markers in readme with block."""
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise projects.BenchmarkError(f"{readme}: no {START} ... {END} markers")
    readme.write_text(pattern.sub(lambda _: f"{START}\n{block}\n{END}", text), encoding="utf-8")


def text_table(report: Report) -> str:
    """The results for the terminal: the same rows, aligned."""

    def cells(row: str) -> list[str]:
        return [c.strip().replace("**", "") for c in row.strip("|").split("|")]

    out = []
    for rows in (_series_rows(report), _ratio_rows(report)):
        table = [cells(r) for i, r in enumerate(rows) if i != 1]
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in table]
        out.append("")
    return "\n".join(out)


def prepare(cache: Path) -> tuple[projects.Scratch, projects.Scratch, projects.Scratch]:
    """Build the three scratch repos: click's release change, and the one-file changes."""
    print(f"preparing scratch repositories (sdists cached in {cache})", flush=True)
    release = projects.release_change(projects.CLICK_OLD, projects.CLICK_NEW, cache)
    small = projects.one_file_change(projects.CLICK_NEW, CLICK_MODULE, cache)
    large = projects.one_file_change(projects.DJANGO, DJANGO_MODULE, cache)
    return release, small, large


def measure(args: argparse.Namespace) -> Report:
    """Run both benchmarks and collect the report."""
    bin_dir = venv_bin()
    env = clean_env(args.cache)
    chosen = configs(bin_dir)
    release, small, large = prepare(args.cache)
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    where = machine()
    install_configs(release, list(chosen.values()))
    compared = [Series(chosen[k], release) for k in "abc"]
    print(f"\n{release.title}: {release.staged_python} Python files staged", flush=True)
    alternate(compared, env, bin_dir, rounds=args.rounds, warmup=args.warmup)
    for scratch in (large, small):
        install_configs(scratch, [chosen["b"], chosen["c"]])
    scale = [Series(chosen[k], repo) for k in "bc" for repo in (large, small)]
    print(f"\nscale: {large.title} ({large.tracked_files} files) vs {small.title}", flush=True)
    alternate(scale, env, bin_dir, rounds=args.rounds, warmup=args.warmup)
    a, b, c = compared
    ratios = [
        Ratio("(a)/(c): three hooks vs plain tools", a, c, 1.5),
        Ratio("(b)/(c): quality-gates check vs plain tools", b, c, 1.0),
        Ratio("scale: (b) Django one-file / click one-file", scale[0], scale[1], 1.5),
        Ratio("scale of the plain tools: (c) Django / click", scale[2], scale[3], None),
    ]
    versions = tool_versions(bin_dir)
    return Report(when, where, versions, args.rounds, args.warmup, compared + scale, ratios)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds (default 7)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument("--cache", type=Path, default=projects.CACHE, help="sdists and repos")
    parser.add_argument("--readme", type=Path, default=README, help="where results are written")
    parser.add_argument("--no-readme", action="store_true", help="print only; leave README alone")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.warmup < 0:
        parser.error("--rounds must be at least 1 and --warmup at least 0")
    args.cache = args.cache.resolve()
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks, print the table, write README.md; 0 even when a target is missed."""
    args = parse_args(argv)
    try:
        report = measure(args)
    except projects.BenchmarkError as exc:
        print(f"benchmark error: {exc}", file=sys.stderr)
        return 2
    print("\n" + text_table(report))
    if not args.no_readme:
        update_readme(args.readme, markdown(report))
        print(f"results written to {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
