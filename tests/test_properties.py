"""Invariants of the engine on generated programs: it never raises, and names are names.

Renaming an import alias (consistently) must never change which lines are reported: the
binding table, not the spelling, decides what an expression refers to.
"""

from __future__ import annotations

import textwrap

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_programs import FROM_GRAMMAR

from flake8_ssot.config import load_config
from flake8_ssot.engine import check_source

POLICY = """
[tool.ssot]
src = ["src"]
[tool.ssot.legacy]
"app.ws.factory" = "app.ws.canonical_imports"
"app.ws.manager_factory.create_websocket_manager" = { use = "app.ws.manager.get_websocket_manager" }
"app.legacy_*" = "app.core"
[tool.ssot.canonical]
"app.ws.manager.WebSocketManager" = {}
[tool.ssot.factories]
"app.ctx.UserExecutionContext" = { use = "app.ctx.create_defensive_user_execution_context" }
[tool.ssot.deprecated-exports]
"app.ws.handlers" = ["WebSocketManagerFactory"]
"""

MODULES = ["app.ws.factory", "app.ws.manager_factory", "app.ws.manager", "app.ctx", "app.legacy_utils",
           "app.core", "os.path", "app.ws"]
NAMES = ["create_websocket_manager", "UserExecutionContext", "WebSocketManager", "helper", "factory",
         "get_websocket_manager"]

# Each template uses {A} for the alias under test; {M} a module, {N} a name.
TEMPLATES = [
    "import {M} as {A}",
    "from {M} import {N} as {A}",
    "from {M} import {N}",
    "import {M}",
    "x = {A}.{N}()",
    "y = {A}({N}=1)",
    "value = {A}.{N}",
    "def handler({N}):\n    return {A}({N})",
    "class Wrapper({A}):\n    pass",
    "if isinstance(obj, {A}):\n    pass",
    "try:\n    from {M} import {N} as {A}\nexcept ImportError:\n    {A} = None",
    "result = [{A}(item) for item in items]",
    "with mock.patch('{M}.{N}'):\n    {A}.{N}()",
    "__all__ = ['{N}', 'WebSocketManagerFactory']",
    "Alias = {A}\nAlias()",
]

statement = st.builds(
    lambda template, module, name: template.replace("{M}", module).replace("{N}", name),
    st.sampled_from(TEMPLATES), st.sampled_from(MODULES), st.sampled_from(NAMES),
)


def _config(tmp_path_factory):
    root = tmp_path_factory.mktemp("policy")
    (root / "pyproject.toml").write_text(POLICY, encoding="utf-8")
    return load_config(str(root / "pyproject.toml")), root


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(statements=st.lists(statement, min_size=1, max_size=12),
       first=st.sampled_from(["mgr", "ctx_cls", "f"]), second=st.sampled_from(["renamed_alias", "zz9", "Ctx"]))
def test_renaming_an_alias_never_changes_what_is_reported(tmp_path_factory, statements, first, second):
    config, root = _config(tmp_path_factory)
    path = str(root / "src" / "app" / "ws" / "handlers.py")
    program = "\n".join(statements) + "\n"
    before = check_source(program.replace("{A}", first), path, config)
    after = check_source(program.replace("{A}", second), path, config)
    assert [(d.line, d.code) for d in before.diagnostics] == [(d.line, d.code) for d in after.diagnostics]


# hypothesmith filters the programs it cannot build: on some seeds most of them (filter_too_much).
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(source=FROM_GRAMMAR)
def test_never_raises_on_generated_programs(tmp_path_factory, source):
    config, root = _config(tmp_path_factory)
    for module_path in ("src/app/ws/handlers.py", "src/app/ctx/__init__.py"):
        check_source(source, str(root / module_path), config, prefilter=False)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=st.lists(st.sampled_from(
    list("()[]{}:.,'\"\\#\n\t =@*é") + NAMES + MODULES + ["import ", "from ", "def ", "class ", "    "]
), max_size=80).map("".join))
def test_never_raises_on_arbitrary_text(tmp_path_factory, source):
    config, root = _config(tmp_path_factory)
    check_source(source, str(root / "src/app/ws/handlers.py"), config, prefilter=False)


def test_deeply_nested_file_does_not_crash(tmp_path_factory):
    config, root = _config(tmp_path_factory)
    source = "from app.ws.factory import x\n" + "y = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    result = check_source(source, str(root / "src/app/main.py"), config)
    assert result.syntax_error is not None


def test_seed_000_constructor_and_registry_table(tmp_path_factory):
    config, root = _config(tmp_path_factory)
    source = textwrap.dedent('''
        import uuid
        from app.ctx import UserExecutionContext

        REPLACEMENTS = {
            'module': 'app.ws.factory',
            'replacement': 'app.ws.manager.get_websocket_manager',
        }


        class TestWebSocketSSOTFactoryPatterns:
            def test_canonical_websocket_manager(self):
                user_context = UserExecutionContext(
                    user_id=self.test_user_id_1,
                    thread_id=self.test_thread_id_1,
                    run_id=f"run_{uuid.uuid4()}"
                )
                assert isinstance(user_context, UserExecutionContext)
    ''')
    result = check_source(source, str(root / "tests/integration/test_ssot_factory_patterns.py"), config)
    assert [(d.line, d.code, d.message) for d in result.diagnostics] == [
        (6, "SSOT004", "legacy reference 'app.ws.factory': use 'app.ws.canonical_imports'"),
        (13, "SSOT002", "direct construction of factory-only class 'app.ctx.UserExecutionContext': "
                        "use 'app.ctx.create_defensive_user_execution_context'"),
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(statements=st.lists(statement, min_size=1, max_size=10),
       module_path=st.sampled_from(["src/app/ws/handlers.py", "src/app/ws/factory/sub.py", "src/app/ws/__init__.py",
                                    "src/app/legacy_utils/x.py", "src/app/ctx/helpers.py", "src/other/mod.py"]),
       relative=st.sampled_from(["", "from . import helper\n", "from .. import factory\n", "from .sub import WebSocketManager\n"]))
def test_prefilter_equals_the_full_run(tmp_path_factory, statements, module_path, relative):
    config, root = _config(tmp_path_factory)
    program = relative + "\n".join(statements).replace("{A}", "alias") + "\n"
    path = str(root / module_path)
    fast = check_source(program, path, config)
    slow = check_source(program, path, config, prefilter=False)
    assert fast.diagnostics == slow.diagnostics
    assert config.prefilter.may_match(program.encode("utf-8"), "") == config.prefilter.may_match(program, "")


def test_prefilter_needs_whole_words(tmp_path_factory):
    config, _ = _config(tmp_path_factory)
    prefilter = config.prefilter
    assert not prefilter.may_match("import os\nfrom app import factory_helpers\n", "app.main")
    assert prefilter.may_match("from app.ws import factory\n", "app.main")
    assert prefilter.may_match(b"x = 'app.ws.factory.create'\n", "app.main")
    assert prefilter.may_match("from . import helpers\n", "app.ws.factory.sub")  # named by its own module
    assert not prefilter.may_match("__all__ = ['x']\n", "app.main")
    assert prefilter.may_match("__all__ = ['x']\n", "app.ws.handlers")  # listed under deprecated-exports
    assert prefilter.may_match("from app import legacy_utils\n", "app.main")  # wildcard key app.legacy_*
