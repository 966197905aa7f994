from __future__ import annotations

import ast

import pytest
from quality_gates.pysource import Span, _own_span, parse

EVERY_COMPOUND = """\
import os


@decorator
class A(Base):
    x = 1

    async def f(self, y=lambda: 0):
        async for i in y:
            async with i as j:
                await j
        while x:
            break
        else:
            pass

    def g(self):
        try:
            return 1
        except ValueError as exc:
            raise TypeError from exc
        else:
            pass
        finally:
            del x
        match self:
            case [a, *_]:
                if a:
                    pass
                elif os:
                    pass
                else:
                    return [b for b in a]
            case _:
                pass


for k in range(3):
    with open(k) as handle, open(k):
        def nested():
            global q
            return handle
else:
    pass
"""


def walked_spans(source: str) -> tuple[Span, ...]:
    """The statement spans as ast.walk finds them: the definition parse() must keep."""
    spans = parse(source.encode()).spans
    assert spans is not None
    statements = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.stmt)]
    assert spans == tuple(sorted(_own_span(n) for n in statements))
    return spans


@pytest.mark.parametrize(
    "source",
    [EVERY_COMPOUND, "", "x = 1\n", "if a:\n    b = (\n        1\n    )\n"],
    ids=["every-compound", "empty", "one", "multiline"],
)
def test_every_statement_is_found_as_ast_walk_finds_it(source: str) -> None:
    walked_spans(source)


def test_spans_of_compound_statements_are_their_headers() -> None:
    spans = walked_spans(EVERY_COMPOUND)
    assert spans[:4] == (Span(1, 1), Span(4, 5), Span(6, 6), Span(8, 8))
    assert Span(38, 38) in spans  # `for k in range(3):`
    assert Span(40, 40) in spans  # `def nested():` inside a with inside a for
    assert (Span(21, 21), Span(33, 33), Span(44, 44)) == (spans[13], spans[21], spans[-1])
    assert len(spans) == 29


def test_syntax_error_has_no_spans() -> None:
    source = parse(b"def f(:\n")
    assert (source.spans, source.line_count) == (None, 1)
