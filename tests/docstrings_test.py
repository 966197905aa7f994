from __future__ import annotations

import re
from pathlib import Path

import pytest
from quality_gates.docstrings import (
    Rules,
    definitions,
    is_excluded,
    module_name,
    parse_module,
    skips_file,
)

SAMPLE = Path(__file__).parent / "data" / "interrogate_sample.txt"


def _counts(rules: Rules) -> tuple[int, int]:
    tree = parse_module(SAMPLE.read_bytes())
    assert tree is not None
    found = definitions(tree, "interrogate_sample", rules)
    return sum(d.documented for d in found), len(found)


# (covered, total) printed by interrogate 1.7.0 (`interrogate -vv --fail-under 0 OPTION sample.py`
# on the data file renamed to .py); the sample has one construct per rule.
@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (Rules(), (4, 29)),
        (Rules(ignore_init_method=True), (3, 27)),
        (Rules(ignore_magic=True), (4, 28)),
        (Rules(ignore_module=True), (4, 28)),
        (Rules(ignore_nested_functions=True), (4, 26)),
        (Rules(ignore_nested_classes=True), (4, 23)),
        (Rules(ignore_private=True), (4, 28)),
        (Rules(ignore_semiprivate=True), (4, 28)),
        (Rules(ignore_property_decorators=True), (4, 26)),
        (Rules(ignore_setters=True), (4, 28)),
        (Rules(ignore_overloaded_functions=True), (4, 27)),
        (Rules(ignore_regex=(re.compile("^test_"),)), (4, 28)),
        (Rules(whitelist_regex=(re.compile("^[A-Z]"),), ignore_module=True), (1, 5)),
        (Rules(style="google"), (6, 29)),
    ],
)
def test_counts_agree_with_interrogate(rules: Rules, expected: tuple[int, int]) -> None:
    assert _counts(rules) == expected


def test_names_kinds_and_lines() -> None:
    tree = parse_module(
        b'"""Mod."""\n\n\nclass A:\n    def m(self):\n        def f():\n            pass\n'
    )
    assert tree is not None
    found = [(d.line, d.kind, d.name, d.documented) for d in definitions(tree, "mod", Rules())]
    assert found == [
        (1, "module", "mod", True),
        (4, "class", "A", False),
        (5, "method", "A.m", False),
        (6, "function", "A.m.f", False),
    ]


def test_blank_docstring_is_not_documentation() -> None:
    tree = parse_module(b'def f():\n    """   """\n')
    assert tree is not None
    assert [d.documented for d in definitions(tree, "m", Rules())] == [False, False]


def test_header_spans_a_multi_line_signature_and_docstring_lines() -> None:
    source = b'def f(\n    a,\n    b,\n):\n    """Doc\n\n    more.\n    """\n    return a\n'
    tree = parse_module(source)
    assert tree is not None
    function = definitions(tree, "m", Rules())[1]
    assert (function.header, function.docstring) == ((1, 4), (5, 8))


@pytest.mark.parametrize(
    ("path", "exclude", "expected"),
    [
        ("docs/conf.py", ["docs"], True),
        ("docs/conf.py", ["./docs/"], True),
        ("docsite/x.py", ["docs"], True),  # interrogate matches EXCLUDE + "*"
        ("pkg/docs/x.py", ["docs"], False),
        ("pkg/gen_a.py", ["pkg/gen_*"], True),
        ("setup.py", ["setup.py"], True),
        ("app.py", [], False),
    ],
)
def test_is_excluded(path: str, exclude: list[str], expected: bool) -> None:
    assert is_excluded(path, exclude) is expected


def test_ignore_init_module_skips_package_inits() -> None:
    assert skips_file("pkg/__init__.py", Rules(ignore_init_module=True))
    assert not skips_file("pkg/__init__.py", Rules())
    assert not skips_file("pkg/mod.py", Rules(ignore_init_module=True))


def test_module_name_and_unparsable_source() -> None:
    assert module_name("pkg/mod.py") == "mod"
    assert module_name("tool") == "tool"
    assert parse_module(b"def (:\n") is None
    assert parse_module(b"x = 1\0") is None
