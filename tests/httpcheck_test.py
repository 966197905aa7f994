from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from linkserver import Server, serving
from quality_gates.httpcheck import (
    Cache,
    Checker,
    Settings,
    UrlResult,
    check_urls,
    is_external,
    retry_after_seconds,
)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serving() as running:
        yield running


class Sleeps:
    """Records the backoff instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _checker(**overrides: object) -> tuple[Checker, Sleeps]:
    sleeps = Sleeps()
    settings = Settings(**{"timeout": 5.0, "retry_wait": 0.25, **overrides})  # type: ignore[arg-type]
    return Checker(settings, sleep=sleeps), sleeps


@pytest.mark.parametrize(
    ("path", "ok", "status", "detail"),
    [
        ("/ok", True, 200, "200"),
        ("/missing", False, 404, "HTTP 404"),
        ("/r1", True, 200, "200"),
        ("/r-missing", False, 404, "HTTP 404"),
        ("/teapot", False, 418, "HTTP 418"),
    ],
)
def test_statuses_and_redirect_chains(
    server: Server, path: str, ok: bool, status: int, detail: str
) -> None:
    checker, sleeps = _checker()
    assert checker.check(server.url(path)) == UrlResult(ok, status, detail)
    assert sleeps.waits == []


def test_redirect_loop_is_reported(server: Server) -> None:
    checker, _ = _checker()
    result = checker.check(server.url("/loop-a"))
    assert not result.ok
    assert result.detail == f"redirect loop at {server.url('/loop-a')}"


def test_429_honours_retry_after_then_succeeds(server: Server) -> None:
    checker, sleeps = _checker()
    before = server.hits["/busy"]
    assert checker.check(server.url("/busy")).ok
    assert sleeps.waits == [1.0]  # Retry-After: 1 beats the 0.25 s backoff
    assert server.hits["/busy"] - before == 2


def test_retry_after_over_the_cap_gives_up(server: Server) -> None:
    checker, sleeps = _checker(max_retry_after=60.0)
    result = checker.check(server.url("/busy-forever"))
    assert result == UrlResult(False, 429, "HTTP 429 (Retry-After 3600 s is over max-retry-after)")
    assert sleeps.waits == []


def test_5xx_backs_off_exponentially(server: Server) -> None:
    checker, sleeps = _checker(max_retries=2)
    assert checker.check(server.url("/flaky")).ok
    assert sleeps.waits == [0.25, 0.5]


def test_retries_run_out(server: Server) -> None:
    checker, sleeps = _checker(max_retries=1, max_retry_after=7200.0)
    result = checker.check(server.url("/busy-forever"))
    assert result == UrlResult(False, 429, "HTTP 429")
    assert sleeps.waits == [3600.0]
    checker, _ = _checker(max_retries=0)
    assert checker.check(server.url("/gone")) == UrlResult(False, 410, "HTTP 410")


def test_slow_endpoint_times_out(server: Server) -> None:
    checker, sleeps = _checker(timeout=0.2, max_retries=1)
    result = checker.check(server.url("/slow"))
    assert not result.ok
    assert result.status is None
    assert result.detail.startswith("no answer (")
    assert sleeps.waits == [0.25]


@pytest.mark.parametrize("per_host", [1, 3])
def test_per_host_limit_caps_overlapping_requests(server: Server, per_host: int) -> None:
    checker, _ = _checker(host_concurrency=per_host, max_concurrency=8)
    with server.lock:
        server.most_in_flight = 0
    urls = [server.url(f"/hold?{per_host}-{i}") for i in range(8)]
    results = checker.check_all(urls)
    assert all(r.ok for r in results.values())
    assert 1 <= server.most_in_flight <= per_host


def test_accepted_statuses_are_configurable(server: Server) -> None:
    checker, _ = _checker(accept=((200, 299), (418, 418)))
    assert checker.check(server.url("/teapot")).ok


def test_cache_reuses_successes_only(server: Server, tmp_path: Path) -> None:
    urls = [server.url("/ok"), server.url("/missing")]
    settings = Settings(timeout=5.0)
    first, hits = check_urls(urls, settings, Cache(tmp_path / "cache", 3600, now=1000.0))
    assert (hits, first[urls[0]].ok, first[urls[1]].ok) == (0, True, False)
    before = dict(server.hits)
    second, hits = check_urls(urls, settings, Cache(tmp_path / "cache", 3600, now=2000.0))
    assert hits == 1
    assert second[urls[0]] == UrlResult(True, None, "cached")
    assert server.hits["/ok"] == before["/ok"]
    assert server.hits["/missing"] == before["/missing"] + 1
    _, hits = check_urls(urls, settings, Cache(tmp_path / "cache", 3600, now=99999.0))
    assert hits == 0


def test_damaged_cache_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "links.json").write_text("{not json")
    assert not Cache(tmp_path, 3600).fresh("http://127.0.0.1/x")


def test_helpers() -> None:
    assert is_external("https://x")
    assert is_external("//cdn/x")
    assert not is_external("a.md")
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412400.0) == 80.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
