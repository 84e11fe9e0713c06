"""The binding table (`ModuleFacts.bindings`): one row per binding the facts walk makes, and
the views read from it (the server's `module_level_names`, the incremental checker's
per-statement description)."""

from __future__ import annotations

import ast
import re
from typing import Iterable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_ssot.facts import collect_facts
from flake8_ssot.facts.bindings import statement_bindings
from flake8_ssot.server import module_level_names
from flake8_ssot.span import Span, byte_to_char_column, split_lines

SEEDS = '''\
"""A module in the seeds' shapes."""
from __future__ import annotations

import os.path
import json as j
from typing import TYPE_CHECKING
from . import sibling as sib
from ..core import factory
from .compat import *

try:
    from netra.ws.manager import WebSocketManager
except ImportError as error:
    WebSocketManager = None

if TYPE_CHECKING:
    from netra.ctx import UserExecutionContext

Ctx = UserExecutionContext
Manager = factory.create
count: int
count += 1
first, *rest = os.sep


class Handler(Base):
    kind = "handler"

    def run(self):
        import logging
        for item in self.items:
            pass


async def main():
    with open(j.name) as handle:
        return [line for line in handle]


Manager = None
'''

ROWS = [
    # name, kind, path, span (line, column, end line, end column), scope, within, module
    ("annotations", "from", "__future__.annotations", (2, 23, 2, 34), "module", (), "__future__"),
    ("os", "import", "os", (4, 7, 4, 9), "module", (), "os.path"),
    ("j", "import", "json", (5, 15, 5, 16), "module", (), "json"),
    ("TYPE_CHECKING", "from", "typing.TYPE_CHECKING", (6, 19, 6, 32), "module", (), "typing"),
    ("sib", "from", "pkg.app.sibling", (7, 25, 7, 28), "module", (), "pkg.app"),
    ("factory", "from", "pkg.core.factory", (8, 19, 8, 26), "module", (), "pkg.core"),
    ("*", "star", "pkg.app.compat", (9, 20, 9, 21), "module", (), "pkg.app.compat"),
    ("WebSocketManager", "from", "netra.ws.manager.WebSocketManager", (12, 33, 12, 49), "module", ("try",),
     "netra.ws.manager"),
    ("error", "handler", None, (13, 22, 13, 27), "module", (), None),
    # an `except` clause's binding to nothing keeps what the import bound
    ("WebSocketManager", "assignment", "netra.ws.manager.WebSocketManager", (14, 4, 14, 20), "module",
     ("except",), None),
    ("UserExecutionContext", "from", "netra.ctx.UserExecutionContext", (17, 26, 17, 46), "module", ("if",),
     "netra.ctx"),
    ("Ctx", "assignment", "netra.ctx.UserExecutionContext", (19, 0, 19, 3), "module", (), None),
    ("Manager", "assignment", "pkg.core.factory.create", (20, 0, 20, 7), "module", (), None),
    ("count", "annotation", None, (21, 0, 21, 5), "module", (), None),
    ("count", "augmented", None, (22, 0, 22, 5), "module", (), None),
    ("first", "unpacking", None, (23, 0, 23, 5), "module", (), None),
    ("rest", "unpacking", None, (23, 8, 23, 12), "module", (), None),
    ("kind", "assignment", None, (27, 4, 27, 8), "class", ("class",), None),
    ("run", "function", None, (29, 8, 29, 11), "class", ("class",), None),
    ("Handler", "class", None, (26, 6, 26, 13), "module", (), None),
    ("main", "function", None, (35, 10, 35, 14), "module", (), None),
    ("Manager", "assignment", None, (40, 0, 40, 7), "module", (), None),
    # function bodies are walked after the module body, as Python runs them
    ("logging", "import", "logging", (30, 15, 30, 22), "function", ("class", "def"), "logging"),
    ("item", "for", None, (31, 12, 31, 16), "function", ("class", "def"), None),
    ("handle", "with", None, (36, 25, 36, 31), "function", ("def",), None),
    ("line", "comprehension", None, (37, 25, 37, 29), "comprehension", ("def", "with"), None),
]


def test_binding_table_row_by_row():
    facts = collect_facts(ast.parse(SEEDS), "pkg/app/mod.py", "pkg.app.mod", False, SEEDS)
    rows = [
        (b.name, b.kind, b.path, tuple(facts.binding_span(b)), b.scope, b.within, b.module)
        for b in facts.bindings
    ]
    assert rows == ROWS
    lines = split_lines(SEEDS)
    for binding in facts.bindings:
        span = facts.binding_span(binding)
        if binding.name != "*":
            assert lines[span.line - 1][span.column:span.end_column] == binding.name


def test_binding_rows_know_their_statement_and_value():
    facts = collect_facts(ast.parse(SEEDS), "pkg/app/mod.py", "pkg.app.mod", False, SEEDS)
    ctx = next(b for b in facts.bindings if b.name == "Ctx")
    assert isinstance(ctx.stmt, ast.Assign) and ast.unparse(ctx.value) == "UserExecutionContext"
    assert isinstance(ctx.node, ast.Name) and ctx.node.id == "Ctx"
    sib = next(b for b in facts.bindings if b.name == "sib")
    assert isinstance(sib.node, ast.alias) and sib.stmt.level == 1


def test_a_binding_inside_a_broken_body_is_not_the_modules():
    # what the error-tolerant reading finds inside a broken body binds nothing of the module's
    tree = ast.parse("import os\nx = 1\ndef f():\n    pass\n")
    facts = collect_facts(tree, "m.py", "m", False, "import os\nx = 1\ndef f():\n    pass\n",
                          broken_body=lambda span: span.line >= 2)
    assert [(b.name, b.kind) for b in facts.bindings] == [("os", "import")]


def test_statement_bindings_describe_what_is_written():
    tree = ast.parse(
        "try:\n"
        "    from .compat import Name as Alias, other\n"
        "except ImportError:\n"
        "    Alias = fallback.Name\n"
        "    for a, (b, c) in pairs: pass\n"
        "    def helper(): import json\n"
    )
    rows = [(b.name, b.kind, b.path, b.within, b.module, b.scope) for b in statement_bindings(tree.body[0])]
    assert rows == [
        ("Alias", "from", None, ("try",), "compat", "module"),
        ("other", "from", None, ("try",), "compat", "module"),
        ("Alias", "assignment", None, ("except",), None, "module"),
        ("a", "for", None, ("except",), None, "module"),
        ("b", "for", None, ("except",), None, "module"),
        ("c", "for", None, ("except",), None, "module"),
        ("helper", "function", None, ("except",), None, "module"),
        ("json", "import", None, ("except", "def"), "json", "function"),
    ]
    alias = list(statement_bindings(tree.body[0]))[2]
    assert ast.unparse(alias.value) == "fallback.Name"
    assert isinstance(list(statement_bindings(tree.body[0]))[0].stmt, ast.ImportFrom)


def test_statement_bindings_name_a_top_level_definition_last():
    tree = ast.parse("class A:\n    x = 1\n    def m(self): y = 2\n")
    assert [(b.name, b.kind, b.scope) for b in statement_bindings(tree.body[0])] == [
        ("x", "assignment", "class"), ("m", "function", "class"), ("y", "assignment", "function"),
        ("A", "class", "module"),
    ]


# --------------------------------------------------------------------------- module_level_names

def module_level_names_before(source: str) -> dict[str, Span]:
    """The server's implementation before the binding table (issue #13), kept as an oracle:
    `module_level_names`, now a view of `ModuleFacts.bindings`, must answer the same."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    lines = split_lines(source)
    names: dict[str, Span] = {}

    def bind(name: str, line: int, search_from: int = 0) -> None:
        if name in names or not 0 < line <= len(lines):
            return
        text = lines[line - 1]
        found = re.search(rf"\b{re.escape(name)}\b", text[search_from:])
        column = search_from + found.start() if found else 0
        names[name] = Span(line, column, line, column + len(name) if found else 0)

    def visit(body: Iterable[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                bind(node.name, node.lineno, byte_to_char_column(lines[node.lineno - 1], node.col_offset))
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        bind(target.id, target.lineno)
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
                bind(node.target.id, node.target.lineno)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    bound = alias.asname or alias.name.split(".")[0]
                    if bound != "*":
                        bind(bound, getattr(alias, "lineno", node.lineno))
            elif isinstance(node, ast.If):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)

    visit(tree.body)
    return names


def test_module_level_names_of_the_seeds():
    names = module_level_names(SEEDS)
    assert names == module_level_names_before(SEEDS)
    # first binding wins; the column is the name's first whole word on its line
    assert names["WebSocketManager"] == Span(12, 33, 12, 49)
    assert names["Manager"] == Span(20, 0, 20, 7)
    assert names["count"] == Span(21, 0, 21, 5)
    assert "first" not in names and "error" not in names and "item" not in names


_NAMES = st.sampled_from(["a", "b", "os", "Name", "é", "datetime"])
_EXPRESSIONS = st.sampled_from(["1", "a", "a.b", "call()", "(b := 2)", "[x for x in y]"])


@st.composite
def _statement(draw, depth: int = 0) -> list[str]:
    name, other, value = draw(_NAMES), draw(_NAMES), draw(_EXPRESSIONS)
    simple = [
        f"{name} = {value}", f"{name} = {other} = {value}", f"{name}: int", f"{name}: int = {value}",
        f"{name} += 1", f"import {name}", f"import {name}.sub as {other}", f"from {name} import {other}",
        f"from . import {name} as {other}", f"from {name} import *", f"{name}, {other} = {value}",
        f"{other}({name}); {name} = 1", f"del {name}", f"def {name}(): {other} = 1",
        f"async def {name}(): pass", f"class {name}({other}): {other} = 1", f"@{other}\ndef {name}(): pass",
        f"print({name})",
    ]
    if depth >= 2:
        return [draw(st.sampled_from(simple))]
    body = draw(st.lists(_statement(depth + 1), min_size=1, max_size=3))
    inner = ["    " + line for lines in body for line in "\n".join(lines).split("\n")]
    other_body = ["    " + line for line in "\n".join(draw(_statement(depth + 1))).split("\n")]
    compound = draw(st.sampled_from(["if", "try", "for", "while", "with", "finally", "else", "simple"]))
    if compound == "if":
        return [f"if {name}:", *inner, "else:", *other_body]
    if compound == "try":
        return ["try:", *inner, f"except ImportError as {other}:", *other_body, "else:", *other_body]
    if compound == "finally":
        return ["try:", *inner, "finally:", *other_body]
    if compound == "for":
        return [f"for {name} in {other}:", *inner]
    if compound == "while":
        return [f"while {name}:", *inner]
    if compound == "with":
        return [f"with {other} as {name}:", *inner]
    if compound == "else":
        return [f"if {name}:", "    pass", f"elif {other}:", *inner]
    return [draw(st.sampled_from(simple))]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_statement(), min_size=1, max_size=8))
def test_module_level_names_is_the_view_the_old_walk_gave(statements):
    source = "\n".join(line for lines in statements for line in lines) + "\n"
    assert module_level_names(source) == module_level_names_before(source)
