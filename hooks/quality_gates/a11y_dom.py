"""HTML parsed the way browsers parse it (html5lib), keeping each element's source position.

html5lib's tree builders drop positions, so two small hooks put them back:
- the tokenizer stamps each start tag token with the place of its `<` and of its `>`, in a
  sentinel attribute that html5lib carries through every path that makes an element from a
  token (implied reopening of formatting elements and the adoption agency clone attributes too);
- the tree builder notes the line of the last text inserted into each element.
After the parse the sentinel is removed and the tree is turned into plain `Element` records.
An element the parser implied (an absent `<html>`, `<head>`, `<body>`, `<tbody>`) has no source
tag: it takes the position of its first positioned descendant, else line 1.
"""

from __future__ import annotations

# html5lib builds the tree in memory: no XML is parsed here
import xml.etree.ElementTree as ET  # nosec B405
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import html5lib
from html5lib import treebuilders
from html5lib._tokenizer import HTMLTokenizer
from html5lib.constants import tokenTypes

SENTINEL = "\x00qg-position"
NAMESPACES = {
    "http://www.w3.org/1999/xhtml": "html",
    "http://www.w3.org/2000/svg": "svg",
    "http://www.w3.org/1998/Math/MathML": "math",
}
ATTRIBUTE_NAMESPACES = {
    "http://www.w3.org/1999/xlink": "xlink",
    "http://www.w3.org/XML/1998/namespace": "xml",
    "http://www.w3.org/2000/xmlns/": "xmlns",
}
DOCUMENT_TAGS = frozenset({"html", "head", "body"})
START_TAG = tokenTypes["StartTag"]
DOCTYPE = tokenTypes["Doctype"]


@dataclass(eq=False)
class Element:
    """One element: name, attributes, children (elements and text), and where its source is."""

    tag: str
    namespace: str
    attrs: dict[str, str]
    line: int = 1
    column: int = 1
    tag_end_line: int = 1
    tag_end_column: int = 1
    end_line: int = 1
    explicit: bool = False
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    def get(self, name: str, default: str | None = None) -> str | None:
        """The value of an attribute, or default."""
        return self.attrs.get(name, default)

    def has(self, name: str) -> bool:
        """Tell whether the attribute is present (whatever its value)."""
        return name in self.attrs

    @property
    def elements(self) -> list[Element]:
        """The child elements, in order."""
        return [c for c in self.children if isinstance(c, Element)]

    def iter(self) -> Iterator[Element]:
        """Iterate over the element and its descendants, in document order."""
        stack: list[Element] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.elements))

    def ancestors(self) -> Iterator[Element]:
        """The parent, its parent, and so on up to the root."""
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def text(self) -> str:
        """The text content of the subtree (no markup)."""
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text())
        return "".join(parts)

    def is_html(self, *tags: str) -> bool:
        """Tell whether this is an HTML element with one of the given names."""
        return self.namespace == "html" and self.tag in tags

    def __repr__(self) -> str:
        return f"<{self.tag} at {self.line}:{self.column}>"


@dataclass(frozen=True)
class Document:
    """A parsed page: its root element, whether it is a full document, and its ids."""

    root: Element
    full_document: bool
    ids: dict[str, list[Element]]
    line_count: int

    def by_id(self, value: str) -> Element | None:
        """The first element with this id, or None."""
        found = self.ids.get(value)
        return found[0] if found else None

    def first(self, *tags: str) -> Element | None:
        """The first HTML element with one of these names, in document order."""
        return next((e for e in self.root.iter() if e.is_html(*tags)), None)


class _Cursor:
    """The stream's (line, column) like html5lib's position(), counted incrementally.

    html5lib recounts the newlines of its whole 10 KB chunk on every call, which tripled the
    parse time of a large page.
    """

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.chunk: str | None = None
        self.offset = 0
        self.line = 0
        self.column = 0

    def __call__(self) -> tuple[int, int]:
        stream = self.stream
        chunk, offset = stream.chunk, stream.chunkOffset
        if chunk is not self.chunk or offset < self.offset:
            self.chunk, self.offset = chunk, 0
            self.line, self.column = stream.prevNumLines, stream.prevNumCols
        newlines = chunk.count("\n", self.offset, offset)
        if newlines:
            self.line += newlines
            self.column = offset - (chunk.rfind("\n", self.offset, offset) + 1)
        else:
            self.column += offset - self.offset
        self.offset = offset
        return self.line + 1, self.column


class _PositionTokenizer(HTMLTokenizer):
    """html5lib's tokenizer, stamping start tags with their source span and noting doctypes."""

    tag_open: tuple[int, int] = (1, 0)
    seen: set[str]
    doctype: bool
    cursor: _Cursor

    def tagOpenState(self) -> bool:
        self.tag_open = self.cursor()  # just after `<`: (line, 0-based column + 1)
        return bool(super().tagOpenState())

    def emitCurrentToken(self) -> None:
        token: Any = self.currentToken
        super().emitCurrentToken()
        if token["type"] == START_TAG:
            line, after_lt = self.tag_open
            end_line, end_col = self.cursor()
            token["data"][SENTINEL] = f"{line},{after_lt},{end_line},{end_col}"
            self.seen.add(token["name"])

    def __iter__(self) -> Iterator[Any]:
        for token in super().__iter__():
            if token["type"] == DOCTYPE:
                self.doctype = True
            yield token


_ETreeBuilder: Any = treebuilders.getTreeBuilder("etree")


class _PositionTreeBuilder(_ETreeBuilder):  # type: ignore[misc]
    """html5lib's etree builder, noting the line of the last text put in each element."""

    where: Callable[[], tuple[int, int]] = staticmethod(lambda: (1, 0))

    def reset(self) -> None:
        super().reset()
        self.text_lines: dict[int, int] = {}

    def insertText(self, data: str, parent: Any = None) -> None:
        super().insertText(data, parent)
        stripped = data.rstrip()
        if not stripped:
            return  # whitespace changes nothing a rule reads
        node = parent if parent is not None else self.openElements[-1]
        key = id(node._element)
        # the tokenizer stands at the end of the text: step back over its trailing whitespace
        line = self.where()[0] - data.count("\n", len(stripped))
        if line > self.text_lines.get(key, 0):
            self.text_lines[key] = line


class _PositionParser(html5lib.HTMLParser):
    """html5lib's parser with the position-keeping tokenizer and tree builder."""

    def reset(self) -> None:
        # _parse made a plain tokenizer just before calling reset(); give it our behaviour
        tokenizer: Any = self.tokenizer
        tokenizer.__class__ = _PositionTokenizer
        tokenizer.seen = set()
        tokenizer.doctype = False
        tokenizer.cursor = _Cursor(tokenizer.stream)
        super().reset()
        tree: Any = self.tree
        tree.where = tokenizer.cursor


def parse(content: bytes) -> Document:
    """Parse page bytes (encoding sniffed as a browser does, UTF-8 when nothing says)."""
    parser = _PositionParser(tree=_PositionTreeBuilder)
    tree = parser.parse(content, scripting=True, default_encoding="utf-8", useChardet=False)
    builder: Any = parser.tree
    text_lines: dict[int, int] = builder.text_lines
    root_etree = _html_element(tree)
    root = _convert(root_etree, None, text_lines)
    _fill_positions(root)
    tokenizer: Any = parser.tokenizer
    full = tokenizer.doctype or bool(tokenizer.seen & DOCUMENT_TAGS)
    ids: dict[str, list[Element]] = {}
    for element in root.iter():
        value = element.attrs.get("id")
        if value:
            ids.setdefault(value, []).append(element)
    line_count = content.count(b"\n") + (0 if content.endswith(b"\n") or not content else 1)
    return Document(root, full, ids, max(line_count, 1))


def _html_element(tree: Any) -> ET.Element:
    if isinstance(tree.tag, str) and tree.tag.endswith("}html"):
        return tree  # type: ignore[no-any-return]
    for child in tree:
        if isinstance(child.tag, str) and child.tag.endswith("}html"):
            return child  # type: ignore[no-any-return]
    raise ValueError("html5lib returned a tree without an html element")  # pragma: no cover


def _split_name(qualified: str, table: dict[str, str]) -> tuple[str, str]:
    if qualified.startswith("{"):
        uri, _, local = qualified[1:].partition("}")
        return table.get(uri, uri), local
    return "", qualified


def _convert(node: ET.Element, parent: Element | None, text_lines: dict[int, int]) -> Element:
    namespace, tag = _split_name(str(node.tag), NAMESPACES)
    attrs: dict[str, str] = {}
    position = None
    for key, value in node.attrib.items():
        if key == SENTINEL:
            position = value
            continue
        prefix, local = _split_name(key, ATTRIBUTE_NAMESPACES)
        attrs[f"{prefix}:{local}" if prefix else local] = value
    element = Element(tag, namespace or "html", attrs, parent=parent)
    if position is not None:
        line, after_lt, end_line, end_col = (int(p) for p in position.split(","))
        element.line, element.column, element.explicit = line, max(after_lt, 1), True
        element.tag_end_line = element.end_line = end_line
        element.tag_end_column = end_col
    element.end_line = max(element.end_line, text_lines.get(id(node), 0))
    _add_children(element, node, text_lines)
    return element


def _add_children(element: Element, node: ET.Element, text_lines: dict[int, int]) -> None:
    if node.text:
        element.children.append(node.text)
    for child in node:
        if isinstance(child.tag, str):  # comments and processing instructions are not
            element.children.append(_convert(child, element, text_lines))
        if child.tail:
            element.children.append(child.tail)


def _fill_positions(root: Element) -> None:
    """Give implied elements a position, and every element its extent (it spans its content)."""
    placed: set[int] = set()
    for element in reversed(list(root.iter())):  # children before parents
        for child in element.elements:
            element.end_line = max(element.end_line, child.end_line)
        if element.explicit:
            placed.add(id(element))
            continue
        first = next((c for c in element.elements if id(c) in placed), None)
        if first is not None:
            placed.add(id(element))
            element.line, element.column = first.line, first.column
            element.tag_end_line, element.tag_end_column = first.line, first.column
