from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Runner
from helpers import commit_files, snapshot, stage, write
from quality_gates.cli import gates_main, perf_main
from quality_gates.gates.perf import Stats, compare

# sleeps, not busy loops: on a shared, loaded machine a sleeping benchmark's median and quartiles
# move far less than a computing one's, and 20 rounds keep the quartiles robust to a few spikes
BENCH = """\
import time


def {speed_name}():
    time.sleep({speed})


def steady():
    time.sleep(0.02)


def test_speed(benchmark):
    benchmark.pedantic({speed_name}, rounds=20, iterations=1, warmup_rounds=1)


def test_steady(benchmark):
    benchmark.pedantic(steady, rounds=20, iterations=1, warmup_rounds=1)
"""


def bench(speed: float) -> str:
    return BENCH.format(speed=speed, speed_name="work")


@pytest.fixture
def project(repo: Path) -> Path:
    commit_files(repo, {"tests/test_bench.py": bench(0.02), ".gitignore": ".benchmarks/\n"})
    return repo


@pytest.mark.slow
def test_flags_a_benchmark_made_30_percent_slower_and_passes_one_within_noise(
    project: Path, hook: Runner
) -> None:
    saved = hook(gates_main, "baseline", "save", "perf")
    assert saved.code == 0, saved.err
    baseline = project / ".quality-gates" / "baselines" / "perf.json"
    assert saved.out == f"perf: saved 2 benchmark(s) as the perf baseline: {baseline}\n"
    stored = json.loads(baseline.read_text())
    assert sorted(stored["benchmarks"]) == [
        "tests/test_bench.py::test_speed",
        "tests/test_bench.py::test_steady",
    ]
    write(project, "tests/test_bench.py", bench(0.026))
    stage(project)
    result = hook(perf_main)
    assert result.code == 1, result.out
    lines = result.out.splitlines()
    assert lines[0].startswith(
        "tests/test_bench.py:12:1: perf-regression tests/test_bench.py::test_speed: median "
    )
    assert "test_steady" not in result.out
    assert lines[-1] == "perf: within tolerance 1/2 = 50.00% (threshold 100%) FAIL"


def results(**medians: tuple[float, float, float]) -> dict[str, object]:
    """pytest-benchmark JSON with the given (q1, median, q3) per benchmark."""
    return {
        "machine_info": {"node": "test"},
        "benchmarks": [
            {
                "name": name,
                "fullname": f"tests/test_b.py::{name}",
                "stats": {"q1": q1, "median": median, "q3": q3, "rounds": 10, "iqr": q3 - q1},
            }
            for name, (q1, median, q3) in medians.items()
        ],
    }


def test_missing_and_new_benchmarks_are_listed_not_failed(repo: Path, hook: Runner) -> None:
    commit_files(repo, {"a.py": "A = 1\n"})
    write(repo, "base.json", json.dumps(results(test_a=(1.0, 1.0, 1.0), test_gone=(1, 1, 1))))
    write(repo, "now.json", json.dumps(results(test_a=(1.0, 1.05, 1.1), test_new=(1, 1, 1))))
    saved = hook(gates_main, "baseline", "save", "perf", "--set", "perf.results=base.json")
    assert saved.code == 0, saved.err
    before = snapshot(repo)
    result = hook(perf_main, "--results", "now.json")
    assert snapshot(repo) == before
    assert result.code == 0
    assert result.out == (
        "perf: note: 1 baseline benchmark(s) not in this run: tests/test_b.py::test_gone\n"
        "perf: note: 1 new benchmark(s), no baseline yet: tests/test_b.py::test_new\n"
        "perf: within tolerance 1/1 = 100.00% (threshold 100%) PASS\n"
    )


def test_slower_within_noise_is_a_note(repo: Path, hook: Runner) -> None:
    commit_files(repo, {"a.py": "A = 1\n"})
    write(repo, "base.json", json.dumps(results(test_a=(0.8, 1.0, 1.5))))
    write(repo, "now.json", json.dumps(results(test_a=(1.2, 1.3, 1.9))))
    result = hook(perf_main, "--results", "now.json", "--baseline", "base.json")
    assert result.code == 0
    assert result.out == (
        "perf: note: tests/test_b.py::test_a: +30.0% slower but within noise "
        "(IQR overlaps the baseline's)\n"
        "perf: within tolerance 1/1 = 100.00% (threshold 100%) PASS\n"
    )


def test_no_baseline_passes_and_says_so(repo: Path, hook: Runner) -> None:
    commit_files(repo, {"a.py": "A = 1\n"})
    result = hook(perf_main, "--set", 'perf.command=["no-such-benchmark-runner"]')
    assert result.code == 0  # the command is not even run
    assert "no baseline at" in result.out
    assert "quality-gates baseline save perf" in result.out


@pytest.mark.parametrize(
    ("base", "now", "tolerance", "regressed"),
    [
        ((1.0, 1.0, 1.0), (1.3, 1.3, 1.3), 10.0, True),
        ((1.0, 1.0, 1.0), (1.3, 1.3, 1.3), 40.0, False),
        ((1.0, 1.0, 1.0), (1.09, 1.09, 1.09), 10.0, False),
        ((0.9, 1.0, 1.4), (1.3, 1.35, 1.4), 10.0, False),
        ((0.9, 1.0, 1.1), (1.2, 1.3, 1.4), 10.0, True),
        ((0.9, 1.0, 1.4), (1.4, 1.45, 1.5), 10.0, False),
        ((1.0, 1.0, 1.0), (0.5, 0.5, 0.5), 10.0, False),
    ],
)
def test_regression_needs_tolerance_and_noise(
    base: tuple[float, float, float],
    now: tuple[float, float, float],
    tolerance: float,
    regressed: bool,
) -> None:
    old = Stats(base[1], base[0], base[2], 10)
    new = Stats(now[1], now[0], now[2], 10)
    (verdict,) = compare({"b": old}, {"b": new}, tolerance)
    assert verdict.regressed is regressed


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "pytest-benchmark results is not valid JSON"),
        ("[]", "not pytest-benchmark JSON (no 'benchmarks')"),
        ('{"benchmarks": 3}', "'benchmarks' must be a list"),
        ('{"benchmarks": [{"name": "x"}]}', "a benchmark entry has no stats"),
        ('{"benchmarks": [{"name": "x", "stats": {}}]}', "benchmark 'x' has no usable stats"),
    ],
)
def test_hostile_results_are_a_clear_error(
    repo: Path, hook: Runner, content: str, message: str
) -> None:
    commit_files(repo, {"a.py": "A = 1\n"})
    write(repo, "now.json", content)
    write(repo, "base.json", json.dumps(results(test_a=(1, 1, 1))))
    result = hook(perf_main, "--results", "now.json", "--baseline", "base.json")
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


@pytest.mark.slow
def test_partial_staging_follows_the_index(project: Path, hook: Runner) -> None:
    assert hook(gates_main, "baseline", "save", "perf").code == 0
    write(project, "tests/test_bench.py", bench(0.026))
    stage(project)
    write(project, "tests/test_bench.py", bench(0.02))
    before = snapshot(project)
    assert hook(perf_main).code == 1  # the staged, slower benchmark is what runs
    assert snapshot(project) == before
    stage(project)
    write(project, "tests/test_bench.py", bench(0.026))
    before = snapshot(project)
    assert hook(perf_main).code == 0
    assert snapshot(project) == before
