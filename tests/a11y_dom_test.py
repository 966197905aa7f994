from __future__ import annotations

import pytest
from quality_gates.a11y_dom import Element, parse

PAGE = b"""<!doctype html>
<html lang=en><head><title>x</title></head>
<body>
  <p><b>bold <i>both</b> it</i>
  <a href="x"
     title="t">
     Home
  </a>
  <table><tr><td>1</td></tr></table>
  <svg role=img><title>T</title></svg>
</body></html>"""


def _first(root: Element, tag: str) -> Element:
    return next(e for e in root.iter() if e.tag == tag)


def test_start_tags_keep_line_and_column() -> None:
    root = parse(PAGE).root
    spans = {
        e.tag: (e.line, e.column, e.tag_end_line) for e in root.iter() if e.namespace == "html"
    }
    assert spans["html"] == (2, 1, 2)
    assert spans["title"] == (2, 21, 2)
    assert spans["p"] == (4, 3, 4)
    assert spans["a"] == (5, 3, 6)
    assert spans["td"] == (9, 14, 9)


def test_an_element_spans_its_text() -> None:
    root = parse(PAGE).root
    link = _first(root, "a")
    assert (link.line, link.end_line) == (5, 7)  # "Home" is on line 7
    assert _first(root, "body").end_line == 10


def test_implied_elements_take_their_first_childs_place() -> None:
    root = parse(PAGE).root
    tbody = _first(root, "tbody")
    assert not tbody.explicit
    assert (tbody.line, tbody.column) == (9, 10)


def test_elements_the_parser_clones_keep_the_source_position() -> None:
    root = parse(PAGE).root
    italics = [e for e in root.iter() if e.tag == "i"]
    assert len(italics) == 2  # the adoption agency reopened <i> after </b>
    assert {(e.line, e.column) for e in italics} == {(4, 14)}


def test_namespaces_and_attributes() -> None:
    root = parse(PAGE).root
    svg = _first(root, "svg")
    assert svg.namespace == "svg"
    assert svg.attrs == {"role": "img"}
    assert [c.tag for c in svg.elements] == ["title"]
    assert all("\x00" not in k for e in root.iter() for k in e.attrs)


@pytest.mark.parametrize(
    ("source", "full"),
    [
        (b"<!doctype html><p>x", True),
        (b"<html><p>x", True),
        (b"<body><p>x", True),
        (b"<li>one</li>\n<li>two</li>", False),
        (b"", False),
    ],
)
def test_full_documents_are_told_from_fragments(source: bytes, full: bool) -> None:
    assert parse(source).full_document is full


def test_fragment_positions() -> None:
    document = parse(b"<li>one</li>\n<li>two</li>\n")
    items = [e for e in document.root.iter() if e.tag == "li"]
    assert [(e.line, e.column) for e in items] == [(1, 1), (2, 1)]
    assert document.line_count == 2


def test_positions_count_characters_and_crlf_lines() -> None:
    document = parse("<p>caf\u00e9 <b>x</b>\r\n<i>y</i>".encode())
    bold, italic = _first(document.root, "b"), _first(document.root, "i")
    assert (bold.line, bold.column) == (1, 9)
    assert (italic.line, italic.column) == (2, 1)


def test_positions_survive_chunk_boundaries() -> None:
    filler = b"<p>" + b"x" * 20000 + b"</p>\n"
    document = parse(filler * 3 + b"<em>z</em>")
    em = _first(document.root, "em")
    assert (em.line, em.column) == (4, 1)


def test_bytes_that_are_not_utf8_are_replaced() -> None:
    document = parse("<p>caf\u00e9</p>".encode("latin-1"))
    assert document.root.text() == "caf\ufffd"


def test_ids_are_indexed() -> None:
    document = parse(b'<p id="a">1</p><p id="a">2</p><span id="b"></span>')
    assert [e.tag for e in document.ids["a"]] == ["p", "p"]
    found = document.by_id("b")
    assert found is not None
    assert found.tag == "span"
    assert document.by_id("zzz") is None
