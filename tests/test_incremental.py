"""The language server's incremental check equals the full check, edit after edit."""

from __future__ import annotations

import ast
import keyword
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markers import fixture_projects, python_files

from flake8_ssot.config import load_config
from flake8_ssot.dotted import PathTable
from flake8_ssot.engine import check_source
from flake8_ssot.facts.recovery import read_rows
from flake8_ssot.server import incremental
from flake8_ssot.server.incremental import IncrementalChecker

PROJECT = Path(__file__).parent / "fixtures" / "project"
ROUTES = PROJECT / "src/netra_backend/app/routes_for_incremental_tests.py"  # never written

SOURCE = '''\
"""Agent routes: build the context, get the manager, run the agent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager
from netra_backend.app.services.user_execution_context import UserExecutionContext

if TYPE_CHECKING:
    from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager


class AgentRoute:
    """One route per agent."""

    def __init__(self, name: str) -> None:
        self.name = name

    async def handle(self, user_id: str) -> dict:
        context = UserExecutionContext(user_id=user_id)
        manager = get_websocket_manager(context)
        return {"manager": manager, "route": self.name}


def register(routes: list) -> None:
    routes.append(AgentRoute("supervisor"))


def legacy_path(user_id: str):
    from netra_backend.app.websocket_core.factory import create_websocket_manager

    return create_websocket_manager(user_id)
'''


def full(source: str, path: Path, config) -> list:
    return check_source(source, str(path), config, noqa=True).diagnostics


def without_factory_fixes(config):
    """The policy with no factory to rewrite to: SSOT002 still reports, with no fix. Its fix
    edits the file's imports and may remove the class's import after counting its uses, so a
    fix of it near an edit sends the checker to the full check (rightly); the tests below of
    which edits take the incremental path use this policy. tests/test_construction_fix.py
    checks SSOT002's fixes through the incremental checker."""
    return replace(config, factories=PathTable([(key, replace(entry, use=None)) for key, entry in config.factories.items()]))


def test_an_edit_inside_a_function_body_is_checked_incrementally():
    config = without_factory_fixes(load_config(str(PROJECT / "pyproject.toml")))
    checker = IncrementalChecker()
    assert checker.check(SOURCE, str(ROUTES), config) == full(SOURCE, ROUTES, config)
    assert not checker.last_was_incremental
    codes = [(d.line, d.code) for d in checker.state.diagnostics]
    assert codes == [(21, "SSOT002"), (31, "SSOT001")]

    # A direct construction typed into `register`, three lines down the file.
    edited = SOURCE.replace(
        "    routes.append(",
        "    context = UserExecutionContext(user_id='triage')\n\n\n"
        "    routes.append(",
    )
    diagnostics = checker.check(edited, str(ROUTES), config)
    assert checker.last_was_incremental
    assert diagnostics == full(edited, ROUTES, config)
    assert [(d.line, d.code) for d in diagnostics] == [(21, "SSOT002"), (27, "SSOT002"), (34, "SSOT001")]

    # Deleting the lines again shifts the last diagnostic back.
    assert checker.check(SOURCE, str(ROUTES), config) == full(SOURCE, ROUTES, config)
    assert checker.last_was_incremental


def test_edits_that_change_bindings_or_break_the_parse_take_the_full_check():
    config = without_factory_fixes(load_config(str(PROJECT / "pyproject.toml")))
    checker = IncrementalChecker()
    checker.check(SOURCE, str(ROUTES), config)
    # Checked incrementally, with the statements they may change checked again:
    rebinding = [
        # an import of a configured module: the names it binds, and every fix (fix safety
        # asks which modules the file imports)
        SOURCE.replace("from typing import", "import netra_backend.app.websocket_core.factory as wf\nfrom typing import"),
        # a definition renamed to a name the configuration spells: a pattern fix elsewhere may need it
        SOURCE.replace("def register(", "def get_websocket_manager_factory("),
        # an import inside a function: fixes elsewhere ask what the file imports
        SOURCE.replace("    routes.append(", "    import netra_backend.app.websocket_core\n    routes.append("),
    ]
    for edited in rebinding:
        checker.check(SOURCE, str(ROUTES), config)
        diagnostics = checker.check(edited, str(ROUTES), config)
        assert checker.last_was_incremental, edited
        assert diagnostics == full(edited, ROUTES, config)
    # `global` reaches out of the function: the full check.
    checker.check(SOURCE, str(ROUTES), config)
    edited = SOURCE.replace("    routes.append(", "    global UserExecutionContext\n    routes.append(")
    assert checker.check(edited, str(ROUTES), config) == full(edited, ROUTES, config)
    assert not checker.last_was_incremental
    # A line half typed at column 0 (the bracket takes the statements after it): the buffer's
    # error-tolerant reading re-reads them as they parsed, so only the new line is read again.
    checker.check(SOURCE, str(ROUTES), config)
    broken = SOURCE.replace("\n\ndef register(", "\n\nREGISTRY = [1,\n\ndef register(")
    assert checker.check(broken, str(ROUTES), config) == full(broken, ROUTES, config)
    assert checker.last_was_incremental and checker.state.chunks is None
    # After a buffer that did not parse, the next version is compared with the last one that
    # did: the half-typed line deleted again, or completed, takes the fast path.
    checker.check(broken, str(ROUTES), config)
    assert checker.check(SOURCE, str(ROUTES), config) == full(SOURCE, ROUTES, config)
    assert checker.last_was_incremental
    # A half-typed line inside a function body: only the broken function goes through the
    # error-tolerant parse (with the bindings); the findings elsewhere are kept.
    broken = SOURCE.replace("    routes.append(", "    if routes\n    routes.append(")
    assert checker.check(broken, str(ROUTES), config) == full(broken, ROUTES, config)
    assert checker.last_was_incremental and checker.state.chunks is None
    # An unclosed bracket takes the statements after it into the broken one; the error-tolerant
    # reading re-reads them one by one, as they parsed before: only the broken one is read again.
    unclosed = SOURCE.replace('AgentRoute("supervisor"))', 'AgentRoute("supervisor"')
    assert checker.check(unclosed, str(ROUTES), config) == full(unclosed, ROUTES, config)
    assert checker.last_was_incremental and checker.state.chunks is None
    # A broken statement that imports something: what it imports as the error-tolerant reading
    # reads it is compared with what it imported (fixes elsewhere ask what the file imports).
    checker.check(SOURCE, str(ROUTES), config)
    unclosed_import = SOURCE.replace("    return create_websocket_manager(user_id)", "    return create_websocket_manager(user_id")
    assert checker.check(unclosed_import, str(ROUTES), config) == full(unclosed_import, ROUTES, config)
    assert checker.last_was_incremental
    completed = SOURCE.replace('AgentRoute("supervisor"))', 'AgentRoute("supervisor", UserExecutionContext(user_id="u")))')
    assert checker.check(completed, str(ROUTES), config) == full(completed, ROUTES, config)
    assert checker.last_was_incremental
    assert [(d.line, d.code) for d in checker.state.diagnostics] == [(21, "SSOT002"), (27, "SSOT002"), (31, "SSOT001")]
    checker.check(SOURCE.replace("supervisor", "triage"), str(ROUTES), config)
    assert checker.last_was_incremental


def test_the_base_after_a_broken_buffer_is_the_last_version_that_parsed():
    """broken, then the same broken text again, then a parsing edit elsewhere: compared with the
    last parsed version, every line that differs from it is in the edited region."""
    config = without_factory_fixes(load_config(str(PROJECT / "pyproject.toml")))
    checker = IncrementalChecker()
    checker.check(SOURCE, str(ROUTES), config)
    broken = SOURCE.replace("    return create_websocket_manager(user_id)", "    return create_websocket_manager(")
    for _ in range(2):
        assert checker.check(broken, str(ROUTES), config) == full(broken, ROUTES, config)
    moved = SOURCE.replace("    routes.append(", "    context = UserExecutionContext(user_id='x')\n    routes.append(")
    assert checker.check(moved, str(ROUTES), config) == full(moved, ROUTES, config)
    assert checker.last_was_incremental
    assert checker.check(SOURCE, str(ROUTES), config) == full(SOURCE, ROUTES, config)


# --------------------------------------------------------------------------- property

CASES = [
    (project, path) for project in fixture_projects() for path in python_files(project)
    if path.stat().st_size < 20_000
]
SNIPPETS = [
    "",
    "# a comment",
    "    pass",
    "        pass",
    "    return None",
    "    manager = create_websocket_manager(context)",
    "    context = UserExecutionContext(user_id='u')",
    "    from netra_backend.app.websocket_core.factory import create_websocket_manager",
    "    mock.patch('netra_backend.app.websocket_core.factory.create_websocket_manager')",
    "from netra_backend.app.websocket_core.factory import create_websocket_manager",
    "import netra_backend.app.websocket_core.factory as legacy",
    "UserExecutionContext = None",
    "def get_websocket_manager():",
    "class WebSocketManager:",
    "__all__ = ['get_websocket_manager_factory']",
    "    x = 1  # noqa: SSOT002",
    "@decorator",
    "if TYPE_CHECKING:",
    '    """',
]


@st.composite
def edits(draw, lines: int):
    kind = draw(st.sampled_from(["insert", "indented", "delete", "replace", "duplicate"]))
    where = draw(st.integers(min_value=0, max_value=max(lines - 1, 0)))
    count = draw(st.integers(min_value=1, max_value=3))
    text = draw(st.sampled_from(SNIPPETS))
    return kind, where, count, text


def apply(lines: list[str], edit) -> list[str]:
    kind, where, count, text = edit
    lines = list(lines)
    if kind == "insert":
        lines[where:where] = [text] * count
    elif kind == "indented" and lines:  # typed into a block, at the indentation of the line there
        indent = lines[where][: len(lines[where]) - len(lines[where].lstrip())]
        lines[where:where] = [indent + text.strip()] * count
    elif kind == "delete":
        del lines[where:min(where + count, len(lines) - 1)]
    elif kind == "replace":
        lines[where:where + 1] = [text]
    elif kind == "duplicate":
        lines[where:where] = lines[where:where + count]
    return lines


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_incremental_equals_full_after_any_edits(data):
    project, path = data.draw(st.sampled_from(CASES), label="file")
    config = load_config(str(project / "pyproject.toml"))
    source = path.read_text(encoding="utf-8")
    checker = IncrementalChecker()
    assert checker.check(source, str(path), config) == full(source, path, config)
    lines = source.split("\n")
    for _ in range(data.draw(st.integers(min_value=1, max_value=4), label="edits")):
        lines = apply(lines, data.draw(edits(len(lines)), label="edit"))
        text = "\n".join(lines)
        assert _comparable(checker, checker.check(text, str(path), config)) == _comparable(
            checker, full(text, path, config)), text


def _comparable(checker: IncrementalChecker, diagnostics: list) -> list:
    """Diagnostics as the incremental check promises them: equal to the full check's, but for
    `statement` after a half-typed line kept inside a body (IncrementalChecker._broken_inside:
    the full check can read a decorator apart from its function after the broken statement)."""
    if checker.state is not None and checker.state.chunks is None:
        return [replace(d, statement="") for d in diagnostics]
    return diagnostics


def test_the_property_reaches_the_incremental_path():
    """Edits inside function bodies of the fixture files: most take the fast path, all agree."""
    incremental = total = 0
    for project, path in CASES:
        config = load_config(str(project / "pyproject.toml"))
        source = path.read_text(encoding="utf-8")
        lines = source.split("\n")
        body = [i for i, line in enumerate(lines) if line.startswith("    ") and line.strip()]
        for index in body[::5]:
            checker = IncrementalChecker()
            checker.check(source, str(path), config)
            indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
            edited = "\n".join([*lines[:index], f"{indent}pass", *lines[index:]])
            assert checker.check(edited, str(path), config) == full(edited, path, config), (path, index)
            incremental += checker.last_was_incremental
            total += 1
    assert total > 50
    assert incremental > total // 2


def test_fix_safety_that_depends_on_imports_elsewhere_in_the_file(tmp_path):
    """A pattern fix is safe when the file imports the name it needs, even in another function;
    the reduced buffer keeps that import (inside the other function's stub)."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ssot]\nsrc = ["."]\n\n[[tool.ssot.patterns]]\ncode = "SSOT101"\n'
        'pattern = "get_websocket_manager_factory($$$ARGS)"\nmessage = "the factory accessor is retired"\n'
        'fix = "get_websocket_manager($$$ARGS)"\n'
    )
    config = load_config(str(tmp_path / "pyproject.toml"))
    path = tmp_path / "handlers.py"
    source = (
        "def connect(user):\n    return None\n\n\n"
        "def reconnect(user):\n"
        "    from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager\n"
        "    return get_websocket_manager(user)\n\n\n"
        "def legacy(user):\n    return get_websocket_manager_factory(user)\n"
    )
    checker = IncrementalChecker()
    assert [d.line for d in checker.check(source, str(path), config)] == [11]
    edited = source.replace("    return None", "    return get_websocket_manager_factory(user)")
    diagnostics = checker.check(edited, str(path), config)
    assert checker.last_was_incremental
    assert diagnostics == full(edited, path, config)
    assert [(d.line, d.fix.applicability) for d in diagnostics] == [(2, "safe"), (11, "safe")]


# --------------------------------------------------------------------------- module-level edits

# Top-level statements that bind a name taken from the file itself (NAME) or a fresh one:
# the names the rest of the file resolves can change, and so can its diagnostics.
BINDINGS = [
    "import NAME",
    "import json, NAME",
    "import os.path as NAME",
    "from collections import OrderedDict as NAME",
    "NAME = None",
    "NAME = OTHER",
    "NAME = OTHER.attribute",
    "NAME: int = 3",
    "def NAME():\n    return OTHER",
    "class NAME:\n    pass",
    "for NAME in range(3):\n    pass",
    "try:\n    import NAME\nexcept ImportError:\n    NAME = None",
    "if TYPE_CHECKING:\n    from typing import Any as NAME",
    "with open(__file__) as NAME:\n    pass",
    "(NAME := OTHER)",
    "del NAME",
    "print(NAME)",
    "# a comment about NAME",
]


@st.composite
def module_edits(draw, lines: list[str], words: list[str]):
    """Insert, delete or replace a top-level statement line (one starting at column 0)."""
    tops = [i for i, line in enumerate(lines) if line[:1].isalpha() or line[:1] in "#@(_"] or [0]
    where = draw(st.sampled_from(tops))
    kind = draw(st.sampled_from(["insert", "replace", "delete", "rename"]))
    name = draw(st.sampled_from(words)) if words and draw(st.booleans()) else "fresh_name"
    other = draw(st.sampled_from(words)) if words else "os"
    text = draw(st.sampled_from(BINDINGS)).replace("NAME", name).replace("OTHER", other)
    return kind, where, text, name


def apply_module_edit(lines: list[str], edit) -> list[str]:
    kind, where, text, name = edit
    lines = list(lines)
    if kind == "insert":
        lines[where:where] = text.split("\n")
    elif kind == "replace":
        lines[where:where + 1] = text.split("\n")
    elif kind == "delete":
        del lines[where:where + 1]
    elif kind == "rename":  # a word of a top-level line renamed (an import's alias, a definition)
        words = re.findall(r"[A-Za-z_]\w*", lines[where])
        if words:
            lines[where] = re.sub(r"\b%s\b" % re.escape(words[-1]), name, lines[where], count=1)
    return lines


MODULE_CASES = [case for case in CASES if re.search(r"^(import|from|[A-Za-z_]\w* =)", case[1].read_text(), re.M)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_module_level_edits_equal_the_full_check(data):
    project, path = data.draw(st.sampled_from(MODULE_CASES), label="file")
    config = load_config(str(project / "pyproject.toml"))
    source = path.read_text(encoding="utf-8")
    checker = IncrementalChecker()
    assert checker.check(source, str(path), config) == full(source, path, config)
    lines = source.split("\n")
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="edits")):
        words = sorted({w for w in re.findall(r"\b[A-Za-z_]\w*\b", "\n".join(lines)) if not keyword.iskeyword(w)})
        lines = apply_module_edit(lines, data.draw(module_edits(lines, words), label="edit"))
        text = "\n".join(lines)
        assert checker.check(text, str(path), config) == full(text, path, config), text


def test_an_import_edit_is_checked_incrementally_with_the_statements_it_rebinds():
    config = without_factory_fixes(load_config(str(PROJECT / "pyproject.toml")))
    checker = IncrementalChecker()
    source = SOURCE.replace("from typing import TYPE_CHECKING", "from typing import TYPE_CHECKING\nimport json")
    checker.check(source, str(ROUTES), config)
    # `import json` -> `import json, logging`: nothing else mentions `logging`.
    edited = source.replace("import json", "import json, logging")
    assert checker.check(edited, str(ROUTES), config) == full(edited, ROUTES, config)
    assert checker.last_was_incremental
    # An alias that rebinds a name the file uses: the statements using it are checked again.
    aliased = source.replace(
        "import json",
        "import json\nfrom netra_backend.app.services import user_execution_context as contexts",
    ).replace("UserExecutionContext(user_id=user_id)", "contexts.UserExecutionContext(user_id=user_id)")
    checker.check(aliased, str(ROUTES), config)
    assert [d.code for d in checker.state.diagnostics].count("SSOT002") == 1
    rebound = aliased.replace("as contexts\n", "as contexts\ncontexts = None\n")
    diagnostics = checker.check(rebound, str(ROUTES), config)
    assert checker.last_was_incremental
    assert diagnostics == full(rebound, ROUTES, config)
    assert [d.code for d in diagnostics].count("SSOT002") == 0  # `contexts.UserExecutionContext` is no call of it
    assert checker.check(aliased, str(ROUTES), config) == full(aliased, ROUTES, config)
    assert checker.last_was_incremental
    assert [d.code for d in checker.state.diagnostics].count("SSOT002") == 1
    # A renamed function: the calls of both names are checked again.
    renamed = aliased.replace("def register(", "def register_routes(")
    assert checker.check(renamed, str(ROUTES), config) == full(renamed, ROUTES, config)
    assert checker.last_was_incremental


# --------------------------------------------------------------------------- half-typed lines

HALF_TYPED = [
    "if payload", "manager = create_websocket_manager(", "return {", "context = UserExecutionContext(user_id=",
    "x = ]", "for item in", "print 'debug'", "def broken(:", "REGISTRY = [1,", "with open(path) as", "@",
    "mock.patch('netra_backend.app.websocket_core.factory.", "from netra_backend.app.websocket_core.factory import (",
    "import", "class", "'unterminated", "x = (1,\\", "else:", "    deeper = (",
]


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


PARSED_CASES = [case for case in CASES if _parses(case[1].read_text(encoding="utf-8"))]


def _body_line(data, bodies):
    """Where a line is typed into one of `bodies`: before or after one of its statements, at
    that statement's indentation, as (0-based line, indentation); None for a body without
    statements of its own."""
    node = data.draw(st.sampled_from(bodies), label="statement")
    inner = [n for n in ast.walk(node) if isinstance(n, ast.stmt) and n is not node]
    if not inner:
        return None
    target = data.draw(st.sampled_from(inner), label="line")
    at = target.lineno - 1 + data.draw(st.integers(min_value=0, max_value=1), label="after")
    return at, " " * target.col_offset


def _opened_with_bodies(data):
    """A fixture file that parses, opened in a checker: its path, configuration, source, its
    top-level functions and classes (lines are typed into their bodies) and the checker."""
    project, path = data.draw(st.sampled_from(PARSED_CASES), label="file")
    config = load_config(str(project / "pyproject.toml"))
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    bodies = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    checker = IncrementalChecker()
    assert checker.check(source, str(path), config) == full(source, path, config)
    return path, config, source, bodies, checker


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_half_typed_lines_in_bodies_equal_the_full_check(data):
    """A line typed into a function or class body that leaves the buffer unparsable, then
    maybe more typing or its deletion: every version's diagnostics equal the full check
    (the error-tolerant one while the buffer does not parse)."""
    path, config, source, bodies, checker = _opened_with_bodies(data)
    if not bodies:
        return
    lines = source.split("\n")
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="edits")):
        drawn = _body_line(data, bodies)
        if drawn is None:
            continue
        at, indent = drawn
        action = data.draw(st.sampled_from(["insert", "insert", "replace", "undo"]), label="action")
        if action == "undo":
            lines = source.split("\n")
        else:
            typed = indent + data.draw(st.sampled_from(HALF_TYPED), label="typed")
            lines = list(lines)
            lines[at:at + (action == "replace")] = [typed]
        text = "\n".join(lines)
        got, wanted = checker.check(text, str(path), config), full(text, path, config)
        if checker.state.chunks is None:  # see IncrementalChecker._broken: `statement` may differ
            got, wanted = [replace(d, statement="") for d in got], [replace(d, statement="") for d in wanted]
        assert got == wanted, text


def test_renaming_an_import_no_rule_can_match_through_keeps_the_other_findings():
    """`import json` -> `import json as codec`: `json` is used where contexts are built, but no
    configured path starts with `json`, so no finding through it changes; an alias of a
    configured package is another matter."""
    config = without_factory_fixes(load_config(str(PROJECT / "pyproject.toml")))
    source = SOURCE.replace(
        "from typing import TYPE_CHECKING", "from typing import TYPE_CHECKING\nimport json"
    ).replace(
        '        return {"manager": manager, "route": self.name}',
        '        return json.loads(json.dumps({"manager": str(manager), "route": self.name}))',
    )
    checker = IncrementalChecker()
    checker.check(source, str(ROUTES), config)
    for edited in (
        source.replace("import json\n", "import json as codec\n"),
        source.replace("import json\n", "import netra_backend.app.services.user_execution_context as json\n"),
        source.replace("import json\n", "from netra_backend.app.services import user_execution_context as json\n"),
    ):
        checker.check(source, str(ROUTES), config)
        assert checker.check(edited, str(ROUTES), config) == full(edited, ROUTES, config)
        assert checker.last_was_incremental


def _rechecked(monkeypatch) -> list[str]:
    """The reduced buffers the incremental path sends to the engine, as they are checked."""
    from flake8_ssot.server import incremental

    seen: list[str] = []

    def spy(source, *args, **kwargs):
        seen.append(source)
        return check_source(source, *args, **kwargs)

    monkeypatch.setattr(incremental, "check_source", spy)
    return seen


def test_renaming_a_configured_import_no_key_reaches_rechecks_none_of_its_uses(monkeypatch):
    """`get_websocket_manager` is a configured package's function, but no legacy, factory or
    canonical key is it or lies under it: renaming its import changes no finding through it,
    so the methods calling it are not checked again (the fixture's wildcard key
    `netra_backend.app.legacy_*` has three components and cannot reach past the name's five)."""
    config = without_factory_fixes(load_config(str(PROJECT / "pyproject.toml")))
    checker = IncrementalChecker()
    checker.check(SOURCE, str(ROUTES), config)
    seen = _rechecked(monkeypatch)
    renamed = SOURCE.replace("import get_websocket_manager\n", "import get_websocket_manager as get_manager\n")
    assert checker.check(renamed, str(ROUTES), config) == full(renamed, ROUTES, config)
    assert checker.last_was_incremental
    assert "manager = get_websocket_manager(context)" not in seen[-1]


def test_renaming_an_import_a_key_reaches_rechecks_its_uses(monkeypatch):
    """Names whose path a rule can follow: a factory class (by key, and re-exported by its
    parent package), a package a chain of attributes leads from to a legacy key, a module a
    canonical alias is read from."""
    config = without_factory_fixes(load_config(str(PROJECT / "pyproject.toml")))
    manager_alias = SOURCE.replace(
        "from typing import TYPE_CHECKING\n",
        "from typing import TYPE_CHECKING\n\nfrom netra_backend.app.websocket_core import websocket_manager as ws\n"
        "WebSocketManager = ws.WebSocketManager\n",
    )
    reexported = SOURCE.replace(
        "from netra_backend.app.services.user_execution_context import UserExecutionContext",
        "from netra_backend.app.services import UserExecutionContext",
    )
    legacy_module = SOURCE.replace(
        "from typing import TYPE_CHECKING\n",
        "from typing import TYPE_CHECKING\n\nfrom netra_backend.app import websocket_core\n",
    ).replace("manager = get_websocket_manager(context)",
              "manager = websocket_core.factory.create_websocket_manager(context)")
    cases = [
        (SOURCE, "import UserExecutionContext\n", "import UserExecutionContext as Context\n",
         "context = UserExecutionContext(user_id=user_id)"),
        (reexported, "import UserExecutionContext\n", "import UserExecutionContext as Context\n",
         "context = UserExecutionContext(user_id=user_id)"),
        (legacy_module, "import websocket_core\n", "import websocket_core as core\n",
         "manager = websocket_core.factory.create_websocket_manager(context)"),
        (manager_alias, "websocket_manager as ws\n", "unified_manager as ws\n", "WebSocketManager = ws.WebSocketManager"),
    ]
    for source, old, new, use in cases:
        checker = IncrementalChecker()
        before = checker.check(source, str(ROUTES), config)
        assert before == full(source, ROUTES, config)
        seen = _rechecked(monkeypatch)
        edited = source.replace(old, new)
        after = checker.check(edited, str(ROUTES), config)
        assert after == full(edited, ROUTES, config), new
        assert checker.last_was_incremental, new
        assert use in seen[-1], new
        assert after != before, new  # the finding through the name came or went


def test_renaming_an_import_rechecks_only_the_uses_whose_attributes_a_key_follows(monkeypatch):
    """`UserExecutionContext.from_request(...)`: no key lies under the class, so that use makes
    no finding through the name before the rename or after, and is not checked again; the
    construction is. `factory.create_websocket_manager` through the legacy module's own import:
    SSOT001 reports the import, no chain through it is a finding of its own."""
    config = without_factory_fixes(load_config(str(PROJECT / "pyproject.toml")))
    restored = SOURCE.replace(
        '        return {"manager": manager, "route": self.name}\n',
        '        restored = UserExecutionContext.from_request(user_id, {})\n'
        '        return {"manager": manager, "route": self.name, "restored": restored}\n',
    ).replace("        context = UserExecutionContext(user_id=user_id)\n", "        context = None\n")
    restored += "\n\ndef build(user_id: str):\n    return UserExecutionContext(user_id=user_id)\n"
    legacy = SOURCE.replace(
        "from typing import TYPE_CHECKING\n",
        "from typing import TYPE_CHECKING\n\nfrom netra_backend.app.websocket_core import factory\n",
    ).replace("manager = get_websocket_manager(context)", "manager = factory.create_websocket_manager(context)")
    for source, old, new, checked, not_checked in [
        (restored, "import UserExecutionContext\n", "import UserExecutionContext as Context\n",
         "return UserExecutionContext(user_id=user_id)", "from_request"),
        (legacy, "import factory\n", "import factory as retired\n", "import factory as retired", "factory.create"),
    ]:
        checker = IncrementalChecker()
        assert checker.check(source, str(ROUTES), config) == full(source, ROUTES, config)
        seen = _rechecked(monkeypatch)
        edited = source.replace(old, new)
        assert checker.check(edited, str(ROUTES), config) == full(edited, ROUTES, config), new
        assert checker.last_was_incremental, new
        assert checked in seen[-1] and not_checked not in seen[-1], new
        assert checker.check(source, str(ROUTES), config) == full(source, ROUTES, config), new


def test_renaming_a_package_a_chain_leads_from_to_a_legacy_key_rechecks_the_chain():
    """`websocket_core.factory.create_websocket_manager(...)` reaches the legacy module through
    the package (SSOT004). With no `use` to rewrite to, the finding has no fix, so only the
    chain's attributes say it must be checked again when `websocket_core` is renamed."""
    config = without_factory_fixes(load_config(str(PROJECT / "pyproject.toml")))
    config = replace(config, legacy=PathTable(
        [(key, replace(entry, use=None)) for key, entry in config.legacy.items()]))
    source = SOURCE.replace(
        "from typing import TYPE_CHECKING\n",
        "from typing import TYPE_CHECKING\n\nfrom netra_backend.app import websocket_core\n",
    ).replace("manager = get_websocket_manager(context)",
              "manager = websocket_core.factory.create_websocket_manager(context)")
    line = source.split("\n").index("        manager = websocket_core.factory.create_websocket_manager(context)") + 1
    checker = IncrementalChecker()
    before = checker.check(source, str(ROUTES), config)
    assert before == full(source, ROUTES, config)
    assert [d.code for d in before if d.line == line] == ["SSOT004"]
    edited = source.replace("import websocket_core\n", "import websocket_core as core\n")
    after = checker.check(edited, str(ROUTES), config)
    assert after == full(edited, ROUTES, config)
    assert checker.last_was_incremental
    assert not [d for d in after if d.line == line]


WIRING = '''\
"""Supervisor wiring: the manager each agent gets, re-exported for the routes."""

from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager

__all__ = ["wire_supervisor"]


def wire_supervisor(user_id: str):
    manager = create_websocket_manager(user_id)
    return {"manager": manager, "user": user_id}
'''


def test_an_edit_of_all_rechecks_the_statements_with_fixes():
    """`__all__` changes no binding, but SSOT001's fix keeps an alias the module exports
    (renaming it would break its importers): an edit of `__all__` is checked incrementally
    with every statement holding a fix, and the fix follows the edit both ways. (Back to a
    fix that renames the uses, built from the reduced buffer that lacks them, the full check
    answers: legacy_import.fix_is_current.)"""
    config = load_config(str(PROJECT / "pyproject.toml"))
    checker = IncrementalChecker()
    assert checker.check(WIRING, str(ROUTES), config) == full(WIRING, ROUTES, config)
    [renamed] = [d.fix.description for d in checker.state.diagnostics if d.code == "SSOT001"]
    assert ", renaming 'create_websocket_manager'" in renamed
    exported = WIRING.replace('["wire_supervisor"]', '["wire_supervisor", "create_websocket_manager"]')
    assert checker.check(exported, str(ROUTES), config) == full(exported, ROUTES, config)
    assert checker.last_was_incremental
    [kept] = [d.fix.description for d in checker.state.diagnostics if d.code == "SSOT001"]
    assert "keeps the alias 'create_websocket_manager'" in kept and "renaming" not in kept
    assert checker.check(WIRING, str(ROUTES), config) == full(WIRING, ROUTES, config)
    # Elsewhere in a longer module: the import's statement is checked again, not the function.
    longer = WIRING.replace('__all__ = ["wire_supervisor"]\n', 'import json\n\n__all__ = ["wire_supervisor"]\n')
    checker.check(longer, str(ROUTES), config)
    exported = longer.replace('["wire_supervisor"]', '["wire_supervisor", "create_websocket_manager"]')
    assert checker.check(exported, str(ROUTES), config) == full(exported, ROUTES, config)
    assert checker.last_was_incremental


CLASS_SOURCE = '''\
"""Supervisor routes: one class, methods that build contexts and patch the retired factory."""

from unittest import mock

from netra_backend.app.services.user_execution_context import UserExecutionContext
from netra_backend.app.websocket_core import factory

patcher = mock.patch


class SupervisorRoutes(
    object,
):
    """Routes of the supervisor agent."""

    Context = UserExecutionContext
    retries = 3

    def __init__(self, user_id: str) -> None:
        self.user_id = user_id

    @property
    def context(self):
        return UserExecutionContext(user_id=self.user_id)

    @context.setter
    def context(self, value):
        self._context = value

    @patcher("netra_backend.app.websocket_core.factory.create_websocket_manager")
    def legacy_manager(self, patched=factory.create_websocket_manager):
        from netra_backend.app.websocket_core.factory import create_websocket_manager

        return create_websocket_manager(self.user_id)

    class Nested:
        def build(self):
            return UserExecutionContext(user_id="nested")

    async def run(self, payload: dict) -> dict:
        manager = factory.create_websocket_manager(self.user_id)
        return {"manager": manager, "payload": payload}

    def plain(self):
        return self.retries


def module_level():
    return SupervisorRoutes("u").context
'''


def test_a_rebound_name_rechecks_only_the_methods_that_mention_it(monkeypatch):
    """Renaming an import a key reaches: the methods mentioning it are checked again, inside
    their class's header with the class-level bindings and stubs of the other methods; the
    methods that do not mention it are not checked again, and everything equals the full check.
    (`run` reads the legacy module with `getattr`: a chain `factory.create_websocket_manager`
    through its import is SSOT001's alone and is not checked again, see below.)"""
    config = without_factory_fixes(load_config(str(PROJECT / "pyproject.toml")))
    source = CLASS_SOURCE.replace("manager = factory.create_websocket_manager(self.user_id)",
                                  'manager = getattr(factory, "create_websocket_manager")(self.user_id)')
    checker = IncrementalChecker()
    before = checker.check(source, str(ROUTES), config)
    assert before == full(source, ROUTES, config)
    assert {d.code for d in before} >= {"SSOT001", "SSOT002", "SSOT004"}
    seen = _rechecked(monkeypatch)
    edited = source.replace("import factory\n", "import factory as retired\n")
    assert checker.check(edited, str(ROUTES), config) == full(edited, ROUTES, config)
    assert checker.last_was_incremental
    reduced = seen[-1]
    assert 'manager = getattr(factory, "create_websocket_manager")(self.user_id)' in reduced
    assert "return self.retries" not in reduced and "return UserExecutionContext(user_id=self.user_id)" not in reduced
    assert "    def plain(*args, **kwargs): ..." in reduced
    assert "    Context = UserExecutionContext" in reduced  # class-level bindings stay
    for version in (
        source.replace("import UserExecutionContext\n", "import UserExecutionContext as Ctx\n"),
        source.replace("patcher = mock.patch\n", "patcher = factory\n"),
        source.replace("from unittest import mock\n", "from netra_backend.app.websocket_core import mock\n"),
        edited.replace("import factory as retired\n", "import factory as retired\nfactory = retired\n"),
        source,
    ):
        assert checker.check(version, str(ROUTES), config) == full(version, ROUTES, config), version
        assert checker.last_was_incremental


def test_class_members_are_whole_when_a_statement_shares_the_header_line():
    config = load_config(str(PROJECT / "pyproject.toml"))
    for source in (
        "from netra_backend.app.websocket_core import factory\n\n\nclass A: x = factory.create_websocket_manager()\n",
        "from netra_backend.app.websocket_core import factory\n\n\nclass A(\n    object,\n): x = 1\n\n"
        "def f():\n    return factory.create_websocket_manager()\n",
        "from netra_backend.app.websocket_core import factory\n\n\nclass A:\n    x = 1; y = factory.create_websocket_manager()\n"
        "    def f(self):\n        return factory.create_websocket_manager()\n",
    ):
        checker = IncrementalChecker()
        assert checker.check(source, str(ROUTES), config) == full(source, ROUTES, config)
        edited = source.replace("import factory\n", "import factory as retired\n")
        assert checker.check(edited, str(ROUTES), config) == full(edited, ROUTES, config), source


UNCLOSED = [
    "payload.get(", "manager = create_websocket_manager(", "return {", "context = UserExecutionContext(user_id=",
    "REGISTRY = [1,", "values = (", "mock.patch('netra_backend.app.websocket_core.factory.create_websocket_manager',",
    "x = )", "items = [x for x in", "call(a, b))", "lookup = {'key': [",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_a_bracket_left_open_in_a_body_equals_the_full_check(data):
    """A line with a bracket left open (or closed early) typed into a function or class body:
    the error-tolerant reading takes the statements after it into the broken one and re-reads
    them line group by line group. Checked apart or in full, every diagnostic is the same,
    `statement` included; then the line is deleted again."""
    path, config, source, bodies, checker = _opened_with_bodies(data)
    if not bodies:
        return
    drawn = _body_line(data, bodies)
    if drawn is None:
        return
    at, indent = drawn
    lines = source.split("\n")
    lines[at:at] = [indent + data.draw(st.sampled_from(UNCLOSED), label="typed")]
    text = "\n".join(lines)
    assert checker.check(text, str(path), config) == full(text, path, config), text
    assert checker.check(source, str(path), config) == full(source, path, config)


def test_a_bracket_left_open_is_read_apart_when_the_statements_after_it_read_as_before(monkeypatch):
    config = without_factory_fixes(load_config(str(PROJECT / "pyproject.toml")))
    checker = IncrementalChecker()
    checker.check(SOURCE, str(ROUTES), config)
    unclosed = SOURCE.replace("        manager = get_websocket_manager(context)\n",
                              "        payload.get(\n        manager = get_websocket_manager(context)\n")
    assert checker.check(unclosed, str(ROUTES), config) == full(unclosed, ROUTES, config)
    assert checker.last_was_incremental
    # A decorator after the broken statement: the error-tolerant reading re-reads the decorator
    # and its function apart, not as the statement that parsed: the full check.
    decorated = SOURCE.replace("def register(", "@staticmethod\ndef register(")
    checker.check(decorated, str(ROUTES), config)
    unclosed = decorated.replace("        manager = get_websocket_manager(context)\n",
                                 "        payload.get(\n        manager = get_websocket_manager(context)\n")
    assert checker.check(unclosed, str(ROUTES), config) == full(unclosed, ROUTES, config)
    assert not checker.last_was_incremental


AT_COLUMN_0 = [
    "from netra_backend.app.websocket_core import ", "from netra_backend.app.websocket_core import (",
    "import netra_backend.app.websocket_core.", "def helper(payload", "REGISTRY = [", "class Broken(",
    "if TYPE_CHECKING", "x = ", "@", "from . import", "UserExecutionContext = ", "factory = (",
    "get_websocket_manager_factory(", "mock.patch('netra_backend.app.websocket_core.factory.create_websocket_manager'",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_a_line_half_typed_at_column_0_equals_the_full_check(data):
    """A new top-level line half typed (an import, a definition, an assignment, a bracket left
    open) between two statements: the buffer's error-tolerant reading decides what is read
    again, and every diagnostic equals the full check's, `statement` included."""
    project, path = data.draw(st.sampled_from(PARSED_CASES), label="file")
    config = load_config(str(project / "pyproject.toml"))
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    lines = source.split("\n")
    tops = sorted({min([n.lineno, *(d.lineno for d in getattr(n, "decorator_list", ()))]) - 1 for n in tree.body})
    at = data.draw(st.sampled_from([*tops, len(lines)]), label="before line")
    checker = IncrementalChecker()
    checker.check(source, str(path), config)
    for _ in range(data.draw(st.integers(min_value=1, max_value=2), label="lines typed")):
        lines = list(lines)
        lines[at:at] = [data.draw(st.sampled_from(AT_COLUMN_0), label="typed")]
        text = "\n".join(lines)
        assert checker.check(text, str(path), config) == full(text, path, config), text
    assert checker.check(source, str(path), config) == full(source, path, config)


def test_an_import_half_typed_at_the_top_is_read_apart(monkeypatch):
    """Typing a new import at the top of a module: each keystroke leaves the buffer unparsable,
    but only the import is read again (with the statements using a name it binds differently)."""
    config = without_factory_fixes(load_config(str(PROJECT / "pyproject.toml")))
    checker = IncrementalChecker()
    checker.check(SOURCE, str(ROUTES), config)
    anchor = "from netra_backend.app.services.user_execution_context import UserExecutionContext\n"
    for typed in ("from netra_backend.app.websocket_core import ", "from netra_backend.app.websocket_core import fac,",
                  "from netra_backend.app.websocket_core import factory as UserExecutionContext, ("):
        edited = SOURCE.replace(anchor, anchor + typed + "\n")
        assert checker.check(edited, str(ROUTES), config) == full(edited, ROUTES, config), typed
        assert checker.last_was_incremental and checker.state.chunks is None, typed


def test_a_broken_body_whose_reading_binds_a_module_name_is_not_kept_apart():
    """A line between `try:`'s body and `except` breaks the method; the error-tolerant reading
    of the broken class can put an assignment of it at module level (`UserExecutionContext =
    None`), where it rebinds the name for every function below: their findings go too."""
    config = load_config(str(PROJECT / "pyproject.toml"))
    source = SOURCE.replace(
        '        return {"manager": manager, "route": self.name}\n',
        '        try:\n            result = {"manager": manager, "route": self.name}\n'
        '        except (ValueError, KeyError) as error:\n            raise RuntimeError(error)\n'
        '        return result\n',
    ) + "\n\ndef later(user_id: str):\n    return UserExecutionContext(user_id=user_id)\n"
    checker = IncrementalChecker()
    assert checker.check(source, str(ROUTES), config) == full(source, ROUTES, config)
    for line in ("            UserExecutionContext = None", "        UserExecutionContext = None", "        x = (1, 2"):
        edited = source.replace("        except (ValueError", line + "\n        except (ValueError")
        assert checker.check(edited, str(ROUTES), config) == full(edited, ROUTES, config), line
        checker.check(source, str(ROUTES), config)


def test_a_construction_fix_follows_the_uses_an_edit_removes_elsewhere():
    """Found by the property in CI: lines duplicated, then the duplicated use of the class
    deleted. Whether SSOT002's fix removes the class's import depends on every use of its
    name in the file, which a reduced buffer lacks and an edit anywhere changes in either
    direction; the incremental check must still give the full check's fix."""
    project = Path(__file__).parent / "fixtures" / "noqa"
    path = project / "tests" / "test_legacy_factory_contract.py"
    config = load_config(str(project / "pyproject.toml"))
    lines = path.read_text(encoding="utf-8").split("\n")
    checker = IncrementalChecker()
    checker.check("\n".join(lines), str(path), config)
    for edit in [("duplicate", 15, 3, ""), ("delete", 19, 2, "")]:
        lines = apply(lines, edit)
        text = "\n".join(lines)
        assert _comparable(checker, checker.check(text, str(path), config)) == _comparable(
            checker, full(text, path, config)), text


# --------------------------------------------------------------------------- a long buffer

LONG = PROJECT / "src/netra_backend/app/agents/execution_pipeline_for_incremental_tests.py"  # never written
LONG_HEADER = '''\
"""Agent execution pipeline: routing, retries and WebSocket notifications."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any
from unittest import mock

from netra_backend.app.websocket_core.factory import create_websocket_manager
from netra_backend.app.services.user_execution_context import UserExecutionContext
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager, get_websocket_manager

if TYPE_CHECKING:
    from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager

logger = logging.getLogger(__name__)
'''
LONG_BLOCK = '''

class {name}Pipeline:
    """Runs {noun} steps for one user; the manager is resolved per request."""

    def __init__(self, user_id: str, retries: int = 3) -> None:
        self.user_id = user_id
        self.retries = retries

    async def run(self, payload: dict[str, Any]) -> dict[str, Any]:
        context = UserExecutionContext.from_request(self.user_id, payload)
        manager = get_websocket_manager(user_context=context)
        for attempt in range(self.retries):
            try:
                return await self._step(payload, attempt)
            except (ValueError, KeyError) as error:
                logger.warning("{noun} step failed for %s: %s", self.user_id, error)
        return {{"ok": False, "manager": repr(manager)}}

    async def _step(self, payload: dict[str, Any], attempt: int) -> dict[str, Any]:
        await asyncio.sleep(0)
        total = sum(len(str(value)) for value in payload.values())
        return {{"ok": True, "size": total, "attempt": attempt}}


def build_{noun}_{index}_report(rows: list[dict[str, Any]]) -> str:
    return "\\n".join(f"{{row.get('user', '?')}}: {{row.get('ok')}}" for row in rows)
'''
LONG_FINDINGS = [
    '\n\ndef legacy_{noun}_{index}_path(user_id):\n    context = UserExecutionContext(user_id)\n'
    '    return get_websocket_manager_factory(context)\n',
    '\n\ndef patch_{noun}_{index}_target():\n'
    '    return mock.patch("netra_backend.app.websocket_core.factory.create_websocket_manager")\n',
]
# A pattern rule that looks only at its own node: such configurations take the incremental path,
# and its matches come from the error-tolerant tree when the buffer does not parse.
LONG_PATTERN = '''\
[tool.ssot]
[[tool.ssot.patterns]]
code = "SSOT101"
pattern = "get_websocket_manager_factory($$$ARGS)"
message = "the factory accessor is retired"
fix = "get_websocket_manager($$$ARGS)"
'''


def long_module(blocks: int = 16) -> str:
    """A module of the shape of the monorepo's agent pipelines, about 30 lines a block, with a
    construction or a patched legacy path every few blocks."""
    nouns = ("message", "thread", "agent", "session", "metric", "report", "event", "supervisor")
    parts = [LONG_HEADER]
    for index in range(blocks):
        noun = nouns[index % len(nouns)]
        parts.append(LONG_BLOCK.format(name=f"{noun.capitalize()}{index}", noun=noun, index=index))
        if index % 5 == 2:
            parts.append(LONG_FINDINGS[index % 2].format(noun=noun, index=index))
    return "".join(parts)


@pytest.fixture(scope="module")
def long_buffer(tmp_path_factory):
    """The long module opened in a checker (the project's policy and a pattern rule), with its
    full check: each example types into it and deletes what it typed."""
    patterns = tmp_path_factory.mktemp("patterns") / "pyproject.toml"
    patterns.write_text(LONG_PATTERN, encoding="utf-8")
    config = replace(load_config(str(PROJECT / "pyproject.toml")), patterns=load_config(str(patterns)).patterns)
    source = long_module()
    checker = IncrementalChecker()
    opened = checker.check(source, str(LONG), config)
    assert opened == full(source, LONG, config)
    assert {d.code for d in opened} >= {"SSOT001", "SSOT002", "SSOT004", "SSOT101"}
    # What the server does after publishing a full check: each top-level statement read alone.
    checker.read_statements()
    assert len(checker.reads_clean) == len(ast.parse(source).body) and all(checker.reads_clean.values())
    return config, source, checker


def _readings(monkeypatch) -> list:
    """Records each error-tolerant reading the checker asks for: (its window, None for the whole
    buffer; whether it was kept)."""
    asked = []

    def spy(*args, window=None):
        reading = read_rows(*args, window=window)
        asked.append((window, reading is not None))
        return reading

    monkeypatch.setattr(incremental, "read_rows", spy)
    return asked


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_half_typed_lines_in_a_long_buffer_equal_the_full_check(long_buffer, data):
    """A bracket left open in a method, or a line half typed at column 0 (at the top among the
    imports, or between two statements), in a buffer of 460 lines: the error-tolerant parse
    reads a window around the edit (of a drawn size) when the damage shows local there, else
    the whole buffer; every diagnostic equals the full check's, `statement` included."""
    config, source, checker = long_buffer
    lines = source.split("\n")
    tree = ast.parse(source)
    if data.draw(st.booleans(), label="in a body"):
        bodies = [node for node in tree.body if isinstance(node, ast.ClassDef)]
        drawn = _body_line(data, bodies)
        if drawn is None:
            return
        at, indent = drawn
        typed = [indent + data.draw(st.sampled_from(UNCLOSED), label="typed")]
    else:
        tops = sorted({min([n.lineno, *(d.lineno for d in getattr(n, "decorator_list", ()))]) - 1 for n in tree.body})
        at = data.draw(st.sampled_from(tops), label="before line")
        typed = data.draw(st.lists(st.sampled_from(AT_COLUMN_0), min_size=1, max_size=2), label="typed")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(incremental, "WINDOW_ROWS", data.draw(st.sampled_from([10, 60, 150]), label="window rows"))
        for count in range(1, len(typed) + 1):
            text = "\n".join([*lines[:at], *typed[:count], *lines[at:]])
            assert checker.check(text, str(LONG), config) == full(text, LONG, config), text
        assert checker.check(source, str(LONG), config) == full(source, LONG, config)


def test_a_half_typed_line_in_a_long_buffer_is_read_in_a_window(long_buffer, monkeypatch):
    """The edits the language server's latency benchmark times: a call left open in a method,
    an import half typed at the top; and one half typed between two classes, which imports a
    configured package there (the statements with fixes are checked again, SSOT101's outside
    the window matched on their own trees). The error-tolerant parse reads a window around
    each, not the buffer; a statement outside the window that tree-sitter reads with an ERROR
    (valid Python its grammar lacks) sends it to the whole buffer's reading, which reads it
    broken."""
    config, source, checker = long_buffer
    asked = _readings(monkeypatch)
    lines = source.split("\n")
    step = [index for index, text in enumerate(lines) if text.startswith("    async def _step(")][10] + 1
    top = lines.index("from netra_backend.app.websocket_core.factory import create_websocket_manager")
    between = [index for index, text in enumerate(lines) if text.startswith("class ")][6]
    typing = "from netra_backend.app.websocket_core import "
    for at, typed in ((step, "        payload.get("), (top, typing), (between, typing)):
        text = "\n".join([*lines[:at], typed, *lines[at:]])
        asked.clear()
        assert checker.check(text, str(LONG), config) == full(text, LONG, config), typed
        assert checker.last_was_incremental, typed
        assert len(asked) == 1 and asked[0][0] is not None and asked[0][1], (typed, asked)
        assert checker.last_reading == "window"
        window = asked[0][0]
        assert window[0] < at < window[1] and window[1] - window[0] < len(lines) // 2, (typed, window)
        assert checker.check(source, str(LONG), config) == full(source, LONG, config)
    # A statement far above the open call that tree-sitter would not read clean.
    body = ast.parse(source).body
    first = next(index for index, node in enumerate(body) if isinstance(node, ast.ClassDef))
    monkeypatch.setitem(checker.reads_clean, "\n".join(lines[body[first].lineno - 1:body[first + 1].lineno - 1]), False)
    text = "\n".join([*lines[:step], "        payload.get(", *lines[step:]])
    asked.clear()
    assert checker.check(text, str(LONG), config) == full(text, LONG, config)
    assert asked == [(None, True)] and checker.last_reading == "whole"
    checker.check(source, str(LONG), config)


SHARED = '''\
"""Two agents that build the context directly, and a module-level legacy import."""

from netra_backend.app.websocket_core.factory import create_websocket_manager
from netra_backend.app.services.user_execution_context import UserExecutionContext


class TriageAgent:
    def run(self, user_id: str):
        context = UserExecutionContext(user_id=user_id)
        return create_websocket_manager(context)


class SupervisorAgent:
    def run(self, user_id: str):
        context = UserExecutionContext(user_id=user_id)
        return create_websocket_manager(context)
'''


def test_an_edit_of_another_import_keeps_the_shared_construction_fix_of_the_last_check():
    """SSOT002's fix of the calls that are every use of the class's name is one fix for all of
    them, which removes the import: a reduced buffer that blanks one of the calls cannot build
    it. An edit of an import the fix does not read (the legacy import fixed and unfixed) keeps
    the last check's fix, moved, instead of taking the full check; the result is the full
    check's."""
    from flake8_ssot.index import index_for

    config = load_config(str(PROJECT / "pyproject.toml"))
    checker = IncrementalChecker()
    checker.index = index_for(config.src)

    def full_with_index(source):
        return check_source(source, str(ROUTES), config, noqa=True, index=checker.index).diagnostics

    assert checker.check(SHARED, str(ROUTES), config) == full_with_index(SHARED)
    shared = [d for d in checker.state.diagnostics if d.code == "SSOT002"]
    assert len(shared) == 2 and all("removing" in d.fix.description for d in shared)
    fixed = SHARED.replace(".factory import", ".canonical_imports import")
    for version in (fixed, SHARED, fixed):
        assert checker.check(version, str(ROUTES), config) == full_with_index(version)
        assert checker.last_was_incremental
    # `UserExecutionContext` in the edited line: the fix reads it, the full check answers
    annotated = fixed.replace("import create_websocket_manager", "import create_websocket_manager  # UserExecutionContext")
    assert checker.check(annotated, str(ROUTES), config) == full_with_index(annotated)


def _benchmark_module(tmp_path: Path, lines: int):
    """benchmarks/lsp_latency.py's project with its module of about `lines` lines: (the module,
    its configuration, an IncrementalChecker on the project's index, the module's text, the
    text with its legacy import fixed)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    try:
        import lsp_latency
    finally:
        sys.path.pop(0)
    from flake8_ssot.index import index_for

    module = lsp_latency.write_project(tmp_path, lines)
    config = load_config(str(tmp_path / "pyproject.toml"))
    checker = IncrementalChecker()
    checker.index = index_for(config.src)
    text = module.read_text(encoding="utf-8")
    legacy = "from netra_backend.app.websocket_core.factory import create_websocket_manager"
    fixed = text.replace(legacy, legacy.replace(".factory import", ".canonical_imports import"), 1)
    return module, config, checker, text, fixed


def test_the_benchmarks_long_buffer_keeps_its_shared_construction_fixes_through_an_import_edit(tmp_path, monkeypatch):
    """benchmarks/lsp_latency.py's 5,000-line buffer, whose nine classes each construct the
    class once (one shared fix, which removes the import): fixing and unfixing its legacy
    import is checked incrementally, with the full check's result (it took the full check,
    0.5 s, from the round that made the fix shared until this one)."""
    module, config, checker, text, fixed = _benchmark_module(tmp_path, 5000)
    checker.check(text, str(module), config)
    exports = re.search(r"__all__ = \[[^\]]*\]", text)
    # a name added to `__all__` (the class's uses do not change), then the class's own name
    # (one more use of its words: the fix keeps the import, as the full check says)
    added = text[:exports.end() - 1] + ', "build_extra_report"' + text[exports.end() - 1:]
    exported = text[:exports.end() - 1] + ', "UserExecutionContext"' + text[exports.end() - 1:]
    # an import every class uses renamed, and back: the same number of lines, the shared fix
    # edits the import statements around the edited one, not it
    statement = next(line for line in text.split("\n") if line.endswith("get_websocket_manager") and "import" in line)
    renamed = text.replace(statement, statement + " as get_manager", 1)
    # the class's own import renamed, and back: back, its nine calls are constructions again,
    # whose shared fix keeps the import only because of `UserExecutionContext.from_request(...)`
    # in every class (uses no rule follows, which the reduced buffer holds two of)
    own = next(line for line in text.split("\n") if line.endswith(" import UserExecutionContext"))
    class_renamed = text.replace(own, own + " as ExecutionContext", 1)
    seen = _rechecked(monkeypatch)
    for version, expect_incremental in ((fixed, True), (text, True), (added, True), (text, True), (renamed, True),
                                        (text, True), (class_renamed, True), (text, True), (exported, None)):
        assert checker.check(version, str(module), config) == check_source(
            version, str(module), config, noqa=True, index=checker.index).diagnostics
        if expect_incremental:
            assert checker.last_was_incremental
        if version is added:
            # a name the module defines, exported: no fix reads it, so none of the nine
            # constructions (one shared fix) is checked again, only the edited statement
            assert "UserExecutionContext(" not in seen[-1]



def test_a_use_after_a_hash_in_a_string_is_kept_or_the_full_check_answers():
    """Renaming the class's import back makes its construction a finding again, whose fix keeps
    the import only for `UserExecutionContext.from_request(...)` in `restore` (a use no rule
    follows: `_mentioning` keeps the statement holding it in the reduced buffer). On a line with
    a `#` before it, even one in a string, that use is taken for a comment's and left out: the
    fix built without it would remove the import, which the whole file still uses, and the full
    check answers instead. Either way the result is the full check's."""
    from flake8_ssot.index import index_for

    config = load_config(str(PROJECT / "pyproject.toml"))
    own = "from netra_backend.app.services.user_execution_context import UserExecutionContext"
    hashed = SOURCE.replace(
        '        return {"manager": manager, "route": self.name}\n',
        '        return {"manager": manager, "route": self.name}\n\n'
        '    def restore(self, user_id: str, anchor: str) -> dict:\n'
        '        url = f"/agents/{self.name}#restore"; restored = UserExecutionContext.from_request(user_id, {})\n'
        '        return {"url": url, "restored": restored, "anchor": anchor}\n',
    )
    for source in (hashed, hashed.replace("#restore", "/restore")):
        checker = IncrementalChecker()
        checker.index = index_for(config.src)
        renamed = source.replace(own, own + " as Context")
        for version in (source, renamed, source):
            found = checker.check(version, str(ROUTES), config)
            assert found == check_source(version, str(ROUTES), config, noqa=True, index=checker.index).diagnostics
        fix = next(d.fix for d in found if d.code == "SSOT002")
        assert "removing" not in fix.description  # the import stays: `restore` uses the name
        if "#" not in source:
            assert checker.last_was_incremental  # the use kept in the reduced buffer


def test_a_finding_left_without_a_fix_gets_it_when_an_edit_elsewhere_frees_the_name():
    """SSOT002 gives no fix while the factory's name is bound to something else in the file
    (`create_defensive_user_execution_context = None`, a leftover of a stub). Deleting that
    line changes no statement that mentions the class, but the construction's finding now has
    a fix: the statements with findings are checked again when what the file binds under a
    configured name changes, those without a fix too."""
    from flake8_ssot.index import index_for

    config = load_config(str(PROJECT / "pyproject.toml"))
    taken = SOURCE.replace("if TYPE_CHECKING:\n", "create_defensive_user_execution_context = None\n\nif TYPE_CHECKING:\n")
    freed = taken.replace("create_defensive_user_execution_context = None\n", "\n")
    checker = IncrementalChecker()
    checker.index = index_for(config.src)
    for version in (taken, freed, taken):
        found = checker.check(version, str(ROUTES), config)
        assert found == check_source(version, str(ROUTES), config, noqa=True, index=checker.index).diagnostics
        assert checker.last_was_incremental or version is taken
        construction = next(d for d in found if d.code == "SSOT002")
        assert (construction.fix is None) == (version is taken)


def test_a_legacy_import_below_another_joins_its_fix():
    """Two legacy imports of one module in an import block: the lower one's SSOT001 fix carries
    the upper one's, so the two end as one statement (`rewrites._legacy_sibling`). An import
    typed below them re-checks the lower one (the statement before an edit is checked with it),
    and its fix is still built from the upper one's, which the reduced buffer only copies (it
    builds no fix of its own for a statement it copies)."""
    config = without_factory_fixes(load_config(str(PROJECT / "pyproject.toml")))
    legacy = "from netra_backend.app.websocket_core.factory import create_websocket_manager\n"
    both = SOURCE.replace("from typing import TYPE_CHECKING\n", "from typing import TYPE_CHECKING\n" + legacy * 2)
    typed = both.replace(legacy * 2, legacy * 2 + "import json\n")
    checker = IncrementalChecker()
    for version in (both, typed, both):
        found = checker.check(version, str(ROUTES), config)
        assert found == full(version, ROUTES, config)
        assert checker.last_was_incremental or version is both
        lower = max((d for d in found if d.code == "SSOT001" and d.line < 12), key=lambda d: d.line)
        assert len(lower.fix.edits) > 1  # its own statement's edit, and the upper one's


def test_an_import_edit_rechecks_the_findings_whose_fix_reads_what_it_changed(tmp_path, monkeypatch):
    """benchmarks/lsp_latency.py's module, short: fixing the legacy import (`factory` ->
    `canonical_imports`) changes which modules the file imports, which no SSOT101 fix reads
    (`get_websocket_manager_factory(...)` -> `get_websocket_manager(...)` needs only that name):
    their statements are not checked again. Renaming the import of `get_websocket_manager`
    unbinds the name those fixes write: they are checked again, and turn unsafe."""
    module, config, checker, text, fixed = _benchmark_module(tmp_path, 600)
    statement = next(line for line in text.split("\n") if line.endswith("get_websocket_manager") and "import" in line)
    renamed = text.replace(statement, statement + " as get_manager", 1)
    checker.check(text, str(module), config)
    seen = _rechecked(monkeypatch)
    applicability = {}
    # (each version, and whether the SSOT101 statements are checked again: the name their fix
    # writes is bound differently after the rename and after its undoing)
    for version, rechecked in ((fixed, False), (text, False), (renamed, True), (text, True)):
        found = checker.check(version, str(module), config)
        assert found == check_source(version, str(module), config, noqa=True, index=checker.index).diagnostics
        assert checker.last_was_incremental
        assert ("get_websocket_manager_factory(" in seen[-1]) == rechecked
        applicability[version] = {d.fix.applicability for d in found if d.code == "SSOT101"}
    assert applicability[renamed] == {"unsafe"} and applicability[text] == {"safe"}


IMPORT_FORMS = PROJECT / "tests/unit/ssot/test_websocket_factory_import_validation.py"


def _import_forms_edits() -> list[tuple[str, object]]:
    """Edits of the fixture of every import form whose SSOT001 fixes depend on uses of names
    the edited lines do not hold: `import ...factory as ws_factory` is unsafe while the file
    passes `ws_factory` on (`self.assertIn(ws_factory, ...)`, in a method the reduced buffer
    stubs), safe once only attributes are read through it; `from ...factory import *` names the
    first name the file reads from it that the canonical module does not export."""
    def lines_with(function):
        def edit(lines):
            function(lines)
            return lines
        return edit

    def at(lines, text):
        return next(i for i, line in enumerate(lines) if text in line)

    return [
        # an import deleted or added beside it re-checks it from a reduced buffer
        ("delete the import above", lines_with(lambda lines: lines.pop(at(lines, "websocket_core.factory  # SSOT001")))),
        ("type an import below", lines_with(lambda lines: lines.insert(at(lines, "as ws_factory") + 1, "import json"))),
        # the method that passed the module on no longer uses it: the finding kept from the last
        # check has a fix that is safe now
        ("stop using the module", lines_with(lambda lines: lines.__setitem__(
            at(lines, "assertIn(ws_factory"), "        self.assertTrue(sys.modules)"))),
        # a name typed in a method: the star import's fix names the first one not exported
        ("read a name the star gives", lines_with(lambda lines: lines.insert(
            at(lines, "assertIn(ws_factory"), "        print(AAA)"))),
    ]


@pytest.mark.parametrize("name", [name for name, _ in _import_forms_edits()])
def test_an_import_fix_follows_the_uses_of_its_names_outside_the_checked_statements(name):
    """An SSOT001 fix's safety reads every use of the names its statement binds (what the file
    reads through a module alias, the old and new names of a rename) and, for a star import,
    every name the file reads: the incremental check gives the full check's fix, safe or
    unsafe, whatever lines the edit touched (a fix marked safe that the full check marks
    unsafe would be applied by *Fix all*)."""
    from flake8_ssot.index import index_for

    config = load_config(str(PROJECT / "pyproject.toml"))
    star = "from netra_backend.app.websocket_core.factory import *  # SSOT001\n"
    source = IMPORT_FORMS.read_text(encoding="utf-8")
    edit = dict(_import_forms_edits())[name]
    for text in (source, source.replace(star, "")):
        edited = "\n".join(edit(text.split("\n")))
        checker = IncrementalChecker()
        checker.index = index_for(config.src)
        for step, version in enumerate((text, edited, text)):
            found = checker.check(version, str(IMPORT_FORMS), config)
            assert found == check_source(version, str(IMPORT_FORMS), config, noqa=True, index=checker.index).diagnostics
            # Without the star import, the statements holding the uses are checked with the
            # import's; with it, the full check answers (its fix read every name of the file).
            assert checker.last_was_incremental == (step > 0 and star not in text)


def test_a_rename_fix_follows_the_calls_that_read_names_by_string_elsewhere():
    """SSOT001's fix of a renamed symbol keeps the old name as an alias while the file reads its
    names by string (`globals()` in another function); deleting that call makes it rename the
    uses. The fix kept from the last check is checked again (the edit spells `globals`), with
    every statement the rename reads."""
    from flake8_ssot.index import index_for

    config = load_config(str(PROJECT / "pyproject.toml"))
    source = (
        '"""Compat routes kept for the old clients."""\n\n'
        "from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager\n\n\n"
        "def build(user_id):\n    return create_websocket_manager(user_id)\n\n\n"
        "def lookup(name):\n    return globals()[name]\n"
    )
    edited = source.replace("    return globals()[name]\n", "    return name\n")
    checker = IncrementalChecker()
    checker.index = index_for(config.src)
    for step, version in enumerate((source, edited, source)):
        found = checker.check(version, str(ROUTES), config)
        assert found == check_source(version, str(ROUTES), config, noqa=True, index=checker.index).diagnostics
        assert checker.last_was_incremental == (step > 0)
        fix = next(d.fix for d in found if d.code == "SSOT001")
        assert ("keeps the alias" in fix.description) == (version is source)
