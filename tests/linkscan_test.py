from __future__ import annotations

from quality_gates.linkscan import Link, Problem, kind_of, scan

MARKDOWN = """# Title

## Title

See [x](a.md#sec) and ![i](img.png) and [r][ref] <https://auto.example.invalid>.
A second line with [y](b.md), [bad][nope] and `[x][code]`.

- item [deep](deep.md)

<a name="explicit"></a> <span id='inline-id'>x</span>

<p align="center">
  <img src="logo.png" alt="logo">
</p>

| a | b |
|---|---|
| [cell](cell.md) | c |

## Café & Crème: **bold** `code`!

```
[not](a-link.md)
```

[ref]: other.md#frag
"""


def test_markdown_links_with_lines_and_columns() -> None:
    doc = scan("x.md", MARKDOWN.encode())
    assert doc.links == [
        Link(5, 5, "a.md#sec", "link"),
        Link(5, 23, "img.png", "image"),
        Link(5, 41, "other.md#frag", "link", (26,)),
        Link(5, 50, "https://auto.example.invalid", "link"),
        Link(6, 20, "b.md", "link"),
        Link(8, 8, "deep.md", "link"),
        Link(13, 3, "logo.png", "image"),
        Link(18, 3, "cell.md", "link"),
    ]
    assert doc.problems == [Problem(6, 31, "undefined-reference", "[nope] has no definition")]


def test_markdown_anchors() -> None:
    doc = scan("x.md", MARKDOWN.encode())
    assert doc.anchors == {"title", "title-1", "explicit", "inline-id", "café--crème-bold-code"}
    assert doc.case_insensitive_anchors


def test_rst_links_targets_and_ids() -> None:
    text = (
        "Title\n=====\n\nSee `link <other.rst#x>`_ and `named`_ and `missing`_.\n\n"
        ".. _named: https://example.invalid/n\n\n.. image:: pic.png\n\n"
        "Sub Section!\n------------\n\n:ref:`sphinx-role` is not ours to judge.\n"
    )
    doc = scan("x.rst", text.encode())
    assert doc.links == [
        Link(4, 12, "other.rst#x", "link"),
        Link(4, 31, "https://example.invalid/n", "link"),
        Link(8, 12, "pic.png", "image"),
    ]
    assert {"title", "sub-section", "named"} <= doc.anchors
    assert doc.problems == [Problem(4, 44, "unknown-target", "`missing`_ names no target")]


def test_html_links_and_anchors_even_when_broken() -> None:
    html = (
        b'<html><body><h1 id="top1">x</h1>\n<a name="n1" href="a.html#b">x</a>\n'
        b'<img\n src="p.png">\n<div <a href="eaten.html">unclosed <p><a href=" c.html ">'
    )
    doc = scan("x.html", html)
    assert [(link.line, link.target, link.kind) for link in doc.links] == [
        (2, "a.html#b", "link"),
        (3, "p.png", "image"),
        (5, "c.html", "link"),
    ]
    assert doc.anchors == {"top1", "n1"}


def test_kind_of() -> None:
    assert [kind_of(p) for p in ("a.md", "B.MARKDOWN", "c.rst", "d.htm", "e.txt")] == [
        "markdown",
        "markdown",
        "rst",
        "html",
        None,
    ]
