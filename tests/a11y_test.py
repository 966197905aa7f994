"""The quality-a11y hook in scratch repositories: hold-the-line, policy, hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Runner
from helpers import commit_files, snapshot, stage, write
from quality_gates.a11y_axe import unavailable
from quality_gates.cli import a11y_main, gates_main

HEAD = '<!doctype html>\n<html lang="en">\n<head>\n<title>Docs</title>\n</head>\n<body>\n'
BASE = HEAD + '<p>Intro</p>\n<img src="old.png">\n<p>Outro</p>\n</body>\n</html>\n'  # line 8: debt
NO_LANG = BASE.replace('<html lang="en">', "<html>")
SUMMARY_FAIL = "a11y: pages 0/1 = 0.00% (threshold 100%) FAIL\n"
SUMMARY_PASS = "a11y: pages 1/1 = 100.00% (threshold 100%) PASS\n"


@pytest.fixture
def debt_repo(repo: Path) -> Path:
    """HEAD has docs/index.html with an image without alt on line 8."""
    commit_files(repo, {"docs/index.html": BASE})
    return repo


def test_a_new_violation_on_a_changed_line_fails(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "docs/index.html", BASE.replace("<p>Outro</p>", '<a href="/x"></a>'))
    stage(debt_repo)
    result = hook(a11y_main)
    assert result.code == 1
    assert result.out == (
        "docs/index.html:9:1: link-name (WCAG 2.4.4, 4.1.2) link has no discernible text\n"
        "a11y: 1 existing finding(s) on unchanged lines not shown (--show-existing lists them)\n"
        + SUMMARY_FAIL
    )


def test_existing_violations_elsewhere_do_not_fail(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "docs/index.html", BASE.replace("Outro", "Changed outro"))
    stage(debt_repo)
    result = hook(a11y_main)
    assert result.code == 0
    assert result.out == SUMMARY_PASS
    shown = hook(a11y_main, "--show-existing")
    assert "docs/index.html:8:1: image-alt (WCAG 1.1.1) image has no alt attribute" in shown.out
    assert shown.out.splitlines()[0].endswith("(existing)")


def test_full_mode_judges_whole_pages(debt_repo: Path, hook: Runner) -> None:
    commit_files(debt_repo, {"docs/ok.html": BASE.replace('<img src="old.png">', "")})
    result = hook(a11y_main, "--all-files")
    assert result.code == 1
    assert result.out.endswith("a11y: pages 1/2 = 50.00% (threshold 100%) FAIL\n")
    assert hook(a11y_main, "--all-files", "--fail-under", "50").code == 0


def test_page_rule_is_existing_until_its_element_changes(repo: Path, hook: Runner) -> None:
    commit_files(repo, {"index.html": NO_LANG})
    write(repo, "index.html", NO_LANG.replace("Intro", "New intro"))
    stage(repo)
    assert hook(a11y_main).code == 0  # missing lang is debt: <html> did not change
    write(repo, "index.html", NO_LANG.replace("<html>", '<html dir="ltr">'))
    stage(repo)
    result = hook(a11y_main)
    assert result.code == 1
    assert "index.html:2:1: html-has-lang (WCAG 3.1.1) <html> has no lang attribute" in result.out


def test_a_new_page_is_judged_whole(repo: Path, hook: Runner) -> None:
    commit_files(repo, {"README.md": "x\n"})
    write(repo, "new.html", NO_LANG)
    stage(repo)
    result = hook(a11y_main)
    assert result.code == 1
    rules = [line.split()[1] for line in result.out.splitlines() if line.startswith("new.html")]
    assert rules == ["html-has-lang", "image-alt"]


def test_partial_staging_follows_the_index(debt_repo: Path, hook: Runner) -> None:
    bad = BASE.replace("<p>Outro</p>", '<a href="/x"></a>')
    write(debt_repo, "docs/index.html", bad)
    stage(debt_repo)
    write(debt_repo, "docs/index.html", BASE)
    before = snapshot(debt_repo)
    assert hook(a11y_main).code == 1
    assert snapshot(debt_repo) == before
    write(debt_repo, "docs/index.html", BASE.replace("Outro", "Fine outro"))
    stage(debt_repo)
    write(debt_repo, "docs/index.html", bad)
    before = snapshot(debt_repo)
    assert hook(a11y_main).out == SUMMARY_PASS
    assert snapshot(debt_repo) == before


def test_fragments_skip_document_rules(repo: Path, hook: Runner) -> None:
    commit_files(repo, {"README.md": "x\n"})
    write(repo, "_includes/nav.html", '<li><a href="/">Home</a></li>\n<li>Docs</li>\n')
    stage(repo)
    result = hook(a11y_main)
    assert result.code == 0
    assert result.out == (
        "a11y: note: 1 partial page(s) (no document rules): _includes/nav.html\n" + SUMMARY_PASS
    )
    forced = hook(a11y_main, "--fragments", "never")
    assert forced.code == 1
    assert "html-has-lang" in forced.out
    assert "listitem" in forced.out


def test_policy_keys(repo: Path, hook: Runner) -> None:
    pyproject = '[tool.quality-gates.a11y]\nignore = ["image-alt"]\nthreshold = 100\n'
    commit_files(repo, {"pyproject.toml": pyproject})
    write(repo, "p.html", BASE)
    stage(repo)
    assert hook(a11y_main).out == SUMMARY_PASS
    bad = hook(a11y_main, "--set", "a11y.ignore=['no-such-rule']")
    assert bad.code == 2
    assert "a11y.ignore: unknown rule(s) no-such-rule" in bad.err
    engine = hook(a11y_main, "--set", "a11y.engine=lynx")
    assert engine.code == 2
    assert "must be one of static, axe" in engine.err


def test_the_all_in_one_hook_runs_a11y(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "docs/index.html", BASE.replace("<p>Outro</p>", "<blink>x</blink>"))
    stage(debt_repo)
    result = hook(gates_main, "check", "--gates", "a11y")
    assert result.code == 1
    assert "docs/index.html:9:1: blink (WCAG 2.2.2)" in result.out


@pytest.mark.parametrize(
    ("content", "code", "expected"),
    [
        (b"", 0, "a11y: pages 1/1"),
        (b"<<<<>>>></p></div><table><td>", 0, "note: 1 partial page(s)"),
        ('<p>caf\u00e9 <img src="x"></p>'.encode("latin-1"), 1, "page.html:1:9: image-alt"),
        (b"\xff\xfe<\x00p\x00>", 0, "skipped (binary)"),
        (b'<!doctype html><html lang="en"><title>t</title><p>' + b"x" * 3000, 1, "page-too-large"),
        (b"\xef\xbb\xbf<!doctype html><html lang='en'><title>bom</title></html>", 0, "1/1"),
    ],
    ids=["empty", "broken", "latin-1", "binary", "too-large", "bom"],
)
def test_hostile_pages_give_clear_results(
    repo: Path, hook: Runner, content: bytes, code: int, expected: str
) -> None:
    commit_files(repo, {"README.md": "x\n"})
    write(repo, "page.html", content)
    stage(repo)
    result = hook(a11y_main, "--set", "a11y.max-bytes=2000")
    assert result.code == code, result.out + result.err
    assert expected in result.out
    assert "Traceback" not in result.out + result.err


def test_a_page_over_max_bytes_fails_loudly_and_spans_the_file(repo: Path, hook: Runner) -> None:
    big = HEAD + "<p>x</p>\n" * 400 + "</body></html>\n"
    commit_files(repo, {"big.html": big})
    write(repo, "big.html", big.replace("<p>x</p>", "<p>y</p>", 1))
    stage(repo)
    result = hook(a11y_main, "--set", "a11y.max-bytes=1000")
    assert result.code == 1
    assert result.out.startswith(
        f"big.html:1:1: page-too-large page not checked: {len(big)} bytes is over "
        "a11y.max-bytes = 1000 (raise it, or exclude the file)\n"
    )


def test_axe_engine_without_a_browser_falls_back_to_static(repo: Path, hook: Runner) -> None:
    commit_files(repo, {"README.md": "x\n"})
    write(repo, "page.html", BASE)
    stage(repo)
    result = hook(a11y_main, "--engine", "axe", "--set", "a11y.browser=/nonexistent/chromium")
    assert result.code == 1
    assert "page.html:8:1: image-alt (WCAG 1.1.1) image has no alt attribute" in result.out
    assert (
        "a11y: note: axe engine skipped: no Chromium at /nonexistent/chromium (Debian: "
        "apt-get install chromium); the static rules were used instead\n"
    ) in result.out


@pytest.mark.slow
@pytest.mark.skipif(unavailable() is not None, reason=f"axe engine unavailable: {unavailable()}")
def test_axe_engine_holds_the_line_too(debt_repo: Path, hook: Runner) -> None:
    write(debt_repo, "docs/index.html", BASE.replace("<p>Outro</p>", '<a href="/x"></a>'))
    stage(debt_repo)
    write(debt_repo, "docs/index.html", BASE)  # unstaged: the staged copy is what is audited
    before = snapshot(debt_repo)
    result = hook(a11y_main, "--engine", "axe")
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        "docs/index.html:9:1: link-name (WCAG 2.4.4, 4.1.2) Links must have discernible text"
    )
    assert result.out.endswith(SUMMARY_FAIL)
    assert snapshot(debt_repo) == before
