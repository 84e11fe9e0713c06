"""A name a function binds after declaring it `global` is the module's name: the binding table
says so (scope "module", `Binding.through_global`), every function of the module resolves it
(a loader's `global uec_module; import ... as uec_module`, wherever the loader sits), and the
fixes follow it: a safe fix never changes what the module's code does when it runs.

The project below is written once for the module: its modules print what they build when
imported, the same before and after `ssot check --fix` (safe fixes only).
"""

from __future__ import annotations

import ast
import json
import shutil
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from projects import imported_output, ssot, write

from flake8_ssot.config import load_config
from flake8_ssot.engine import check_source
from flake8_ssot.facts import collect_facts
from flake8_ssot.facts.bindings import statement_bindings
from flake8_ssot.server.incremental import IncrementalChecker

CONTEXT = "netra_backend.app.services.user_execution_context"
FACTORY = "create_defensive_user_execution_context"

POLICY = f"""\
[tool.ssot]
src = ["src"]

[tool.ssot.legacy]
"netra_backend.app.websocket_core.factory.create_websocket_manager" = "netra_backend.app.websocket_core.canonical_imports.get_websocket_manager"
"netra_backend.app.websocket_core.compat" = {{ use = "netra_backend.app.websocket_core.canonical_imports", fix = "safe" }}

[tool.ssot.factories]
"{CONTEXT}.UserExecutionContext" = {{ use = "{CONTEXT}.{FACTORY}" }}
"""

FILES = {
    "pyproject.toml": POLICY,
    "src/netra_backend/__init__.py": "",
    "src/netra_backend/app/__init__.py": "",
    "src/netra_backend/app/services/__init__.py": "",
    "src/netra_backend/app/services/user_execution_context.py": '''\
        """The per-request context; only its factory builds one."""


        class UserExecutionContext:
            def __init__(self, user_id: str, run_id: str | None = None) -> None:
                self.user_id, self.run_id = user_id, run_id

            def __repr__(self) -> str:
                return f"UserExecutionContext({self.user_id!r}, {self.run_id!r})"


        def create_defensive_user_execution_context(user_id: str, run_id: str | None = None) -> UserExecutionContext:
            return UserExecutionContext(user_id, run_id)
        ''',
    "src/netra_backend/app/websocket_core/__init__.py": "",
    "src/netra_backend/app/websocket_core/canonical_imports.py": '''\
        def get_websocket_manager(user_context):
            return f"WebSocketManager(user_context={user_context!r})"
        ''',
    "src/netra_backend/app/websocket_core/factory.py": '''\
        """Compatibility shim (#1126): new code imports from canonical_imports."""
        from netra_backend.app.websocket_core.canonical_imports import get_websocket_manager as create_websocket_manager
        ''',
    "src/netra_backend/app/websocket_core/compat.py": '''\
        from netra_backend.app.websocket_core.canonical_imports import get_websocket_manager
        ''',
    "src/netra_backend/app/agents/__init__.py": "",
    # The module imported by a loader defined below its caller: the call resolves through it.
    "src/netra_backend/app/agents/context_loader.py": '''\
        """Agent contexts, the context module loaded on first use (import cost at startup)."""


        def build_agent_context(user_id: str):
            _load_context_module()
            return uec_module.UserExecutionContext(user_id, run_id="run-1")


        def _load_context_module() -> None:
            global uec_module
            import netra_backend.app.services.user_execution_context as uec_module


        print(build_agent_context("user-1"))
        ''',
    # The class imported by a loader: the factory's import goes beside the module's imports, not
    # into the loader's (where `global` does not reach it).
    "src/netra_backend/app/agents/lazy_context.py": '''\
        """Supervisor contexts, the class imported lazily."""
        import logging

        logger = logging.getLogger(__name__)


        def _load() -> None:
            global UserExecutionContext
            from netra_backend.app.services.user_execution_context import UserExecutionContext


        def supervisor_context(user_id: str):
            _load()
            return UserExecutionContext(user_id)


        print(supervisor_context("user-2"))
        ''',
    # A hook rebinds the class's name: the call may build the tracing class instead.
    "src/netra_backend/app/agents/tracing.py": '''\
        """Context tracing for staging."""
        from netra_backend.app.services.user_execution_context import UserExecutionContext


        class TracingContext(UserExecutionContext):
            def __repr__(self) -> str:
                return "traced " + super().__repr__()


        def enable_tracing() -> None:
            global UserExecutionContext
            UserExecutionContext = TracingContext


        def traced_context(user_id: str):
            return UserExecutionContext(user_id)


        enable_tracing()
        print(traced_context("user-3"))
        ''',
    # An inner function rebinds its builder's name (`nonlocal`).
    "src/netra_backend/app/agents/nested_builder.py": '''\
        """Per-route context builders."""
        import logging


        def make_builder():
            from netra_backend.app.services.user_execution_context import UserExecutionContext as Ctx

            class TracingContext(Ctx):
                def __repr__(self) -> str:
                    return "traced " + super().__repr__()

            def use_tracing() -> None:
                nonlocal Ctx
                Ctx = TracingContext

            def build(user_id: str):
                return Ctx(user_id)

            return build, use_tracing


        build, use_tracing = make_builder()
        use_tracing()
        print(build("user-6"))
        ''',
    # A shutdown hook deletes the class's name: the call fails after it, the factory would not.
    "src/netra_backend/app/agents/retired.py": '''\
        """Contexts until shutdown."""
        import logging
        from netra_backend.app.services.user_execution_context import UserExecutionContext


        def shutdown() -> None:
            global UserExecutionContext
            del UserExecutionContext


        def context_for(user_id: str):
            return UserExecutionContext(user_id)


        print(context_for("user-7"))
        shutdown()
        try:
            context_for("user-8")
        except NameError as error:
            print("NameError:", error)
        ''',
    # The module's names written by string.
    "src/netra_backend/app/agents/by_string.py": '''\
        """Contexts, the class swapped by name for staging."""
        import logging
        from netra_backend.app.services.user_execution_context import UserExecutionContext


        class StagingContext(UserExecutionContext):
            def __repr__(self) -> str:
                return "staging " + super().__repr__()


        def use_staging() -> None:
            globals()["UserExecutionContext"] = StagingContext


        def context_for(user_id: str):
            return UserExecutionContext(user_id)


        use_staging()
        print(context_for("user-9"))
        ''',
    # A hook swaps the package a legacy chain starts from (SSOT004).
    "src/netra_backend/app/agents/core_hook.py": '''\
        """WebSocket core access, swappable for offline runs."""
        import netra_backend.app.websocket_core as ws_core
        import netra_backend.app.websocket_core.canonical_imports
        import netra_backend.app.websocket_core.compat


        class OfflineCore:
            class compat:
                @staticmethod
                def get_websocket_manager(user_context):
                    return "offline manager"


        def go_offline() -> None:
            global ws_core
            ws_core = OfflineCore()


        def agent_manager(user_context):
            return ws_core.compat.get_websocket_manager(user_context)


        go_offline()
        print(agent_manager("ctx-10"))
        ''',
    # A hook binds the factory's own name: the fix cannot call the factory by it.
    "src/netra_backend/app/agents/audit_hook.py": '''\
        """Audited context creation."""
        from netra_backend.app.services import user_execution_context


        def install_audit() -> None:
            global create_defensive_user_execution_context

            def create_defensive_user_execution_context(user_id, run_id=None):
                return "audited"


        def audited_context(user_id: str):
            return user_execution_context.UserExecutionContext(user_id)


        install_audit()
        print(audited_context("user-4"))
        ''',
    # A renamed symbol imported by a loader: its `global` and every use are renamed with it.
    "src/netra_backend/app/agents/manager_loader.py": '''\
        """WebSocket managers for agents, the factory imported on first use."""


        def agent_manager(user_context):
            _load_factory()
            return create_websocket_manager(user_context)


        def _load_factory() -> None:
            global create_websocket_manager
            from netra_backend.app.websocket_core.factory import create_websocket_manager


        print(agent_manager("ctx-5"))
        ''',
}
AGENTS = ["context_loader", "lazy_context", "tracing", "audit_hook", "manager_loader", "nested_builder", "retired",
          "by_string", "core_hook"]
MODULES = [f"netra_backend.app.agents.{name}" for name in AGENTS]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("global_bindings"), FILES)


@pytest.fixture(scope="module")
def findings(project) -> dict[str, dict]:
    completed = ssot("check", ".", "--output-format", "json", "--no-cache", "--exit-zero", cwd=project)
    assert completed.returncode == 0, completed.stderr
    found = json.loads(completed.stdout)
    # (core_hook.py's legacy import of the compat module, a plain SSOT001, aside)
    return {Path(d["filename"]).stem: d for d in found if d["code"] != "SSOT001" or "compat" not in d["subject"]}


def test_each_module_gets_the_finding_and_the_fix_its_global_names_allow(findings):
    assert sorted(findings) == sorted(AGENTS)
    fixes = {name: (d["code"], d["fix"] and d["fix"]["applicability"]) for name, d in findings.items()}
    assert fixes == {
        "context_loader": ("SSOT002", "safe"),
        "lazy_context": ("SSOT002", "safe"),
        "tracing": ("SSOT002", "unsafe"),
        "audit_hook": ("SSOT002", None),
        "manager_loader": ("SSOT001", "safe"),
        "nested_builder": ("SSOT002", "unsafe"),
        "retired": ("SSOT002", "unsafe"),
        "by_string": ("SSOT002", "unsafe"),
        "core_hook": ("SSOT004", "unsafe"),
    }
    unsafe = {name: findings[name]["fix"]["message"].partition(" (unsafe: ")[2]
              for name in ("tracing", "nested_builder", "retired", "by_string", "core_hook")}
    assert unsafe == {
        "tracing": "the function 'enable_tracing' declares 'UserExecutionContext' global and binds it to "
                   "something else (line 12))",
        "nested_builder": "the function 'use_tracing' declares 'Ctx' nonlocal and binds it to something else "
                          "(line 14))",
        "retired": "the function 'shutdown' declares 'UserExecutionContext' global and deletes it (line 8))",
        "by_string": "the file writes its names by string (globals()), which may rebind 'UserExecutionContext')",
        "core_hook": "the function 'go_offline' declares 'ws_core' global and binds it to something else (line 16))",
    }
    assert findings["audit_hook"]["message"].endswith(
        f"(not fixed: the name '{FACTORY}' is bound to something else in this file)")


def test_safe_fixes_keep_what_the_modules_do(project, tmp_path):
    fixed = shutil.copytree(project, tmp_path / "fixed")
    completed = ssot("check", ".", "--fix", "--no-cache", "--exit-zero", cwd=fixed)
    assert completed.returncode == 0, completed.stderr
    agents = fixed / "src/netra_backend/app/agents"
    assert "return uec_module.create_defensive_user_execution_context(user_id=user_id, run_id=\"run-1\")" in (
        agents / "context_loader.py").read_text()
    lazy = (agents / "lazy_context.py").read_text()
    assert f"import logging\nfrom {CONTEXT} import {FACTORY}\n" in lazy
    assert f"    from {CONTEXT} import UserExecutionContext\n" in lazy
    loader = (agents / "manager_loader.py").read_text()
    assert "    global get_websocket_manager\n" in loader and "return get_websocket_manager(user_context)" in loader
    assert "return ws_core.compat.get_websocket_manager(user_context)" in (agents / "core_hook.py").read_text()
    for name in ("tracing", "nested_builder", "retired", "by_string", "audit_hook"):
        assert (agents / f"{name}.py").read_text() == (project / f"src/netra_backend/app/agents/{name}.py").read_text()
    before = imported_output(project, MODULES)
    assert "traced UserExecutionContext('user-3', None)" in before and "NameError:" in before
    assert imported_output(fixed, MODULES) == before
    texts = {path: path.read_text() for path in agents.glob("*.py")}
    ssot("check", ".", "--fix", "--no-cache", "--exit-zero", cwd=fixed)
    assert {path: path.read_text() for path in agents.glob("*.py")} == texts


# --------------------------------------------------------------------------- the table


LOADER = '''\
import netra_backend.app.services.user_execution_context as uec_module

registry = None


def reset():
    global registry, uec_module, counter, worker
    registry = uec_module.registry
    import netra_backend.app.websocket_core.canonical_imports as uec_module
    counter += 1
    for worker in ():
        pass

    def worker():
        pass
    local = 1

    def close():
        nonlocal local
        local = None
        del local
    del counter
'''


def test_a_function_binds_the_names_it_declares_global_at_module_level():
    facts = collect_facts(ast.parse(LOADER), "loader.py", "loader", False, LOADER)
    rows = [(b.name, b.kind, b.scope, b.declared) for b in facts.bindings if b.stmt.lineno > 5 and b.name != "reset"]
    assert rows == [
        ("registry", "assignment", "module", "global"),
        ("uec_module", "import", "module", "global"),
        ("counter", "augmented", "module", "global"),
        ("worker", "for", "module", "global"),
        ("worker", "function", "module", "global"),
        ("local", "assignment", "function", None),
        ("close", "function", "function", None),
        ("counter", "delete", "module", "global"),
        ("local", "assignment", "function", "nonlocal"),
        ("local", "delete", "function", "nonlocal"),
    ]
    assert [b.through_global for b in facts.bindings if b.name == "local"] == [False, False, False]
    [function] = [stmt for stmt in ast.parse(LOADER).body if isinstance(stmt, ast.FunctionDef)]
    # (the same rows; the facts walk reaches the inner function's body last)
    written = [(b.name, b.kind, b.scope, b.declared) for b in statement_bindings(function) if b.name != "reset"]
    assert Counter(written) == Counter(rows)


def test_a_module_name_bound_by_a_loader_resolves_in_every_function():
    """The loader below its caller, or above it: the caller's call is the class's."""
    source = textwrap.dedent(FILES["src/netra_backend/app/agents/context_loader.py"])
    for text in (source, _loader_first(source)):
        module = "netra_backend.app.agents.context_loader"
        facts = collect_facts(ast.parse(text), "context_loader.py", module, False, text)
        assert [call.path for call in facts.calls if call.path.endswith("UserExecutionContext")] == [
            f"{CONTEXT}.UserExecutionContext"]


def _loader_first(source: str) -> str:
    head, loader = source.split("\n\n\ndef _load_context_module", 1)
    loader, tail = loader.split("\n\n\nprint", 1)
    first, caller = head.split("\n\n\n", 1)
    return f"{first}\n\n\ndef _load_context_module{loader}\n\n\n{caller}\n\n\nprint{tail}"


def test_a_name_the_module_body_binds_keeps_its_meaning_and_a_hook_s_row_shows_the_rebinding():
    source = textwrap.dedent(FILES["src/netra_backend/app/agents/tracing.py"])
    facts = collect_facts(ast.parse(source), "tracing.py", "netra_backend.app.agents.tracing", False, source)
    assert [call.path for call in facts.calls if call.path.endswith("UserExecutionContext")] == [
        f"{CONTEXT}.UserExecutionContext"]
    assert [(b.kind, b.path, b.through_global) for b in facts.bindings if b.name == "UserExecutionContext"] == [
        ("from", f"{CONTEXT}.UserExecutionContext", False), ("assignment", None, True)]


# --------------------------------------------------------------------------- the editor


def test_adding_or_removing_global_in_the_editor_equals_the_full_check(project):
    config = load_config(str(project / "pyproject.toml"))
    path = project / "src/netra_backend/app/agents/never_written.py"
    loaded = textwrap.dedent(FILES["src/netra_backend/app/agents/context_loader.py"])
    local = loaded.replace("    global uec_module\n", "")
    other = loaded.replace("services.user_execution_context as", "websocket_core.canonical_imports as")
    checker = IncrementalChecker()
    for text in (local, loaded, local, loaded, other, loaded):
        assert checker.check(text, str(path), config) == check_source(text, str(path), config, noqa=True).diagnostics
    assert [d.code for d in checker.check(loaded, str(path), config)] == ["SSOT002"]
    assert checker.check(local, str(path), config) == []
    # An edit of the caller alone is checked incrementally, with the loader's module-level binding.
    checker.check(loaded, str(path), config)
    edited = loaded.replace("    _load_context_module()\n",
                            "    _load_context_module()\n    user_id = user_id.strip()\n")
    assert checker.check(edited, str(path), config) == check_source(edited, str(path), config, noqa=True).diagnostics
    assert checker.last_was_incremental and [d.line for d in checker.state.diagnostics] == [7]


def test_the_functions_a_loader_may_be_in_are_those_ast_walk_finds():
    """`_functions_in` (statements only) finds every function definition `ast.walk` finds, in
    this project's modules and in nested shapes (a def in a class in a try in a match case)."""
    import ast
    from pathlib import Path

    from flake8_ssot.facts import _functions_in

    nested = (
        "def outer():\n    class C:\n        def m(self):\n            try:\n                pass\n"
        "            except E:\n                def h(): pass\n            match x:\n"
        "                case 1:\n                    async def g(): pass\n    f = lambda: 0\n"
    )
    sources = [nested, *(path.read_text(encoding="utf-8")
                         for path in sorted(Path(__file__).resolve().parent.parent.glob("src/flake8_ssot/rules/*.py")))]
    compared = 0
    for source in sources:
        for top in ast.walk(ast.parse(source)):
            if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                found = [id(node) for node in _functions_in(top)]
                assert sorted(found) == sorted(id(node) for node in ast.walk(top)
                                               if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))
                compared += 1
    assert compared > 200
