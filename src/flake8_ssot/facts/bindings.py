"""The binding table: which names a module binds, how, and to what. One row per binding.

The facts walker (`facts._Collector`) records a row for each binding it makes, with the
dotted path resolved against the whole module (`ModuleFacts.bindings`). `statement_bindings`
describes one statement's bindings as they are written, without the rest of the module: what
the language server's incremental checker compares between two versions of a statement.
Neither resolves anything here; this module only says what binds.
"""

from __future__ import annotations

import ast
import re
from typing import Iterator, NamedTuple, Sequence

from flake8_ssot.span import Span, byte_to_char_column, span_from_ast

# The kinds of binding, as written:
#   class, function   `class Name` / `def name` (and `async def`)
#   assignment        `name = value`, `name: T = value` (`value` is the assigned expression)
#   unpacking         an element of an assigned tuple or list: `a, *b = value`
#   annotation        `name: T`, which declares and binds nothing
#   augmented         `name += value`, which keeps what the name resolves to
#   walrus            `(name := value)`
#   for, with         a `for` target (and its elements), a `with ... as` target
#   comprehension     a comprehension's target, in the comprehension's own scope
#   handler           `except E as name`
#   import            `import a.b` binds `a`; `import a.b as c` binds `c`
#   from              `from m import x [as y]`
#   star              `from m import *`: the names are unknown, the row's name is `*`
#   match             a `match` capture (only `statement_bindings` reports these)
#   other             a name bound some other way (`x` in `del (x, y)`): only `statement_bindings`
#   delete            `del name` in a function that declares the name `global` or `nonlocal`: it
#                     unbinds the module's (the enclosing function's) name; a `del` of the scope's
#                     own name has no row
IMPORT_KINDS = frozenset({"import", "from", "star"})


class Binding(NamedTuple):
    name: str
    kind: str
    # What the name resolves to after this binding: an import's path, the path an aliased
    # value names, or None (`x = call()`, a definition, any binding that names nothing we can
    # name). An `except` clause's binding to nothing keeps the name's earlier path, as the
    # facts walker does. Annotation and augmented rows change nothing: None. Rows from
    # `statement_bindings` resolve nothing: always None.
    path: str | None
    # What binds: the `ast.Name`, the `ast.alias`, the def/class, the `ExceptHandler`. Where the
    # name itself is written is `name_span(binding, lines)` (`ModuleFacts.binding_span`): computed
    # when asked, as the facts walk is a hot path and few bindings are ever looked at.
    node: ast.AST
    stmt: ast.AST  # the statement the binding is part of
    # "module", "class", "function" (also a lambda) or "comprehension"; "module" also for a name
    # a function binds after declaring it `global` (`through_global`).
    scope: str
    # The compound statements the binding sits in, outermost first, from the module down:
    # "if" (either branch), "try" (its body and `else`), "except", "finally", "try*" and
    # "except*" (of `try ... except*`), "for", "while", "with", "match", "def", "class", "lambda".
    within: tuple[str, ...] = ()
    # For an import: the module it loads (`a.b` for `import a.b`; for `from`, resolved by the facts
    # walker, as written by `statement_bindings`).
    module: str | None = None
    value: ast.AST | None = None  # for an assignment or walrus: the assigned expression
    # "global" or "nonlocal" when the scope binding the name declared it so: the function binds
    # the module's name (scope "module") or an enclosing function's (scope "function").
    declared: str | None = None

    @property
    def through_global(self) -> bool:
        """Does a function bind the module's name here, having declared it `global`? When the
        function runs, and so what the name means at a use elsewhere, is not known."""
        return self.declared == "global"


class BindingTable(Sequence[Binding]):
    """A module's bindings, in the order the facts walk makes them. The walk is a hot path and
    few rows are ever read: it stores plain tuples, which are read as `Binding`s."""

    __slots__ = ("_rows",)

    def __init__(self, rows: Sequence[tuple] = ()) -> None:
        self._rows = tuple(rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return BindingTable(self._rows[index])
        return _new_row(Binding, self._rows[index])

    def __iter__(self) -> Iterator[Binding]:
        for row in self._rows:
            yield _new_row(Binding, row)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BindingTable) and self._rows == other._rows

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"BindingTable({list(self)!r})"


_new_row = tuple.__new__


def name_span(binding: Binding, lines: Sequence[str]) -> Span:
    """Where the bound name is written (`lines` index the binding's module): the identifier
    itself, not the statement: `a` of `import a.b`, `y` of `x as y`, `Name` of `class Name`."""
    kind, node, name = binding.kind, binding.node, binding.name
    if kind in ("class", "function", "handler"):
        return _identifier_after(node, name, lines)
    span = span_from_ast(node, lines)
    if kind in ("import", "from", "star"):
        if node.asname:  # `x as y`: the name ends the alias
            return Span(span.end_line, max(span.end_column - len(name), 0), span.end_line, span.end_column)
        return Span(span.line, span.column, span.line, span.column + len(name))
    return span


_IDENTIFIER = re.compile(r"\w+")
_AS_NAME = re.compile(r"\bas\s+(\w+)")


def _identifier_after(node: ast.AST, name: str, lines: Sequence[str]) -> Span:
    """Where `name` is written on the node's first line: the first word after the node's start
    that spells it (`async def name`, `class Name(Base)`), for `except E as name` the word after
    `as`; the node's start when the name is not on that line."""
    line = node.lineno
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    column = byte_to_char_column(text, node.col_offset)
    pattern = _AS_NAME if isinstance(node, ast.ExceptHandler) else _IDENTIFIER
    words = pattern.finditer(text, column)
    for found in words:
        if found.group(found.lastindex or 0) == name:
            start = found.start(found.lastindex or 0)
            return Span(line, start, line, start + len(name))
    return Span(line, column, line, column)


# --------------------------------------------------------------------------- one statement

def statement_bindings(stmt: ast.stmt) -> Iterator[Binding]:
    """The bindings of one statement as written, in source order (depth first; the elements of
    an unpacked target breadth first), nested bodies included, and a top-level `def`/`class`
    name last. Nothing is resolved (`path` is None); an import keeps its module and level as
    written (in `stmt`, the innermost statement around the binding), an assignment its
    `value`. `within` starts below `stmt`. A name a function declares `global` is bound in
    scope "module", as the facts walker says (`Binding.through_global`)."""
    done: set[int] = set()  # the Name targets already reported
    starred: set[int] = set()  # the `except*` clauses
    # (node, its statement, within, scope, the names its scope declares `global` or `nonlocal`,
    # filled as the walk meets the declarations: Python refuses a binding before the declaration)
    stack: list[tuple[ast.AST, ast.AST, tuple[str, ...], str, dict[str, str]]] = [(stmt, stmt, (), "module", {})]
    binding_nodes, entering, iter_child_nodes = _BINDING_NODES, _ENTERING, ast.iter_child_nodes
    while stack:
        sub, inner, within, scope, declared = stack.pop()
        kind = type(sub)
        if isinstance(sub, ast.stmt):
            inner = sub
            if (kind is ast.Global or kind is ast.Nonlocal) and scope != "module":
                declared.update(dict.fromkeys(sub.names, "global" if kind is ast.Global else "nonlocal"))
        if (kind in binding_nodes and (sub is not stmt or kind not in _DEFINITIONS)
                and (kind is not ast.Name or type(sub.ctx) is not ast.Load)):
            for binding in _bindings_of(sub, inner, within, scope, done, declared):
                how = declared.get(binding.name)
                yield binding if how is None else binding._replace(
                    scope="module" if how == "global" else binding.scope, declared=how)
        if kind not in entering:  # most nodes: the children are where the node is
            children = [(child, inner, within, scope, declared) for child in iter_child_nodes(sub)]
        else:
            if kind is _TRY_STAR:
                starred.update(id(handler) for handler in sub.handlers)
            children = []
            for field_name, value in ast.iter_fields(sub):
                below, below_scope = _entered(sub, field_name, within, scope, id(sub) in starred)
                entered = below_scope != scope or (
                    field_name == "body" and (kind in _DEFINITIONS or kind is ast.Lambda))
                names = {} if entered else declared
                if isinstance(value, list):
                    children.extend((child, inner, below, below_scope, names) for child in value
                                    if isinstance(child, ast.AST))
                elif isinstance(value, ast.AST):
                    children.append((value, inner, below, below_scope, names))
        stack.extend(reversed(children))
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        kind = "class" if isinstance(stmt, ast.ClassDef) else "function"
        yield Binding(stmt.name, kind, None, stmt, stmt, "module")


_BLOCKS = {ast.If: "if", ast.For: "for", ast.AsyncFor: "for", ast.While: "while", ast.With: "with",
           ast.AsyncWith: "with", ast.Match: "match"}
_TRY_STAR = getattr(ast, "TryStar", None)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_DEFINITIONS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})
# The nodes whose children sit in other blocks or scopes (`_entered`), and those that bind.
_ENTERING = frozenset({*_BLOCKS, ast.Try, _TRY_STAR, ast.ExceptHandler, *_DEFINITIONS, ast.Lambda,
                       *_COMPREHENSIONS} - {None})
_BINDING_NODES = frozenset({
    ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.For, ast.AsyncFor,
    ast.comprehension, ast.withitem, ast.AugAssign, ast.Delete, *_DEFINITIONS, ast.ExceptHandler,
    ast.Name, ast.MatchAs, ast.MatchStar, ast.MatchMapping,
})


def _entered(node: ast.AST, field_name: str, within: tuple[str, ...], scope: str,
             star: bool = False) -> tuple[tuple[str, ...], str]:
    """`within` and the scope for the children of `node` under its field `field_name` (`star`:
    `node` is an `except*` clause)."""
    kind = type(node)
    if kind is ast.ExceptHandler:
        return (within + ("except*" if star else "except",), scope) if field_name == "body" else (within, scope)
    if field_name in ("body", "orelse", "finalbody", "cases"):
        if kind in _BLOCKS:
            return within + (_BLOCKS[kind],), scope
        if kind is ast.Try or kind is _TRY_STAR:
            star = "*" if kind is _TRY_STAR else ""
            return within + ("finally" if field_name == "finalbody" else "try" + star,), scope
        if kind in (ast.FunctionDef, ast.AsyncFunctionDef) and field_name == "body":
            return within + ("def",), "function"
        if kind is ast.ClassDef and field_name == "body":
            return within + ("class",), "class"
        if kind is ast.Lambda:
            return within + ("lambda",), "function"
    if kind in _COMPREHENSIONS:
        return within, "comprehension"
    return within, scope


def _bindings_of(sub: ast.AST, stmt: ast.stmt, within: tuple[str, ...], scope: str,
                 done: set[int], declared: dict[str, str]) -> Iterator[Binding]:
    """The bindings `sub` itself makes (its children are visited on their own)."""
    def row(name: str, kind: str, node: ast.AST, value: ast.AST | None = None, module: str | None = None) -> Binding:
        return Binding(name, kind, None, node, stmt, scope, within, module, value)

    if isinstance(sub, ast.Import):
        for alias in sub.names:
            yield row(alias.asname or alias.name.split(".", 1)[0], "import", alias, module=alias.name)
    elif isinstance(sub, ast.ImportFrom):
        for alias in sub.names:
            if alias.name != "*":
                yield row(alias.asname or alias.name, "from", alias, module=sub.module)
    elif isinstance(sub, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
        targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
        value = sub.value
        if value is None:  # `name: T` declares
            if isinstance(sub.target, ast.Name):
                done.add(id(sub.target))
                yield row(sub.target.id, "annotation", sub.target)
            return
        for target in targets:
            if isinstance(target, ast.Name):
                done.add(id(target))
                yield row(target.id, "walrus" if isinstance(sub, ast.NamedExpr) else "assignment", target, value)
            elif isinstance(target, (ast.Tuple, ast.List, ast.Starred)):
                for element in ast.walk(target):
                    if isinstance(element, ast.Name):
                        done.add(id(element))
                        yield row(element.id, "unpacking", element)
    elif isinstance(sub, (ast.For, ast.AsyncFor, ast.comprehension)):
        kind = "for" if not isinstance(sub, ast.comprehension) else "comprehension"
        for element in ast.walk(sub.target):
            if isinstance(element, ast.Name):
                done.add(id(element))
                yield row(element.id, kind, element)
    elif isinstance(sub, ast.withitem) and sub.optional_vars is not None:
        for element in ast.walk(sub.optional_vars):
            if isinstance(element, ast.Name):
                done.add(id(element))
                yield row(element.id, "with", element)
    elif isinstance(sub, ast.AugAssign) and isinstance(sub.target, ast.Name):
        done.add(id(sub.target))
        yield row(sub.target.id, "augmented", sub.target)
    elif isinstance(sub, ast.Delete):
        for target in sub.targets:
            if isinstance(target, ast.Name):
                done.add(id(target))  # unbinds: a row only for a name of another scope
                if target.id in declared:
                    yield row(target.id, "delete", target)
    elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):  # not the top one
        yield row(sub.name, "class" if isinstance(sub, ast.ClassDef) else "function", sub)
    elif isinstance(sub, ast.ExceptHandler) and sub.name:
        yield row(sub.name, "handler", sub)  # bound before the clause's body runs
    elif isinstance(sub, ast.Name) and not isinstance(sub.ctx, ast.Load) and id(sub) not in done:
        yield row(sub.id, "other", sub)
    elif isinstance(sub, (ast.MatchAs, ast.MatchStar)) and sub.name:
        yield row(sub.name, "match", sub)
    elif isinstance(sub, ast.MatchMapping) and sub.rest:
        yield row(sub.rest, "match", sub)
