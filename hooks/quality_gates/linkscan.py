"""Links and anchors of Markdown (markdown-it-py), reStructuredText (docutils) and HTML (html5lib).

Each scanner turns one document into the links it shows a reader (with the line they are on)
and the anchors other documents can point at: GitHub's heading slugs for Markdown, docutils' ids
for reStructuredText, `id`/`name` attributes everywhere.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from quality_gates.slugs import Slugger

MARKDOWN = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")
RST = (".rst", ".rest")
HTML = (".html", ".htm", ".xhtml")
DOC_SUFFIXES = MARKDOWN + RST + HTML
UNPARSABLE = "unparsable"
ANCHOR_ATTR_RE = re.compile(r"""\b(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
FULL_REFERENCE_RE = re.compile(r"\[([^\[\]\n]+)\]\[([^\[\]\n]+)\]")
HTML_LINK_ATTRS = {
    "a": "href",
    "area": "href",
    "link": "href",
    "img": "src",
    "script": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
    "track": "src",
    "embed": "src",
}


class Link(NamedTuple):
    """One link as written: where it is, and where it points."""

    line: int
    column: int
    target: str
    kind: str  # link, image
    also_lines: tuple[int, ...] = ()  # e.g. the definition line of a reference-style link


class Problem(NamedTuple):
    """Something broken that is not a target: an undefined reference, an unknown rst target."""

    line: int
    column: int
    rule: str
    message: str


@dataclass
class Document:
    """What a scanner found in one file."""

    links: list[Link] = field(default_factory=list)
    anchors: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    case_insensitive_anchors: bool = False


def kind_of(path: str) -> str | None:
    """markdown, rst or html by suffix; None for other files."""
    lower = path.lower()
    for name, suffixes in (("markdown", MARKDOWN), ("rst", RST), ("html", HTML)):
        if lower.endswith(suffixes):
            return name
    return None


def scan(path: str, content: bytes) -> Document:
    """Scan a document by its type (see kind_of)."""
    kind = kind_of(path)
    try:
        if kind == "html":
            return scan_html(content)
        text = content.decode("utf-8", "replace")
        if kind == "rst":
            return scan_rst(text, path)
        return scan_markdown(text)
    except RecursionError:  # nesting deep enough to exhaust the parser's stack
        problem = Problem(1, 1, UNPARSABLE, "nested too deeply to parse: no link checked")
        return Document(problems=[problem])
    except Exception as exc:  # a third-party parser failing on hostile input: say so, fail
        message = f"the {kind} parser failed ({type(exc).__name__}: {exc}): no link checked"
        return Document(problems=[Problem(1, 1, UNPARSABLE, message)])


def _locate(lines: Sequence[str], needle: str, start: int, stop: int) -> tuple[int, int] | None:
    """(line, column), 1-based, of needle's first occurrence in lines[start:stop]."""
    for index in range(max(start, 0), min(stop, len(lines))):
        column = lines[index].find(needle)
        if column >= 0:
            return index + 1, column + 1
    return None


# --- Markdown -------------------------------------------------------------------------------


def _markdown() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("gfm-like", {"html": True})
    for rule in ("link", "image", "autolink", "linkify"):
        original = md.inline.ruler.__rules__[md.inline.ruler.__find__(rule)].fn
        md.inline.ruler.at(rule, _recording(original))
    return md


def _recording(original: Callable[[Any, bool], bool]) -> Callable[[Any, bool], bool]:
    """Wrap an inline rule so the link token it makes knows its offset in the inline source."""

    def rule(state: Any, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        matched = original(state, silent)
        if matched and not silent:
            for token in state.tokens[count:]:  # pending text is flushed first
                if token.type in ("link_open", "image"):
                    token.meta = {**(token.meta or {}), "offset": start, "end": state.pos}
                    break
        return matched

    return rule


_MD: Any = None


def scan_markdown(text: str) -> Document:
    """Links, images, reference links and anchors of a Markdown document (GitHub flavour)."""
    global _MD  # one parser per process: building it costs more than a small file
    if _MD is None:
        _MD = _markdown()
    env: dict[str, Any] = {}
    tokens = _MD.parse(text, env)
    lines = text.splitlines()
    doc = Document(case_insensitive_anchors=True)
    definitions = _definition_lines(env)
    slugger = Slugger()
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            doc.anchors.add(slugger.slug(_plain_text(tokens[index + 1])))
        elif token.type == "html_block" and token.map:
            _embedded_html(token.content, token.map[0] + 1, doc)
        elif token.type == "inline" and token.map:
            _inline(token, lines, definitions, env, doc)
    return doc


def _embedded_html(content: str, first_line: int, doc: Document) -> None:
    """Raw HTML in Markdown: GitHub shows its links and keeps its ids as anchors."""
    doc.anchors.update(html_anchors(content))
    for link in scan_html(content.encode()).links:
        doc.links.append(link._replace(line=first_line + link.line - 1))


def _definition_lines(env: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    found: dict[str, list[int]] = {}
    for reference in env.get("references", {}).values():
        where = reference.get("map")
        if where:
            found.setdefault(reference["href"], []).append(where[0] + 1)
    return {href: tuple(lines) for href, lines in found.items()}


def _plain_text(inline: Any) -> str:
    parts = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
    return "".join(parts)


def _inline(
    token: Any,
    lines: Sequence[str],
    definitions: dict[str, tuple[int, ...]],
    env: dict[str, Any],
    doc: Document,
) -> None:
    first = token.map[0]
    source = token.content
    texts = []
    for child in token.children or ():
        if child.type in ("link_open", "image"):
            href = child.attrs.get("href" if child.type == "link_open" else "src")
            if isinstance(href, str):
                doc.links.append(_md_link(child, href, source, lines, first, definitions))
        elif child.type == "html_inline":
            where = _locate(lines, child.content, first, token.map[1])
            _embedded_html(child.content, where[0] if where else first + 1, doc)
        elif child.type == "text":
            texts.append(child.content)
    _undefined_references("".join(texts), lines, token.map, env, doc)


def _md_link(
    child: Any,
    href: str,
    source: str,
    lines: Sequence[str],
    first: int,
    definitions: dict[str, tuple[int, ...]],
) -> Link:
    meta = child.meta or {}
    offset = int(meta.get("offset", 0))
    line = first + 1 + source.count("\n", 0, offset)
    written = source[offset : int(meta.get("end", offset))].split("\n", 1)[0]
    found = _locate(lines, written, line - 1, line) if written else None
    column = found[1] if found else 1
    reference = bool(written) and not written.endswith((")", ">")) and child.info != "auto"
    also = definitions.get(href, ()) if reference else ()
    kind = "image" if child.type == "image" else "link"
    return Link(line, column, href, kind, also)


def _undefined_references(
    text: str, lines: Sequence[str], where: Sequence[int], env: dict[str, Any], doc: Document
) -> None:
    """`[text][label]` left as text: the label has no definition (GitHub shows brackets)."""
    from markdown_it.common.utils import normalizeReference

    known = env.get("references", {})
    for match in FULL_REFERENCE_RE.finditer(text):
        if normalizeReference(match.group(2)) in known:
            continue
        found = _locate(lines, match.group(0), where[0], where[1]) or (where[0] + 1, 1)
        doc.problems.append(
            Problem(*found, "undefined-reference", f"[{match.group(2)}] has no definition")
        )


# --- HTML -----------------------------------------------------------------------------------


def _html_tags(content: bytes | str) -> Iterator[tuple[str, dict[str, str], int, int]]:
    """(tag, attributes, line, column) of each start tag, from html5lib's tokenizer."""
    from html5lib._tokenizer import HTMLTokenizer
    from html5lib.constants import tokenTypes

    start_tag, parse_error = tokenTypes["StartTag"], tokenTypes["ParseError"]
    tokenizer = HTMLTokenizer(io.BytesIO(content) if isinstance(content, bytes) else content)
    line, column = 1, 0  # tokens are contiguous: a tag starts where the one before ended
    for token in tokenizer:
        if token["type"] == parse_error:
            continue  # reported mid-tag: it does not end a token
        start = (line, column)
        line, column = tokenizer.stream.position()
        if token["type"] != start_tag:
            continue
        data: Any = token.get("data") or {}
        attributes = {str(k): str(v) for k, v in (data.items() if hasattr(data, "items") else data)}
        yield str(token["name"]).lower(), attributes, start[0], start[1] + 1


def html_anchors(content: str) -> set[str]:
    """The `id` and `name` values of an HTML fragment (inline HTML in Markdown)."""
    return {next(g for g in m.groups() if g is not None) for m in ANCHOR_ATTR_RE.finditer(content)}


def scan_html(content: bytes) -> Document:
    """Links and anchors of an HTML page; encoding as a browser sniffs it."""
    doc = Document()
    for tag, attributes, line, column in _html_tags(content):
        anchor = attributes.get("id") or (attributes.get("name") if tag == "a" else None)
        if anchor:
            doc.anchors.add(anchor)
        wanted = HTML_LINK_ATTRS.get(tag)
        value = attributes.get(wanted) if wanted else None
        if value is not None and value.strip():
            kind = "image" if tag == "img" else "link"
            doc.links.append(Link(line, column, value.strip(), kind))
    return doc


# --- reStructuredText -----------------------------------------------------------------------

RST_SETTINGS = {
    "report_level": 5,
    "halt_level": 5,
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "warning_stream": io.StringIO(),
    "input_encoding": "unicode",
    "traceback": True,  # raise errors to us: docutils would print them and exit
}


def scan_rst(text: str, path: str) -> Document:
    """Links, images and ids of a reStructuredText document, through docutils' transforms."""
    from docutils import nodes
    from docutils.core import publish_doctree

    settings = {**RST_SETTINGS, "warning_stream": io.StringIO()}
    tree = publish_doctree(text, source_path=path, settings_overrides=settings)
    lines = text.splitlines()
    doc = Document()
    cursor = 0
    for node in tree.findall(nodes.Element):
        doc.anchors.update(node.get("ids", []))
        target = _rst_target(node, nodes)
        if target is not None:
            line, column = _rst_place(node, target, lines, cursor)
            cursor = line - 1
            doc.links.append(Link(line, column, target, _rst_kind(node, nodes)))
        elif isinstance(node, nodes.problematic) and node.astext().endswith("_"):
            written = node.astext()
            line, column = _locate(lines, written, cursor, len(lines)) or (cursor + 1, 1)
            doc.problems.append(
                Problem(line, column, "unknown-target", f"{written} names no target")
            )
    return doc


def _rst_target(node: Any, nodes: Any) -> str | None:
    if isinstance(node, nodes.reference) and node.get("refuri"):
        return str(node["refuri"])
    if isinstance(node, nodes.image) and node.get("uri"):
        return str(node["uri"])
    return None


def _rst_kind(node: Any, nodes: Any) -> str:
    return "image" if isinstance(node, nodes.image) else "link"


def _rst_place(node: Any, target: str, lines: Sequence[str], cursor: int) -> tuple[int, int]:
    """Where a link is written: a named reference by its name, else by its URI."""
    name = node.get("name") if node.get("refname") is None else node.get("refname")
    needles = [f"`{name}`_", f"{name}_", target] if name and "<" not in node.rawsource else []
    needles.append(target)
    for needle in needles:
        found = _locate(lines, needle, cursor, len(lines)) or _locate(lines, needle, 0, cursor)
        if found:
            return found
    while node is not None and getattr(node, "line", None) is None:
        node = node.parent
    return (int(node.line) if node is not None else 1), 1
