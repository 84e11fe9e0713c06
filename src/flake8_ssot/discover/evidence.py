"""What one module says about its own place in the migration: deprecation warnings and
decorators with the replacement their message names, `__all__` entries commented
deprecated, whether it is a pure re-export shim, and the classes and functions it defines.

Reads one module's source; judges nothing about the rest of the tree (that is `proposals`).
"""

from __future__ import annotations

import ast
import bisect
import re
import warnings
from typing import NamedTuple

# Where the canonical path sits in the messages real code writes:
#   "... is deprecated. Use 'from pkg.ws.canonical import WebSocketManager' instead."
#   "get_manager is deprecated; use pkg.ws.manager.get_websocket_manager"
#   "pkg.ws.factory moved to pkg.ws.canonical_imports"
_QUOTE = r"[`'\"]?"
_FROM_IMPORT = re.compile(r"\bfrom\s+([A-Za-z_][\w.]*)\s+import\s+\(?\s*([A-Za-z_]\w*)")
_USE = re.compile(
    r"\b(?:use|using|moved\s+to|replaced\s+by|superseded\s+by|import\s+(?:it\s+)?from|in\s+favou?r\s+of)\s+"
    + _QUOTE + r"([A-Za-z_][\w.]*\w)", re.IGNORECASE,
)
_DEPRECATED_WORD = re.compile(r"deprecat", re.IGNORECASE)
_WARNING_CATEGORIES = ("DeprecationWarning", "PendingDeprecationWarning")
_WARN_FUNCTIONS = ("warnings.warn", "warn", "_warnings.warn")
# A warning about how a callable is called, not about the callable: "The 'loop' argument",
# "Passing None for 's'", "The kwargs-based syntax".
_ABOUT_AN_ARGUMENT = re.compile(
    r"\b(?:argument|parameter|keyword|attribute|option|passing|syntax|kwargs|behaviou?r)s?\b", re.IGNORECASE
)
_DECORATOR_MODULES = ("typing_extensions", "warnings", "typing")
_COMPAT_WORDS = re.compile(r"compat|deprecat|legacy|backward|shim", re.IGNORECASE)
_CONSTRUCTION_VERBS = ("instantiat", "construct", "creat", "build")
CONSTRUCTION_METHODS = ("__init__", "__new__", "__post_init__")
_DIRECT_CONSTRUCTION = re.compile(
    r"(?:do\s+not|don't|never|must\s+not|should\s+not|shouldn't)\s+(?:be\s+)?"
    r"(?:instantiate|construct|create|call|build|instantiated|constructed|created|built)\b[^.]*?\bdirectly"
    r"|(?:instantiate|construct|create|build)\w*\s+(?:only\s+)?(?:through|via|using)\s+(?:the\s+)?"
    r"[`'\"]?([A-Za-z_][\w.]*)",
    re.IGNORECASE,
)


class Quote(NamedTuple):
    """A place in the tree and what it says there, as evidence for a proposal."""

    file: str
    line: int
    text: str  # the message, comment or statement, on one line


class Deprecation(NamedTuple):
    """Something the code itself says is deprecated."""

    subject: str  # the legacy path: the module, or `module.Name`
    target: str | None  # the replacement the message names, as written (maybe unqualified)
    how: str  # "warns at import time", "warns when called", "is decorated @deprecated", "__all__ comment"
    quote: Quote
    target_is_import: bool = False  # written as `from a.b import C`: `a.b` is a module


class Definition(NamedTuple):
    name: str
    kind: str  # "class" or "function"
    line: int
    shape: frozenset[str]  # a class's methods and fields, a function's parameters


class FactoryHint(NamedTuple):
    """A class whose docstring or constructor warns against building it directly."""

    name: str
    factory: str | None  # the factory the text names, as written
    quote: Quote


class Shim(NamedTuple):
    """A module whose public names are all another module's objects, imported or aliased."""

    sources: dict[str, str]  # public name -> the dotted path it is bound to
    quote: Quote  # its docstring's first line, or its first import


class ModuleScan(NamedTuple):
    module: str
    deprecations: list[Deprecation]
    deprecated_exports: list[tuple[str, Quote]]  # (name, the comment that says so)
    exports: tuple[str, ...]  # the literal `__all__` names
    shim: Shim | None
    not_pure_shim: Quote | None  # re-exports another module, and defines something of its own
    definitions: list[Definition]
    factory_hints: list[FactoryHint]
    factories: dict[str, tuple[str, int]]  # module-level `create_*`/`get_*` function -> (class it returns, line)


def mentions_deprecation(data: bytes) -> bool:
    """The prefilter: only a module whose text says 'deprecat' can carry a warning, a decorator
    or a comment of ours."""
    return b"eprecat" in data or b"EPRECAT" in data


def canonical_in(message: str) -> tuple[str | None, bool]:
    """The replacement a deprecation message names: (path, written as `from a import b`)."""
    found = _FROM_IMPORT.search(message)
    if found is not None:
        return f"{found.group(1)}.{found.group(2)}", True
    found = _USE.search(message)
    if found is not None:
        return found.group(1).rstrip("."), False
    return None, False


def scan(source: str, path: str, module: str, is_package: bool, deprecations: bool = True) -> ModuleScan | None:
    """One module's evidence; None when it does not parse (the check reports that file).
    `deprecations`: look for warnings and decorators (the walk over every node; the caller
    skips it for a module whose text never says "deprecat")."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines = source.splitlines()
    walker = _Walker(path, module, lines)
    if deprecations:
        walker.visit(tree)
    exports, deprecated_exports = _exports(tree, path, lines)
    shim, not_pure = _shim(tree, path, module, is_package)
    definitions = [definition_of(node) for node in tree.body
                   if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))]
    deprecations = walker.deprecations
    # A name both exported and deprecated by its own warning is a deprecated export too.
    for deprecation in deprecations:
        owner, _, name = deprecation.subject.rpartition(".")
        if owner == module and name in exports and deprecates_the_object(deprecation) \
                and all(name != known for known, _ in deprecated_exports):
            deprecated_exports.append((name, deprecation.quote))
    return ModuleScan(module, deprecations, deprecated_exports, exports, shim, not_pure,
                      definitions, _factory_hints(tree, path, lines), _factories(tree))


def deprecates_the_object(deprecation: Deprecation) -> bool:
    """A warning inside a function may deprecate one argument or behaviour of a callable that
    stays: it deprecates the callable itself only when it names a replacement or the callable."""
    if deprecation.target is not None or deprecation.how == "warns at import time":
        return True
    name = deprecation.subject.rpartition(".")[2]
    return name in deprecation.quote.text and not _ABOUT_AN_ARGUMENT.search(deprecation.quote.text)


def one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _message(node: ast.AST | None) -> str | None:
    """A message's text: a literal, an f-string (its fields shown as `{...}`), a concatenation."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "{...}" for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _message(node.left), _message(node.right)
        if left is not None and right is not None:
            return left + right
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _message(node.func.value)
    return None


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _is_deprecation_category(node: ast.AST | None) -> bool:
    name = _dotted(node) if node is not None else None
    return name is not None and name.rpartition(".")[2].endswith(_WARNING_CATEGORIES)


class _Walker(ast.NodeVisitor):
    """The warnings and decorators, with the function or class each one is in."""

    def __init__(self, path: str, module: str, lines: list[str]) -> None:
        self.path, self.module, self.lines = path, module, lines
        self.stack: list[ast.AST] = []  # enclosing defs and classes, outermost first
        self.deprecations: list[Deprecation] = []
        self.names: list[str] = []  # inside `__getattr__`: the names the enclosing `if` tests
        # The lines that can hold a warning or a decorator: a statement spanning none of them
        # is not walked (most of a module, most of the time).
        self.wanted = [number for number, line in enumerate(lines, 1) if "warn" in line or "deprecated" in line]

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.stmt):
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
            at = bisect.bisect_left(self.wanted, first)
            if at == len(self.wanted) or self.wanted[at] > (node.end_lineno or node.lineno):
                return
        super().visit(node)

    def _quote(self, node: ast.AST, text: str) -> Quote:
        return Quote(self.path, node.lineno, one_line(text))

    def _scoped(self, node: ast.AST) -> None:
        self._decorators(node)
        self.stack.append(node)
        self.generic_visit(node)
        self.stack.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def _decorators(self, node) -> None:
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            name = _dotted(call.func if call else decorator)
            if name is None or name.rpartition(".")[2] != "deprecated":
                continue
            if "." in name and name.rpartition(".")[0] not in _DECORATOR_MODULES:
                continue
            message = _message(call.args[0]) if call and call.args else None
            subject = self._subject(node)
            if subject is None:
                continue
            target, is_import = canonical_in(message or "")
            text = f"@{name}({message!r})" if message is not None else f"@{name}"
            self.deprecations.append(Deprecation(subject, target, "is decorated @deprecated",
                                                 self._quote(decorator, text), is_import))

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        name = _dotted(node.func)
        if name not in _WARN_FUNCTIONS:
            return
        category = node.args[1] if len(node.args) > 1 else next(
            (keyword.value for keyword in node.keywords if keyword.arg == "category"), None)
        if not _is_deprecation_category(category):
            return
        message = _message(node.args[0]) if node.args else None
        if message is None:
            return
        subject = self._subject(None)
        if subject is None:
            return
        how = "warns at import time" if subject == self.module else "warns when called"
        if self._getattr_names():
            how = "warns when the name is looked up (module __getattr__)"
        target, is_import = canonical_in(message)
        for one in self._getattr_names() or [subject]:
            self.deprecations.append(Deprecation(one, target, how, self._quote(node, message), is_import))

    def _subject(self, decorated: ast.AST | None) -> str | None:
        """The path a warning (or a decorator on `decorated`) deprecates: the module at
        import time, a module-level function, a class through its constructor; None for a
        method, which no policy entry can name."""
        scopes = [*self.stack, decorated] if decorated is not None else list(self.stack)
        if not scopes:
            return self.module
        outer = scopes[0]
        if isinstance(outer, ast.ClassDef):
            if len(scopes) == 1:
                return f"{self.module}.{outer.name}"
            method = scopes[1]
            if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) and method.name in CONSTRUCTION_METHODS:
                return f"{self.module}.{outer.name}"
            return None
        if outer.name == "__getattr__":
            return self.module if self.names else None  # the names come from `_getattr_names`
        return f"{self.module}.{outer.name}"

    def _getattr_names(self) -> list[str]:
        """Inside a module `__getattr__` (PEP 562): the names the enclosing `if name == ...` tests."""
        if not self.stack or getattr(self.stack[0], "name", None) != "__getattr__":
            return []
        return [f"{self.module}.{name}" for name in self.names]

    def visit_If(self, node: ast.If) -> None:
        tested = _tested_names(node.test)
        if not tested or not self.stack or getattr(self.stack[0], "name", None) != "__getattr__":
            self.generic_visit(node)
            return
        saved, self.names = self.names, tested
        for statement in node.body:
            self.visit(statement)
        self.names = saved
        for statement in node.orelse:
            self.visit(statement)


def _tested_names(test: ast.AST) -> list[str]:
    """`name == "X"` or `name in ("X", "Y")`: the names."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return []
    right = test.comparators[0]
    if isinstance(test.ops[0], ast.Eq) and isinstance(right, ast.Constant) and isinstance(right.value, str):
        return [right.value]
    if isinstance(test.ops[0], ast.In) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
        return [element.value for element in right.elts
                if isinstance(element, ast.Constant) and isinstance(element.value, str)]
    return []


def _exports(tree: ast.Module, path: str, lines: list[str]) -> tuple[tuple[str, ...], list[tuple[str, Quote]]]:
    """The literal `__all__` names, and those whose line (or the comment line above) says deprecated."""
    names: list[str] = []
    deprecated: list[tuple[str, Quote]] = []
    for node in tree.body:
        value = None
        if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
                or isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(node.target, ast.Name)
                and node.target.id == "__all__"):
            value = node.value
        if not isinstance(value, (ast.List, ast.Tuple)):
            continue
        for element in value.elts:
            if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
                continue
            names.append(element.value)
            comment = _comment_for(lines, element)
            if comment is not None and _DEPRECATED_WORD.search(comment):
                deprecated.append((element.value, Quote(path, element.lineno, one_line(comment))))
    return tuple(dict.fromkeys(names)), deprecated


def _comment_for(lines: list[str], element: ast.Constant) -> str | None:
    """The comment after the element on its line, or on the comment-only line above it."""
    line = lines[element.lineno - 1] if element.lineno <= len(lines) else ""
    end = element.end_col_offset or 0
    rest = line.encode("utf-8")[end:].decode("utf-8", "replace")
    hash_at = rest.find("#")
    if hash_at >= 0 and not rest[:hash_at].strip(", \t)]"):
        return rest[hash_at:].strip()
    above = lines[element.lineno - 2].strip() if element.lineno >= 2 else ""
    return above if above.startswith("#") else None


def _shim(tree: ast.Module, path: str, module: str, is_package: bool) -> tuple[Shim | None, Quote | None]:
    """A pure shim: every public module-level name is imported from, or an alias of, another
    module's object, and nothing is defined. One that also defines something is not pure."""
    sources: dict[str, str] = {}
    own: ast.AST | None = None
    first: ast.AST | None = None
    aliases: dict[str, str] = {}  # local name -> dotted path, for `Name = imported.attr`
    for node in tree.body:
        if isinstance(node, ast.Expr) and (isinstance(node.value, ast.Constant) or _is_warning(node.value)):
            continue  # the docstring, a deprecation warning
        if isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, is_package)
            if base is None or base == "__future__":
                continue
            for alias in node.names:
                if alias.name == "*":
                    own = own or node  # a star import: the index cannot list what it re-exports
                    continue
                local = alias.asname or alias.name
                aliases[local] = f"{base}.{alias.name}"
                if not local.startswith("_"):
                    sources[local] = aliases[local]
                    first = first or node
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                aliases[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [target.id for target in targets if isinstance(target, ast.Name)]
            if names == ["__all__"] or all(name.startswith("_") for name in names) and names:
                continue
            value = _dotted(node.value) if node.value is not None else None
            head = value.split(".")[0] if value else None
            if value is None or head not in aliases or len(names) != len(targets):
                own = own or node
                continue
            path_of = aliases[head] + value[len(head):]
            for name in names:
                aliases[name] = path_of
                if not name.startswith("_"):
                    sources[name] = path_of
        elif isinstance(node, (ast.If, ast.Try)) and _only_imports(node):
            continue  # `if TYPE_CHECKING:` / `try: ... except ImportError:` around imports
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name.startswith("_"):
            if node.name == "__getattr__":
                own = own or node
            continue
        else:
            own = own or node
    own_sources = {name: target for name, target in sources.items()
                   if not target.startswith(module + ".") and target != module}
    if not own_sources or first is None:
        return None, None
    docstring = ast.get_docstring(tree)
    quote_text = docstring.strip().splitlines()[0] if docstring and docstring.strip() else ast.unparse(first)
    quote_node = tree.body[0] if docstring else first
    quote = Quote(path, quote_node.lineno, one_line(quote_text))
    if own is not None or len(own_sources) != len(sources):
        if not (docstring and _COMPAT_WORDS.search(docstring)):
            return None, None  # an ordinary module that imports what it uses
        return None, Quote(path, own.lineno if own is not None else first.lineno,
                           one_line(ast.unparse(own).splitlines()[0] if own is not None else quote_text))
    return Shim(own_sources, quote), None


def _is_warning(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and _dotted(node.func) in _WARN_FUNCTIONS


def _only_imports(node: ast.AST) -> bool:
    return all(isinstance(inner, (ast.Import, ast.ImportFrom, ast.Pass, ast.If, ast.Try, ast.Expr, ast.ExceptHandler))
               for inner in ast.walk(node) if isinstance(inner, ast.stmt))


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str | None:
    if not node.level:
        return node.module
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    up = node.level - 1
    if up > len(parts):
        return None
    base = parts[: len(parts) - up] if up else parts
    return ".".join([*base, *([node.module] if node.module else [])]) or None


def definition_of(node) -> Definition:
    if isinstance(node, ast.ClassDef):
        shape = set()
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                shape.add(f"{item.name}()")
            elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                shape.add(item.target.id)
            elif isinstance(item, ast.Assign):
                shape.update(target.id for target in item.targets if isinstance(target, ast.Name))
        return Definition(node.name, "class", node.lineno, frozenset(shape))
    arguments = node.args
    names = [argument.arg for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
    return Definition(node.name, "function", node.lineno, frozenset(names))


def _factory_hints(tree: ast.Module, path: str, lines: list[str]) -> list[FactoryHint]:
    hints = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        texts = [(node, ast.get_docstring(node) or "")]
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name in CONSTRUCTION_METHODS:
                texts.append((item, ast.get_docstring(item) or ""))
        for owner, text in texts:
            lowered = text.lower()
            if "directly" not in lowered and not any(word in lowered for word in _CONSTRUCTION_VERBS):
                continue
            found = _DIRECT_CONSTRUCTION.search(text)
            if found is not None:
                sentence = _sentence_around(text, found.start())
                line = owner.body[0].lineno if owner.body else owner.lineno
                hints.append(FactoryHint(node.name, _factory_named(sentence), Quote(path, line, one_line(sentence))))
                break
    return hints


def _sentence_around(text: str, at: int) -> str:
    start = max(text.rfind(".", 0, at), text.rfind("\n\n", 0, at)) + 1
    end = text.find(".", at)
    return text[start: end + 1 if end >= 0 else len(text)].strip()


_CALLABLE = re.compile(r"[`'\"]?([A-Za-z_][\w.]*?(?:create|get|make|build|new)_\w+"
                       r"|[A-Za-z_][\w.]*\.(?:create|from_\w+))\s*\(?")


def _factory_named(sentence: str) -> str | None:
    found = _CALLABLE.search(sentence)
    return found.group(1) if found else None


def _factories(tree: ast.Module) -> dict[str, tuple[str, int]]:
    """Module-level `create_*`/`get_*`/`make_*` functions that build a class by name."""
    found = {}
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if not node.name.startswith(("create_", "get_", "make_", "build_", "new_")):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Return) and isinstance(inner.value, ast.Call):
                called = _dotted(inner.value.func)
                if called and called.rpartition(".")[2][:1].isupper():
                    found[node.name] = (called, node.lineno)
                    break
    return found
