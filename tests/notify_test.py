"""Issue creation (with dedupe by fingerprint) and the webhook, against local HTTP servers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import Runner
from helpers import commit_files
from quality_gates.cli import gates_main
from quality_gates.notify import MARK
from scratch import CALC_WITH_UNUSED_IMPORT, make_project

TOKEN = "ghs_secretTOKENvalue1234567890"
REPOSITORY = "acme/widgets"


class Recorded:
    """What the fake server saw and what it serves."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []
        self.issues: list[dict[str, Any]] = []
        self.fail_with: tuple[int, str] | None = None
        self.page_size = 2


class Handler(BaseHTTPRequestHandler):
    state: ClassVar[Recorded]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def _record(self, body: Any) -> bool:
        self.state.requests.append((self.command, self.path, dict(self.headers), body))
        if self.state.fail_with:
            code, message = self.state.fail_with
            self._reply(code, {"message": message})
            return False
        return True

    def do_GET(self) -> None:
        if not self._record(None):
            return
        url = urlsplit(self.path)
        page = int(parse_qs(url.query).get("page", ["1"])[0])
        size = self.state.page_size
        issues = [i for i in self.state.issues if i["state"] == "open"]
        chunk = issues[(page - 1) * size : page * size]
        headers = {}
        if page * size < len(issues):
            host = f"http://{self.headers['Host']}"
            headers["Link"] = f'<{host}{url.path}?state=open&page={page + 1}>; rel="next"'
        self._reply(200, chunk, headers)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"null")
        if not self._record(body):
            return
        if self.path.endswith("/comments"):
            self._reply(201, {"id": 99, "body": body["body"]})
            return
        if self.path.startswith("/hooks/"):
            self._reply(200, {"ok": True})
            return
        number = len(self.state.issues) + 1
        issue = {"number": number, "state": "open", "html_url": f"http://x/{number}", **body}
        self.state.issues.append(issue)
        self._reply(201, issue)


@pytest.fixture
def server() -> Iterator[tuple[str, Recorded]]:
    state = Recorded()
    handler = type("BoundHandler", (Handler,), {"state": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", state
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def failing(repo: Path, hook: Runner, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose second run regresses (lint), with GitHub's environment set."""
    make_project(repo)
    assert hook(gates_main, "run").code == 0
    commit_files(repo, {"pkg/calc.py": CALC_WITH_UNUSED_IMPORT})
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPOSITORY)
    return repo


def _posts(state: Recorded) -> list[tuple[str, Any]]:
    return [(path, body) for method, path, _, body in state.requests if method == "POST"]


def test_creates_the_issue_with_fingerprint_label_and_token(
    failing: Path, hook: Runner, server: tuple[str, Recorded]
) -> None:
    url, state = server
    result = hook(gates_main, "run", "--no-record", "--create-issue", "--api-url", url)
    assert result.code == 1
    assert "notify: created issue #1 http://x/1" in result.out
    ((path, body),) = _posts(state)
    assert path == f"/repos/{REPOSITORY}/issues"
    assert body["labels"] == ["quality-regression"]
    assert body["title"] == "Quality regression on main: lint 100.00% → 92.31%"
    assert body["body"] == (failing / ".quality-gates/report/issue.md").read_text()
    assert body["body"].startswith(f"<!-- {MARK}: ")
    headers = state.requests[0][2]
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Accept"] == "application/vnd.github+json"
    assert TOKEN not in result.out + result.err


def test_same_failure_again_comments_on_the_open_issue_found_on_a_later_page(
    failing: Path, hook: Runner, server: tuple[str, Recorded]
) -> None:
    url, state = server
    state.issues += [
        {"number": n, "state": "open", "body": f"unrelated {n}", "title": "x"} for n in (1, 2, 3)
    ]
    hook(gates_main, "run", "--no-record", "--create-issue", "--api-url", url)
    created = state.issues[-1]
    again = hook(gates_main, "run", "--no-record", "--create-issue", "--api-url", url)
    assert again.code == 1
    assert f"notify: commented on issue #{created['number']} (same fingerprint" in again.out
    gets = [path for method, path, _, _ in state.requests if method == "GET"]
    assert len(gets) == 2 + 2  # both runs read both pages of open issues
    assert _posts(state)[-1][0] == f"/repos/{REPOSITORY}/issues/{created['number']}/comments"
    assert len(state.issues) == 4


def test_a_closed_issue_does_not_absorb_a_new_failure(
    failing: Path, hook: Runner, server: tuple[str, Recorded]
) -> None:
    url, state = server
    hook(gates_main, "run", "--no-record", "--create-issue", "--api-url", url)
    state.issues[0]["state"] = "closed"
    result = hook(gates_main, "run", "--no-record", "--create-issue", "--api-url", url)
    assert "notify: created issue #2" in result.out


def test_api_errors_exit_2_and_never_show_the_token(
    failing: Path, hook: Runner, server: tuple[str, Recorded]
) -> None:
    url, state = server
    state.fail_with = (401, f"Bad credentials for token {TOKEN}")
    result = hook(gates_main, "run", "--no-record", "--create-issue", "--api-url", url)
    assert result.code == 2
    assert (
        "error: notify issue: GitHub API GET /repos/acme/widgets/issues: HTTP 401: " in result.err
    )
    assert "Bad credentials for token ***" in result.err
    assert TOKEN not in result.out + result.err


def test_missing_token_is_an_error(
    failing: Path, hook: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    result = hook(gates_main, "run", "--no-record", "--create-issue")
    assert result.code == 2
    assert "--create-issue needs GITHUB_TOKEN in the environment" in result.err


def test_webhook_posts_a_slack_message(
    failing: Path, hook: Runner, server: tuple[str, Recorded]
) -> None:
    url, state = server
    webhook = f"{url}/hooks/T000/B000/XXXXsecretXXXX"
    result = hook(gates_main, "run", "--no-record", "--notify", webhook)
    assert result.code == 1
    ((path, body),) = _posts(state)
    assert path == "/hooks/T000/B000/XXXXsecretXXXX"
    assert body["text"].startswith("Quality regression on main: lint 100.00% → 92.31% (`")
    assert [b["type"] for b in body["blocks"]] == ["header", "section", "context"]
    assert body["blocks"][1]["text"]["text"] == (
        "*lint*: regressed from 100.00% to 92.31% (tolerance 0 points)"
    )
    assert f"notify: notified webhook at {urlsplit(url).netloc}" in result.out
    assert "XXXXsecretXXXX" not in result.out + result.err


def test_webhook_failure_exits_2_without_the_url(
    failing: Path, hook: Runner, server: tuple[str, Recorded]
) -> None:
    url, state = server
    state.fail_with = (500, "boom")
    result = hook(gates_main, "run", "--no-record", "--notify", f"{url}/hooks/T0/B0/XXXXsecretXXXX")
    assert result.code == 2
    assert f"error: notify webhook: webhook {urlsplit(url).netloc}: HTTP 500: boom" in result.err
    assert "XXXXsecretXXXX" not in result.out + result.err


def test_unreachable_webhook_is_an_error(failing: Path, hook: Runner) -> None:
    result = hook(gates_main, "run", "--no-record", "--notify", "http://127.0.0.1:9/hooks/abcdefgh")
    assert result.code == 2
    assert "error: notify webhook: webhook 127.0.0.1:9: cannot connect" in result.err


@pytest.mark.parametrize("bad", ["ftp://127.0.0.1/x", "not a url", "file:///etc/passwd"])
def test_webhook_url_must_be_http(failing: Path, hook: Runner, bad: str) -> None:
    result = hook(gates_main, "run", "--no-record", "--notify", bad)
    assert result.code == 2
    assert "--notify URL: must be an http(s) URL" in result.err


def test_passing_run_notifies_nobody(
    repo: Path, hook: Runner, server: tuple[str, Recorded], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, state = server
    make_project(repo)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPOSITORY)
    result = hook(
        gates_main, "run", "--create-issue", "--api-url", url, "--notify", f"{url}/hooks/a"
    )
    assert result.code == 0
    assert "notify: no failing gate, nothing to report" in result.out
    assert state.requests == []


def test_fingerprint_is_stable_across_values_and_commits(
    failing: Path, hook: Runner, server: tuple[str, Recorded]
) -> None:
    url, _ = server
    hook(gates_main, "run", "--no-record", "--create-issue", "--api-url", url)
    first = (failing / ".quality-gates/report/issue.md").read_text().splitlines()[0]
    commit_files(failing, {"pkg/more.py": "import sys\n"})
    hook(gates_main, "run", "--no-record")
    second = (failing / ".quality-gates/report/issue.md").read_text().splitlines()[0]
    assert first == second
    assert len(first) == len(f"<!-- {MARK}: 0123456789abcdef -->")
