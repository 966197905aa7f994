"""Python source as the gates see it: decoded text, statements and comments, from bytes."""

from __future__ import annotations

import ast
import bisect
import io
import re
import tokenize
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

PY_SUFFIXES = (".py", ".pyi")
SHEBANG_RE = re.compile(rb"^#!.*\bpython[0-9.]*\b")
STATEMENT_LISTS = ("body", "orelse", "finalbody", "handlers", "cases")


class Span(NamedTuple):
    """The lines a statement owns: a simple statement whole, a compound one its header."""

    start: int
    end: int


def is_python(path: str, head: bytes = b"") -> bool:
    """Tell whether a file is Python by its suffix, or a python shebang for suffix-less files."""
    if path.endswith(PY_SUFFIXES):
        return True
    name = path.rsplit("/", 1)[-1]
    return "." not in name and bool(SHEBANG_RE.match(head))


def is_binary(content: bytes) -> bool:
    """Tell binary content apart the way git does: a NUL byte in the first 8000 bytes."""
    return b"\0" in content[:8000]


def decode(content: bytes) -> str:
    """Decode source honouring its coding cookie, replacing what does not decode."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(content).readline)
    except SyntaxError:
        encoding = "utf-8"
    try:
        return content.decode(encoding, "replace")
    except LookupError:
        return content.decode("utf-8", "replace")


def _own_span(node: ast.stmt) -> Span:
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
    body = getattr(node, "body", None)
    if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
        end = max(node.lineno, body[0].lineno - 1)
        return Span(start, end)
    return Span(start, node.end_lineno or node.lineno)


@dataclass(frozen=True)
class Source:
    """One file's statements (None when it does not parse) and its line count."""

    spans: tuple[Span, ...] | None
    line_count: int

    @property
    def parses(self) -> bool:
        """Tell whether the file is valid Python."""
        return self.spans is not None

    def statement_at(self, line: int) -> int:
        """Return the index of the statement owning line, else the nearest one before it."""
        if self.spans is None:
            return 0
        starts = [s.start for s in self.spans]
        return max(0, bisect.bisect_right(starts, line) - 1)


def parse(content: bytes) -> Source:
    """Parse content into statement spans; a syntax error leaves spans None."""
    line_count = content.count(b"\n") + (0 if content.endswith(b"\n") or not content else 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is not ours to print
            tree = ast.parse(content)
    except (SyntaxError, ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return Source(None, line_count)
    spans = sorted(_own_span(n) for n in _statements(tree))
    return Source(tuple(spans), line_count)


def _statements(tree: ast.AST) -> Iterator[ast.stmt]:
    """Every statement of tree, as ast.walk would find them, without visiting expressions.

    Statements only ever sit in these lists (of statements, except handlers and match cases),
    and expressions, most of a tree's nodes, never contain one; skipping them makes this
    several times faster than ast.walk on real modules.
    """
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.stmt):
            yield node
        for name in STATEMENT_LISTS:
            children = getattr(node, name, None)
            if isinstance(children, list):
                stack.extend(children)


def comments(content: bytes) -> list[tuple[int, str]]:
    """Return (line, text) of every comment; a file that does not tokenize falls back to '#'."""
    try:
        tokens = list(tokenize.tokenize(io.BytesIO(content).readline))
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError):
        return _rough_comments(decode(content).splitlines())
    return [(t.start[0], t.string) for t in tokens if t.type == tokenize.COMMENT]


def _rough_comments(lines: Sequence[str]) -> list[tuple[int, str]]:
    return [(n, line[line.index("#") :]) for n, line in enumerate(lines, 1) if "#" in line]
