from __future__ import annotations

import pytest
from quality_gates.changes import FileScope, LineRanges
from quality_gates.findings import Suppression, added_suppressions

KINDS = ("noqa", "nosec")


def lines_scope(*lines: int) -> FileScope:
    return FileScope("m.py", False, LineRanges((n, n) for n in lines))


WHOLE = FileScope("m.py", True, LineRanges())


@pytest.mark.parametrize(
    ("content", "scope", "expected"),
    [
        (b"import os  # noqa: F401\nx = 1\n", lines_scope(1), [(1, "noqa", "# noqa: F401")]),
        (b"import os  # noqa: F401\nx = 1\n", lines_scope(2), []),
        (b"x = 1\ny = eval(x)  # nosec B307\n", WHOLE, [(2, "nosec", "# nosec B307")]),
        (b"x = '# noqa'\ny = 2\n", lines_scope(1), []),  # in a string, not a comment
        (b's = """\n# noqa\n"""\n', lines_scope(2), []),  # inside a multi-line string
        (b"a = 1\r\nb = 2  # NOQA\r\n", lines_scope(2), [(2, "noqa", "# NOQA")]),  # CRLF
        (b"a = 1\rb = 2  # noqa\r", lines_scope(1), [(1, "noqa", "# noqa")]),  # one git line
        (
            b"# -*- coding: latin-1 -*-\nx = '\xe9'  # noqa\n",
            lines_scope(2),
            [(2, "noqa", "# noqa")],
        ),
        (b"x = (\n  1,  # noqa: E501\n)\n", lines_scope(2), [(2, "noqa", "# noqa: E501")]),
        (b"def f(:\n  pass  # nosec\n", lines_scope(2), [(2, "nosec", "# nosec")]),  # no parse
        (b"x = 1\n", lines_scope(5), []),  # a scope past the end of the file
        (b"", WHOLE, []),
    ],
    ids=[
        "changed-line",
        "unchanged-line",
        "whole-file",
        "string",
        "multiline-string",
        "crlf",
        "lone-cr",
        "latin-1",
        "continuation",
        "syntax-error",
        "past-end",
        "empty",
    ],
)
def test_added_suppressions(
    content: bytes, scope: FileScope, expected: list[tuple[int, str, str]]
) -> None:
    found = added_suppressions("m.py", content, scope, KINDS)
    assert found == [Suppression("m.py", line, kind, text) for line, kind, text in expected]
