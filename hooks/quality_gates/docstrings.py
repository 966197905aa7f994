"""Documentable definitions of a Python module, counted by interrogate's rules.

interrogate (1.7.0) counts the module, every class and every function or method as one node;
a node is covered when `ast.get_docstring` is not blank. Its ignore switches are reproduced here
with their quirks, so the counts agree with it on the same options:
- an ignored class or function drops its whole subtree (nothing below it is visited);
- a nested function is a sync `def` directly inside a sync `def`; a nested class is a class
  directly inside a class or a sync `def` (async parents do not count);
- ignore-nested-classes drops a nested class and its direct children only;
- ignore-property-decorators matches `@property`, `@x.setter`, `@x.deleter` by name;
  ignore-overloaded-functions matches `@overload` and `@typing.overload`;
- ignore-regex and whitelist-regex use `re.match` on the bare name;
- a file with only a module node is dropped under ignore-module.
"""

from __future__ import annotations

import ast
import fnmatch
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from quality_gates.thresholds import INTERROGATE_FLAGS

BOOL_OPTIONS = INTERROGATE_FLAGS
LIST_OPTIONS = ("ignore-regex", "whitelist-regex", "exclude")
STYLES = ("sphinx", "google")
_FUNCTION = (ast.FunctionDef, ast.AsyncFunctionDef)
_DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
# statement lists are the only places a def or class can be (never inside an expression)
_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")
_LEAVES = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Import)


@dataclass(frozen=True)
class Rules:
    """interrogate's switches, by its option names with `-` as `_`; all off by default."""

    ignore_init_method: bool = False
    ignore_init_module: bool = False
    ignore_magic: bool = False
    ignore_module: bool = False
    ignore_nested_functions: bool = False
    ignore_nested_classes: bool = False
    ignore_private: bool = False
    ignore_semiprivate: bool = False
    ignore_property_decorators: bool = False
    ignore_setters: bool = False
    ignore_overloaded_functions: bool = False
    ignore_regex: tuple[re.Pattern[str], ...] = ()
    whitelist_regex: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[str, ...] = ()
    style: str = "sphinx"


class Definition(NamedTuple):
    """One documentable node: where it is, what it is, and whether it has a docstring."""

    kind: str  # module, class, method, function
    name: str  # qualified: Outer.method
    line: int  # the def/class line (1 for a module)
    header: tuple[int, int]  # def/class line through the end of the signature
    docstring: tuple[int, int] | None  # the docstring's lines, when there is one
    documented: bool


@dataclass(eq=False)
class _Node:
    definition: Definition
    ast_type: str
    bare_name: str
    parent: _Node | None
    nested_function: bool = False
    nested_class: bool = False
    children: list[_Node] = field(default_factory=list)


def is_excluded(path: str, exclude: Iterable[str]) -> bool:
    """Apply interrogate's exclude test (`fnmatch(path, EXCLUDE + "*")`) on repo-relative paths."""
    for raw in exclude:
        pattern = raw.strip()
        while pattern.startswith("./"):
            pattern = pattern[2:]
        pattern = pattern.rstrip("/")
        if pattern and fnmatch.fnmatchcase(path, pattern + "*"):
            return True
    return False


def skips_file(path: str, rules: Rules) -> bool:
    """Tell whether the rules leave a whole file out (exclude, ignore-init-module)."""
    if rules.ignore_init_module and path.rsplit("/", 1)[-1] == "__init__.py":
        return True
    return is_excluded(path, rules.exclude)


def parse_module(content: bytes) -> ast.Module | None:
    """Parse Python source; None when it is not valid Python."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(content)
    except (SyntaxError, ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return None


def definitions(tree: ast.Module, module_name: str, rules: Rules) -> list[Definition]:
    """The nodes interrogate would count for this module, in source order."""
    root = _module_node(tree, module_name)
    nodes = [root]
    _visit(tree, root, rules, nodes)
    kept = _filtered(nodes, rules)
    if rules.style == "google":
        kept = _google(kept)
    counted = [n for n in kept if not (rules.ignore_module and n.ast_type == "Module")]
    return sorted((n.definition for n in counted), key=lambda d: (d.line, d.header))


def _module_node(tree: ast.Module, name: str) -> _Node:
    doc = _docstring_span(tree)
    definition = Definition("module", name, 1, (1, 1), doc, _has_doc(tree))
    return _Node(definition, "Module", name, None)


def _statements(node: ast.AST) -> Iterator[ast.AST]:
    """The statements (and handlers, cases) directly under node: where definitions can be."""
    for name in _BLOCK_FIELDS:
        block = getattr(node, name, None)
        if block:
            yield from block


def _visit(node: ast.AST, parent: _Node, rules: Rules, out: list[_Node]) -> None:
    for child in _statements(node):
        if isinstance(child, _DEFINITIONS):
            if _ignored(child, rules):
                continue
            made = _make(child, parent)
            out.append(made)
            _visit(child, made, rules, out)
        elif not isinstance(child, _LEAVES):
            _visit(child, parent, rules, out)


def _make(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef, parent: _Node) -> _Node:
    ast_type = type(node).__name__
    if isinstance(node, ast.ClassDef):
        kind = "class"
    else:
        kind = "method" if parent.ast_type == "ClassDef" else "function"
    outer = parent.definition.name
    qualified = node.name if parent.ast_type == "Module" else f"{outer}.{node.name}"
    end = max(node.lineno, node.body[0].lineno - 1)
    definition = Definition(
        kind, qualified, node.lineno, (node.lineno, end), _docstring_span(node), _has_doc(node)
    )
    made = _Node(definition, ast_type, node.name, parent)
    made.nested_function = parent.ast_type == "FunctionDef" and ast_type == "FunctionDef"
    made.nested_class = parent.ast_type in ("ClassDef", "FunctionDef") and ast_type == "ClassDef"
    parent.children.append(made)
    return made


def _has_doc(node: ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    doc = ast.get_docstring(node)
    return doc is not None and doc.strip() != ""


def _docstring_span(
    node: ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef,
) -> tuple[int, int] | None:
    if not node.body:
        return None
    first = node.body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return (first.lineno, first.end_lineno or first.lineno)
    return None


def _ignored(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef, rules: Rules) -> bool:
    if isinstance(node, _FUNCTION) and _function_ignored(node, rules):
        return True
    name = node.name
    private = name.startswith("__") and not name.endswith("__")
    semiprivate = name.startswith("_") and not name.startswith("__") and not name.endswith("__")
    if (rules.ignore_private and private) or (rules.ignore_semiprivate and semiprivate):
        return True
    return any(regex.match(name) for regex in rules.ignore_regex)


def _function_ignored(node: ast.FunctionDef | ast.AsyncFunctionDef, rules: Rules) -> bool:
    name = node.name
    magic = name.startswith("__") and name.endswith("__") and name != "__init__"
    names = {d.id for d in node.decorator_list if isinstance(d, ast.Name)}
    attrs = {d.attr for d in node.decorator_list if isinstance(d, ast.Attribute)}
    typing_overload = any(
        isinstance(d, ast.Attribute)
        and d.attr == "overload"
        and isinstance(d.value, ast.Name)
        and d.value.id == "typing"
        for d in node.decorator_list
    )
    checks = (
        (rules.ignore_init_method, name == "__init__"),
        (rules.ignore_magic, magic),
        (rules.ignore_property_decorators, "property" in names or bool(attrs & _PROPERTY)),
        (rules.ignore_setters, "setter" in attrs),
        (rules.ignore_overloaded_functions, "overload" in names or typing_overload),
    )
    return any(switch and hit for switch, hit in checks)


_PROPERTY = frozenset({"setter", "deleter"})


def _filtered(nodes: list[_Node], rules: Rules) -> list[_Node]:
    if len(nodes) == 1 and rules.ignore_module:
        return []
    if rules.whitelist_regex:
        nodes = _whitelisted(nodes, rules.whitelist_regex)
    if rules.ignore_nested_functions:
        nodes = [n for n in nodes if not n.nested_function]
    if rules.ignore_nested_classes:
        nested = {id(n) for n in nodes if n.nested_class}
        nodes = [n for n in nodes if id(n) not in nested and id(n.parent) not in nested]
    return nodes


def _whitelisted(nodes: list[_Node], patterns: Sequence[re.Pattern[str]]) -> list[_Node]:
    kept = [
        n for n in nodes if n.ast_type != "Module" for regex in patterns if regex.match(n.bare_name)
    ]
    return [nodes[0], *kept] if kept else []


def _google(nodes: list[_Node]) -> list[_Node]:
    """A class and its `__init__` are covered when either has a docstring (`--style google`)."""
    covered = {id(n): n.definition.documented for n in nodes}
    for node in nodes:
        parent = node.parent
        if node.ast_type != "FunctionDef" or node.bare_name != "__init__" or parent is None:
            continue
        mine = covered[id(node)]
        theirs = covered.get(id(parent), parent.definition.documented)
        if not mine and theirs:
            covered[id(node)] = True
        elif mine and not theirs:
            covered[id(parent)] = True
    return [_with_documented(n, covered[id(n)]) for n in nodes]


def _with_documented(node: _Node, documented: bool) -> _Node:
    if node.definition.documented == documented:
        return node
    return _Node(
        node.definition._replace(documented=documented),
        node.ast_type,
        node.bare_name,
        node.parent,
        node.nested_function,
        node.nested_class,
        node.children,
    )


def module_name(path: str) -> str:
    """The name a module is reported under: its file name without the suffix."""
    name = path.rsplit("/", 1)[-1]
    for suffix in (".pyi", ".py"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def compile_patterns(patterns: Iterable[str], *, key: str) -> tuple[re.Pattern[str], ...]:
    """Compile regexes, naming the key when one is invalid."""
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise ValueError(f"{key}: {pattern!r} is not a valid regex: {exc}") from None
    return tuple(compiled)


def iter_missing(found: Iterable[Definition]) -> Iterator[Definition]:
    """The definitions without a docstring."""
    return (d for d in found if not d.documented)
