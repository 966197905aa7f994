from __future__ import annotations

import pytest
from quality_gates.slugs import Slugger, github_slug, matches


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Hello World", "hello-world"),
        ("Install (pip)", "install-pip"),
        ("C++ & Rust: a tour!", "c--rust-a-tour"),
        ("snake_case and kebab-case", "snake_case-and-kebab-case"),
        ("Café crème", "café-crème"),
        ("日本語の見出し", "日本語の見出し"),
        ("🚀 Launch", "-launch"),
        ("  spaced  ", "--spaced--"),
        ("Version 2.0.1", "version-201"),
    ],
)
def test_github_slug(heading: str, slug: str) -> None:
    assert github_slug(heading) == slug


def test_duplicates_are_numbered_like_github() -> None:
    slugger = Slugger()
    assert [slugger.slug(t) for t in ("Intro", "Intro", "Intro-1", "Intro")] == [
        "intro",
        "intro-1",
        "intro-1-1",
        "intro-2",
    ]


def test_matches() -> None:
    anchors = frozenset({"usage", "Mixed"})
    assert matches("usage", anchors, ignore_case=False)
    assert matches("user-content-usage", anchors, ignore_case=False)
    assert matches("", anchors, ignore_case=False)
    assert matches("top", anchors, ignore_case=False)
    assert not matches("mixed", anchors, ignore_case=False)
    assert matches("mixed", anchors, ignore_case=True)
    assert not matches("nope", anchors, ignore_case=True)
