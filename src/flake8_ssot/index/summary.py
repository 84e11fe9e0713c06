"""A module's summary for the project index: its module-level bindings, its literal `__all__`
and the modules it imports when it is imported. Built from the module's facts (the binding
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
_UNFOLLOWED = frozenset({"unpacking", "for", "with", "augmented", "handler", "comprehension", "walrus"})


class Summary(NamedTuple):
    module: str
    is_package: bool
    bindings: tuple[tuple[str, str, str | None], ...]  # (name, kind, target), in the order they run
    exports: tuple[str, ...] | None  # the literal `__all__`; None when the module has none
    dynamic_exports: bool  # `__all__` is computed: what a star import takes is unknown
    imports: tuple[str, ...]  # modules (possibly `m.x`, when x is a submodule) loaded at import time

    def to_json(self) -> list:
        return [self.module, self.is_package, [list(row) for row in self.bindings],
                None if self.exports is None else list(self.exports), self.dynamic_exports, list(self.imports)]

    @classmethod
    def from_json(cls, data: list) -> Summary:
        module, is_package, bindings, exports, dynamic, imports = data
        return cls(str(module), bool(is_package), tuple((str(a), str(b), None if c is None else str(c)) for a, b, c in bindings),
                   None if exports is None else tuple(str(name) for name in exports), bool(dynamic),
                   tuple(str(name) for name in imports))


def summarise(facts: ModuleFacts) -> Summary:
    type_checking = {id(fact.node) for fact in facts.imports if fact.type_checking}
    bindings: list[tuple[str, str, str | None]] = []
    imports: list[str] = []
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
        elif kind == "assignment":
            bindings.append((name, "alias", binding.path) if binding.path else (name, "definition", None))
        elif kind in _UNFOLLOWED:
            bindings.append((name, "unknown", None))
    exports = None
    if has_all and all_literal:
        exports = tuple(dict.fromkeys(export.name for export in facts.exports))
    return Summary(facts.module, facts.is_package, tuple(bindings), exports, has_all and not all_literal,
                   tuple(dict.fromkeys(imports)))


def _literal_names(value: ast.AST | None) -> bool:
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        return _literal_names(value.left) and _literal_names(value.right)
    return isinstance(value, (ast.List, ast.Tuple)) and all(
        isinstance(element, ast.Constant) and isinstance(element.value, str) for element in value.elts)
