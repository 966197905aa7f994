from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Runner
from helpers import commit, commit_files, git, snapshot, stage, write
from linkserver import Server, serving
from quality_gates.cli import links_main
from quality_gates.gates.links import Target, local_target

GUIDE = "# Guide\n\n## Install\n\n## Usage\n\n## Usage\n\nBack to [the readme](../README.md).\n"
README = "# Project\n\nOld [broken](docs/nope.md) link.\n\nRead [the guide](docs/guide.md).\n"


@pytest.fixture
def docs_repo(repo: Path) -> Path:
    """HEAD has a guide with headings and a README with one broken link (line 3)."""
    commit_files(repo, {"docs/guide.md": GUIDE, "README.md": README, "img/logo.png": b"\x89PNG"})
    return repo


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serving() as running:
        yield running


def _append(repo: Path, name: str, text: str) -> None:
    write(repo, name, (repo / name).read_text() + text)
    stage(repo, name)


def test_new_broken_link_fails_old_one_does_not(docs_repo: Path, hook: Runner) -> None:
    _append(docs_repo, "README.md", "\nSee [install](docs/guide.md#instal).\n")
    result = hook(links_main)
    assert result.code == 1
    assert result.out == (
        "README.md:7:5: missing-anchor docs/guide.md#instal: no such anchor\n"
        "links: 1 existing finding(s) on unchanged lines not shown (--show-existing lists them)\n"
        "links: valid 0/1 = 0.00% (threshold 100%) FAIL\n"
    )
    shown = hook(links_main, "--show-existing")
    assert (
        "README.md:3:5: missing-file docs/nope.md: no such file or folder (existing)" in shown.out
    )


def test_valid_links_of_every_kind_pass(docs_repo: Path, hook: Runner) -> None:
    text = (
        "\n[a](docs/guide.md#install) [b](docs/guide.md#usage-1) [c](docs/) [d](/docs/guide.md)"
        "\n![logo](img/logo.png) [self](#project) [ref][r] [mail](mailto:x@example.invalid)"
        "\n\n[r]: docs/guide.md#USAGE\n"
    )
    _append(docs_repo, "README.md", text)
    result = hook(links_main)
    assert result.code == 0, result.out
    assert result.out == "links: valid 7/7 = 100.00% (threshold 100%) PASS\n"


def test_changing_a_reference_definition_checks_its_uses(docs_repo: Path, hook: Runner) -> None:
    commit_files(docs_repo, {"ref.md": "Use [the guide][g].\n\n[g]: docs/guide.md\n"})
    write(docs_repo, "ref.md", "Use [the guide][g].\n\n[g]: docs/gone.md\n")
    stage(docs_repo)
    result = hook(links_main)
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        "ref.md:1:5: missing-file docs/gone.md: no such file or folder"
    )


def test_undefined_reference_and_outside_link(docs_repo: Path, hook: Runner) -> None:
    _append(docs_repo, "README.md", "\nSee [this][nowhere] and [up](../../etc/passwd).\n")
    result = hook(links_main)
    assert result.code == 1
    assert result.out.splitlines()[:2] == [
        "README.md:7:5: undefined-reference [nowhere] has no definition",
        "README.md:7:25: outside-repository ../../etc/passwd: points outside the repository",
    ]


def test_removing_a_heading_breaks_links_in_unchanged_files(docs_repo: Path, hook: Runner) -> None:
    commit_files(docs_repo, {"other.md": "Go to [install](docs/guide.md#install).\n"})
    write(docs_repo, "docs/guide.md", GUIDE.replace("## Install", "## Installing"))
    stage(docs_repo)
    result = hook(links_main, "docs/guide.md")
    assert result.code == 1
    assert result.out == (
        "other.md:1:7: missing-anchor docs/guide.md#install: no such anchor\n"
        "links: valid 0/1 = 0.00% (threshold 100%) FAIL\n"
    )


def test_renaming_or_deleting_a_file_breaks_links_to_it(docs_repo: Path, hook: Runner) -> None:
    git(docs_repo, "mv", "docs/guide.md", "docs/manual.md")
    write(docs_repo, "docs/manual.md", GUIDE.replace("../README.md", "../README.md"))
    renamed = hook(links_main, "docs/manual.md")
    assert renamed.code == 1
    assert "README.md:5:6: missing-file docs/guide.md: no such file or folder" in renamed.out
    git(docs_repo, "reset", "-q", "--hard")
    git(docs_repo, "rm", "-q", "docs/guide.md")
    deleted = hook(links_main)
    assert deleted.code == 1
    assert "README.md:5:6: missing-file docs/guide.md" in deleted.out


def test_full_mode_checks_everything(docs_repo: Path, hook: Runner) -> None:
    result = hook(links_main, "--all-files")
    assert result.code == 1
    assert result.out == (
        "README.md:3:5: missing-file docs/nope.md: no such file or folder\n"
        "links: valid 2/3 = 66.67% (threshold 100%) FAIL\n"
    )


def test_exclude_path_skips_documents(docs_repo: Path, hook: Runner) -> None:
    write(docs_repo, "tests/fixtures/page.md", "[x](nope.md)\n")
    stage(docs_repo)
    assert hook(links_main).code == 1
    skipped = hook(links_main, "--set", 'links.exclude-path=["^tests/fixtures/"]')
    assert skipped.code == 0
    assert skipped.out.endswith("(nothing to measure)\n")


def test_rst_and_html_documents(docs_repo: Path, hook: Runner) -> None:
    rst = "Title\n=====\n\nSee `guide <docs/guide.md#usage>`_ and `gone <gone.rst>`_.\n"
    html = '<p id="here"><a href="index.rst#title">t</a> <img src="missing.png"></p>\n'
    write(docs_repo, "index.rst", rst)
    write(docs_repo, "page.html", html + '<a href="#here">h</a><a href="#nothere">n</a>\n')
    stage(docs_repo)
    result = hook(links_main)
    assert result.code == 1
    assert result.out == (
        "index.rst:4:47: missing-file gone.rst: no such file or folder\n"
        "page.html:1:46: missing-file missing.png: no such file or folder\n"
        "page.html:2:22: missing-anchor #nothere: no such anchor\n"
        "links: valid 3/6 = 50.00% (threshold 100%) FAIL\n"
    )


def test_range_mode(docs_repo: Path, hook: Runner) -> None:
    base = git(docs_repo, "rev-parse", "HEAD").strip()
    _append(docs_repo, "README.md", "\n[bad](bad.md)\n")
    tip = commit(docs_repo)
    result = hook(links_main, "--from-ref", base, "--to-ref", tip)
    assert result.code == 1
    assert (
        result.out.splitlines()[0] == "README.md:7:1: missing-file bad.md: no such file or folder"
    )


def test_untracked_target_does_not_count(docs_repo: Path, hook: Runner) -> None:
    write(docs_repo, "notes.md", "# Notes\n")
    _append(docs_repo, "README.md", "\n[notes](notes.md)\n")
    result = hook(links_main)
    assert result.code == 1
    assert "missing-file notes.md" in result.out


def test_external_links_only_when_asked(docs_repo: Path, hook: Runner, server: Server) -> None:
    text = (
        f"\n[ok]({server.url('/ok')}) [gone]({server.url('/missing')}) [r]({server.url('/r1')})\n"
    )
    _append(docs_repo, "README.md", text)
    offline = hook(links_main)
    assert offline.code == 0
    assert (
        "links: note: 3 external link(s) in scope not checked (offline; --external" in offline.out
    )
    online = hook(links_main, "--external")
    assert online.code == 1
    column = text.index("[gone]")  # text starts with the newline before line 7
    first = f"README.md:7:{column}: external {server.url('/missing')}: HTTP 404"
    assert online.out.splitlines()[0] == first
    assert "links: valid 2/3 = 66.67%" in online.out
    nightly = hook(links_main, "--stage", "nightly", "--exclude", "/missing$")
    assert nightly.code == 0, nightly.out
    assert "1 external link(s) excluded by links.exclude" in nightly.out
    assert "2 external link(s) alive in the cache" in nightly.out
    cache = docs_repo / ".quality-gates" / "cache"
    assert (cache / ".gitignore").read_text() == "*\n"
    assert git(docs_repo, "status", "--porcelain", "--untracked-files=all") == "M  README.md\n"


def test_partial_staging_follows_the_index(docs_repo: Path, hook: Runner) -> None:
    broken, fine = README + "\n[x](x.md)\n", README + "\n[x](docs/guide.md)\n"
    write(docs_repo, "README.md", broken)
    stage(docs_repo)
    write(docs_repo, "README.md", fine)
    before = snapshot(docs_repo)
    assert hook(links_main).code == 1
    assert snapshot(docs_repo) == before
    write(docs_repo, "README.md", fine)
    stage(docs_repo)
    write(docs_repo, "README.md", broken)
    before = snapshot(docs_repo)
    assert hook(links_main).code == 0
    assert snapshot(docs_repo) == before


@pytest.mark.parametrize(
    ("name", "content", "code", "expected"),
    [
        ("broken.html", b"<html><a href='no.html'<p><</div><a href=\"README.md\">", 1, ":1:7: "),
        ("latin.md", b"# Caf\xe9\n\n[x](#caf)\n", 0, "latin.md: not UTF-8 (byte 5)"),
        ("uni.md", "# Über Straße ✓\n\n[x](#über-straße-)\n".encode(), 0, "1/1"),
        ("enc.md", "# Über\n\n[x](#%C3%BCber)\n".encode(), 0, "1/1"),
        (
            "loop.md",
            b"[me](loop.md) [again](./loop.md#loop) [dir](.)\n",
            1,
            "#loop (loop.md): no such anchor",
        ),
        ("bin.md", b"\x00\x01\x02", 0, "bin.md: skipped (binary)"),
        ("empty.rst", b"", 0, "(nothing to measure)"),
        ("deep.rst", b"".join(b"  " * i + b"- x\n\n" for i in range(2000)), 1, "unparsable nested"),
        ("bad.rst", b"Title\n==\n\n.. include:: /etc/passwd\n\n`x <a.rst>`_\n", 1, "a.rst"),
    ],
)
def test_hostile_inputs(
    repo: Path, hook: Runner, name: str, content: bytes, code: int, expected: str
) -> None:
    commit_files(repo, {"README.md": "# Readme\n"})
    write(repo, name, content)
    stage(repo)
    result = hook(links_main)
    assert result.code == code, result.out + result.err
    assert expected in result.out
    assert "Traceback" not in result.out + result.err


def test_huge_markdown_fails_clearly_without_parsing(repo: Path, hook: Runner) -> None:
    line = b"Some text with a [link](missing.md) in it, repeated to make the file large.\n"
    write(repo, "huge.md", line * (50 * 1024 * 1024 // len(line) + 1))
    stage(repo)
    result = hook(links_main)
    assert result.code == 1
    assert "links: huge.md: 50.0 MB is over links.max-file-mb (10): not checked" in result.out


def test_symlink_loop_is_skipped(repo: Path, hook: Runner) -> None:
    os.symlink("loop-b.md", repo / "loop-a.md")
    os.symlink("loop-a.md", repo / "loop-b.md")
    write(repo, "index.md", "[a](loop-a.md)\n")
    stage(repo)
    result = hook(links_main)
    assert result.code == 0, result.out
    assert "loop-a.md: skipped (a symlink)" in result.out


@pytest.mark.parametrize(
    ("source", "url", "expected"),
    [
        ("docs/a.md", "b.md#x", Target("docs/b.md", "x")),
        ("docs/a.md", "../README.md", Target("README.md", "")),
        ("docs/a.md", "/img/x.png?raw=true", Target("img/x.png", "")),
        ("docs/a.md", "#sec", Target("docs/a.md", "sec")),
        ("docs/a.md", "../../x", Target("../x", "", True)),
        ("a.md", "my%20file.md", Target("my file.md", "")),
        ("a.md", "https://x.invalid", None),
        ("a.md", "mailto:a@b", None),
        ("a.html", "{{ url }}", None),
    ],
)
def test_local_target(source: str, url: str, expected: Target | None) -> None:
    assert local_target(source, url) == expected
