from __future__ import annotations

from pathlib import Path

import pytest
from quality_gates.a11y_aria import ATTRIBUTES, implicit_role
from quality_gates.a11y_checks import run, valid_autocomplete, valid_language, valid_value
from quality_gates.a11y_dom import parse
from quality_gates.a11y_rules import RULES, Violation

FIXTURES = Path(__file__).parent / "fixtures" / "a11y"
VIOLATING = sorted(p for p in FIXTURES.glob("*.html") if not p.name.startswith("clean"))
CLEAN = sorted(FIXTURES.glob("clean*.html"))


def check(source: str, *, fragment: bool | None = None) -> list[Violation]:
    document = parse(source.encode())
    return run(document, fragment=not document.full_document if fragment is None else fragment)


def rules(source: str, *, fragment: bool | None = None) -> list[str]:
    return [v.rule for v in check(source, fragment=fragment)]


def page(body: str, *, head: str = "") -> str:
    return (
        f'<!doctype html>\n<html lang="en">\n<head>\n<title>T</title>\n{head}</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def test_every_rule_has_a_fixture_and_every_fixture_a_rule() -> None:
    assert {p.stem for p in VIOLATING} == set(RULES)


@pytest.mark.parametrize("fixture", VIOLATING, ids=lambda p: p.stem)
def test_each_fixture_violates_exactly_its_rule(fixture: Path) -> None:
    document = parse(fixture.read_bytes())
    assert document.full_document
    assert {v.rule for v in run(document, fragment=False)} == {fixture.stem}


@pytest.mark.parametrize("fixture", CLEAN, ids=lambda p: p.stem)
def test_clean_pages_pass(fixture: Path) -> None:
    assert run(parse(fixture.read_bytes()), fragment=False) == []


def test_findings_carry_the_element_position_and_span() -> None:
    found = check(page('<p>x</p>\n<a href="/a">\n\n</a>\n<img\n src="a.png">'))
    assert [(v.rule, v.line, v.column, v.end_line) for v in found] == [
        ("link-name", 8, 1, 8),
        ("image-alt", 11, 1, 12),
    ]


def test_a_name_rule_spans_the_elements_content() -> None:
    (found,) = check(page('<button type="button">\n<span>\n</span>\n</button>'))
    assert (found.rule, found.line) == ("button-name", 7)
    spanned = check(
        page('<button type="button">\n<span> </span>\n<img src="i.png" alt="">\n</button>')
    )
    assert spanned[0].end_line >= 7


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('<a href="/x"><img src="h.png" alt="Home"></a>', []),
        ('<a href="/x" title="Home"></a>', []),
        ('<a href="/x" aria-labelledby="l"></a><span id="l">Home</span>', []),
        ('<a href="/x" aria-labelledby="missing"></a>', ["link-name"]),
        ('<a href="/x"><span aria-hidden="true">x</span></a>', ["link-name"]),
        ("<a>no href is not a link</a>", []),
        ('<div hidden><a href="/x"></a></div>', []),
        ('<p style="display: none"><img src="x.png"></p>', []),
        ('<img src="x.png" alt=" ">', ["image-alt"]),
        ('<img src="x.png" aria-label="Chart">', []),
        ('<label>Name <input type="text"></label>', []),
        ('<label for="n">Name</label><input id="n">', []),
        ('<label for="n"></label><input id="n">', ["label"]),
        ('<input type="text" placeholder="Search">', []),
        ('<input type="submit" value="">', ["input-button-name"]),
        ('<input type="reset">', []),
        ('<div role="listitem">orphan</div>', ["aria-required-parent"]),
        ('<div role="list"><div><div role="listitem">x</div></div></div>', []),
        ('<div role="banana apple">x</div>', ["aria-roles"]),
        ('<div role="banana button" tabindex="0">x</div>', []),
        ('<div role="widget">x</div>', ["aria-roles"]),
        ('<input type="checkbox" role="switch" aria-label="On">', []),
        ('<div aria-level="0" role="heading">x</div>', ["aria-valid-attr-value"]),
        ('<div aria-busy="TRUE">x</div>', []),
        ('<p lang="">unknown</p>', []),
        ("<ul><li>a</li>text</ul>", ["list"]),
        ("<dl><div><dt>a</dt><dd>b</dd></div></dl>", []),
        ("<blink>x</blink><marquee>y</marquee>", ["blink", "marquee"]),
        ('<input autocomplete="section-x billing work email">', ["label"]),
        ('<input aria-label="e" autocomplete="home street-address">', ["autocomplete-valid"]),
        ('<input aria-label="e" autocomplete="nope" disabled>', []),
    ],
)
def test_rule_cases(body: str, expected: list[str]) -> None:
    assert rules(page(body)) == expected


@pytest.mark.parametrize(
    ("content", "fails"),
    [
        ("width=device-width, initial-scale=1", False),
        ("width=device-width, user-scalable=no", True),
        ("user-scalable=0", True),
        ("user-scalable=yes", False),
        ("maximum-scale=1.5", True),
        ("maximum-scale=2", False),
        ("maximum-scale=yes", True),
        ("maximum-scale=-1", False),
        ("width=device-width; maximum-scale=1", True),
    ],
)
def test_meta_viewport(content: str, fails: bool) -> None:
    found = rules(page("<p>x</p>", head=f'<meta name="viewport" content="{content}">\n'))
    assert found == (["meta-viewport"] if fails else [])


@pytest.mark.parametrize(
    ("content", "fails"),
    [("0; url=/next", False), ("5", True), ("72001", False), ("junk", False), ("1.5; url=/", True)],
)
def test_meta_refresh(content: str, fails: bool) -> None:
    found = rules(page("<p>x</p>", head=f'<meta http-equiv="Refresh" content="{content}">\n'))
    assert found == (["meta-refresh"] if fails else [])


@pytest.mark.parametrize(
    ("tag", "valid"),
    [
        ("en", True),
        ("en-US", True),
        ("zh-Hant-TW", True),
        ("sr-Latn", True),
        ("qaa", True),
        ("english", False),
        ("xx", False),
        ("en_US", False),
        ("", False),
        ("12", False),
    ],
)
def test_valid_language(tag: str, valid: bool) -> None:
    assert valid_language(tag) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("on", True),
        ("off", True),
        ("email", True),
        ("section-a shipping postal-code", True),
        ("billing mobile tel", True),
        ("username webauthn", True),
        ("home street-address", False),
        ("fullname", False),
        ("section- email", False),
        ("email email", False),
    ],
)
def test_valid_autocomplete(value: str, valid: bool) -> None:
    assert valid_autocomplete(value) is valid


@pytest.mark.parametrize(
    ("attr", "value", "valid"),
    [
        ("aria-checked", "mixed", True),
        ("aria-checked", "yes", False),
        ("aria-hidden", "True", True),
        ("aria-level", "2", True),
        ("aria-level", "0", False),
        ("aria-level", "two", False),
        ("aria-valuenow", "-1.5e2", True),
        ("aria-valuenow", "", False),
        ("aria-relevant", "additions text", True),
        ("aria-relevant", "additions nope", False),
        ("aria-current", "", True),
        ("aria-label", "", True),
    ],
)
def test_valid_attribute_values(attr: str, value: str, valid: bool) -> None:
    assert valid_value(ATTRIBUTES[attr], value) is valid


def test_implicit_roles() -> None:
    assert implicit_role("a", {"href": "/"}) == "link"
    assert implicit_role("a", {}) is None
    assert implicit_role("img", {"alt": ""}) == "presentation"
    assert implicit_role("input", {"type": "checkbox"}) == "checkbox"
    assert implicit_role("input", {"list": "l"}) == "combobox"
    assert implicit_role("input", {"type": "color"}) is None
    assert implicit_role("select", {"size": "4"}) == "listbox"
    assert implicit_role("td", {}, in_table=True) == "cell"


def test_fragments_skip_document_rules_and_outside_context() -> None:
    fragment = '<li>item</li>\n<dt>term</dt>\n<div role="tab" aria-labelledby="elsewhere"></div>'
    assert rules(fragment) == []
    assert rules(fragment, fragment=False) == [
        "document-title",
        "html-has-lang",
        "listitem",
        "dlitem",
        "aria-required-parent",
    ]


def test_a_fragment_still_fails_what_it_contains() -> None:
    assert rules('<ul><li><a href="/x"></a></li></ul>\n<img src="i.png">') == [
        "link-name",
        "image-alt",
    ]


def test_document_title_sits_on_html_and_spans_to_the_title_or_head() -> None:
    (empty,) = check('<!doctype html>\n<html lang="en">\n<head>\n<title>\n</title>\n</head>')
    assert (empty.rule, empty.line, empty.message) == ("document-title", 2, "<title> is empty")
    assert empty.end_line == 4
    (missing,) = check('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n</head>')
    assert (missing.line, missing.end_line, missing.message) == (2, 4, "page has no <title>")


@pytest.mark.parametrize(
    "source",
    [
        "<",
        "<<<>>>",
        "<html><html><body><body>",
        "<table><p>foster<td>x</table>",
        "<a href='/x'><a href='/y'>nested</a>",
        "<svg><foreignObject><p>x</svg>",
        "<div role='\x00'>\x00</div>",
        '<img alt="unterminated',
        "<!--",
        "</p></p></div>",
        "\ufeff<!doctype html><title>bom</title>",
    ],
)
def test_broken_html_gives_results_not_errors(source: str) -> None:
    document = parse(source.encode())
    found = run(document, fragment=not document.full_document)
    assert all(v.rule in RULES and v.line >= 1 and v.column >= 1 for v in found)
