"""Module facts: one walk over a module that records what rules need, with names resolved.

Name resolution lives here and nowhere else: a pyflakes-like binding table (imports,
aliases, relative imports resolved against the module's own name, local aliases such as
`Ctx = UserExecutionContext`, parameters and assignments that shadow). Rules ask the facts
"which dotted path does this name?"; they never look at import statements themselves.
Function bodies are resolved after the module body, as Python runs them, so an import at
the bottom of a module is seen from the functions above it. A name a function declares
`global` is the module's: its bindings there are module rows (`Binding.declared`), and a
loader's `global name` import is seen from every function.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Sequence

from flake8_ssot.dotted import resolve_relative
from flake8_ssot.facts.bindings import IMPORT_KINDS, Binding, BindingTable, name_span
from flake8_ssot.span import Span, span_from_ast, split_lines

DYNAMIC_IMPORTERS = frozenset({"importlib.import_module", "__import__", "builtins.__import__"})
_DYNAMIC_IMPORTER_NAMES = frozenset(path.rpartition(".")[2] for path in DYNAMIC_IMPORTERS)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_GENERIC_PARTS = (ast.excepthandler, ast.match_case, ast.withitem, ast.comprehension, ast.keyword,
                  ast.arguments, ast.arg)
_STATEMENT_METHODS: dict[type, object] = {}  # statement class -> _Collector method (or None)
# Node classes as module globals: `_expr` runs for every expression node of a checked file.
_Name, _Call, _Attribute, _Constant = ast.Name, ast.Call, ast.Attribute, ast.Constant
_JoinedStr, _FormattedValue, _Lambda, _NamedExpr = ast.JoinedStr, ast.FormattedValue, ast.Lambda, ast.NamedExpr
_EXPR, _KEYWORD = ast.expr, ast.keyword
# `globals()[name] = value`, `globals().update(...)`, `globals().setdefault(...)`: a write of the
# module's names no binding row shows (`ModuleFacts.rebinding`).
_WRITES_GLOBALS = re.compile(r"\bglobals\(\)\s*(?:\[[^\]\n]*\]\s*=(?!=)|\.(?:update|setdefault|__setitem__|pop)\b)")
# A `global` statement, as the text shows one (the word alone is common in comments).
_GLOBAL_STATEMENT = re.compile(r"(?:^|[;:])[ \t]*global[ \t]", re.MULTILINE)


@dataclass(frozen=True)
class ImportedName:
    path: str  # what the name refers to: a module (`import a.b`) or `module.name`
    bound: str | None  # the local name it binds (None for `import a.b`'s implicit parts)
    span: Span  # the name as written (`a.b.c as x`, `name as alias`)
    asname: str | None = None


@dataclass(frozen=True)
class ImportFact:
    kind: str  # "import", "from" or "dynamic" (importlib.import_module / __import__)
    module: str | None  # the resolved module of a `from` import (None if it cannot resolve)
    level: int
    names: tuple[ImportedName, ...]
    star: bool
    span: Span  # the whole statement (for "dynamic": the string argument)
    type_checking: bool
    node: ast.AST


@dataclass(frozen=True)
class CallFact:
    path: str  # the resolved dotted path of the callee
    span: Span
    node: ast.Call
    stmt: ast.AST
    shown: bool = False  # in a self-documenting f-string placeholder (`{call(...)=}`): also text the string shows


@dataclass(frozen=True)
class AttributeFact:
    path: str  # the full resolved chain, e.g. `pkg.ws.factory.create`
    base: str  # the path of the name the chain starts from (its import binding)
    span: Span
    node: ast.AST
    stmt: ast.AST
    shown: bool = False  # as for CallFact


@dataclass(frozen=True)
class StringFact:
    value: str
    span: Span
    node: ast.AST
    stmt: ast.AST


@dataclass(frozen=True)
class ExportFact:
    name: str
    span: Span
    node: ast.AST  # the string element
    container: ast.AST  # the list/tuple/call holding it
    stmt: ast.AST


@dataclass(frozen=True)
class DefinitionFact:
    name: str
    kind: str  # "class", "function" or "assignment"
    span: Span
    stmt: ast.AST
    value_path: str | None = None  # for `Name = other.Name`: what the assigned value names


@dataclass(frozen=True)
class ModuleFacts:
    """Built once by `collect_facts`, complete, and never patched afterwards."""

    path: str
    module: str  # dotted module name ("" if unknown)
    is_package: bool
    source: str
    lines: Sequence[str]
    imports: list[ImportFact] = field(default_factory=list)
    calls: list[CallFact] = field(default_factory=list)
    attributes: list[AttributeFact] = field(default_factory=list)
    strings: list[StringFact] = field(default_factory=list)
    exports: list[ExportFact] = field(default_factory=list)
    definitions: list[DefinitionFact] = field(default_factory=list)
    bindings: BindingTable = field(default_factory=BindingTable)  # every binding the walk makes
    syntax_error: str | None = None  # Python's complaint, when the facts come from the error-tolerant parse
    trees: list | None = None  # the pattern rules' trees, when the caller has them (recovery.Tree)
    # The whole file's syntax tree, when Python parsed it (None from the error-tolerant parse):
    # a rule that needs more than the facts walks it (`parsed`) instead of parsing the file again.
    tree: ast.Module | None = field(default=None, repr=False, compare=False)

    def parsed(self) -> ast.Module:
        """The file's syntax tree: the one the facts came from, else parsed now (SyntaxError,
        ValueError, RecursionError as `ast.parse` raises them)."""
        if self.tree is not None:
            return self.tree
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(self.source)

    def tree_for(self, words: Iterable[str] = (), names: Iterable[str] = ()) -> ast.Module:
        """A syntax tree holding everything the file says about `words` (spelled anywhere: in a
        name, a string) and `names` (whole names only: a call of `exec`, not `execute`): the
        whole tree here (`parsed`); a partial parse's when no definition it skipped spells
        them (facts/partial.py). Raises as `parsed` does."""
        return self.parsed()

    def rebinding(self, name: str, path: str | None) -> str:
        """Why the module-level `name`, which code here reads as `path`, may mean something else
        when that code runs; "" when nothing says so. A function declares it `global` (an inner
        function `nonlocal`) and binds it to something else or deletes it (a loader binding the
        same path changes nothing); or the file writes its names by string (`globals()[name] =
        ...`, `globals().update(...)`), which no row shows. The fixes that rewrite code reached
        through `name` ask (rules/construction.py, rules/rewrites.py)."""
        for binding in self.bindings:
            if binding.name == name and binding.declared and binding.path != path:
                line = binding.stmt.lineno
                functions = [b.node for b in self.bindings if b.kind == "function"
                             and b.node.lineno <= line <= (b.node.end_lineno or b.node.lineno)]
                where = f"the function '{max(functions, key=lambda f: f.lineno).name}'" if functions else "a function"
                done = "deletes it" if binding.kind == "delete" else "binds it to something else"
                return f"{where} declares '{name}' {binding.declared} and {done} (line {line})"
        if "globals()" in self.source and _WRITES_GLOBALS.search(self.source):
            return f"the file writes its names by string (globals()), which may rebind '{name}'"
        return ""

    def binding_span(self, binding: Binding) -> Span:
        """Where the name `binding` binds is written (see `bindings.name_span`)."""
        return name_span(binding, self.lines)

    @property
    def top_package(self) -> str:
        return self.module.split(".", 1)[0]

    def statement_text(self, stmt: ast.AST | Span | None) -> str:
        """The statement's text with all whitespace runs collapsed: a line-independent key."""
        if stmt is None:
            return ""
        span = stmt if isinstance(stmt, Span) else span_from_ast(stmt, self.lines)
        if span.line == span.end_line:
            text = self.lines[span.line - 1][span.column:span.end_column] if span.line <= len(self.lines) else ""
        else:
            parts = [self.lines[span.line - 1][span.column:]]
            parts.extend(self.lines[span.line:span.end_line - 1])
            parts.append(self.lines[span.end_line - 1][:span.end_column])
            text = "\n".join(parts)
        return " ".join(text.split())


class _Scope(dict):
    """Local name -> dotted path, or None for a name bound to something we cannot name."""

    __slots__ = ("declared", "is_class", "kind")

    def __init__(self, kind: str = "function") -> None:
        super().__init__()
        self.kind = kind  # "module", "class", "function" or "comprehension" (`Binding.scope`)
        self.is_class = kind == "class"
        # name -> "global" or "nonlocal", for the names the scope's `global`/`nonlocal` statements name
        self.declared: dict[str, str] | None = None


@dataclass(frozen=True)
class Interest:
    """Which calls and attribute chains the rules can use; the rest are not recorded.

    A call matters only to SSOT002, which looks its path up among the factory classes by
    exact key or by the class's own name: the path's last component must be one of theirs.
    An attribute chain matters only to SSOT004, which looks its dotted prefixes up among the
    legacy keys: some component must be a legacy key's last component, or contain the literal
    run of a wildcard key's last component. `None` keeps everything (a wildcard without
    letters). Skipping the others saves their span and fact objects: in real code most calls
    and chains (`os.path.join`, `self.log.info`) resolve to something no rule asks about.
    """

    call_names: frozenset[str] | None = None
    attribute_names: frozenset[str] | None = None
    attribute_fragments: tuple[str, ...] = ()

    def wants_attribute(self, path: str) -> bool:
        names = self.attribute_names
        if names is None:
            return True
        for component in path.split("."):
            if component in names:
                return True
        for fragment in self.attribute_fragments:
            if fragment in path:
                return True
        return False


EVERYTHING = Interest()


def bound_to_words(facts: ModuleFacts, words: Sequence[str]) -> set[str]:
    """Module-level names bound to a path that spells a word (`UEC` of
    `from pkg import UserExecutionContext as UEC`, `X = UEC`): a use of one can be a finding
    though it spells no word. The partial parse (partial.py) and region-only recovery
    (recovery.py) read in full every definition that spells one."""
    return {binding.name for binding in facts.bindings
            if binding.scope == "module" and binding.path and any(word in binding.path for word in words)}


def collect_facts(tree: ast.Module, path: str, module: str, is_package: bool, source: str,
                  lines: Sequence[str] | None = None, interest: Interest = EVERYTHING, *,
                  syntax_error: str | None = None, trees: list | None = None,
                  broken_body: Callable[[Span], bool] | None = None) -> ModuleFacts:
    """The facts of `tree` (`source` split into `lines`). For a file Python cannot parse,
    `syntax_error` says why, and `broken_body` tells which definitions the error-tolerant
    reading found inside a broken body: those are not definitions the module makes."""
    lines = lines if lines is not None else split_lines(source)
    collector = _Collector(module, is_package, lines, interest, broken_body)
    collector.run(tree, "global" in source and _GLOBAL_STATEMENT.search(source) is not None)
    return ModuleFacts(path=path, module=module, is_package=is_package, source=source, lines=lines,
                       imports=collector.imports, calls=collector.calls, attributes=collector.attributes,
                       strings=collector.strings, exports=collector.exports,
                       definitions=collector.definitions, bindings=BindingTable(collector.bindings),
                       syntax_error=syntax_error, trees=trees, tree=tree if syntax_error is None else None)


class _Collector:
    def __init__(self, module: str, is_package: bool, lines: Sequence[str], interest: Interest = EVERYTHING,
                 broken_body: Callable[[Span], bool] | None = None) -> None:
        self.module, self.is_package = module, is_package
        self.imports: list[ImportFact] = []
        self.calls: list[CallFact] = []
        self.attributes: list[AttributeFact] = []
        self.strings: list[StringFact] = []
        self.exports: list[ExportFact] = []
        self.definitions: list[DefinitionFact] = []
        self.bindings: list[tuple] = []  # `Binding` fields, as plain tuples (see `BindingTable`)
        self.broken_body = broken_body
        self.call_names = interest.call_names
        self.wants_attribute = interest.wants_attribute
        self.lines = lines
        self.scopes: list[_Scope] = [_Scope("module")]
        self.type_checking = 0
        self.in_handler = 0
        self.shown = 0  # inside how many self-documenting placeholders (`{expr=}`)
        self.within: tuple[str, ...] = ()  # the compound statements around, as `Binding.within` says
        self.stmt: ast.AST | None = None
        # (function or lambda, its scopes, type_checking, within, shown): a body walked after the
        # code around it, with that code's state (a lambda in `{(lambda: f())()=}` is shown code).
        self.deferred: list[tuple[ast.AST, list[_Scope], int, tuple[str, ...], int]] = []

    # ----------------------------------------------------------------- driving

    def run(self, tree: ast.Module, says_global: bool = True) -> None:
        """Walk the module (`says_global`: its text may hold a `global` statement)."""
        self.module_level = True
        self._body(tree.body, docstring=True)
        self.module_level = False
        if says_global:
            self._imported_globally()
        while self.deferred:
            node, scopes, type_checking, within, shown = self.deferred.pop(0)
            self.scopes, self.type_checking, self.within, self.shown = scopes, type_checking, within, shown
            self._function_body(node)
        self.shown = 0

    def _body(self, body: Sequence[ast.stmt], docstring: bool = False) -> None:
        for index, stmt in enumerate(body):
            if docstring and index == 0 and _is_string_expr(stmt):
                continue
            self._stmt(stmt)

    def span(self, node: ast.AST) -> Span:
        return span_from_ast(node, self.lines)

    # ----------------------------------------------------------------- names

    def bind(self, name: str, path: str | None, kind: str, node: ast.AST, value: ast.AST | None = None,
             module: str | None = None) -> None:
        scope = self.scopes[-1]
        if path is None and self.in_handler and scope.get(name):
            path = scope[name]  # `except ImportError: Name = None` keeps the import's meaning
        else:
            scope[name] = path  # (the function's own view, also of a name it declares `global`)
        if self.broken_body is not None and self._in_broken_body(kind):
            return
        declared = scope.declared and scope.declared.get(name)
        if declared == "global":  # the function binds the module's name
            self._rebound_globally(name, path)
        self.bindings.append((name, kind, path, node, self.stmt, "module" if declared == "global" else scope.kind,
                              self.within, module, value, declared or None))

    def record(self, name: str, kind: str, path: str | None, node: ast.AST, module: str | None = None) -> None:
        """A row of the binding table for what binds no path: `*`, `name: T`, `name += value`,
        `del name` (of a name declared `global` or `nonlocal`)."""
        if self.broken_body is not None and self._in_broken_body(kind):
            return
        scope = self.scopes[-1]
        declared = scope.declared and scope.declared.get(name)
        self.bindings.append((name, kind, path, node, self.stmt, "module" if declared == "global" else scope.kind,
                              self.within, module, None, declared or None))

    def _rebound_globally(self, name: str, path: str | None) -> None:
        """A function that declares `name` global binds it to `path`. The functions walked after
        it see that path where the module body left the name unbound or bound to nothing we can
        name (`ws_factory = None` and a loader's `global ws_factory; import ... as ws_factory`);
        a name the module body binds to a path keeps that path: when the function runs is not
        known, and the row (declared "global") tells the fixes it may change (`rebinding`)."""
        module_scope = self.scopes[0]
        if path is not None and module_scope.get(name) is None:
            module_scope[name] = path

    def _imported_globally(self) -> None:
        """Before any function body: the names a function imports into the module (`global
        name` and an import that binds `name`), for every function to see (`_rebound_globally`),
        whichever comes first in the file: the loader is often defined below its callers."""
        found: dict[str, set[str | None]] = {}
        for node, *_ in self.deferred:
            for function in _functions_in(node):
                for name, path in _global_imports(function, self.module, self.is_package):
                    found.setdefault(name, set()).add(path)
        for name, paths in found.items():
            if len(paths) == 1:
                self._rebound_globally(name, next(iter(paths)))

    def _in_broken_body(self, kind: str) -> bool:
        """Did the error-tolerant reading find this module-level binding inside a broken body?
        Then it is not one the module makes (as for `definitions`); imports stay."""
        return kind not in IMPORT_KINDS and len(self.scopes) == 1 and self.broken_body(self.span(self.stmt))

    def lookup(self, name: str) -> str | None:
        innermost = len(self.scopes) - 1
        for depth in range(innermost, -1, -1):
            scope = self.scopes[depth]
            if scope.is_class and depth != innermost:
                continue
            if name in scope:
                return scope[name]
        return None

    def resolve(self, node: ast.AST) -> str | None:
        """The dotted path an expression names, or None."""
        if isinstance(node, ast.Name):
            return self.lookup(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    # ----------------------------------------------------------------- statements

    def _stmt(self, stmt: ast.stmt) -> None:
        outer, self.stmt = self.stmt, stmt
        kind = type(stmt)
        try:
            method = _STATEMENT_METHODS[kind]
        except KeyError:
            method = _STATEMENT_METHODS[kind] = getattr(_Collector, "_" + kind.__name__, None)
        if method is not None:
            method(self, stmt)
        else:
            self._generic(stmt)
        self.stmt = outer

    def _generic(self, node: ast.AST) -> None:
        # ast.iter_child_nodes, inlined (no generators): this runs for most statements.
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for child in value:
                    self._generic_child(child)
            elif isinstance(value, ast.AST):
                self._generic_child(value)

    def _generic_child(self, child: object) -> None:
        if isinstance(child, ast.stmt):
            self._stmt(child)
        elif isinstance(child, ast.expr):
            self._expr(child)
        elif isinstance(child, _GENERIC_PARTS):
            self._generic(child)

    def _Import(self, node: ast.Import) -> None:
        names = []
        for alias in node.names:
            if alias.asname:
                bound = alias.asname
                self.bind(bound, alias.name, "import", alias, module=alias.name)
            else:
                bound = alias.name.split(".", 1)[0]
                self.bind(bound, bound, "import", alias, module=alias.name)
            names.append(ImportedName(alias.name, bound, self.span(alias), alias.asname))
        self.imports.append(ImportFact(
            "import", None, 0, tuple(names), False, self.span(node), self.type_checking > 0, node,
        ))

    def _ImportFrom(self, node: ast.ImportFrom) -> None:
        module = resolve_relative(node.module, node.level, self.module, self.is_package)
        names, star = [], False
        for alias in node.names:
            if alias.name == "*":
                star = True
                self.record("*", "star", module, alias, module=module)
                continue
            path = f"{module}.{alias.name}" if module else None
            bound = alias.asname or alias.name
            self.bind(bound, path, "from", alias, module=module)
            if path:
                names.append(ImportedName(path, bound, self.span(alias), alias.asname))
        self.imports.append(ImportFact(
            "from", module, node.level, tuple(names), star, self.span(node), self.type_checking > 0, node,
        ))

    def _If(self, node: ast.If) -> None:
        self._expr(node.test)
        guarded = _is_type_checking(node.test)
        self.type_checking += guarded
        outer = self.within
        self.within = outer + ("if",)
        self._body(node.body)
        self.type_checking -= guarded
        self._body(node.orelse)
        self.within = outer

    def _Try(self, node: ast.Try) -> None:
        outer = self.within
        star = "*" if type(node) is not ast.Try else ""
        self.within = outer + ("try" + star,)
        self._body(node.body)
        for handler in node.handlers:
            self.within = outer
            if handler.type is not None:
                self._expr(handler.type)
            if handler.name:
                self.bind(handler.name, None, "handler", handler)
            self.in_handler += 1
            self.within = outer + ("except" + star,)
            self._body(handler.body)
            self.in_handler -= 1
        self.within = outer + ("try" + star,)
        self._body(node.orelse)
        self.within = outer + ("finally",)
        self._body(node.finalbody)
        self.within = outer

    _TryStar = _Try

    def _While(self, node: ast.While) -> None:
        self._expr(node.test)
        outer = self.within
        self.within = outer + ("while",)
        self._body(node.body)
        self._body(node.orelse)
        self.within = outer

    def _Match(self, node: ast.Match) -> None:
        self._expr(node.subject)
        outer = self.within
        self.within = outer + ("match",)
        for case in node.cases:
            if case.guard is not None:
                self._expr(case.guard)
            self._body(case.body)
        self.within = outer

    def _Global(self, node: ast.Global) -> None:
        scope = self.scopes[-1]
        if scope.kind != "module":  # (at module level `global` changes nothing)
            if scope.declared is None:
                scope.declared = {}
            scope.declared.update(dict.fromkeys(node.names, "global" if type(node) is ast.Global else "nonlocal"))

    _Nonlocal = _Global

    def _Delete(self, node: ast.Delete) -> None:
        declared = self.scopes[-1].declared
        for target in node.targets:
            if declared and type(target) is _Name and target.id in declared:
                self.record(target.id, "delete", None, target)  # unbinds another scope's name
            else:
                self._generic_child(target)

    def _FunctionDef(self, node: ast.FunctionDef) -> None:
        for decorator in node.decorator_list:
            self._expr(decorator)
        self._arguments_outside(node.args)
        if node.returns is not None:
            self._annotation(node.returns)
        self._definition(node.name, "function", node)
        self.bind(node.name, None, "function", node)
        scope = _Scope()
        for arg in _all_args(node.args):
            scope[arg.arg] = None
        self.deferred.append((node, [*self.scopes, scope], self.type_checking, self.within + ("def",), self.shown))

    _AsyncFunctionDef = _FunctionDef

    def _function_body(self, node: ast.AST) -> None:
        if isinstance(node, ast.Lambda):
            self._expr(node.body)
            return
        saved = self.stmt
        self._body(node.body, docstring=True)
        self.stmt = saved

    def _ClassDef(self, node: ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            self._expr(decorator)
        for base in node.bases:
            self._expr(base)
        for keyword in node.keywords:
            self._expr(keyword.value)
        self._definition(node.name, "class", node)
        self.scopes.append(_Scope("class"))
        outer = self.within
        self.within = outer + ("class",)
        self._body(node.body, docstring=True)
        self.within = outer
        self.scopes.pop()
        self.bind(node.name, None, "class", node)

    def _Assign(self, node: ast.Assign) -> None:
        self._expr(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == "__all__":
                self._exports(node.value, node)
            self._target(target, node.value, "assignment")

    def _AnnAssign(self, node: ast.AnnAssign) -> None:
        self._annotation(node.annotation)
        if node.value is not None:
            self._expr(node.value)
            if isinstance(node.target, ast.Name) and node.target.id == "__all__":
                self._exports(node.value, node)
            self._target(node.target, node.value, "assignment")
        elif isinstance(node.target, ast.Name):
            self._definition(node.target.id, "assignment", node)
            self.record(node.target.id, "annotation", None, node.target)
        else:
            self._expr(node.target)

    def _AugAssign(self, node: ast.AugAssign) -> None:
        self._expr(node.value)
        if isinstance(node.target, ast.Name):
            if node.target.id == "__all__":
                self._exports(node.value, node)
            self.record(node.target.id, "augmented", None, node.target)
        else:
            self._expr(node.target)

    def _Expr(self, node: ast.Expr) -> None:
        value = node.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return  # a bare string statement documents; it does not reference
        if (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                and isinstance(value.func.value, ast.Name) and value.func.value.id == "__all__"
                and value.func.attr in ("append", "extend", "insert")):
            for arg in value.args:
                self._exports(arg, value, single=value.func.attr != "extend")
        self._expr(value)

    def _For(self, node: ast.For) -> None:
        self._expr(node.iter)
        self._target(node.target, None, "for")
        outer = self.within
        self.within = outer + ("for",)
        self._body(node.body)
        self._body(node.orelse)
        self.within = outer

    _AsyncFor = _For

    def _With(self, node: ast.With) -> None:
        for item in node.items:
            self._expr(item.context_expr)
            if item.optional_vars is not None:
                self._target(item.optional_vars, None, "with")
        outer = self.within
        self.within = outer + ("with",)
        self._body(node.body)
        self.within = outer

    _AsyncWith = _With

    # ----------------------------------------------------------------- bindings by assignment

    def _target(self, target: ast.AST, value: ast.AST | None, kind: str) -> None:
        """Bind an assignment's (`for`, `with`, comprehension, walrus) target; an element of an
        unpacked assignment is bound as "unpacking" (see `facts.bindings`)."""
        if isinstance(target, ast.Name):
            path = self.resolve(value) if isinstance(value, (ast.Name, ast.Attribute)) else None
            self.bind(target.id, path, kind, target, value)
            self._definition(target.id, "assignment", self.stmt, path)
        elif isinstance(target, (ast.Tuple, ast.List)):
            kind = "unpacking" if kind == "assignment" else kind
            for element in target.elts:
                self._target(element, None, kind)
        elif isinstance(target, ast.Starred):
            self._target(target.value, None, "unpacking" if kind == "assignment" else kind)
        else:
            self._expr(target)

    def _definition(self, name: str, kind: str, node: ast.AST, value_path: str | None = None) -> None:
        if len(self.scopes) == 1 and self.module_level:
            span = self.span(node)
            if self.broken_body is None or not self.broken_body(span):
                self.definitions.append(DefinitionFact(name, kind, span, node, value_path))

    # ----------------------------------------------------------------- __all__

    def _exports(self, value: ast.AST, container: ast.AST, single: bool = False) -> None:
        if len(self.scopes) != 1:
            return
        if single:
            elements = [value]
        elif isinstance(value, (ast.List, ast.Tuple)):
            elements, container = value.elts, value
        elif isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            self._exports(value.left, container)
            self._exports(value.right, container)
            return
        else:
            return
        for element in elements:
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                self.exports.append(
                    ExportFact(element.value, self.span(element), element, container, self.stmt)
                )

    # ----------------------------------------------------------------- expressions

    def _annotation(self, node: ast.AST) -> None:
        """Annotations name types; they never construct. String annotations are not references."""
        if isinstance(node, ast.Attribute):
            self._attribute_chain(node)
        elif not isinstance(node, (ast.Name, ast.Constant)):
            for child in ast.iter_child_nodes(node):
                self._annotation(child)

    def _expr(self, node: ast.AST) -> None:
        kind = type(node)
        if kind is _Name:
            return  # the most common node by far: a bare name records nothing
        if kind is _Call:
            self._call(node)
        elif kind is _Attribute:
            self._attribute_chain(node)
        elif kind is _Constant:
            value = node.value
            if isinstance(value, str) and "." in value:
                self.strings.append(StringFact(value, self.span(node), node, self.stmt))
        elif kind is _JoinedStr:
            # Recorded whole, its value the literal text with `{}` for each placeholder: SSOT004
            # finds a legacy path or import statement in the literal parts and rewrites only
            # those (rules/strings.py). The placeholders' expressions are code like any other.
            values = node.values
            if any("." in part.value if type(part) is _Constant else "." in _inlined(part) for part in values):
                text = "".join(part.value if type(part) is _Constant else "{}" for part in values)
                self.strings.append(StringFact(text, self.span(node), node, self.stmt))
            before = None
            for part in values:
                # (`{name}`, the most common placeholder, records nothing)
                if type(part) is _FormattedValue and (type(part.value) is not _Name or part.format_spec is not None):
                    self._placeholder(part, before)
                before = part
        elif kind is _Lambda:
            scope = _Scope()
            for arg in _all_args(node.args):
                scope[arg.arg] = None
            self._arguments_outside(node.args)
            self.deferred.append((node, [*self.scopes, scope], self.type_checking, self.within + ("lambda",),
                                  self.shown))
        elif kind in _COMPREHENSIONS:
            self._comprehension(node)
        elif kind is _NamedExpr:
            self._expr(node.value)
            self._target(node.target, node.value, "walrus")
        else:
            # ast.iter_child_nodes, inlined: the fallback for most expression nodes.
            expr = self._expr
            for name in kind._fields:
                value = getattr(node, name, None)
                if type(value) is list:
                    for child in value:
                        if type(child) is _Name:
                            continue
                        if isinstance(child, _EXPR):
                            expr(child)
                        elif isinstance(child, _KEYWORD):
                            expr(child.value)
                elif isinstance(value, _EXPR):
                    if type(value) is not _Name:
                        expr(value)
                elif isinstance(value, _KEYWORD):
                    expr(value.value)

    def _placeholder(self, part: ast.FormattedValue, before: ast.AST | None = None) -> None:
        """An f-string placeholder's expression, and those nested in its format spec
        (`{value:{width}}`). On Python 3.10 and 3.11 their positions come from a second parse of
        the placeholder's text, shifted into place: the fixes check the text at a span before
        editing there (rules/construction.py, rules/rewrites.py). `before`: the part before it."""
        if not _inlined(part):
            # The expression of `{expr=}` is also text the f-string shows (the part before it
            # ends with it and `=`); `f"x={x!r}"` reads the same in the tree, so the source says.
            shown = before is not None and shows_its_code(before, self.span(part.value), self.lines)
            self.shown += shown
            self._expr(part.value)  # (a plain string, `{'a.b'}`, is part of the f-string's text instead)
            self.shown -= shown
        spec = part.format_spec
        if spec is not None:
            for inner in spec.values:
                if type(inner) is _FormattedValue:
                    self._placeholder(inner)

    def _call(self, node: ast.Call) -> None:
        func = node.func
        names = self.call_names
        if (names is not None and type(func) is _Attribute and func.attr not in names
                and func.attr not in _DYNAMIC_IMPORTER_NAMES):
            path = None  # `a.b.attr(...)` resolves to `....attr`, which no rule asks about
        else:
            path = self.resolve(func)
        if path is None and isinstance(func, ast.Name) and func.id == "__import__":
            path = "__import__"
        arguments = node.args
        if path is not None:
            names = self.call_names
            if names is None or path[path.rfind(".") + 1:] in names:
                self.calls.append(CallFact(path, self.span(node), node, self.stmt, self.shown > 0))
            if path in DYNAMIC_IMPORTERS and self._dynamic_import(node):
                arguments = arguments[1:]  # the module name is an import, not a string reference
        if isinstance(func, ast.Attribute):
            self._attribute_chain(func)
        elif not isinstance(func, ast.Name):
            self._expr(func)
        for arg in arguments:
            self._expr(arg)
        for keyword in node.keywords:
            self._expr(keyword.value)

    def _dynamic_import(self, node: ast.Call) -> bool:
        if not node.args:
            return False
        argument = node.args[0]
        if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
            return False
        name = argument.value
        level = len(name) - len(name.lstrip("."))
        if level:
            package = next((k.value for k in node.keywords if k.arg == "package"), None)
            if len(node.args) > 1:
                package = node.args[1]
            if not (isinstance(package, ast.Constant) and isinstance(package.value, str)):
                return False
            module = resolve_relative(name[level:] or None, level, package.value, True)
        else:
            module = name
        if not module:
            return False
        span = self.span(argument)
        self.imports.append(ImportFact(
            "dynamic", module, 0, (ImportedName(module, None, span),), False, span,
            self.type_checking > 0, argument,
        ))
        return True

    def _attribute_chain(self, node: ast.Attribute) -> None:
        """A maximal `a.b.c` chain: record it if it starts from a bound name, visit the rest."""
        base = node
        while isinstance(base, ast.Attribute):
            base = base.value
        if isinstance(base, ast.Name):
            binding = self.lookup(base.id)
            if binding is not None:
                path = self.resolve(node)
                if self.wants_attribute(path):
                    self.attributes.append(AttributeFact(path, binding, self.span(node), node, self.stmt,
                                                         self.shown > 0))
        else:
            self._expr(base)

    def _comprehension(self, node: ast.AST) -> None:
        generators = node.generators
        self._expr(generators[0].iter)  # the first iterable is evaluated outside
        self.scopes.append(_Scope("comprehension"))
        for index, generator in enumerate(generators):
            if index:
                self._expr(generator.iter)
            self._target(generator.target, None, "comprehension")
            for condition in generator.ifs:
                self._expr(condition)
        if isinstance(node, ast.DictComp):
            self._expr(node.key)
            self._expr(node.value)
        else:
            self._expr(node.elt)
        self.scopes.pop()

    def _arguments_outside(self, args: ast.arguments) -> None:
        """Defaults and annotations are evaluated in the enclosing scope."""
        for default in [*args.defaults, *[d for d in args.kw_defaults if d is not None]]:
            self._expr(default)
        for arg in _all_args(args):
            if arg.annotation is not None:
                self._annotation(arg.annotation)


def _functions_in(node: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Every function definition in `node` (itself included), found through statements only: a
    `def` is a statement, so no expression needs visiting (`ast.walk` visits every node: on the
    standard library, where 400 modules say `global`, that was a tenth of a cold run)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield current
        stack.extend(_blocks(current))


def _blocks(node: ast.AST) -> list[ast.AST]:
    """The statements, exception handlers and match cases directly inside `node` (a function's
    or class's body, an `if`'s branches, a `try`'s handlers): none for an expression."""
    if isinstance(node, (ast.excepthandler, ast.match_case)):
        return node.body
    if not isinstance(node, ast.stmt):
        return []
    return [child for child in ast.iter_child_nodes(node) if isinstance(child, _BLOCK_PARTS)]


_BLOCK_PARTS = (ast.stmt, ast.excepthandler, ast.match_case)


def _global_imports(function: ast.FunctionDef | ast.AsyncFunctionDef, module: str,
                    is_package: bool) -> Iterator[tuple[str, str | None]]:
    """(name, path) for each import of `function`'s own body (not of a function or class in it)
    that binds a name the function declares `global`."""
    declared: set[str] = set()
    imports: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Global):
            declared.update(node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(node)
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(_blocks(node))
    if not declared:
        return
    for node in imports:
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".", 1)[0]
                if bound in declared:
                    yield bound, alias.name if alias.asname else bound
        else:
            source = resolve_relative(node.module, node.level, module, is_package)
            for alias in node.names:
                bound = alias.asname or alias.name
                if bound in declared and alias.name != "*":
                    yield bound, f"{source}.{alias.name}" if source else None


def _all_args(args: ast.arguments) -> Iterator[ast.arg]:
    yield from args.posonlyargs
    yield from args.args
    if args.vararg:
        yield args.vararg
    yield from args.kwonlyargs
    if args.kwarg:
        yield args.kwarg


def shows_its_code(before: ast.AST, span: Span, lines: Sequence[str]) -> bool:
    """Is the placeholder whose expression ends at `span`, after the f-string part `before`,
    self-documenting (`{expr=}`, `{expr = }`, `{(expr)=}`): its code is also text the f-string
    shows? The part before ends with the code and `=`, and the source has a lone `=` after the
    expression (`f"x={x!r}"` reads the same in the tree). The facts walk (`CallFact.shown`) and
    the calls SSOT002 finds by parsing again (rules/direct_construction.py) ask."""
    if type(before) is not _Constant or type(before.value) is not str or not before.value.rstrip().endswith("="):
        return False
    row, column = span.end_line - 1, span.end_column
    while row < len(lines):
        rest = lines[row][column:].lstrip(" \t\f\r)")
        if rest:
            return rest[:1] == "=" and rest[1:2] != "="
        row, column = row + 1, 0
    return False


def _inlined(part: ast.FormattedValue) -> str:
    """The text of a placeholder that is a plain string (`{'a.b'}`): rules/strings.py reads it
    as part of the f-string's text (`_placeholder_text`); "" for any other placeholder."""
    value = part.value
    if (type(value) is _Constant and type(value.value) is str and part.conversion == -1
            and part.format_spec is None and "\x00" not in value.value):
        return value.value
    return ""


def _is_string_expr(stmt: ast.stmt) -> bool:
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str))


def _is_type_checking(test: ast.AST) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
