"""The static rules' checks, one function per axe-core rule id (see a11y_rules.RULES)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import langcodes

from quality_gates.a11y_aria import (
    ABSTRACT_ROLES,
    ATTRIBUTES,
    CHILDREN_PRESENTATIONAL,
    NAMING_PROHIBITED,
    PRESENTATIONAL,
    REQUIRED_CONTEXT,
    REQUIRED_OWNED,
    REQUIRED_STATES,
    ROLES,
    AttrType,
    words,
)
from quality_gates.a11y_dom import Document, Element
from quality_gates.a11y_rules import (
    BUTTON_INPUT_TYPES,
    CHECKS,
    DL_CHILDREN,
    LIST_CHILDREN,
    NATIVE_CONTROLS,
    PAGE_ROLES,
    REFRESH_RE,
    RULES,
    UNLABELLED_INPUT_TYPES,
    Names,
    Page,
    Violation,
    at,
    check,
    explicit_role,
    focusable,
    normalize,
    role_of,
    role_tokens,
)

NUMBER_RE = re.compile(r"^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$")
INTEGER_RE = re.compile(r"^\s*[+-]?\d+\s*$")
LANGUAGE_TAG_RE = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
REFRESH_LIMIT = 72000  # 20 hours: WCAG 2.2.1's exception for long delays
MIN_MAX_SCALE = 2.0


def run(document: Document, *, fragment: bool) -> list[Violation]:
    """Every violation of every rule on the page (document rules only for full documents)."""
    page = Page(document, fragment)
    names = Names(page)
    found: list[Violation] = []
    for rule, function in CHECKS:
        if fragment and RULES[rule].document:
            continue
        found.extend(function(page, names))
    return sorted(found, key=lambda v: (v.line, v.column, v.rule))


# --- 1.1.1 text alternatives ------------------------------------------------------------------


def _alt_ok(element: Element) -> bool:
    alt = element.get("alt")
    return alt is not None and (alt == "" or alt.strip() != "")


@check("image-alt")
def image_alt(page: Page, names: Names) -> Iterator[Violation]:
    """<img> needs alt (empty for decoration), a label, a title, or role none/presentation."""
    for element in page.rendered():
        if not element.is_html("img") or explicit_role(element) in PRESENTATIONAL:
            continue
        if _alt_ok(element) or _author_name(element, names):
            continue
        yield at(element, "image-alt", 'image has no alt attribute (use alt="" if decorative)')


@check("input-image-alt")
def input_image_alt(page: Page, names: Names) -> Iterator[Violation]:
    """<input type=image> needs non-empty alt, aria-label(ledby) or title."""
    for element in page.rendered():
        is_image_input = element.is_html("input") and _type(element) == "image"
        if is_image_input and not names.name(element, content=False):
            yield at(element, "input-image-alt", "image button has no alt text")


@check("area-alt")
def area_alt(page: Page, names: Names) -> Iterator[Violation]:
    """<area href> in a <map> needs a text alternative."""
    for element in page.rendered():
        if element.is_html("area") and element.has("href"):
            in_map = any(a.is_html("map") for a in element.ancestors())
            if in_map and not names.name(element, content=False):
                yield at(element, "area-alt", "image map area has no alt text")


@check("svg-img-alt")
def svg_img_alt(page: Page, names: Names) -> Iterator[Violation]:
    """<svg> with an image role needs a <title>, aria-label(ledby) or title attribute."""
    roles = ("img", "graphics-document", "graphics-symbol")
    for element in page.rendered():
        is_svg = element.namespace == "svg" and element.tag == "svg"
        if is_svg and explicit_role(element) in roles and not names.name(element, content=False):
            yield at(element, "svg-img-alt", "svg image has no <title> or label", whole=True)


@check("role-img-alt")
def role_img_alt(page: Page, names: Names) -> Iterator[Violation]:
    """Other elements with role=img need aria-label(ledby) or title."""
    for element in page.rendered():
        if explicit_role(element) != "img" or element.tag in ("img", "svg"):
            continue
        if element.is_html("input"):
            continue
        if not _author_name(element, names):
            yield at(element, "role-img-alt", "role=img element has no accessible name")


def _author_name(element: Element, names: Names) -> bool:
    """A name given by aria-labelledby, aria-label or title."""
    if element.get("aria-labelledby") and names.labelledby(element) != "":
        return True
    return bool(normalize(element.get("aria-label") or "") or normalize(element.get("title") or ""))


# --- 2.2.1, 2.2.2, 1.4.4: meta and moving content ---------------------------------------------


@check("meta-refresh")
def meta_refresh(page: Page, names: Names) -> Iterator[Violation]:
    """<meta http-equiv=refresh> must not refresh or redirect after a delay under 20 hours."""
    for element in page.document.root.iter():
        if not element.is_html("meta"):
            continue
        if (element.get("http-equiv") or "").strip().lower() != "refresh":
            continue
        match = REFRESH_RE.match(element.get("content") or "")
        if match and 0 < float(match.group(1)) < REFRESH_LIMIT:
            yield at(element, "meta-refresh", f"page refreshes after {match.group(1)} s")


def viewport_settings(content: str) -> dict[str, str]:
    """Parse a viewport content string (`a=b, c=d`; `;` is accepted as browsers do)."""
    settings: dict[str, str] = {}
    for item in re.split(r"[;,]", content):
        key, sep, value = item.partition("=")
        if sep and key.strip() and value.strip():
            settings[key.strip().lower()] = value.strip().lower()
    return settings


def _as_float(text: str) -> float | None:
    match = re.match(r"^[+-]?(?:\d+\.?\d*|\.\d+)", text)
    return float(match.group(0)) if match else None


@check("meta-viewport")
def meta_viewport(page: Page, names: Names) -> Iterator[Violation]:
    """<meta name=viewport> must not disable zoom (user-scalable=no, maximum-scale < 2)."""
    for element in page.document.root.iter():
        if not element.is_html("meta") or (element.get("name") or "").lower() != "viewport":
            continue
        settings = viewport_settings(element.get("content") or "")
        scalable = settings.get("user-scalable")
        number = _as_float(scalable) if scalable is not None else None
        if scalable == "no" or (number is not None and -1 < number < 1):
            yield at(element, "meta-viewport", f"user-scalable={scalable} disables zoom")
            continue
        raw_max = settings.get("maximum-scale")
        maximum = 1.0 if raw_max == "yes" else _as_float(raw_max or "")
        if maximum is not None and 0 <= maximum < MIN_MAX_SCALE:
            yield at(element, "meta-viewport", f"maximum-scale={raw_max} limits zoom below 200%")


@check("blink")
def blink(page: Page, names: Names) -> Iterator[Violation]:
    """<blink> cannot be paused."""
    for element in page.rendered():
        if element.is_html("blink"):
            yield at(element, "blink", "<blink> cannot be paused or stopped")


@check("marquee")
def marquee(page: Page, names: Names) -> Iterator[Violation]:
    """<marquee> cannot be paused."""
    for element in page.rendered():
        if element.is_html("marquee"):
            yield at(element, "marquee", "<marquee> cannot be paused or stopped")


# --- 3.1.1, 3.1.2, 2.4.2: language and title --------------------------------------------------


def valid_language(tag: str) -> bool:
    """A BCP 47 shaped tag (`en`, `zh-Hant-TW`) whose subtags are registered (langcodes).

    The shape is checked first: langcodes also accepts `en_US`, which is not BCP 47.
    """
    tag = tag.strip()
    return bool(LANGUAGE_TAG_RE.match(tag)) and langcodes.tag_is_valid(tag)


def _html(page: Page) -> Element:
    return page.document.root


@check("html-has-lang")
def html_has_lang(page: Page, names: Names) -> Iterator[Violation]:
    """<html> needs a lang (or xml:lang) attribute."""
    html = _html(page)
    if not (html.get("lang") or "").strip() and not (html.get("xml:lang") or "").strip():
        yield at(html, "html-has-lang", "<html> has no lang attribute")


@check("html-lang-valid")
def html_lang_valid(page: Page, names: Names) -> Iterator[Violation]:
    """<html lang> must be a valid language tag."""
    html = _html(page)
    for attr in ("lang", "xml:lang"):
        value = (html.get(attr) or "").strip()
        if value and not valid_language(value):
            yield at(
                html, "html-lang-valid", f"<html {attr}={value!r}> is not a valid language tag"
            )


@check("html-xml-lang-mismatch")
def html_xml_lang_mismatch(page: Page, names: Names) -> Iterator[Violation]:
    """Lang and xml:lang on <html> must name the same primary language."""
    html = _html(page)
    lang, xml = (html.get("lang") or "").strip(), (html.get("xml:lang") or "").strip()
    if not (lang and xml and valid_language(lang) and valid_language(xml)):
        return
    if lang.lower().split("-")[0] != xml.lower().split("-")[0]:
        message = f"lang={lang!r} and xml:lang={xml!r} disagree"
        yield at(html, "html-xml-lang-mismatch", message)


@check("valid-lang")
def valid_lang(page: Page, names: Names) -> Iterator[Violation]:
    """Lang on other elements must be a valid tag (empty means unknown, which is allowed)."""
    for element in page.rendered():
        if element is _html(page):
            continue
        value = (element.get("lang") or "").strip()
        if value and not valid_language(value):
            yield at(element, "valid-lang", f"lang={value!r} is not a valid language tag")


@check("document-title")
def document_title(page: Page, names: Names) -> Iterator[Violation]:
    """The page needs a <title> with text (reported on <html>, spanning to the title or head)."""
    html = _html(page)
    title = page.document.first("title")
    head = page.document.first("head")
    if title is not None and normalize(title.text()):
        return
    last = title.end_line if title is not None else head.end_line if head is not None else 0
    message = "page has no <title>" if title is None else "<title> is empty"
    found = at(html, "document-title", message)
    yield found._replace(end_line=max(found.end_line, last))


# --- 4.1.2 / 2.4.4 names ----------------------------------------------------------------------


def _native_role_kept(element: Element, role: str) -> bool:
    """The element keeps its native role (no explicit role, or the same one)."""
    explicit = explicit_role(element)
    return explicit is None or explicit == role or explicit in PRESENTATIONAL


@check("link-name")
def link_name(page: Page, names: Names) -> Iterator[Violation]:
    """<a href> needs discernible text."""
    for element in page.rendered():
        is_link = element.is_html("a") and element.has("href")
        if is_link and _native_role_kept(element, "link") and not names.name(element, content=True):
            yield at(element, "link-name", "link has no discernible text", whole=True)


@check("button-name")
def button_name(page: Page, names: Names) -> Iterator[Violation]:
    """<button> needs discernible text."""
    for element in page.rendered():
        is_button = element.is_html("button") and _native_role_kept(element, "button")
        if is_button and not names.name(element, content=True):
            yield at(element, "button-name", "button has no discernible text", whole=True)


@check("input-button-name")
def input_button_name(page: Page, names: Names) -> Iterator[Violation]:
    """<input type=button|submit|reset> needs a value (submit and reset have a default)."""
    for element in page.rendered():
        kind = _type(element) if element.is_html("input") else None
        if kind not in BUTTON_INPUT_TYPES:
            continue
        value = element.get("value")
        if value is None and kind != "button":
            continue  # the browser's default label ("Submit", "Reset")
        if not names.name(element, content=False):
            yield at(element, "input-button-name", f"input type={kind} has no value or label")


@check("frame-title")
def frame_title(page: Page, names: Names) -> Iterator[Violation]:
    """<iframe>/<frame> need a title (or aria-label)."""
    for element in page.rendered():
        is_frame = element.is_html("iframe", "frame")
        if is_frame and explicit_role(element) not in PRESENTATIONAL and not names.name(element):
            yield at(element, "frame-title", f"<{element.tag}> has no title")


@check("summary-name")
def summary_name(page: Page, names: Names) -> Iterator[Violation]:
    """The first <summary> of a <details> needs discernible text."""
    for element in page.rendered():
        if not element.is_html("summary") or element.parent is None:
            continue
        if not element.parent.is_html("details"):
            continue
        first = next(c for c in element.parent.elements if c.is_html("summary"))
        if first is element and not names.name(element, content=True):
            yield at(element, "summary-name", "<summary> has no discernible text", whole=True)


def _labels(page: Page, names: Names, element: Element) -> str:
    texts: list[str] = []
    element_id = element.get("id")
    if element_id:
        for label in page.labels_for.get(element_id, []):
            if not page.hidden(label):
                texts.append(names.name(label, content=True))
    for ancestor in element.ancestors():
        if ancestor.is_html("label"):
            texts.append(names.name(ancestor, content=True))
            break
    return normalize(" ".join(texts))


def _field_named(page: Page, names: Names, element: Element, *, placeholder: bool) -> bool:
    if explicit_role(element) in PRESENTATIONAL:
        return True
    if _author_name(element, names) or _labels(page, names, element):
        return True
    return placeholder and bool(normalize(element.get("placeholder") or ""))


@check("label")
def label(page: Page, names: Names) -> Iterator[Violation]:
    """<input> and <textarea> need a label (label for/wrapping, aria-label(ledby), title)."""
    for element in page.rendered():
        is_input = element.is_html("input") and _type(element) not in UNLABELLED_INPUT_TYPES
        if not (is_input or element.is_html("textarea")):
            continue
        if not _field_named(page, names, element, placeholder=True):
            yield at(element, "label", "form field has no label")


@check("select-name")
def select_name(page: Page, names: Names) -> Iterator[Violation]:
    """<select> needs a label."""
    for element in page.rendered():
        if element.is_html("select") and not _field_named(page, names, element, placeholder=False):
            yield at(element, "select-name", "<select> has no label")


def _role_name_check(rule: str) -> None:
    roles = PAGE_ROLES[rule]

    def function(page: Page, names: Names) -> Iterator[Violation]:
        for element in page.rendered():
            role = explicit_role(element)
            if role not in roles or element.tag in NATIVE_CONTROLS:
                continue
            if not names.name(element):
                yield at(element, rule, f"role={role} element has no accessible name", whole=True)

    function.__doc__ = f"Elements with role {', '.join(roles)} need an accessible name."
    check(rule)(function)


for _rule in PAGE_ROLES:
    _role_name_check(_rule)


# --- ARIA ---------------------------------------------------------------------------------


@check("aria-roles")
def aria_roles(page: Page, names: Names) -> Iterator[Violation]:
    """Role must hold a valid ARIA role, and no abstract one."""
    for element in page.rendered():
        tokens = role_tokens(element)
        if not tokens:
            continue
        abstract = [t for t in tokens if t in ABSTRACT_ROLES]
        if abstract:
            yield at(element, "aria-roles", f"abstract role {abstract[0]!r} is not for authors")
        elif not any(t in ROLES for t in tokens):
            shown = element.get("role") or ""
            yield at(element, "aria-roles", f"role={shown.strip()!r} is not an ARIA role")


@check("aria-valid-attr")
def aria_valid_attr(page: Page, names: Names) -> Iterator[Violation]:
    """aria-* attributes must exist in WAI-ARIA."""
    for element in page.rendered():
        for attr in element.attrs:
            if attr.startswith("aria-") and attr not in ATTRIBUTES:
                yield at(element, "aria-valid-attr", f"{attr} is not an ARIA attribute")


def valid_value(kind: AttrType, value: str) -> bool:
    """Tell whether value is allowed for an attribute of this type."""
    text = value.strip().lower()
    if not text:
        return kind.allow_empty
    if kind.kind in ("boolean", "token"):
        return text in kind.values
    if kind.kind == "tokens":
        return all(t in kind.values for t in text.split())
    if kind.kind == "integer":
        return bool(INTEGER_RE.match(text)) and int(text) >= (kind.minimum or 0)
    if kind.kind == "number":
        return bool(NUMBER_RE.match(text))
    return True  # strings and id references (their targets are checked by the name rules)


@check("aria-valid-attr-value")
def aria_valid_attr_value(page: Page, names: Names) -> Iterator[Violation]:
    """ARIA attribute values must fit the attribute's type."""
    for element in page.rendered():
        for attr, value in element.attrs.items():
            kind = ATTRIBUTES.get(attr)
            if kind is not None and not valid_value(kind, value):
                message = f"{attr}={value!r} is not a valid value"
                if kind.values:
                    message += f" (expected {' | '.join(kind.values)})"
                yield at(element, "aria-valid-attr-value", message)


NATIVE_STATES = {
    ("input", "checkbox"): "aria-checked",
    ("input", "radio"): "aria-checked",
    ("input", "range"): "aria-valuenow",
}


@check("aria-required-attr")
def aria_required_attr(page: Page, names: Names) -> Iterator[Violation]:
    """Explicit roles need their required states (native elements supply their own)."""
    for element in page.rendered():
        role = explicit_role(element)
        if role is None or role not in REQUIRED_STATES:
            continue
        native = NATIVE_STATES.get((element.tag, _type(element) or ""))
        if role == "combobox" and element.is_html("select", "input"):
            continue
        missing = [a for a in REQUIRED_STATES[role] if not element.has(a) and a != native]
        if missing:
            yield at(element, "aria-required-attr", f"role={role} requires {', '.join(missing)}")


def _owning_role(page: Page, element: Element) -> Element | None:
    """The nearest ancestor with a role that is not generic or presentational."""
    for ancestor in element.ancestors():
        role = role_of(ancestor)
        if role is not None and role not in PRESENTATIONAL and role != "generic":
            return ancestor
    return None


@check("aria-required-parent")
def aria_required_parent(page: Page, names: Names) -> Iterator[Violation]:
    """Explicit roles that need a context (listitem, tab, option, ...) must be inside it."""
    for element in page.rendered():
        role = explicit_role(element)
        if role is None or role not in REQUIRED_CONTEXT or element.get("id") in page.owned_ids:
            continue
        owner = _owning_role(page, element)
        if owner is None and page.fragment:
            continue  # the fragment's container is elsewhere
        owner_role = role_of(owner) if owner is not None else None
        if owner_role not in REQUIRED_CONTEXT[role]:
            need = " or ".join(REQUIRED_CONTEXT[role])
            yield at(element, "aria-required-parent", f"role={role} must be inside role {need}")


def owned_roles(element: Element) -> Iterator[tuple[Element, str | None]]:
    """The elements an element owns: children, seen through generic and presentational ones."""
    for child in element.elements:
        role = role_of(child)
        if role is None or role == "generic" or role in PRESENTATIONAL:
            if child.is_html("script", "template", "style"):
                continue
            yield from owned_roles(child)
        else:
            yield child, role


def _owns_elsewhere(element: Element) -> bool:
    """aria-owns, aria-busy, or a native container whose own rules apply (list, table)."""
    busy = (element.get("aria-busy") or "").strip().lower() == "true"
    native = element.is_html("ul", "ol", "table", "select")
    return busy or native or element.has("aria-owns")


@check("aria-required-children")
def aria_required_children(page: Page, names: Names) -> Iterator[Violation]:
    """Explicit roles that require owned elements (list, menu, tablist, ...) must have them."""
    for element in page.rendered():
        role = explicit_role(element)
        if role is None or role not in REQUIRED_OWNED or _owns_elsewhere(element):
            continue
        owned = [(e, r) for e, r in owned_roles(element) if not page.hidden(e)]
        allowed = REQUIRED_OWNED[role]
        wrong = [r for _, r in owned if r not in allowed]
        if wrong or not owned:
            what = f"owns role {wrong[0]}" if wrong else "owns no element"
            need = ", ".join(allowed)
            message = f"role={role} {what}; it must own {need}"
            yield at(element, "aria-required-children", message, whole=True)


@check("aria-hidden-body")
def aria_hidden_body(page: Page, names: Names) -> Iterator[Violation]:
    """<body aria-hidden=true> hides the whole page."""
    body = page.document.first("body")
    if body is not None and (body.get("aria-hidden") or "").strip().lower() == "true":
        yield at(body, "aria-hidden-body", '<body aria-hidden="true"> hides the whole page')


@check("nested-interactive")
def nested_interactive(page: Page, names: Names) -> Iterator[Violation]:
    """Controls whose children are presentational must not contain focusable elements."""
    for element in page.rendered():
        role = role_of(element)
        if role not in CHILDREN_PRESENTATIONAL or role in ("img", "math"):
            continue
        inner = next(
            (d for d in element.iter() if d is not element and not page.hidden(d) and focusable(d)),
            None,
        )
        if inner is not None:
            message = f"role {role} contains focusable <{inner.tag}> at line {inner.line}"
            yield at(element, "nested-interactive", message, whole=True)


# --- 1.3.1 structure ---------------------------------------------------------------------


def _stray_text(element: Element) -> bool:
    return any(isinstance(c, str) and c.strip() for c in element.children)


@check("list")
def list_(page: Page, names: Names) -> Iterator[Violation]:
    """<ul>/<ol> may only hold <li>, <script> and <template> directly."""
    for element in page.rendered():
        if not element.is_html("ul", "ol") or element.has("role"):
            continue
        bad = [
            c
            for c in element.elements
            if not page.hidden(c)
            and (not c.is_html(*LIST_CHILDREN) or (c.is_html("li") and _li_role_changed(c)))
        ]
        if bad or _stray_text(element):
            what = f"<{bad[0].tag}>" if bad else "text"
            message = f"<{element.tag}> directly contains {what}, not only <li>"
            yield at(element, "list", message, whole=True)


def _li_role_changed(element: Element) -> bool:
    role = explicit_role(element)
    return role is not None and role != "listitem"


@check("listitem")
def listitem(page: Page, names: Names) -> Iterator[Violation]:
    """<li> must be inside <ul>, <ol>, <menu> or role=list."""
    for element in page.rendered():
        if not element.is_html("li") or element.has("role"):
            continue
        parent = element.parent
        if parent is None or (page.fragment and parent.is_html("body") and not parent.explicit):
            continue
        if explicit_role(parent) == "list":
            continue
        if parent.is_html("ul", "ol", "menu") and not parent.has("role"):
            continue
        yield at(element, "listitem", "<li> is not inside <ul>, <ol> or role=list")


@check("definition-list")
def definition_list(page: Page, names: Names) -> Iterator[Violation]:
    """<dl> may only hold <dt>/<dd> (optionally grouped in <div>), <script>, <template>."""
    for element in page.rendered():
        if not element.is_html("dl") or element.has("role"):
            continue
        bad = [c for c in element.elements if not page.hidden(c) and not _dl_child_ok(c)]
        if bad or _stray_text(element):
            what = f"<{bad[0].tag}>" if bad else "text"
            message = f"<dl> directly contains {what}, not only <dt>/<dd> groups"
            yield at(element, "definition-list", message, whole=True)


def _dl_child_ok(child: Element) -> bool:
    if child.is_html(*DL_CHILDREN):
        return not child.has("role")
    if child.is_html("div") and not child.has("role"):
        return all(g.is_html(*DL_CHILDREN) for g in child.elements) and not _stray_text(child)
    return False


@check("dlitem")
def dlitem(page: Page, names: Names) -> Iterator[Violation]:
    """<dt>/<dd> must be inside a <dl> (directly, or in a <div> of it)."""
    for element in page.rendered():
        if not element.is_html("dt", "dd") or element.has("role"):
            continue
        parent = element.parent
        if parent is None or (page.fragment and parent.is_html("body") and not parent.explicit):
            continue
        if parent.is_html("div") and not parent.has("role") and parent.parent is not None:
            parent = parent.parent
        if not (parent.is_html("dl") and not parent.has("role")):
            yield at(element, "dlitem", f"<{element.tag}> is not inside a <dl>")


@check("td-headers-attr")
def td_headers_attr(page: Page, names: Names) -> Iterator[Violation]:
    """The headers attribute must name cells of the same table (reported on the table, as axe)."""
    for table in page.rendered():
        if not table.is_html("table"):
            continue
        cells = [e for e in table.iter() if e.is_html("td", "th") and _owner_table(e) is table]
        problems = [p for cell in cells for p in _header_problems(page, cell, set(cells))]
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            yield at(table, "td-headers-attr", problems[0] + more, whole=True)


def _owner_table(cell: Element) -> Element | None:
    return next((a for a in cell.ancestors() if a.is_html("table")), None)


def _header_problems(page: Page, cell: Element, cells: set[Element]) -> Iterator[str]:
    for ref in (cell.get("headers") or "").split():
        target = page.document.by_id(ref)
        if target is cell:
            yield f"cell at line {cell.line}: headers={ref!r} refers to the cell itself"
        elif target is None or target not in cells:
            yield f"cell at line {cell.line}: headers={ref!r} is not a cell of this table"


# --- 1.3.5 autocomplete --------------------------------------------------------------------

CONTACT_TOKENS = frozenset({"home", "work", "mobile", "fax", "pager"})
ADDRESS_TOKENS = frozenset({"shipping", "billing"})
CONTACT_FIELDS = words(
    "tel tel-country-code tel-national tel-area-code tel-local tel-local-prefix tel-local- "
    "suffix tel-extension email impp"
)
FIELDS = CONTACT_FIELDS | words(
    "name honorific-prefix given-name additional-name family-name honorific-suffix nickname "
    "username new-password current-password one-time-code organization-title organization "
    "street-address address-line1 address-line2 address-line3 address-level4 address-level3 "
    "address-level2 address-level1 country country-name postal-code cc-name cc-given-name cc- "
    "additional-name cc-family-name cc-number cc-exp cc-exp-month cc-exp-year cc-csc cc-type "
    "transaction-currency transaction-amount language bday bday-day bday-month bday-year sex "
    "url photo"
)
AUTOCOMPLETE_SKIPPED_TYPES = frozenset({"hidden", "button", "submit", "reset", "image"})


def valid_autocomplete(value: str) -> bool:
    """Tell whether an autocomplete value follows HTML's token grammar."""
    tokens = value.lower().split()
    if tokens in (["on"], ["off"]):
        return True
    if tokens and tokens[-1] == "webauthn":
        tokens = tokens[:-1]
    if tokens and tokens[0].startswith("section-") and len(tokens[0]) > len("section-"):
        tokens = tokens[1:]
    if tokens and tokens[0] in ADDRESS_TOKENS:
        tokens = tokens[1:]
    if len(tokens) == 2 and tokens[0] in CONTACT_TOKENS:
        return tokens[1] in CONTACT_FIELDS
    return len(tokens) == 1 and tokens[0] in FIELDS


@check("autocomplete-valid")
def autocomplete_valid(page: Page, names: Names) -> Iterator[Violation]:
    """Autocomplete on form fields must use HTML's autofill tokens."""
    for element in page.rendered():
        if not element.is_html("input", "select", "textarea"):
            continue
        value = (element.get("autocomplete") or "").strip()
        if not value or element.has("disabled"):
            continue
        if (element.get("aria-disabled") or "").strip().lower() == "true":
            continue
        if element.is_html("input") and _type(element) in AUTOCOMPLETE_SKIPPED_TYPES:
            continue
        if not valid_autocomplete(value):
            message = f"autocomplete={value!r} is not a valid autofill value"
            yield at(element, "autocomplete-valid", message)


def _type(element: Element) -> str:
    return (element.get("type") or "text").strip().lower()


# --- ARIA: naming prohibited --------------------------------------------------------------


def prohibited_naming(element: Element) -> bool:
    """aria-label(ledby) on an element whose role cannot be named."""
    if not (element.has("aria-label") or element.has("aria-labelledby")):
        return False
    role = role_of(element)
    if role is None:
        return element.namespace == "html" and element.tag in ("div", "span")
    return role in NAMING_PROHIBITED and role not in PRESENTATIONAL


__all__ = ["focusable", "prohibited_naming", "run", "valid_autocomplete", "valid_value"]
