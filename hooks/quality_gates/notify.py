"""Tell people about a failing run: issue body, GitHub issue, Slack-format webhook.

The issue body has a stable fingerprint: a GitHub issue is opened, or the open one with that
fingerprint gets a comment.

Secrets stay secret: the token is only ever sent in the Authorization header, and neither it nor
the webhook URL (which embeds its own secret) appears in any message this module produces.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlencode, urlsplit

from quality_gates.errors import EXIT_ERROR, EXIT_PASS, FatalError
from quality_gates.report import GateReport, Report, fmt, fmt_change, top_findings

LABEL = "quality-regression"
MARK = "quality-gates-fingerprint"
DEFAULT_API_URL = "https://api.github.com"
TIMEOUT_S = 30
MAX_PAGES = 20
NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')


def problems(report: Report) -> tuple[GateReport, ...]:
    """The gates that fail the run (breached or regressed, not overridden)."""
    return report.failures


def fingerprint(report: Report) -> str:
    """Stable for the same problem: which gates fail, and how (not the values, not the commit).

    The next nightly run with the same gates failing the same way finds the open issue and
    comments on it instead of opening another.
    """
    kinds = sorted(
        f"{g.gate}:{'regressed' if g.regression else 'breach'}" for g in problems(report)
    )
    return hashlib.sha256("|".join(kinds).encode()).hexdigest()[:16]


def issue_title(report: Report) -> str:
    """A short title naming the failing gates."""
    parts = []
    for g in problems(report):
        if g.regression and g.baseline is not None and g.percent is not None:
            parts.append(f"{g.gate} {g.baseline:.2f}% → {g.percent:.2f}%")
        else:
            parts.append(
                f"{g.gate} {fmt(g.value, g.scale)} below {fmt(g.threshold, g.scale, exact=True)}"
            )
    where = f" on {report.branch}" if report.branch else ""
    return f"Quality regression{where}: " + ", ".join(parts)


def _regressions_table(report: Report) -> list[str]:
    regressed = [g for g in problems(report) if g.regression]
    if not regressed:
        return []
    since = report.baseline.commit[:12] if report.baseline and report.baseline.commit else "?"
    lines = [
        "## What regressed",
        "",
        "| gate | from | to | change (points) | tolerance | since commit |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for g in regressed:
        lines.append(
            f"| {g.gate} | {g.baseline:.2f}% | {g.percent:.2f}% | {fmt_change(g.change)} | "
            f"{g.tolerance:g} | `{since}` |"
        )
    return [*lines, ""]


def _breaches(report: Report) -> list[str]:
    breached = [g for g in problems(report) if g.breach]
    if not breached:
        return []
    lines = ["## Below threshold", ""]
    for g in breached:
        lines.append(
            f"- **{g.gate}**: {g.metric} {g.good}/{g.total} = {fmt(g.value, g.scale)} "
            f"(threshold {fmt(g.threshold, g.scale, exact=True)}): {g.problem()}"
        )
    return [*lines, ""]


def _findings(report: Report, top: int | None) -> list[str]:
    lines = []
    for g in problems(report):
        shown = top_findings(g, top)
        if not shown:
            continue
        lines += [f"### {g.gate}: top findings ({len(shown)} of {len(g.findings)})", ""]
        lines += [f"- `{f.path}:{f.line}:{f.column}` {f.rule} {f.message}" for f in shown]
        lines.append("")
    return (["## Top findings", "", *lines]) if lines else []


def _reproduce(report: Report) -> list[str]:
    gates = ",".join(g.gate for g in problems(report))
    checkout = f"git checkout {report.commit}\n" if report.commit else ""
    stage = f" --stage {report.stage}" if report.stage else ""
    hooks = "\n".join(f"quality-{g.gate} --all-files" for g in problems(report))
    return [
        "## Reproduce",
        "",
        "```console",
        f"{checkout}quality-gates run --gates {gates}{stage}",
        hooks,
        "quality-gates trend --last 20",
        "```",
        "",
    ]


def issue_body(report: Report, *, top: int | None = 10) -> str:
    """The issue body (Markdown).

    What regressed, from what to what, since which commit, the top findings, the commands to
    reproduce, and the fingerprint that deduplicates it.
    """
    print_ = fingerprint(report)
    head = [
        f"<!-- {MARK}: {print_} -->",
        f"quality-gates run `{report.run_uid[:12]}` at {report.time}"
        + (f" on commit `{report.commit[:12]}`" if report.commit else "")
        + (f", branch `{report.branch}`" if report.branch else "")
        + (f", stage `{report.stage}`" if report.stage else "")
        + ".",
        "",
        f"Baseline: {report.baseline.describe() if report.baseline else 'none'}.",
        "",
    ]
    body = head + _regressions_table(report) + _breaches(report) + _findings(report, top)
    body += _reproduce(report)
    body.append(f"Fingerprint: `{print_}` (runs failing the same way comment here).")
    return "\n".join(body) + "\n"


# ---- HTTP -----------------------------------------------------------------------------------


def _check_url(url: str, what: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FatalError(f"{what}: must be an http(s) URL")


def _redact(text: str, secrets: Sequence[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 8:  # short fragments (a "/" path) are no secret and would mangle text
            text = text.replace(secret, "***")
    return text


@dataclass(frozen=True)
class Response:
    """An HTTP answer: status, parsed JSON body, and the next page link if any."""

    status: int
    data: Any
    next_url: str | None


def _request(
    method: str,
    url: str,
    *,
    body: Any = None,
    headers: Mapping[str, str],
    secrets: Sequence[str],
    what: str,
) -> Response:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        # the scheme was checked to be http(s) by _check_url (bandit B310)
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:  # nosec B310
            raw = answer.read()
            link = answer.headers.get("Link") or ""
            status = answer.status
    except urllib.error.HTTPError as exc:
        detail = _error_detail(exc.read())
        raise FatalError(_redact(f"{what}: HTTP {exc.code}: {detail}", secrets)) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FatalError(_redact(f"{what}: cannot connect: {reason}", secrets)) from None
    match = NEXT_LINK.search(link)
    try:
        parsed = json.loads(raw) if raw.strip() else None
    except ValueError:
        parsed = raw.decode("utf-8", "replace")
    return Response(status, parsed, match.group(1) if match else None)


def _error_detail(raw: bytes) -> str:
    try:
        data = json.loads(raw)
        if isinstance(data, Mapping) and "message" in data:
            return str(data["message"])
    except ValueError:
        pass
    return raw.decode("utf-8", "replace")[:300] or "(no body)"


@dataclass(frozen=True)
class GitHub:
    """GitHub's REST API for one repository."""

    api_url: str
    repository: str
    token: str

    def __post_init__(self) -> None:
        _check_url(self.api_url, "GitHub API URL")
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", self.repository):
            raise FatalError(f"GITHUB_REPOSITORY {self.repository!r}: expected owner/name")

    def _call(self, method: str, path_or_url: str, body: Any = None) -> Response:
        url = path_or_url if "://" in path_or_url else f"{self.api_url.rstrip('/')}{path_or_url}"
        headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self.token}",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "quality-gates",
        }
        what = f"GitHub API {method} {urlsplit(url).path}"
        return _request(method, url, body=body, headers=headers, secrets=[self.token], what=what)

    def open_issues(self, label: str) -> list[Mapping[str, Any]]:
        """Open issues with a label (every page)."""
        query = urlencode({"state": "open", "labels": label, "per_page": 100})
        url: str | None = f"/repos/{self.repository}/issues?{query}"
        found: list[Mapping[str, Any]] = []
        for _ in range(MAX_PAGES):
            if url is None:
                break
            response = self._call("GET", url)
            if not isinstance(response.data, list):
                raise FatalError("GitHub API: listing issues did not return a list")
            found += [
                i for i in response.data if isinstance(i, Mapping) and "pull_request" not in i
            ]
            url = response.next_url
        return found

    def create_issue(self, title: str, body: str, labels: Sequence[str]) -> Mapping[str, Any]:
        """Open an issue."""
        response = self._call(
            "POST",
            f"/repos/{self.repository}/issues",
            {"title": title, "body": body, "labels": list(labels)},
        )
        return response.data  # type: ignore[no-any-return]

    def comment(self, number: int, body: str) -> Mapping[str, Any]:
        """Comment on an issue."""
        response = self._call(
            "POST", f"/repos/{self.repository}/issues/{number}/comments", {"body": body}
        )
        return response.data  # type: ignore[no-any-return]


def github_from_env(environ: Mapping[str, str], api_url: str | None) -> GitHub:
    """The repository and token from the environment (GITHUB_TOKEN, GITHUB_REPOSITORY)."""
    token = environ.get("GITHUB_TOKEN", "")
    repository = environ.get("GITHUB_REPOSITORY", "")
    missing = [n for n, v in (("GITHUB_TOKEN", token), ("GITHUB_REPOSITORY", repository)) if not v]
    if missing:
        raise FatalError(f"--create-issue needs {' and '.join(missing)} in the environment")
    url = api_url or environ.get("GITHUB_API_URL") or DEFAULT_API_URL
    return GitHub(url, repository, token)


def create_or_comment(report: Report, github: GitHub, *, top: int | None = 10) -> str:
    """Open the regression issue, or comment on the open one with the same fingerprint."""
    print_ = fingerprint(report)
    body = issue_body(report, top=top)
    for issue in github.open_issues(LABEL):
        if f"<!-- {MARK}: {print_} -->" in str(issue.get("body") or ""):
            number = int(issue["number"])
            github.comment(number, body)
            return f"commented on issue #{number} (same fingerprint {print_})"
    created = github.create_issue(issue_title(report), body, [LABEL])
    return f"created issue #{created.get('number')} {created.get('html_url', '')}".rstrip()


def slack_payload(report: Report) -> dict[str, Any]:
    """A Slack incoming-webhook message (text plus blocks) summarising the failure."""
    title = issue_title(report)
    lines = [f"*{g.gate}*: {g.problem()}" for g in problems(report)]
    where = f"`{report.commit[:12]}`" if report.commit else "the working tree"
    text = f"{title} ({where}, fingerprint {fingerprint(report)})"
    return {
        "text": text,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]}},
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"{where} · run {report.run_uid[:12]} · {report.time}",
                    }
                ],
            },
        ],
    }


def post_webhook(url: str, report: Report) -> str:
    """POST the Slack-format message; the URL is a secret, so only its host is ever shown."""
    _check_url(url, "--notify URL")
    host = urlsplit(url).netloc.rsplit("@", 1)[-1]
    _request(
        "POST",
        url,
        body=slack_payload(report),
        headers={"User-Agent": "quality-gates"},
        secrets=[url, urlsplit(url).path, urlsplit(url).query],
        what=f"webhook {host}",
    )
    return f"notified webhook at {host}"


def after_run(
    report: Report,
    *,
    create_issue: bool,
    notify_url: str | None,
    api_url: str | None,
    environ: Mapping[str, str],
    top: int | None,
    out: IO[str],
    err: IO[str],
) -> int:
    """Create or update the issue and post the webhook when the run fails; 2 if either failed.

    Both are attempted even when the other fails; the error names which one, never a secret.
    """
    if not problems(report):
        if create_issue or notify_url:
            out.write("notify: no failing gate, nothing to report\n")
        return EXIT_PASS
    code = EXIT_PASS
    actions: list[tuple[str, Callable[[], str]]] = []
    if create_issue:
        actions.append(
            ("issue", lambda: create_or_comment(report, github_from_env(environ, api_url), top=top))
        )
    if notify_url:
        actions.append(("webhook", lambda: post_webhook(notify_url, report)))
    for name, action in actions:
        try:
            out.write(f"notify: {action()}\n")
        except FatalError as exc:
            err.write(f"error: notify {name}: {exc}\n")
            code = EXIT_ERROR
    return code
