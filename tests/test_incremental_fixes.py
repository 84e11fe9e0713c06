"""The language server's incremental check in a module whose findings carry whole-file fixes
(SSOT002's: it counts every use of the class's name and joins the file's imports).

Such a finding kept from the last check still holds after an edit whose changed lines spell no
name its call uses and no `__all__`, nor an import of the factory's name or module, nor one
between the import its fix adds a line after and the call; otherwise its statement is checked
again. A fresh one, built from the reduced buffer, holds unless it removes the class's import
and the whole file uses the name elsewhere (rules/construction.fix_is_current); otherwise the
full check answers. The module is the editor benchmark's
(benchmarks/lsp_latency.py: a pipeline module of the seeds' shape with direct constructions of
`UserExecutionContext` and legacy imports), checked with the project index as the server does.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_ssot.config import load_config
from flake8_ssot.engine import check_source
from flake8_ssot.index import ProjectIndex
from flake8_ssot.server.incremental import IncrementalChecker

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
import lsp_latency  # noqa: E402


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("editor")
    module = lsp_latency.write_project(root, 700)
    config = load_config(str(root / "pyproject.toml"))
    return module, config, module.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def small_project(tmp_path_factory):
    """The same module, 250 lines long (a property test checks it in full at every step), with
    two legacy paths that construct the class at the end."""
    root = tmp_path_factory.mktemp("editor-small")
    module = lsp_latency.write_project(root, 250)
    text = module.read_text(encoding="utf-8") + "".join(
        lsp_latency.VIOLATIONS[0].format(lower=lower) for lower in ("quota_90", "tool_91"))
    module.write_text(text, encoding="utf-8")
    ast.parse(text)  # the edits start from a module that parses
    config = load_config(str(root / "pyproject.toml"))
    return module, config, text


def full(text: str, module: Path, config) -> list:
    return check_source(text, str(module), config, noqa=True, index=ProjectIndex(config.src)).diagnostics


def checker_for(config) -> IncrementalChecker:
    checker = IncrementalChecker()
    checker.index = ProjectIndex(config.src)
    return checker


# Lines typed into a method body (at its indentation), each a kind of edit an editor sends.
TYPED = [
    "# reviewed with the supervisor team",  # touches nothing a fix reads
    "# a UserExecutionContext is built per request",  # a comment is a use of the class's name
    "context: UserExecutionContext | None = None",  # an annotation: another use
    "from netra_backend.app.services.user_execution_context import UserExecutionContext",
    "import json",
    "__all__ = ['ExecutionPipeline']",
    "payload = dict(rows=len(rows))",
    "if payload",  # half typed: the buffer does not parse
    "payload.get(",  # a bracket left open
]


def test_a_comment_typed_in_a_method_keeps_the_fixes_and_is_incremental(project):
    module, config, source = project
    checker = checker_for(config)
    first = checker.check(source, str(module), config)
    assert any(d.code == "SSOT002" and d.fix is not None for d in first)
    lines = source.split("\n")
    where = next(i for i, line in enumerate(lines) if line.startswith("        return "))
    edited = "\n".join([*lines[:where], "        # reviewed", *lines[where:]])
    assert checker.check(edited, str(module), config) == full(edited, module, config)
    assert checker.last_was_incremental


def test_a_new_use_of_the_class_name_rechecks_the_constructions(project, monkeypatch):
    """A use of the class's name typed elsewhere may make a construction's fix keep the class's
    import where it removed it, or the other way: the constructions' statements are checked
    again with the edited one (their fixes, built from the reduced buffer, are judged by
    counting the name's uses in the whole file), the rest is kept."""
    from flake8_ssot.server import incremental

    module, config, source = project
    checker = checker_for(config)
    checker.check(source, str(module), config)
    lines = source.split("\n")
    where = next(i for i, line in enumerate(lines) if line.startswith("        return "))
    edited = "\n".join([*lines[:where], "        context: UserExecutionContext | None = None", *lines[where:]])
    seen = []
    monkeypatch.setattr(incremental, "check_source", lambda text, *a, **k: seen.append(text) or check_source(text, *a, **k))
    assert checker.check(edited, str(module), config) == full(edited, module, config)
    assert checker.last_was_incremental
    assert "    context = UserExecutionContext(user_id)" in seen[-1]
    assert seen[-1].count("UserExecutionContext.from_request(") == 1  # the edited method's alone


TOP = [
    "from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context",
    "from netra_backend.app.services import user_execution_context",
    "import json",
    "# UserExecutionContext: built by the factory only",
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_edits_give_what_the_full_check_gives(project, data):
    module, config, source = project
    checker = checker_for(config)
    assert checker.check(source, str(module), config) == full(source, module, config)
    lines = source.split("\n")
    bodies = [i for i, line in enumerate(lines) if line.startswith("        ") and line.strip()]
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="edits")):
        kind = data.draw(st.sampled_from(["type", "delete", "construction", "top"]), label="kind")
        where = data.draw(st.sampled_from(bodies), label="line")
        if where >= len(lines):
            continue
        indent = lines[where][:len(lines[where]) - len(lines[where].lstrip())]
        if kind == "top":  # a module-level line after the imports: the factory's import, another
            imports = [i for i, line in enumerate(lines) if line.startswith(("import ", "from "))]
            lines[imports[-1] + 1:imports[-1] + 1] = [data.draw(st.sampled_from(TOP), label="top")]
        elif kind == "type":
            lines[where:where] = [indent + data.draw(st.sampled_from(TYPED), label="typed")]
        elif kind == "delete" and lines[where].strip() and not lines[where].rstrip().endswith(":"):
            del lines[where]
        else:  # a construction removed or added: the class's last use may change
            built = [i for i, line in enumerate(lines) if "UserExecutionContext(" in line]
            if built and data.draw(st.booleans(), label="remove"):
                target = data.draw(st.sampled_from(built), label="built")
                lines[target] = lines[target].replace("UserExecutionContext(", "dict(")
            else:
                lines[where:where] = [indent + "context = UserExecutionContext(user_id='u1', thread_id='t1')"]
        text = "\n".join(lines)
        assert checker.check(text, str(module), config) == full(text, module, config), text


def test_deleting_the_other_construction_makes_the_kept_fix_remove_the_import(tmp_path):
    """Two constructions, the class imported for them alone: deleting one (in another
    function) makes the other the last use, so its fix now removes the class's import."""
    lsp_latency.write_project(tmp_path, 10)
    module = tmp_path / "src/netra_backend/app/agents/handoff.py"
    module.write_text(
        '"""Agent handoff."""\n'
        "from netra_backend.app.services.user_execution_context import UserExecutionContext\n\n\n"
        "def open_session(user_id):\n    return UserExecutionContext(user_id)\n\n\n"
        "def resume_session(user_id):\n    return UserExecutionContext(user_id)  # resumed\n",
        encoding="utf-8")
    config = load_config(str(tmp_path / "pyproject.toml"))
    source = module.read_text(encoding="utf-8")
    checker = checker_for(config)
    assert checker.check(source, str(module), config) == full(source, module, config)
    edited = source.replace("    return UserExecutionContext(user_id)  # resumed", "    return None")
    after = checker.check(edited, str(module), config)
    assert after == full(edited, module, config)
    [finding] = [d for d in after if d.code == "SSOT002"]
    assert finding.fix is not None and any("UserExecutionContext" not in edit.replacement and edit.span.line == 2
                                           for edit in finding.fix.edits)


# Lines typed at column 0 before a top-level statement: imports of the factory, of its module
# and of others, imports half typed (the buffer does not parse), `__all__`, rebindings of the
# class's and the factory's names, a comment that uses the class's name.
MODULE_LINES = [
    "import json",
    "from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context",
    "from netra_backend.app.services import user_execution_context",
    "from netra_backend.app.websocket_core.canonical_imports import create_websocket_manager as canonical_create",
    "from netra_backend.app.websocket_core import ",
    "from netra_backend.app.websocket_core.factory import (",
    "__all__ = ['Message0Pipeline', 'UserExecutionContext']",
    "__all__ = ['build_message_0_report']",
    "UserExecutionContext = None",
    "create_defensive_user_execution_context = None",
    "# UserExecutionContext: built by the factory only",
]
# Edits of the header's imports, applied either way: an import grows, the legacy import is
# fixed, the class's or a configured function's import is renamed.
RENAMES = [
    ("import asyncio\n", "import asyncio, json\n"),
    (".websocket_core.factory import create_websocket_manager\n",
     ".websocket_core.canonical_imports import create_websocket_manager\n"),
    (" import UserExecutionContext\n", " import UserExecutionContext as ExecutionContext\n"),
    (", get_websocket_manager\n", ", get_websocket_manager as get_manager\n"),
]
# The class bound by an assignment instead of its own import: SSOT002's fix then adds the
# factory's import after the last import above each call.
ALIASED = ("from netra_backend.app.services.user_execution_context import UserExecutionContext\n",
           ("from netra_backend.app.services import user_execution_context as contexts\n"
            "UserExecutionContext = contexts.UserExecutionContext\n"))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.data())
def test_module_level_edits_give_what_the_full_check_gives(small_project, data):
    """Imports added, renamed, fixed, deleted or half typed, `__all__` edited, the class's
    name rebound, a bracket left open in a method: every version equals the full check, the
    constructor fixes included (whether they remove the class's import, where they add the
    factory's)."""
    module, config, source = small_project
    if data.draw(st.booleans(), label="class bound by an assignment"):
        assert ALIASED[0] in source
        source = source.replace(*ALIASED, 1)
    checker = checker_for(config)
    assert checker.check(source, str(module), config) == full(source, module, config)
    text = source
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="edits")):
        lines = text.split("\n")
        tops = [i for i, line in enumerate(lines) if line[:1].isalpha() or line[:1] in "@_"]
        kind = data.draw(st.sampled_from(["line", "rename", "delete", "unclosed"]), label="kind")
        if kind == "line":
            where = data.draw(st.sampled_from(tops), label="before line")
            lines[where:where] = [data.draw(st.sampled_from(MODULE_LINES), label="typed")]
        elif kind == "rename":
            old, new = data.draw(st.sampled_from(RENAMES), label="rename")
            if data.draw(st.booleans(), label="back"):
                old, new = new, old
            lines = text.replace(old, new, 1).split("\n")
        elif kind == "delete":
            imports = [i for i in tops if lines[i].startswith(("import ", "from "))]
            if imports:
                del lines[data.draw(st.sampled_from(imports), label="import deleted")]
        else:
            steps = [i for i, line in enumerate(lines) if line.startswith("    async def _step(")]
            if steps:
                lines.insert(data.draw(st.sampled_from(steps), label="method") + 1, "        payload.get(")
        text = "\n".join(lines)
        assert checker.check(text, str(module), config) == full(text, module, config), text


def _construction_fixes(diagnostics: list) -> list:
    return [d.fix.edits for d in diagnostics if d.code == "SSOT002" and d.fix is not None]


def test_an_import_typed_between_the_last_import_and_a_construction_moves_the_fix_s_import(small_project):
    """The class bound by an assignment: the fix adds the factory's import after the last import
    above the call. An import typed below that one (above the call) is the last one now; one
    typed above it changes nothing, and the fix kept from the last check holds."""
    module, config, source = small_project
    source = source.replace(*ALIASED, 1)
    lines = source.split("\n")
    legacy = next(i for i, line in enumerate(lines) if line.startswith("def legacy_"))
    first = next(i for i, line in enumerate(lines) if line.startswith(("import ", "from ")))
    checker = checker_for(config)
    before = checker.check(source, str(module), config)
    assert before == full(source, module, config) and _construction_fixes(before)
    for where in (first, legacy):
        edited = "\n".join([*lines[:where], "import json", *lines[where:]])
        after = checker.check(edited, str(module), config)
        assert after == full(edited, module, config), where
        assert checker.last_was_incremental
        checker.check(source, str(module), config)
    assert _construction_fixes(after) != _construction_fixes(before)  # after `import json` now


def test_the_factory_s_import_moved_under_type_checking_is_not_the_factory_s_name_any_more(small_project):
    """The factory imported at the top: the fix calls it by that name. Moved under `if
    TYPE_CHECKING:` it binds nothing at run time, and the fix imports the factory instead."""
    module, config, source = small_project
    factory = "from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context"
    source = source.replace("from typing import TYPE_CHECKING, Any\n", f"from typing import TYPE_CHECKING, Any\n{factory}\n")
    checker = checker_for(config)
    before = checker.check(source, str(module), config)
    assert before == full(source, module, config) and _construction_fixes(before)
    edited = source.replace(f"{factory}\n", f"if TYPE_CHECKING:\n    {factory}\n")
    after = checker.check(edited, str(module), config)
    assert after == full(edited, module, config)
    assert _construction_fixes(after) != _construction_fixes(before)


def test_an_import_deleted_where_a_kept_fix_added_its_import_rechecks_the_construction(small_project):
    """The class bound by an assignment: the constructions' fixes add the factory's import after
    the last import above them. Typing `import json` below the imports moves that edit to the end
    of the new line; deleting the line again takes away the text the kept fixes edit, so their
    constructions are checked again (the edit is found on the deleted lines, where they were
    before the edit, not where the lines after them moved)."""
    module, config, source = small_project
    source = source.replace(*ALIASED, 1)
    lines = source.split("\n")
    where = lines.index("if TYPE_CHECKING:")
    typed = "\n".join([*lines[:where], "import json", *lines[where:]])
    checker = checker_for(config)
    for step, version in enumerate((source, typed, source, typed)):
        found = checker.check(version, str(module), config)
        assert found == full(version, module, config)
        assert checker.last_was_incremental or step == 0
    assert all(edits[0].replacement.startswith("\nfrom ") for edits in _construction_fixes(found))


CLEANUP = Path(__file__).parent / "fixtures_cleanup"
SERVICES = "netra_backend.app.services.user_execution_context"
# A module of the cleanup fixture's shape whose two constructions share one fix: one calls the
# class through the module alias `c`, the other by its name.
THROUGH_THE_ALIAS = f'''"""Contexts built through the services module; the alias is named in __all__ too."""

import {SERVICES} as c
from {SERVICES} import UserExecutionContext

__all__ = ["c", "run"]


def build(user_id: str, thread_id: str) -> "c.UserExecutionContext":
    return c.UserExecutionContext(user_id=user_id, thread_id=thread_id)


def build_named(user_id: str, thread_id: str):
    return UserExecutionContext(user_id=user_id, thread_id=thread_id)


def run():
    return [build("u1", "t1"), build_named("u2", "t2")]
'''


def _cleanup_check(versions, name: str) -> list:
    """Each version checked by one IncrementalChecker and in full (the statement text aside
    for a buffer that does not parse: see `IncrementalChecker._broken_inside`); the results."""
    from dataclasses import replace

    config = load_config(str(CLEANUP / "pyproject.toml"))
    path = str(CLEANUP / "src" / "netra_backend" / "app" / "agents" / name)
    checker = IncrementalChecker()
    checker.index = index = ProjectIndex(config.src)
    results = []
    for version in versions:
        found = checker.check(version, path, config)
        expected = check_source(version, path, config, noqa=True, index=index).diagnostics
        if checker.state.chunks is None:
            found, expected = [replace(d, statement="") for d in found], [replace(d, statement="") for d in expected]
        assert found == expected
        results.append(found)
    return results


@pytest.mark.parametrize("typed", [
    '__all__ = ["c", "run"]\n\nc = None\n',  # parses
    '__all__ = ["c", "run"]\n\nc = None\nc.\n',  # does not parse (read apart)
])
def test_the_module_alias_rebound_ends_the_fix_shared_with_the_call_through_it(typed):
    """`c = None` below `import ... as c`: `c.UserExecutionContext(...)` is no construction any
    more, and the fix of the call by name rewrites only that call. The kept shared fix read the
    text it rewrites in the other call (`c`), which the edit spells."""
    edited = THROUGH_THE_ALIAS.replace('__all__ = ["c", "run"]\n', typed)
    before, after = _cleanup_check([THROUGH_THE_ALIAS, edited], "never_written.py")
    assert "other construction" in before[0].fix.description
    assert len(after) == 1 and "other construction" not in after[0].fix.description


def test_a_line_typed_at_column_0_in_a_function_body_ends_the_shared_fix():
    """The same with `c = None` typed at column 0 as the first line of the body of a function
    that binds its own `c` (a connection, whose `c.UserExecutionContext` is no construction):
    the buffer does not parse, and the error-tolerant reading (the full check's and the
    editor's) makes the line a module-level binding."""
    source = THROUGH_THE_ALIAS.replace("\n\ndef build_named", (
        "\n\nclass Connection:\n"
        "    UserExecutionContext = staticmethod(lambda **kwargs: (\"conn\", kwargs))\n\n\n"
        "def connection_context(user_id: str):\n"
        "    c = Connection()\n"
        "    return c.UserExecutionContext(user_id=user_id)\n\n\n"
        "def build_named"))
    broken = source.replace("    c = Connection()\n", "c = None\n    c = Connection()\n")
    with pytest.raises(SyntaxError):
        ast.parse(broken)
    _cleanup_check([source, broken], "never_written.py")


def test_a_dropped_argument_s_second_import_deleted_makes_the_kept_fix_remove_the_other():
    """retry_registry.py with `new_run_id` imported a second time below: the call's fix drops
    `run_id=new_run_id()` and keeps both imports. Deleting `new_run_id,` from the first leaves
    the dropped argument the last use of the second, which the full check's fix removes: the
    kept fix read the names of the arguments it drops."""
    source = (CLEANUP / "src" / "netra_backend" / "app" / "agents" / "retry_registry.py").read_text(encoding="utf-8")
    lines = source.split("\n")
    lines.insert(10, f"from {SERVICES} import UserExecutionContext, new_run_id")
    twice = "\n".join(lines)
    del lines[5]
    once = "\n".join(lines)
    results = _cleanup_check([source, twice, once], "retry_registry.py")
    assert "removing the import of 'new_run_id'" not in results[1][0].fix.description
    assert "removing the import of 'new_run_id'" in results[2][0].fix.description


@pytest.mark.parametrize("name", ["aliased_annotated.py", "run_scheduler.py"])
def test_import_uuid_deleted_and_typed_again_gives_the_calls_the_full_check_s_shared_fix(name):
    """helper S's cmp_imports.py on the cleanup fixture. aliased_annotated.py imports the class
    twice in one parenthesized import (`UserExecutionContext,` and `UserExecutionContext as Ctx,`
    on lines of their own): the calls of both names share a fix. run_scheduler.py's three calls
    share one (their dropped arguments were the last uses of `uuid` and `new_run_id`): typing
    `import uuid` again has the editor check two of them in a buffer that blanks the third,
    and their fix shared between the two is not the file's."""
    source = (CLEANUP / "src" / "netra_backend" / "app" / "agents" / name).read_text(encoding="utf-8")
    deleted = source.replace("import uuid\n", "", 1)
    _cleanup_check([source, deleted, source], name)


def test_a_half_typed_line_takes_the_full_check_for_a_fix_shared_with_a_call_through_a_function_s_import():
    """The module imported inside a function, its call sharing the fix of the call by name
    (which removes that import): in a buffer that does not parse, the full check gives each
    call its own fix. A half-typed line elsewhere (`if x` in `run`) cannot keep the shared one."""
    source = f'''"""Contexts: the module imported inside a function, the class at module level."""

from {SERVICES} import UserExecutionContext


def websocket_context(user_id: str, thread_id: str):
    import {SERVICES} as c

    return c.UserExecutionContext(user_id=user_id, thread_id=thread_id)


def agent_context(user_id: str, thread_id: str):
    return UserExecutionContext(user_id=user_id, thread_id=thread_id)


def run():
    return [websocket_context("u1", "t1"), agent_context("u2", "t2")]
'''
    broken = source.replace("def run():\n", "def run():\n    if x\n")
    before, after = _cleanup_check([source, broken], "never_written.py")
    assert "other construction" in before[0].fix.description


def test_a_line_typed_at_column_0_into_a_probing_try_rechecks_the_fixes_reading_its_import():
    """The services module imported in a probing `try:` (its calls keep their own fixes: the
    import stays for what it tells). `def extra():` typed at column 0 before `except` breaks the
    `try`: the error-tolerant reading, re-reading the statement whole, finds the import no
    probe any more, and the calls share a fix. The edited lines spell nothing the kept fixes
    read; the statement they broke does (`c`)."""
    source = f'''"""Contexts: the services module imported optionally."""

try:
    import {SERVICES} as c
except ImportError:  # the slim worker image has no services package
    c = None
from {SERVICES} import UserExecutionContext


def websocket_context(user_id: str, thread_id: str):
    return c.UserExecutionContext(user_id=user_id, thread_id=thread_id)


def agent_context(user_id: str, thread_id: str):
    return UserExecutionContext(user_id=user_id, thread_id=thread_id)
'''
    broken = source.replace("except ImportError:", "def extra():\nexcept ImportError:")
    before, after = _cleanup_check([source, broken], "never_written.py")
    assert "other construction" not in before[0].fix.description
