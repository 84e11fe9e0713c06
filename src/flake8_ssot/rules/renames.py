"""Renaming a file's uses of an imported name, as a migration commit does.

When a fix imports a symbol from its canonical home under another name
(`create_websocket_manager` -> `get_websocket_manager`), a person migrating the file renames
its uses rather than keeping the old name alive with `as`. `plan_rename` says which uses to
rename, scope by scope, or why the alias has to stay.

Which scope binds what comes from the one binding table (`ModuleFacts.bindings`: a name a
function declares `global` is bound in the module's); the table records neither parameters nor
the `global`/`nonlocal` statements themselves, so those are read from the scope's own node. The
file's tree is walked again here to find the uses (the table holds bindings, not loads): this
runs only for the few imports whose fix renames something. A large
file read by a partial parse is walked from its partial tree when no definition it skipped
spells the names in question (`ModuleFacts.tree_for`), else the engine checks it again from
a whole parse.
"""

from __future__ import annotations

import ast
import builtins
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from flake8_ssot.diagnostic import Edit
from flake8_ssot.facts import ModuleFacts
from flake8_ssot.index import current
from flake8_ssot.span import Span, span_from_ast

_BUILTINS = frozenset(dir(builtins))
# Calls through which a file reads its own names by string: a rename would break them.
_DYNAMIC = frozenset({"globals", "locals", "vars", "eval", "exec"})
DYNAMIC_NAMES = (*sorted(_DYNAMIC), "getattr")  # what `_Walker.call` looks for (a rename reads them: legacy_import)
# A string that could name a Python object: a dotted path, `module:attribute`.
_REFERENCE_LIKE = re.compile(r"[\w.:]+")
# The literal of a plain string: optional u/r prefix, quotes, body. Bytes and f-strings never
# match. (rewrites.py edits string bodies with it too.)
STRING_LITERAL = re.compile(r"^([rRuU]?)('''|\"\"\"|'|\")(.*)\2$", re.DOTALL)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


class RenamePlan(NamedTuple):
    edits: tuple[Edit, ...]  # the uses renamed (empty when the alias stays)
    kept: str | None  # why the alias stays; None: the uses are renamed
    proven: bool  # the project index saw that no other module takes the old name from this file
    why_unproven: str = ""


# --------------------------------------------------------------------------- scopes

@dataclass(eq=False)
class _Scope:
    kind: str  # "module", "class", "function", "comprehension"
    parent: _Scope | None
    bound: set[str] = field(default_factory=set)
    declared_global: set[str] = field(default_factory=set)
    declared_nonlocal: set[str] = field(default_factory=set)

    def within(self, other: _Scope) -> bool:
        scope: _Scope | None = self
        while scope is not None:
            if scope is other:
                return True
            scope = scope.parent
        return False


class _Use:
    """A use of a name: where (its span, worked out when a rename asks: most uses are of names
    no rename touches) and in which scope."""

    __slots__ = ("name", "scope", "kind", "_span", "_node", "_lines")

    def __init__(self, name: str, scope: _Scope, span: Span | None, kind: str, node: ast.AST | None = None,
                 lines=None) -> None:
        self.name = name
        self.scope = scope
        self.kind = kind  # "name" (load, store, del), "declaration" (global/nonlocal), "annotation" (in a string)
        self._span = span
        self._node = node
        self._lines = lines

    @property
    def span(self) -> Span:
        if self._span is None:
            self._span = span_from_ast(self._node, self._lines)
        return self._span


@dataclass
class _File:
    """The scopes of a file, the uses of its names, and what makes renaming unsafe."""

    tree: ast.Module  # the tree walked: the whole file's, or a partial parse's (`ModuleFacts.tree_for`)
    module: _Scope
    at: dict[int, _Scope]  # id of a node of the facts' own tree -> the scope the node sits in
    uses: list[_Use]
    strings: list[tuple[str, _Scope, ast.Constant]]  # strings that are not docstrings or annotations
    annotations: list[tuple[ast.Constant, _Scope]]  # string annotations
    dynamic: str | None  # the first call reading names by string (`globals()`), if any
    scopes: list[_Scope]


def _key(node: ast.AST) -> int:
    """A node of the tree the facts were built from (`facts.parsed()`: the same objects)."""
    return id(node)


class _Walker:
    def __init__(self, lines) -> None:
        self.lines = lines
        self.module = _Scope("module", None)
        self.scopes = [self.module]
        self.at: dict[int, _Scope] = {}
        self.uses: list[_Use] = []
        self.strings: list[tuple[str, _Scope, ast.Constant]] = []
        self.annotations: list[tuple[ast.Constant, _Scope]] = []
        self.dynamic: str | None = None
        self.docstrings: set[int] = set()

    def new_scope(self, kind: str, parent: _Scope) -> _Scope:
        scope = _Scope(kind, parent)
        self.scopes.append(scope)
        return scope

    def body(self, statements, scope: _Scope) -> None:
        if statements and isinstance(statements[0], ast.Expr) and isinstance(statements[0].value, ast.Constant) \
                and isinstance(statements[0].value.value, str):
            self.docstrings.add(id(statements[0].value))
        for statement in statements:
            self.visit(statement, scope)

    def arguments(self, args: ast.arguments, outer: _Scope, inner: _Scope) -> None:
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self.visit(default, outer)
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is None:
                continue
            inner.bound.add(arg.arg)  # parameters: the binding table does not hold them
            if arg.annotation is not None:
                self.annotation(arg.annotation, outer)

    def annotation(self, node: ast.AST, scope: _Scope) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                self.annotations.append((sub, scope))
            elif isinstance(sub, ast.Name):
                self.name(sub, scope)

    def name(self, node: ast.Name, scope: _Scope) -> None:
        self.uses.append(_Use(node.id, scope, None, "name", node, self.lines))

    def visit(self, node: ast.AST, scope: _Scope) -> None:
        self.at[id(node)] = scope
        kind = type(node)
        if kind in (ast.FunctionDef, ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                self.visit(decorator, scope)
            inner = self.new_scope("function", scope)
            self.arguments(node.args, scope, inner)
            if node.returns is not None:
                self.annotation(node.returns, scope)
            self.body(node.body, inner)
        elif kind is ast.Lambda:
            inner = self.new_scope("function", scope)
            self.arguments(node.args, scope, inner)
            self.visit(node.body, inner)
        elif kind is ast.ClassDef:
            for part in [*node.decorator_list, *node.bases, *node.keywords]:
                self.visit(part, scope)
            self.body(node.body, self.new_scope("class", scope))
        elif kind in _COMPREHENSIONS:
            self.visit(node.generators[0].iter, scope)
            inner = self.new_scope("comprehension", scope)
            for index, generator in enumerate(node.generators):
                self.visit(generator.target, inner)
                if index:
                    self.visit(generator.iter, inner)
                for condition in generator.ifs:
                    self.visit(condition, inner)
            for part in ((node.key, node.value) if kind is ast.DictComp else (node.elt,)):
                self.visit(part, inner)
        elif kind in (ast.Global, ast.Nonlocal):
            (scope.declared_global if kind is ast.Global else scope.declared_nonlocal).update(node.names)
            for name, span in _declared_names(node, self.lines):
                self.uses.append(_Use(name, scope, span, "declaration"))
        elif kind is ast.AnnAssign:
            self.visit(node.target, scope)
            self.annotation(node.annotation, scope)
            if node.value is not None:
                self.visit(node.value, scope)
        elif kind is ast.Name:
            self.name(node, scope)
            if type(node.ctx) is not ast.Load:
                scope.bound.add(node.id)  # also what the table records; covers `match` captures
        elif kind is ast.Constant:
            if isinstance(node.value, str) and id(node) not in self.docstrings:
                self.strings.append((node.value, scope, node))
        else:
            if kind is ast.Call:
                self.call(node)
            elif kind in (ast.MatchAs, ast.MatchStar) and node.name:
                scope.bound.add(node.name)
            for child in ast.iter_child_nodes(node):
                self.visit(child, scope)
            if kind is ast.Module:
                return

    def call(self, node: ast.Call) -> None:
        function = node.func
        if self.dynamic is not None or not isinstance(function, ast.Name):
            return
        if function.id in _DYNAMIC:
            self.dynamic = f"{function.id}()"
        elif function.id == "getattr" and node.args and any(
                isinstance(sub, ast.Name) and sub.id == "__name__"
                or isinstance(sub, ast.Attribute) and sub.attr == "modules"
                for sub in ast.walk(node.args[0])):
            self.dynamic = "getattr() on this module"


def _declared_names(node: ast.Global | ast.Nonlocal, lines) -> Iterator[tuple[str, Span]]:
    """Where each name of a `global`/`nonlocal` statement is written (comments skipped)."""
    span = span_from_ast(node, lines)
    text = "\n".join(lines[span.line - 1:span.end_line])
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.NAME and token.string not in ("global", "nonlocal"):
            (row, column), (end_row, end_column) = token.start, token.end
            yield token.string, Span(span.line + row - 1, column, span.line + end_row - 1, end_column)


_PARSED: list[tuple[str, _File, ast.Module | None]] = []


def _file(facts: ModuleFacts, words: tuple[str, ...] | None, dynamic: bool = False) -> _File | None:
    """The file's scopes and uses, kept for the next rename in the same file. `words`: the names
    the question is about (their uses, bindings and strings), None for every name; `dynamic`:
    the question needs the calls that read names by string too. A partial parse's tree serves
    when it holds all of them (`ModuleFacts.tree_for`); else the whole file's."""
    try:
        if words is None:
            tree = facts.parsed()
        else:
            tree = facts.tree_for(words, DYNAMIC_NAMES if dynamic else ())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if _PARSED and _PARSED[0][0] is facts.source and _PARSED[0][2] is tree:
        return _PARSED[0][1]
    walker = _Walker(facts.lines)
    walker.body(tree.body, walker.module)
    found = _File(tree, walker.module, walker.at, walker.uses, walker.strings, walker.annotations, walker.dynamic,
                  walker.scopes)
    for binding in facts.bindings:  # the table's bindings, each in the scope it sits in
        scope = found.at.get(_key(binding.node))
        if scope is not None and binding.name != "*":
            # (`global name` in a function: the module's name, which the module body may never bind)
            (_module_of(scope) if binding.through_global else scope).bound.add(binding.name)
    _PARSED[:] = [(facts.source, found, tree)]
    return found


def _binder(name: str, scope: _Scope) -> _Scope | None:
    """The scope whose binding of `name` a use in `scope` reads; None: a builtin (or nothing)."""
    current: _Scope | None = scope
    first = True
    while current is not None:
        if current.kind == "class" and not first:
            current = current.parent
            continue
        if name in current.declared_global:
            return _module_of(current) if name in _module_of(current).bound else None
        if name in current.bound and name not in current.declared_nonlocal:
            return current
        current, first = current.parent, False
    return None


def _module_of(scope: _Scope) -> _Scope:
    while scope.parent is not None:
        scope = scope.parent
    return scope


# --------------------------------------------------------------------------- the plan

def plan_rename(facts: ModuleFacts, bound_by: ast.alias, old: str, new: str, new_path: str) -> RenamePlan:
    """Rename the uses of `old`, bound by the import alias `bound_by`, to `new` (which the
    rewritten import binds to `new_path`): the edits, or why the alias must stay."""
    found = _file(facts, (old, new), dynamic=True)
    if found is None:
        return _kept("the file does not parse")
    home = _home(found, bound_by, old)
    if home is None:
        return _kept(f"cannot tell where '{old}' is bound")
    if home.kind == "module" and old in {export.name for export in facts.exports}:
        return _kept(f"'{old}' is in __all__")
    if found.dynamic:
        return _kept(f"the file reads its names by string ({found.dynamic})")
    rebound = _rebound(facts, found, bound_by, old, home)
    if rebound:
        return _kept(rebound)
    for value, scope, _ in found.strings:
        if _REFERENCE_LIKE.fullmatch(value) and old in re.split(r"[.:]", value) and _binder(old, scope) is home:
            return _kept(f"'{old}' appears in the string {value!r}")
    targets = [use for use in found.uses if use.name == old and _binder(old, use.scope) is home]
    conflict = _conflict(facts, found, targets, new, new_path, home)
    if conflict:
        return _kept(conflict)
    for use in targets:  # positions inside f-strings were unreliable before Python 3.12: check each
        span = use.span
        if span.line != span.end_line or facts.lines[span.line - 1][span.column:span.end_column] != old:
            return _kept(f"cannot locate a use of '{old}' in the source")
    edits = [Edit(use.span, new) for use in targets]
    for constant, scope in found.annotations:
        if _binder(old, scope) is not home or not re.search(rf"\b{re.escape(old)}\b", constant.value):
            continue
        edit = _annotation_edit(facts, constant, old, new)
        if edit is None:
            return _kept(f"'{old}' is in a string annotation that cannot be edited in place")
        if _binder(new, scope) not in (None, home):
            return _kept(f"'{new}' names something else where '{old}' is used")
        edits.append(edit)
    importer, unproven = _importers(facts, old) if home.kind == "module" else ("", "")
    if importer:
        return _kept(importer)
    return RenamePlan(tuple(edits), None, not unproven, unproven)


def _home(found: _File, bound_by: ast.alias, name: str) -> _Scope | None:
    """The scope whose name `name` the import `bound_by` binds: where it sits, or the module
    when a function imports it there after `global name` (a loader)."""
    scope = found.at.get(_key(bound_by))
    return _module_of(scope) if scope is not None and name in scope.declared_global else scope


def _kept(reason: str) -> RenamePlan:
    return RenamePlan((), reason, False)


def _rebound(facts: ModuleFacts, found: _File, bound_by: ast.alias, old: str, home: _Scope) -> str:
    """Another binding of `old` that its uses could read (a fallback import, an assignment)."""
    for binding in facts.bindings:
        if binding.name != old or binding.node is bound_by or _key(binding.node) == _key(bound_by):
            continue
        scope = found.at.get(_key(binding.node))
        if scope is None:
            continue
        if old in scope.declared_global:
            scope = _module_of(scope)
        if scope is home:
            return f"'{old}' is bound again in this file"
    return ""


def _conflict(facts: ModuleFacts, found: _File, targets: list[_Use], new: str, new_path: str, home: _Scope) -> str:
    """Why `new` cannot take the place of `old` at the renamed uses: it already names another
    object there, or a use of `new` that now reads a builtin would read the import instead."""
    same = _bindings_to(facts, found, new, home, new_path)
    for use in targets:
        binder = _binder(new, use.scope)
        if binder is None or (binder is home and same):
            continue
        return f"'{new}' names something else where '{use.name}' is used"
    if not same:
        for use in found.uses:
            if use.name == new and _binder(new, use.scope) is None and use.scope.within(home):
                where = "a builtin" if new in _BUILTINS else "nothing in this file"
                return f"a use of '{new}' reads {where}, which the import would replace"
    return ""


def _bindings_to(facts: ModuleFacts, found: _File, new: str, home: _Scope, new_path: str) -> bool:
    """Is `new` bound in `home` already, only ever to `new_path` (so the rename merely joins it)?"""
    rows = [b for b in facts.bindings if b.name == new and found.at.get(_key(b.node)) is home]
    return bool(rows) and all(row.path == new_path for row in rows)


def _annotation_edit(facts: ModuleFacts, constant: ast.Constant, old: str, new: str) -> Edit | None:
    """`"old"` or `"list[old]"` in an annotation, rewritten in place (a plain one-line literal)."""
    span = span_from_ast(constant, facts.lines)
    if span.line != span.end_line:
        return None
    literal = STRING_LITERAL.match(facts.lines[span.line - 1][span.column:span.end_column])
    if literal is None or literal.group(3) != constant.value or "\\" in constant.value:
        return None
    try:
        expression = ast.parse(constant.value.strip(), mode="eval")
    except SyntaxError:
        return None
    indent = len(constant.value) - len(constant.value.lstrip())
    body = constant.value
    names = sorted((n for n in ast.walk(expression) if isinstance(n, ast.Name) and n.id == old),
                   key=lambda n: n.col_offset, reverse=True)
    if not body.isascii():
        return None  # the parser's columns are bytes
    for name in names:
        if name.lineno != 1:
            return None
        start = indent + name.col_offset
        body = body[:start] + new + body[start + len(old):]
    start = span.column + len(literal.group(1)) + len(literal.group(2))
    return Edit(Span(span.line, start, span.line, start + len(constant.value)), body)


# --------------------------------------------------------------------------- other modules

def _importers(facts: ModuleFacts, name: str) -> tuple[str, str]:
    """(which other module of the tree takes `name` from this file; why the project index
    cannot tell): ("", "") when the index shows that none does."""
    index = current()
    if index is None:
        return "", "without the project index, modules importing the old name from this file cannot be seen"
    if not facts.module:
        return "", "the file is not a module of the tree"
    other = index.importer_of(facts.module, name, skip=facts.path)
    if other is None:
        return "", ""
    return f"'{other}' imports '{name}' from this module", ""


# --------------------------------------------------------------------------- module imports

def attributes_read(facts: ModuleFacts, bound_by: ast.alias, local: str) -> set[str] | None:
    """The attributes the file reads through the module bound as `local` by `bound_by`
    (`x.attr`); None when the name is also used otherwise (passed on, called, rebound)."""
    found = _file(facts, (local,))
    if found is None:
        return None
    home = _home(found, bound_by, local)
    if home is None or _rebound(facts, found, bound_by, local, home):
        return None
    spans = {use.span for use in found.uses if use.name == local and _binder(local, use.scope) is home}
    read: set[str] = set()
    seen: set[Span] = set()
    for node in ast.walk(found.tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == local:
            span = span_from_ast(node.value, facts.lines)
            if span in spans:
                if not isinstance(node.ctx, ast.Load):
                    return None
                read.add(node.attr)
                seen.add(span)
    return read if seen == spans else None


def free_names(facts: ModuleFacts) -> set[str] | None:
    """Names the file reads that nothing in it binds (what a star import, or the builtins, give)."""
    found = _file(facts, None)
    if found is None:
        return None
    return {use.name for use in found.uses if use.kind == "name" and _binder(use.name, use.scope) is None}
