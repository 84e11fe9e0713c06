"""A module's summary for the project index: its module-level bindings, its literal `__all__`,
the modules it imports when it is imported, and the call signatures of its functions and
classes (what SSOT002's fix checks a mapped call against). Plain data, so the cache can store it as JSON.

Two ways to one summary: `summarise(facts)` reads the binding table of a file already walked (the
checked file's own), and `summarise_source(tree, ...)` reads a module the index consults, walking
only its module-level statements (never a function body; a class body only for its signature):
most of a module's code is in function bodies, and the index summarises thousands of modules on a
cold run of a large tree (#16). The two must agree; tests/test_index.py compares them.
"""

from __future__ import annotations

import ast
import warnings
from typing import TYPE_CHECKING, NamedTuple

from flake8_ssot.dotted import resolve_relative

if TYPE_CHECKING:
    from flake8_ssot.facts import ModuleFacts

# A binding's kind in a summary (`facts.bindings` has finer ones):
#   definition  a new object: `class`, `def`, an assignment of a value that names nothing
#   alias       an assignment of a value that names a path: `Name = other.Name` (target: the path)
#   import      `import a.b as c` (target: the module bound)
#   from        `from m import x` (target: `m.x`)
#   star        `from m import *` (name `*`, target: `m`)
#   unknown     a binding the index does not follow (unpacking, `for`, `with`, augmented,
#               an import it could not resolve)
# A signature: its parameters in order, each (name, kind, has a default), kind one of
#   positional-only, positional (positional or keyword), *args, keyword-only, **kwargs.
# A class's signature is its `__init__`'s without `self` (a dataclass's: its fields).
POSITIONAL_ONLY, POSITIONAL, VAR_POSITIONAL, KEYWORD_ONLY, VAR_KEYWORD = (
    "positional-only", "positional", "*args", "keyword-only", "**kwargs")
Parameter = tuple[str, str, bool]
_UNFOLLOWED = frozenset({"unpacking", "for", "with", "augmented", "handler", "comprehension", "walrus"})


class Summary(NamedTuple):
    module: str
    is_package: bool
    bindings: tuple[tuple[str, str, str | None], ...]  # (name, kind, target), in the order they run
    exports: tuple[str, ...] | None  # the literal `__all__`; None when the module has none
    dynamic_exports: bool  # `__all__` is computed: what a star import takes is unknown
    imports: tuple[str, ...]  # modules (possibly `m.x`, when x is a submodule) loaded at import time
    # The module-level functions and classes with the signature a call of them binds to, None
    # when it cannot be read from the source (a class inheriting its `__init__`, a `__new__`).
    signatures: tuple[tuple[str, tuple[Parameter, ...] | None], ...] = ()

    def to_json(self) -> list:
        return [self.module, self.is_package, [list(row) for row in self.bindings],
                None if self.exports is None else list(self.exports), self.dynamic_exports, list(self.imports),
                [[name, None if parameters is None else [list(p) for p in parameters]]
                 for name, parameters in self.signatures]]

    @classmethod
    def from_json(cls, data: list) -> Summary:
        module, is_package, bindings, exports, dynamic, imports, *rest = data
        signatures = tuple(
            (str(name), None if parameters is None else tuple((str(a), str(b), bool(c)) for a, b, c in parameters))
            for name, parameters in (rest[0] if rest else ()))
        return cls(str(module), bool(is_package),
                   tuple((str(a), str(b), None if c is None else str(c)) for a, b, c in bindings),
                   None if exports is None else tuple(str(name) for name in exports), bool(dynamic),
                   tuple(str(name) for name in imports), signatures)

    def signature(self, name: str) -> tuple[Parameter, ...] | None:
        """The parameters a call of the module's function or class `name` binds to; None when
        the module does not define it as a function or class, or its signature is unknown."""
        for bound, parameters in reversed(self.signatures):
            if bound == name:
                return parameters
        return None


def summarise(facts: ModuleFacts) -> Summary:
    type_checking = {id(fact.node) for fact in facts.imports if fact.type_checking}
    bindings: list[tuple[str, str, str | None]] = []
    imports: list[str] = []
    signatures: list[tuple[str, tuple[Parameter, ...] | None]] = []
    all_literal, has_all = True, False
    for binding in facts.bindings:
        # (A name a function binds after `global name` is left out, as `summarise_source` leaves
        # it: what the module binds for its importers is what its body binds.)
        if binding.scope != "module" or binding.kind == "annotation" or binding.through_global:
            continue
        kind, name = binding.kind, binding.name
        if kind in ("import", "from", "star"):
            if id(binding.stmt) in type_checking:
                continue  # never runs
            if binding.module:
                imports.append(binding.module)
            if kind == "import":
                bindings.append((name, "import", binding.path))
            elif kind == "from":
                if binding.module and binding.path:
                    imports.append(binding.path)  # `from pkg import sub` loads the submodule too
                    bindings.append((name, "from", binding.path))
                else:
                    bindings.append((name, "unknown", None))
            else:
                bindings.append(("*", "star", binding.module))
            continue
        if name == "__all__":
            has_all = True
            if kind != "assignment" or not _literal_names(binding.value):
                all_literal = False
        if kind in ("class", "function"):
            bindings.append((name, "definition", None))
            signatures.append((name, _class_signature(binding.node) if kind == "class"
                               else _parameters(binding.node.args)))
        elif kind == "assignment":
            bindings.append((name, "alias", binding.path) if binding.path else (name, "definition", None))
        elif kind in _UNFOLLOWED:
            bindings.append((name, "unknown", None))
    exports = None
    if has_all and all_literal:
        exports = tuple(dict.fromkeys(export.name for export in facts.exports))
    return Summary(facts.module, facts.is_package, tuple(bindings), exports, has_all and not all_literal,
                   tuple(dict.fromkeys(imports)), tuple(signatures))


def summarise_source(tree: ast.Module, module: str, is_package: bool, source: str, path: str = "") -> Summary:
    """The summary `summarise(collect_facts(tree, ...))` gives, from the module-level statements
    alone. It follows the facts walk's rules for a module-level binding: each binding in run
    order, a name's path as the walk resolves it at that point, an `except` clause's binding to
    nothing keeping the name's earlier path, no import under `if TYPE_CHECKING:`."""
    if ":=" in source:
        # A walrus binds wherever an expression sits (a default, a decorator, a subscript
        # target): rare enough that the full walk is the simpler way to place it exactly.
        from flake8_ssot.facts import collect_facts  # a walrus: rare (the facts walk is not imported for it)

        return summarise(collect_facts(tree, path, module, is_package, source))
    walk = _ModuleLevel(module, is_package)
    walk.body(tree.body)
    exports = tuple(dict.fromkeys(walk.exports)) if walk.has_all and walk.all_literal else None
    return Summary(module, is_package, tuple(walk.bindings), exports, walk.has_all and not walk.all_literal,
                   tuple(dict.fromkeys(walk.imports)), tuple(walk.signatures))


def summarise_module_level(data: bytes, module: str, is_package: bool, path: str) -> Summary | None:
    """The summary of the file whose text is `data` from its module-level statements alone, its
    top-level definitions stood as stubs (`partial.module_level_source`), at a fraction of a
    parse's cost: the same bindings (names, kinds, targets) and imports as `summarise_source` of
    the whole file, which reads no function body and a class body only for its signature (a
    stub binds the definition's name, with the same kind); the signatures are not the same. A
    definition holding `:=` is kept: it binds at module level (in a decorator, a default).
    Only when the whole file compiles: on one that does not, the stubs may stand in the wrong
    places, so a caller trusts only an answer that a summary of nothing (the index cannot see
    such a file) gives too. None when the file cannot be read that way (not decoded, the reading
    does not apply, no definition to stub, no parse): summarise the whole file."""
    from flake8_ssot.facts.partial import module_level_source  # the facts walk: loaded when first needed
    from flake8_ssot.files import SourceError, decode_source

    try:
        source = decode_source(data)
    except SourceError:
        return None
    reduced = module_level_source(source, (":=",))
    if reduced is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return summarise_source(ast.parse(reduced, filename=path), module, is_package, reduced, path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


class _ModuleLevel:
    """The module-level half of the facts walk (`facts._Collector`), keeping only what a
    summary reads: the module scope's names and paths, the bindings, `__all__`, the imports."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.module, self.is_package = module, is_package
        self.scope: dict[str, str | None] = {}
        self.bindings: list[tuple[str, str, str | None]] = []
        self.imports: list[str] = []
        self.signatures: list[tuple[str, tuple[Parameter, ...] | None]] = []
        self.exports: list[str] = []
        self.has_all, self.all_literal = False, True
        self.type_checking = 0
        self.in_handler = 0

    def bind(self, name: str, path: str | None, kind: str) -> str | None:
        """The facts walk's `bind`: the path the binding row gets."""
        if path is None and self.in_handler and self.scope.get(name):
            path = self.scope[name]
        else:
            self.scope[name] = path
        if name == "__all__" and kind not in ("import", "from"):  # an import of it is no `__all__`
            self.has_all = True
            if kind != "assignment":
                self.all_literal = False
        return path

    def resolve(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.scope.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def body(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            kind = type(stmt)
            if kind is ast.Import:
                self.import_(stmt)
            elif kind is ast.ImportFrom:
                self.import_from(stmt)
            elif kind is ast.Assign:
                for target in stmt.targets:
                    if isinstance(target, ast.Name) and target.id == "__all__":
                        self.export(stmt.value)
                    self.target(target, stmt.value, "assignment")
            elif kind is ast.AnnAssign:
                if stmt.value is not None:
                    if isinstance(stmt.target, ast.Name) and stmt.target.id == "__all__":
                        self.export(stmt.value)
                    self.target(stmt.target, stmt.value, "assignment")
            elif kind is ast.AugAssign:
                if isinstance(stmt.target, ast.Name):
                    if stmt.target.id == "__all__":
                        self.has_all, self.all_literal = True, False
                    self.bindings.append((stmt.target.id, "unknown", None))
            elif kind is ast.Expr:
                value = stmt.value
                if (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                        and isinstance(value.func.value, ast.Name) and value.func.value.id == "__all__"
                        and value.func.attr in ("append", "extend", "insert")):
                    for arg in value.args:
                        self.export(arg, single=value.func.attr != "extend")
            elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                self.bind(stmt.name, None, "function")
                self.bindings.append((stmt.name, "definition", None))
                self.signatures.append((stmt.name, _parameters(stmt.args)))
            elif kind is ast.ClassDef:
                self.bind(stmt.name, None, "class")
                self.bindings.append((stmt.name, "definition", None))
                self.signatures.append((stmt.name, _class_signature(stmt)))
            elif kind is ast.If:
                guarded = _is_type_checking(stmt.test)
                self.type_checking += guarded
                self.body(stmt.body)
                self.type_checking -= guarded
                self.body(stmt.orelse)
            elif kind is ast.For or kind is ast.AsyncFor:
                self.target(stmt.target, None, "for")
                self.body(stmt.body)
                self.body(stmt.orelse)
            elif kind is ast.While:
                self.body(stmt.body)
                self.body(stmt.orelse)
            elif kind is ast.With or kind is ast.AsyncWith:
                for item in stmt.items:
                    if item.optional_vars is not None:
                        self.target(item.optional_vars, None, "with")
                self.body(stmt.body)
            elif kind is ast.Try or kind is _TRY_STAR:
                self.body(stmt.body)
                for handler in stmt.handlers:
                    if handler.name:
                        self.bind(handler.name, None, "handler")
                        self.bindings.append((handler.name, "unknown", None))
                    self.in_handler += 1
                    self.body(handler.body)
                    self.in_handler -= 1
                self.body(stmt.orelse)
                self.body(stmt.finalbody)
            elif kind is ast.Match:
                for case in stmt.cases:
                    self.body(case.body)
            # the other statements bind nothing at module level (a walrus aside: see above)

    def import_(self, stmt: ast.Import) -> None:
        for alias in stmt.names:
            if alias.asname:
                bound, path = alias.asname, alias.name
            else:
                bound = path = alias.name.split(".", 1)[0]
            path = self.bind(bound, path, "import")
            if not self.type_checking:
                self.imports.append(alias.name)
                self.bindings.append((bound, "import", path))

    def import_from(self, stmt: ast.ImportFrom) -> None:
        module = resolve_relative(stmt.module, stmt.level, self.module, self.is_package)
        for alias in stmt.names:
            if alias.name == "*":
                if not self.type_checking:
                    if module:
                        self.imports.append(module)
                    self.bindings.append(("*", "star", module))
                continue
            path = self.bind(alias.asname or alias.name, f"{module}.{alias.name}" if module else None, "from")
            if self.type_checking:
                continue
            if module:
                self.imports.append(module)
            if module and path:
                self.imports.append(path)
                self.bindings.append((alias.asname or alias.name, "from", path))
            else:
                self.bindings.append((alias.asname or alias.name, "unknown", None))

    def target(self, target: ast.AST, value: ast.AST | None, kind: str) -> None:
        if isinstance(target, ast.Name):
            path = self.resolve(value) if isinstance(value, (ast.Name, ast.Attribute)) else None
            path = self.bind(target.id, path, kind)
            if kind == "assignment":
                if target.id == "__all__" and not _literal_names(value):
                    self.all_literal = False
                self.bindings.append((target.id, "alias", path) if path else (target.id, "definition", None))
            else:
                self.bindings.append((target.id, "unknown", None))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.target(element, None, "unpacking" if kind == "assignment" else kind)
        elif isinstance(target, ast.Starred):
            self.target(target.value, None, "unpacking" if kind == "assignment" else kind)

    def export(self, value: ast.AST, single: bool = False) -> None:
        """The facts walk's `_exports`: the string literals `__all__` is given."""
        if single:
            elements = [value]
        elif isinstance(value, (ast.List, ast.Tuple)):
            elements = value.elts
        elif isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            self.export(value.left)
            self.export(value.right)
            return
        else:
            return
        for element in elements:
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                self.exports.append(element.value)


_TRY_STAR = getattr(ast, "TryStar", None)


def _is_type_checking(test: ast.AST) -> bool:  # as the facts walk reads `if TYPE_CHECKING:`
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _parameters(args: ast.arguments, skip_first: bool = False) -> tuple[Parameter, ...] | None:
    positional = [*args.posonlyargs, *args.args]
    defaults = len(args.defaults)
    rows: list[Parameter] = []
    for index, arg in enumerate(positional):
        kind = POSITIONAL_ONLY if index < len(args.posonlyargs) else POSITIONAL
        rows.append((arg.arg, kind, index >= len(positional) - defaults))
    if args.vararg is not None:
        rows.append((args.vararg.arg, VAR_POSITIONAL, True))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        rows.append((arg.arg, KEYWORD_ONLY, default is not None))
    if args.kwarg is not None:
        rows.append((args.kwarg.arg, VAR_KEYWORD, True))
    if skip_first:
        if not rows or rows[0][1] not in (POSITIONAL_ONLY, POSITIONAL):
            return None if not rows or rows[0][1] != VAR_POSITIONAL else tuple(rows)
        rows = rows[1:]
    return tuple(rows)


def _class_signature(node: ast.ClassDef) -> tuple[Parameter, ...] | None:
    """What `Class(...)` binds to: its own `__init__` (without `self`), a plain dataclass's
    fields, `()` for a class with neither bases nor `__init__`; None when it is inherited or
    made some other way (`__new__`, a metaclass, a decorator)."""
    init = None
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if statement.name == "__new__":
                return None
            if statement.name == "__init__":
                init = statement
    bases = [base for base in node.bases if not (isinstance(base, ast.Name) and base.id == "object")]
    dataclass = [d for d in node.decorator_list if _decorator_name(d) == "dataclass"]
    if init is not None:
        return None if init.decorator_list else _parameters(init.args, skip_first=True)
    if bases or node.keywords:
        return None
    if dataclass and len(node.decorator_list) == 1:
        return _dataclass_fields(node, dataclass[0])
    return None if node.decorator_list else ()


def _decorator_name(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _dataclass_fields(node: ast.ClassDef, decorator: ast.AST) -> tuple[Parameter, ...] | None:
    keyword_only = False
    if isinstance(decorator, ast.Call):
        for option in decorator.keywords:
            if option.arg == "init" or option.arg is None:
                return None
            if option.arg == "kw_only":
                if not isinstance(option.value, ast.Constant):
                    return None
                keyword_only = bool(option.value.value)
    rows: list[Parameter] = []
    for statement in node.body:
        if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            continue
        annotation = ast.unparse(statement.annotation)
        if "ClassVar" in annotation:
            continue
        if annotation.endswith("KW_ONLY"):
            keyword_only = True
            continue
        value = statement.value
        has_default = value is not None
        if isinstance(value, ast.Call) and _decorator_name(value) == "field":
            options = {option.arg: option.value for option in value.keywords}
            if None in options:
                return None  # `field(**options)`
            if "init" in options:
                if not isinstance(options["init"], ast.Constant):
                    return None
                if not options["init"].value:
                    continue  # `init=False`: not a parameter
            has_default = "default" in options or "default_factory" in options
            if "kw_only" in options:
                return None
        rows.append((statement.target.id, KEYWORD_ONLY if keyword_only else POSITIONAL, has_default))
    return tuple(rows)


def _literal_names(value: ast.AST | None) -> bool:
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        return _literal_names(value.left) and _literal_names(value.right)
    return isinstance(value, (ast.List, ast.Tuple)) and all(
        isinstance(element, ast.Constant) and isinstance(element.value, str) for element in value.elts)
