"""A module's summary for the project index: its module-level bindings, its literal `__all__`,
the modules it imports when it is imported, and the call signatures of its functions and
classes (what SSOT002's fix checks a mapped call against). Built from the module's facts (the binding
table), never from a second parse; plain data, so the cache can store it as JSON.
"""

from __future__ import annotations

import ast
from typing import NamedTuple

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
        return cls(str(module), bool(is_package), tuple((str(a), str(b), None if c is None else str(c)) for a, b, c in bindings),
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
        if binding.scope != "module" or binding.kind == "annotation":
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
