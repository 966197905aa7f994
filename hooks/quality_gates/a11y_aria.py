"""WAI-ARIA 1.2 facts the static rules need (with DPUB-ARIA and Graphics-ARIA roles).

Written from the W3C recommendations: the role taxonomy (which roles exist, which are abstract),
each role's required states, required context and owned elements, the states and properties
and their value types, and which HTML elements carry which implicit role.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple


def words(text: str) -> frozenset[str]:
    """A set of names written as one space-separated string."""
    return frozenset(text.split())


class AttrType(NamedTuple):
    """The value type of an ARIA state or property (`values` for the token types)."""

    kind: str  # boolean, token, tokens, integer, number, idref, idrefs, string
    values: tuple[str, ...] = ()
    minimum: int | None = None
    allow_empty: bool = False


def _tokens(text: str, *, empty: bool = False) -> AttrType:
    return AttrType("token", tuple(text.split()), allow_empty=empty)


BOOLEAN = AttrType("boolean", ("true", "false"))
TRISTATE = _tokens("false mixed true undefined")
TRUE_FALSE_UNDEFINED = _tokens("true false undefined")
STRING = AttrType("string", allow_empty=True)
IDREF = AttrType("idref", allow_empty=True)
IDREFS = AttrType("idrefs", allow_empty=True)


def _integer(minimum: int) -> AttrType:
    return AttrType("integer", minimum=minimum)


NUMBER = AttrType("number")

ATTRIBUTES: Mapping[str, AttrType] = {
    "aria-activedescendant": IDREF,
    "aria-atomic": BOOLEAN,
    "aria-autocomplete": _tokens("inline list both none"),
    "aria-braillelabel": STRING,
    "aria-brailleroledescription": STRING,
    "aria-busy": BOOLEAN,
    "aria-checked": TRISTATE,
    "aria-colcount": _integer(-1),
    "aria-colindex": _integer(1),
    "aria-colspan": _integer(1),
    "aria-controls": IDREFS,
    "aria-current": _tokens("page step location date time true false", empty=True),
    "aria-describedby": IDREFS,
    "aria-description": STRING,
    "aria-details": IDREF,
    "aria-disabled": BOOLEAN,
    "aria-dropeffect": AttrType("tokens", ("copy", "execute", "link", "move", "none", "popup")),
    "aria-errormessage": IDREF,
    "aria-expanded": TRUE_FALSE_UNDEFINED,
    "aria-flowto": IDREFS,
    "aria-grabbed": TRUE_FALSE_UNDEFINED,
    "aria-haspopup": _tokens("true false menu listbox tree grid dialog", empty=True),
    "aria-hidden": TRUE_FALSE_UNDEFINED,
    "aria-invalid": _tokens("grammar false spelling true"),
    "aria-keyshortcuts": STRING,
    "aria-label": STRING,
    "aria-labelledby": IDREFS,
    "aria-level": _integer(1),
    "aria-live": _tokens("assertive off polite"),
    "aria-modal": BOOLEAN,
    "aria-multiline": BOOLEAN,
    "aria-multiselectable": BOOLEAN,
    "aria-orientation": _tokens("horizontal undefined vertical"),
    "aria-owns": IDREFS,
    "aria-placeholder": STRING,
    "aria-posinset": _integer(1),
    "aria-pressed": TRISTATE,
    "aria-readonly": BOOLEAN,
    "aria-relevant": AttrType("tokens", ("additions", "all", "removals", "text")),
    "aria-required": BOOLEAN,
    "aria-roledescription": STRING,
    "aria-rowcount": _integer(-1),
    "aria-rowindex": _integer(1),
    "aria-rowspan": _integer(0),
    "aria-selected": TRUE_FALSE_UNDEFINED,
    "aria-setsize": _integer(-1),
    "aria-sort": _tokens("ascending descending none other"),
    "aria-valuemax": NUMBER,
    "aria-valuemin": NUMBER,
    "aria-valuenow": NUMBER,
    "aria-valuetext": STRING,
}

ABSTRACT_ROLES = words(
    "command composite input landmark range roletype section sectionhead select structure "
    "widget window"
)

_ARIA_ROLES = (
    "alert alertdialog application article banner blockquote button caption cell checkbox code "
    "columnheader combobox comment complementary contentinfo definition deletion dialog "
    "directory document emphasis feed figure form generic grid gridcell group heading img "
    "insertion link list listbox listitem log main mark marquee math menu menubar menuitem "
    "menuitemcheckbox menuitemradio meter navigation none note option paragraph presentation "
    "progressbar radio radiogroup region row rowgroup rowheader scrollbar search searchbox "
    "separator slider spinbutton status strong subscript suggestion superscript switch tab "
    "table tablist tabpanel term textbox time timer toolbar tooltip tree treegrid treeitem"
)
_DPUB_ROLES = (
    "abstract acknowledgments afterword appendix backlink biblioentry bibliography biblioref "
    "chapter colophon conclusion cover credit credits dedication endnote endnotes epigraph "
    "epilogue errata example footnote foreword glossary glossref index introduction noteref "
    "notice pagebreak pagefooter pageheader pagelist part preface prologue pullquote qna "
    "subtitle tip toc"
)
ROLES = frozenset(
    [
        *_ARIA_ROLES.split(),
        *(f"doc-{name}" for name in _DPUB_ROLES.split()),
        "graphics-document",
        "graphics-object",
        "graphics-symbol",
    ]
)

REQUIRED_STATES: Mapping[str, tuple[str, ...]] = {
    "checkbox": ("aria-checked",),
    "combobox": ("aria-expanded",),
    "heading": ("aria-level",),
    "menuitemcheckbox": ("aria-checked",),
    "menuitemradio": ("aria-checked",),
    "meter": ("aria-valuenow",),
    "radio": ("aria-checked",),
    "scrollbar": ("aria-controls", "aria-valuenow"),
    "slider": ("aria-valuenow",),
    "switch": ("aria-checked",),
}

_MENU_ITEMS = ("menuitem", "menuitemcheckbox", "menuitemradio")
REQUIRED_CONTEXT: Mapping[str, tuple[str, ...]] = {
    "caption": ("figure", "grid", "table", "treegrid"),
    "cell": ("row",),
    "columnheader": ("row",),
    "gridcell": ("row",),
    "listitem": ("list",),
    **{role: ("group", "menu", "menubar") for role in _MENU_ITEMS},
    "option": ("group", "listbox"),
    "row": ("grid", "rowgroup", "table", "treegrid"),
    "rowgroup": ("grid", "table", "treegrid"),
    "rowheader": ("row",),
    "tab": ("tablist",),
    "treeitem": ("group", "tree"),
}

REQUIRED_OWNED: Mapping[str, tuple[str, ...]] = {
    "feed": ("article",),
    "grid": ("row", "rowgroup"),
    "list": ("listitem",),
    "listbox": ("group", "option"),
    "menu": ("group", "menu", "separator", *_MENU_ITEMS),
    "menubar": ("group", "menu", "separator", *_MENU_ITEMS),
    "row": ("cell", "columnheader", "gridcell", "rowheader"),
    "rowgroup": ("row",),
    "table": ("row", "rowgroup"),
    "tablist": ("tab",),
    "tree": ("group", "treeitem"),
    "treegrid": ("row", "rowgroup"),
}

# roles whose name may come from their content (the rest are named by the author only)
NAME_FROM_CONTENT = words(
    "button cell checkbox columnheader gridcell heading link menuitem menuitemcheckbox "
    "menuitemradio option radio row rowheader sectionhead switch tab tooltip treeitem doc- "
    "backlink doc-biblioref doc-glossref doc-noteref"
)

# roles on which aria-label and aria-labelledby are prohibited (naming prohibited)
NAMING_PROHIBITED = words(
    "caption code deletion emphasis generic insertion mark none paragraph presentation strong "
    "subscript suggestion superscript"
)

PRESENTATIONAL = frozenset({"none", "presentation"})

# roles whose descendants are presentational: focusable content inside is unreachable
CHILDREN_PRESENTATIONAL = words(
    "button checkbox img math menuitemcheckbox menuitemradio meter option progressbar radio "
    "scrollbar separator slider switch tab doc-pagebreak graphics-symbol"
)


def implicit_role(tag: str, attrs: Mapping[str, str], *, in_table: bool = False) -> str | None:
    """The role an HTML element has without a role attribute (HTML-AAM), or None."""
    if tag == "input":
        return _input_role(attrs)
    if tag == "a" or tag == "area":
        return "link" if "href" in attrs else None
    if tag == "img":
        return "presentation" if attrs.get("alt") == "" else "img"
    if tag == "select":
        multiple = "multiple" in attrs or _size(attrs) > 1
        return "listbox" if multiple else "combobox"
    if tag == "th":
        return "columnheader" if in_table else None
    if tag == "td":
        return "cell" if in_table else None
    return _SIMPLE_ROLES.get(tag)


_SIMPLE_ROLES: Mapping[str, str] = {
    "article": "article",
    "aside": "complementary",
    "blockquote": "blockquote",
    "button": "button",
    "caption": "caption",
    "code": "code",
    "datalist": "listbox",
    "dd": "definition",
    "del": "deletion",
    "details": "group",
    "dfn": "term",
    "dialog": "dialog",
    "dt": "term",
    "em": "emphasis",
    "fieldset": "group",
    "figure": "figure",
    "footer": "contentinfo",
    "form": "form",
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
    "header": "banner",
    "hr": "separator",
    "ins": "insertion",
    "li": "listitem",
    "main": "main",
    "mark": "mark",
    "math": "math",
    "menu": "list",
    "meter": "meter",
    "nav": "navigation",
    "ol": "list",
    "optgroup": "group",
    "option": "option",
    "output": "status",
    "p": "paragraph",
    "progress": "progressbar",
    "search": "search",
    "strong": "strong",
    "sub": "subscript",
    "sup": "superscript",
    "table": "table",
    "tbody": "rowgroup",
    "textarea": "textbox",
    "tfoot": "rowgroup",
    "thead": "rowgroup",
    "time": "time",
    "tr": "row",
    "ul": "list",
}

_INPUT_ROLES: Mapping[str, str] = {
    "button": "button",
    "checkbox": "checkbox",
    "image": "button",
    "number": "spinbutton",
    "radio": "radio",
    "range": "slider",
    "reset": "button",
    "search": "searchbox",
    "submit": "button",
}
TEXT_INPUT_TYPES = frozenset({"", "text", "email", "tel", "url"})


def _input_role(attrs: Mapping[str, str]) -> str | None:
    kind = attrs.get("type", "").strip().lower()
    if kind in _INPUT_ROLES:
        return _INPUT_ROLES[kind]
    if kind in TEXT_INPUT_TYPES or kind not in _KNOWN_INPUT_TYPES:
        return "combobox" if "list" in attrs else "textbox"
    return None


_KNOWN_INPUT_TYPES = words(
    "button checkbox color date datetime-local email file hidden image month number password "
    "radio range reset search submit tel text time url week"
)


def _size(attrs: Mapping[str, str]) -> int:
    try:
        return int(attrs.get("size", "0").strip())
    except ValueError:
        return 0
