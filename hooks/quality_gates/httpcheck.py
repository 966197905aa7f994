"""External link checks: concurrent GETs with a per-host limit, retries, and a result cache.

Only asked for (`--external`, `links.external`, the nightly stage): a commit stays offline.
Redirects are followed by hand (at most MAX_REDIRECTS, loops detected); a timeout, a connection
error, 429 and 502/503/504 are retried with exponential backoff, and a `Retry-After` header (in
seconds or as an HTTP date) is honoured up to a cap. Only successes are cached, so a broken link
is checked again on the next run.
"""

from __future__ import annotations

import email.utils
import json
import os
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from typing import NamedTuple

MAX_REDIRECTS = 10
RETRY_STATUSES = frozenset({429, 502, 503, 504})
USER_AGENT = "quality-gates-links/0.1 (+link checker)"
CACHE_FILE = "links.json"


@dataclass(frozen=True)
class Settings:
    """How external links are checked (the links.* policy keys)."""

    accept: tuple[tuple[int, int], ...] = ((200, 299),)
    timeout: float = 10.0
    max_retries: int = 2
    retry_wait: float = 1.0
    max_retry_after: float = 60.0
    max_concurrency: int = 16
    host_concurrency: int = 4
    cache_max_age: float = 86400.0

    def accepts(self, status: int) -> bool:
        """Tell whether a final status counts as alive."""
        return any(low <= status <= high for low, high in self.accept)


class UrlResult(NamedTuple):
    """The outcome for one URL: alive or not, the final status (None: no answer), why."""

    ok: bool
    status: int | None
    detail: str


class _Answer(NamedTuple):
    status: int | None
    location: str | None
    retry_after: str | None
    error: str | None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # redirects are followed by hand, to count them and catch loops


_OPENER = urllib.request.build_opener(_NoRedirect)


def _get(url: str, timeout: float) -> _Answer:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT}, method="GET")
    try:
        # B310: the caller passes http(s) URLs only (is_external)
        with _OPENER.open(request, timeout=timeout) as response:  # nosec B310
            return _Answer(int(response.status), None, None, None)
    except urllib.error.HTTPError as exc:
        headers = exc.headers
        exc.close()
        return _Answer(exc.code, headers.get("Location"), headers.get("Retry-After"), None)
    except (urllib.error.URLError, TimeoutError, OSError, HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        return _Answer(None, None, None, f"no answer ({reason or type(exc).__name__})")


def is_external(url: str) -> bool:
    """http(s) and protocol-relative URLs."""
    lower = url.lower()
    return lower.startswith(("http://", "https://", "//"))


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Parse a Retry-After header: delta seconds or an HTTP date; None when absent or invalid."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Checker:
    """Checks URLs concurrently with a limit per host; sleep is injectable for the backoff."""

    def __init__(self, settings: Settings, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self._sleep = sleep
        self._lock = threading.Lock()
        self._hosts: dict[str, threading.Semaphore] = {}

    def _host_limit(self, url: str) -> threading.Semaphore:
        host = urllib.parse.urlsplit(url).netloc.lower()
        with self._lock:
            if host not in self._hosts:
                self._hosts[host] = threading.Semaphore(self.settings.host_concurrency)
            return self._hosts[host]

    def check_all(self, urls: Iterable[str]) -> dict[str, UrlResult]:
        """Check each distinct URL once."""
        unique = list(dict.fromkeys(urls))
        if not unique:
            return {}
        workers = min(self.settings.max_concurrency, len(unique))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return dict(zip(unique, pool.map(self.check, unique), strict=True))

    def check(self, url: str) -> UrlResult:
        """Follow url's redirects and judge the final answer."""
        current = "https:" + url if url.startswith("//") else url
        seen = {current}
        for _ in range(MAX_REDIRECTS + 1):
            answer = self._fetch(current)
            if answer.status is None:
                return UrlResult(False, None, answer.error or "no answer")
            if 300 <= answer.status < 400 and answer.location:
                current = urllib.parse.urljoin(current, answer.location)
                if current in seen:
                    return UrlResult(False, answer.status, f"redirect loop at {current}")
                seen.add(current)
                continue
            return self._judge(answer)
        return UrlResult(False, None, f"more than {MAX_REDIRECTS} redirects")

    def _judge(self, answer: _Answer) -> UrlResult:
        status = answer.status
        if status is None:
            return UrlResult(False, None, answer.error or "no answer")
        if self.settings.accepts(status):
            return UrlResult(True, status, f"{status}")
        return UrlResult(False, status, answer.error or f"HTTP {status}")

    def _fetch(self, url: str) -> _Answer:
        settings = self.settings
        answer = _Answer(None, None, None, "not tried")
        for attempt in range(settings.max_retries + 1):
            with self._host_limit(url):
                answer = _get(url, settings.timeout)
            if not _retryable(answer) or attempt == settings.max_retries:
                break
            wait = settings.retry_wait * (2**attempt)
            asked = retry_after_seconds(answer.retry_after)
            if asked is not None:
                if asked > settings.max_retry_after:
                    detail = f"Retry-After {asked:g} s is over max-retry-after"
                    return answer._replace(error=f"HTTP {answer.status} ({detail})")
                wait = max(wait, asked)
            self._sleep(wait)
        return answer


def _retryable(answer: _Answer) -> bool:
    return answer.status is None or answer.status in RETRY_STATUSES


class Cache:
    """Successful results by URL, with the time they were checked, under .quality-gates/cache/."""

    def __init__(self, directory: Path, max_age: float, *, now: float | None = None) -> None:
        self.directory = directory
        self.max_age = max_age
        self.now = time.time() if now is None else now
        self._entries = self._load() if max_age > 0 else {}

    def _load(self) -> dict[str, float]:
        try:
            data = json.loads((self.directory / CACHE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # no cache yet, or a damaged one: check again
        if not isinstance(data, dict):
            return {}
        return {
            url: float(when)
            for url, when in data.items()
            if isinstance(url, str) and isinstance(when, (int, float))
        }

    def fresh(self, url: str) -> bool:
        """Tell whether url was found alive less than max-age ago."""
        when = self._entries.get(url)
        return when is not None and 0 <= self.now - when < self.max_age

    def save(self, results: Mapping[str, UrlResult]) -> None:
        """Record the alive URLs (atomically; the folder gets a `.gitignore` of `*`)."""
        if self.max_age <= 0:
            return
        for url, result in results.items():
            if result.ok:
                self._entries[url] = self.now
        self.directory.mkdir(parents=True, exist_ok=True)
        kept = {u: w for u, w in self._entries.items() if self.now - w < self.max_age}
        handle, name = tempfile.mkstemp(dir=self.directory, prefix=".links-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(kept, out, sort_keys=True)
        os.replace(name, self.directory / CACHE_FILE)


def check_urls(
    urls: Sequence[str], settings: Settings, cache: Cache | None, checker: Checker | None = None
) -> tuple[dict[str, UrlResult], int]:
    """Check urls (those fresh in the cache count as alive); return results and cache hits."""
    hits = [u for u in urls if cache is not None and cache.fresh(u)]
    todo = [u for u in dict.fromkeys(urls) if u not in set(hits)]
    results = (checker or Checker(settings)).check_all(todo)
    if cache is not None:
        cache.save(results)
    results.update({u: UrlResult(True, None, "cached") for u in hits})
    return results, len(set(hits))
