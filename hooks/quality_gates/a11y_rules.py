"""Static WCAG 2.1 A/AA rules on a parsed page, named as axe-core names them.

Each rule reads the parsed tree only (no layout, no script), so it covers what can be decided
from the markup: text alternatives, document language and title, accessible names of links,
buttons and form controls, labels, ARIA roles/attributes/values, list and table structure,
meta refresh and viewport, autocomplete tokens. Hidden content is not checked: an element
with the `hidden` attribute, an inline `display:none`/`visibility:hidden`, `aria-hidden="true"`,
or inside `<template>`, `<script>`, `<style>`, `<head>` (but for the document rules).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from quality_gates.a11y_aria import (
    NAME_FROM_CONTENT,
    PRESENTATIONAL,
    ROLES,
    implicit_role,
)
from quality_gates.a11y_dom import Document, Element


class Rule(NamedTuple):
    """One rule: its axe-core id, the WCAG success criteria it tests, what it asks."""

    id: str
    criteria: tuple[str, ...]
    summary: str
    document: bool = False  # a page-level rule: off for fragments
    context: bool = False  # needs the element's parents: off for a fragment's top elements


class Violation(NamedTuple):
    """One failure of a rule on an element (lines are the span hold-the-line compares)."""

    rule: str
    line: int
    column: int
    end_line: int
    message: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("area-alt", ("2.4.4", "4.1.2"), "<area href> has a text alternative"),
        Rule("aria-command-name", ("4.1.2",), "button, link and menuitem roles have a name"),
        Rule("aria-hidden-body", ("1.3.1", "4.1.2"), "<body> is not aria-hidden"),
        Rule("aria-input-field-name", ("4.1.2",), "input field roles have a name"),
        Rule("aria-meter-name", ("1.1.1",), "meter roles have a name"),
        Rule("aria-progressbar-name", ("1.1.1",), "progressbar roles have a name"),
        Rule("aria-required-attr", ("4.1.2",), "roles have their required states"),
        Rule("aria-required-children", ("1.3.1",), "roles own the elements they require"),
        Rule(
            "aria-required-parent",
            ("1.3.1",),
            "roles are inside their required parent",
            context=True,
        ),
        Rule("aria-roles", ("4.1.2",), "role values are valid, non-abstract ARIA roles"),
        Rule("aria-toggle-field-name", ("4.1.2",), "toggle roles have a name"),
        Rule("aria-tooltip-name", ("4.1.2",), "tooltip roles have a name"),
        Rule("aria-valid-attr", ("4.1.2",), "aria-* attributes are ARIA attributes"),
        Rule("aria-valid-attr-value", ("4.1.2",), "ARIA attribute values are valid"),
        Rule("autocomplete-valid", ("1.3.5",), "autocomplete tokens are valid"),
        Rule("blink", ("2.2.2",), "no <blink>"),
        Rule("button-name", ("4.1.2",), "<button> has a name"),
        Rule("definition-list", ("1.3.1",), "<dl> holds only dt/dd groups"),
        Rule("dlitem", ("1.3.1",), "<dt>/<dd> are inside a <dl>", context=True),
        Rule("document-title", ("2.4.2",), "the page has a non-empty <title>", document=True),
        Rule("frame-title", ("4.1.2",), "frames have a name"),
        Rule("html-has-lang", ("3.1.1",), "<html> has a lang", document=True),
        Rule("html-lang-valid", ("3.1.1",), "<html lang> is a valid language tag", document=True),
        Rule("html-xml-lang-mismatch", ("3.1.1",), "lang and xml:lang agree", document=True),
        Rule("image-alt", ("1.1.1",), "<img> has a text alternative"),
        Rule("input-button-name", ("4.1.2",), "input buttons have a name"),
        Rule("input-image-alt", ("1.1.1", "4.1.2"), "<input type=image> has alt text"),
        Rule("label", ("4.1.2",), "form fields have a label"),
        Rule("link-name", ("2.4.4", "4.1.2"), "links have a name"),
        Rule("list", ("1.3.1",), "<ul>/<ol> hold only <li>, <script>, <template>"),
        Rule("listitem", ("1.3.1",), "<li> is inside a list", context=True),
        Rule("marquee", ("2.2.2",), "no <marquee>"),
        Rule("meta-refresh", ("2.2.1",), "no timed refresh"),
        Rule("meta-viewport", ("1.4.4",), "zoom is not disabled"),
        Rule("nested-interactive", ("4.1.2",), "controls hold no focusable content"),
        Rule("role-img-alt", ("1.1.1",), "role=img elements have a name"),
        Rule("select-name", ("4.1.2",), "<select> has a label"),
        Rule("summary-name", ("4.1.2",), "<summary> has a name"),
        Rule("svg-img-alt", ("1.1.1",), "<svg role=img> has a name"),
        Rule("td-headers-attr", ("1.3.1",), "headers= refers to cells of the same table"),
        Rule("valid-lang", ("3.1.2",), "lang attributes are valid language tags"),
    )
}

HIDING_STYLE_RE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\b", re.I)
NOT_RENDERED = frozenset({"head", "script", "style", "template", "noscript"})
SPACE_RE = re.compile(r"\s+")
REFRESH_RE = re.compile(r"^\s*(\d+(?:\.\d*)?)")
LIST_CHILDREN = frozenset({"li", "script", "template"})
DL_CHILDREN = frozenset({"dt", "dd", "script", "template"})
UNLABELLED_INPUT_TYPES = frozenset({"hidden", "button", "submit", "reset", "image"})
BUTTON_INPUT_TYPES = frozenset({"button", "submit", "reset"})
FOCUSABLE_TAGS = frozenset({"button", "select", "textarea", "iframe"})
PAGE_ROLES = {
    "aria-command-name": ("button", "link", "menuitem"),
    "aria-input-field-name": (
        "combobox",
        "listbox",
        "searchbox",
        "slider",
        "spinbutton",
        "textbox",
    ),
    "aria-toggle-field-name": (
        "checkbox",
        "menuitemcheckbox",
        "menuitemradio",
        "option",
        "radio",
        "switch",
    ),
    "aria-meter-name": ("meter",),
    "aria-progressbar-name": ("progressbar",),
    "aria-tooltip-name": ("tooltip",),
}
NATIVE_CONTROLS = frozenset({"a", "area", "button", "input", "select", "textarea", "option"})


def normalize(text: str) -> str:
    """Collapse whitespace as accessible names do."""
    return SPACE_RE.sub(" ", text).strip()


@dataclass
class Page:
    """A parsed page with the lookups the rules share (hidden state, names, labels)."""

    document: Document
    fragment: bool
    _hidden: dict[int, bool] = field(default_factory=dict)
    labels_for: dict[str, list[Element]] = field(default_factory=dict)
    owned_ids: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for element in self.document.root.iter():
            if element.is_html("label") and element.get("for"):
                self.labels_for.setdefault(element.attrs["for"], []).append(element)
            self.owned_ids.update((element.get("aria-owns") or "").split())

    def rendered(self) -> Iterator[Element]:
        """Elements of the rendered content (not head, scripts, templates, hidden ones)."""
        return (e for e in self.document.root.iter() if not self.hidden(e))

    def hidden(self, element: Element) -> bool:
        """Tell whether an element is hidden from assistive technology, by markup."""
        key = id(element)
        if key not in self._hidden:
            parent_hidden = element.parent is not None and self.hidden(element.parent)
            self._hidden[key] = parent_hidden or _hides_itself(element)
        return self._hidden[key]

    def resolve(self, ids: str) -> tuple[list[Element], bool]:
        """The elements an id list refers to, and whether any id could not be checked.

        In a fragment an id may live in another template: unresolved ids are not failures.
        """
        found = [e for e in (self.document.by_id(i) for i in ids.split()) if e is not None]
        return found, self.fragment and len(found) < len(ids.split())


def _hides_itself(element: Element) -> bool:
    if element.is_html(*NOT_RENDERED) or element.has("hidden"):
        return True
    if element.is_html("input") and (element.get("type") or "").strip().lower() == "hidden":
        return True
    if (element.get("aria-hidden") or "").strip().lower() == "true":
        return True
    return bool(HIDING_STYLE_RE.search(element.get("style") or ""))


def role_tokens(element: Element) -> list[str]:
    """The role attribute's tokens, lower-cased."""
    return (element.get("role") or "").lower().split()


def explicit_role(element: Element) -> str | None:
    """The first valid concrete role of the role attribute (ARIA's fallback rule), or None."""
    return next((r for r in role_tokens(element) if r in ROLES), None)


def role_of(element: Element) -> str | None:
    """The element's role: explicit when valid (none/presentation ignored on focusable ones)."""
    explicit = explicit_role(element)
    if explicit is not None and not (explicit in PRESENTATIONAL and focusable(element)):
        return explicit
    if element.namespace != "html":
        return None
    in_table = any(a.is_html("table") for a in element.ancestors())
    return implicit_role(element.tag, element.attrs, in_table=in_table)


def disabled(element: Element) -> bool:
    """Tell whether a form control is disabled."""
    return element.has("disabled") and element.is_html("button", "input", "select", "textarea")


def focusable(element: Element) -> bool:
    """Tell whether an element is in the tab order by its markup."""
    tabindex = (element.get("tabindex") or "").strip()
    if tabindex.lstrip("-").isdigit():
        return int(tabindex) >= 0
    if disabled(element):
        return False
    if element.is_html("a", "area"):
        return element.has("href")
    if element.is_html("input"):
        return (element.get("type") or "").strip().lower() != "hidden"
    if element.is_html("summary"):
        return element.parent is not None and element.parent.is_html("details")
    return element.is_html(*FOCUSABLE_TAGS) or element.get("contenteditable") in ("", "true")


class Names:
    """Accessible names, computed statically (a subset of accname 1.2 without CSS)."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def name(self, element: Element, *, content: bool | None = None) -> str:
        """The element's accessible name (content counts when its role allows it)."""
        if content is None:
            content = role_of(element) in NAME_FROM_CONTENT or element.is_html("summary")
        return normalize(self._name(element, content=content, visited=set(), labelledby=True))

    def labelledby(self, element: Element) -> str | None:
        """The text aria-labelledby gives (None when its ids are in another template)."""
        ids = element.get("aria-labelledby") or ""
        targets, unknown = self.page.resolve(ids)
        if unknown:
            return None
        return normalize(" ".join(self._name(t, content=True, visited=set()) for t in targets))

    def _name(
        self, element: Element, *, content: bool, visited: set[int], labelledby: bool = False
    ) -> str:
        if id(element) in visited:
            return ""
        visited.add(id(element))
        if labelledby and element.get("aria-labelledby"):
            text = self.labelledby(element)
            if text is None or text:
                return text or "(labelled in another template)"
        label = normalize(element.get("aria-label") or "")
        if label:
            return label
        native = self._native(element)
        if native:
            return native
        if content:
            text = self._content(element, visited)
            if normalize(text):
                return text
        return element.get("title") or ""

    def _native(self, element: Element) -> str:
        if element.is_html("img", "area") or _input_type(element) == "image":
            return element.get("alt") or ""
        if element.is_html("input") and _input_type(element) in BUTTON_INPUT_TYPES:
            return element.get("value") or ""
        if element.namespace == "svg" and element.tag == "svg":
            title = next((c for c in element.elements if c.tag == "title"), None)
            return normalize(title.text()) if title is not None else ""
        return ""

    def _content(self, element: Element, visited: set[int]) -> str:
        parts: list[str] = []
        for child in element.children:
            if isinstance(child, str):
                parts.append(child)
            elif not self.page.hidden(child):
                parts.append(" " + self._name(child, content=True, visited=visited) + " ")
        return "".join(parts)


def _input_type(element: Element) -> str | None:
    if not element.is_html("input"):
        return None
    return (element.get("type") or "text").strip().lower()


def at(element: Element, rule: str, message: str, *, whole: bool = False) -> Violation:
    """A violation on an element: its start tag, or (whole) the element and its content."""
    end = element.end_line if whole else element.tag_end_line
    return Violation(rule, element.line, element.column, max(end, element.line), message)


Check = Callable[[Page, Names], Iterable[Violation]]
CHECKS: list[tuple[str, Check]] = []


def check(rule: str) -> Callable[[Check], Check]:
    """Register a check function for a rule."""

    def register(function: Check) -> Check:
        CHECKS.append((rule, function))
        return function

    return register
