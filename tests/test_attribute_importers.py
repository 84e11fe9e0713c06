"""A module that reads a name as an attribute of the module it comes from (`from
netra_backend.app.agents import manager` then `manager.create_websocket_manager(...)`, or
`import ...builder as agent_builder` then `agent_builder.UserExecutionContext`), or star-imports
the module and uses the name, takes the name from it as an import of it does: SSOT001's rename of the name there, and SSOT002's removal of
the class's import after its last use, are unsafe (they left the reading module with an
AttributeError at run time, as safe fixes).

The project below is written once for the module: its modules print what they do when
imported, the same before and after `ssot check --fix`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from projects import imported_output, ssot, write

from flake8_ssot.index import ProjectIndex, importers

CONTEXT = "netra_backend.app.services.user_execution_context"
FACTORY = "create_defensive_user_execution_context"

POLICY = f"""\
[tool.ssot]
src = ["src"]

[tool.ssot.legacy]
"netra_backend.app.websocket_core.factory.create_websocket_manager" = "netra_backend.app.websocket_core.canonical_imports.get_websocket_manager"

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
            def __init__(self, user_id: str) -> None:
                self.user_id = user_id


        def create_defensive_user_execution_context(user_id: str) -> UserExecutionContext:
            return UserExecutionContext(user_id)
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
    "src/netra_backend/app/agents/__init__.py": "",
    # The legacy import whose rename would take `create_websocket_manager` away from the module.
    "src/netra_backend/app/agents/manager.py": '''\
        """Agent WebSocket managers."""
        from netra_backend.app.websocket_core.factory import create_websocket_manager


        def agent_manager(user_context):
            return create_websocket_manager(user_context)
        ''',
    "src/netra_backend/app/agents/session.py": '''\
        """Sessions reach the manager factory through the agents' module."""
        from netra_backend.app.agents import manager


        def open_session(user_context):
            return manager.create_websocket_manager(user_context)


        print(open_session("ctx-1"))
        ''',
    # The class's only use, whose fix would remove its import.
    "src/netra_backend/app/agents/builder.py": '''\
        """Agent contexts."""
        from netra_backend.app.services.user_execution_context import UserExecutionContext


        def build(user_id: str):
            return UserExecutionContext(user_id)
        ''',
    "src/netra_backend/app/agents/checks.py": '''\
        """Context checks, through the package's parent."""
        from netra_backend.app import agents
        import netra_backend.app.agents.builder


        def is_context(value) -> bool:
            return isinstance(value, agents.builder.UserExecutionContext)


        print(is_context(agents.builder.build("user-2")))
        ''',
    # `import *` of each: takes every public name, the two above too.
    "src/netra_backend/app/agents/everything.py": '''\
        """Everything of the agents' manager and builder, for the REPL."""
        from netra_backend.app.agents.manager import *
        from netra_backend.app.agents.builder import *


        print(create_websocket_manager("ctx-4"), isinstance(build("user-5"), UserExecutionContext))
        ''',
    # A module that binds a name to the module and reads another attribute: takes nothing.
    "src/netra_backend/app/agents/other.py": '''\
        """Reads the manager module's own function only."""
        import netra_backend.app.agents.manager as agent_manager_module

        create_websocket_manager = None  # (the name as a word, bound here to something else)


        print(agent_manager_module.agent_manager("ctx-3"))
        ''',
}
MODULES = ["netra_backend.app.agents.session", "netra_backend.app.agents.checks", "netra_backend.app.agents.other",
           "netra_backend.app.agents.everything"]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("attribute_importers"), FILES)


def test_a_module_reading_the_name_as_an_attribute_or_star_importing_it_takes_it(project):
    index = ProjectIndex([str(project / "src")])
    # (the first in file order)
    assert index.importer_of("netra_backend.app.agents.manager", "create_websocket_manager") \
        == "netra_backend.app.agents.everything"
    assert index.importer_of("netra_backend.app.agents.builder", "UserExecutionContext") \
        == "netra_backend.app.agents.checks"
    agents = project / "src/netra_backend/app/agents"
    takers = {(file.stem, module) for file in sorted(agents.glob("*.py")) for module, name in [
        ("manager", "create_websocket_manager"), ("builder", "UserExecutionContext")]
        if importers.takes_from(index, str(file), name, f"netra_backend.app.agents.{module}")}
    assert takers == {("session", "manager"), ("checks", "builder"), ("everything", "manager"),
                      ("everything", "builder")}


def test_the_fixes_that_would_take_the_name_away_are_unsafe_and_keep_what_the_modules_do(project, tmp_path):
    completed = ssot("check", ".", "--output-format", "json", "--no-cache", "--exit-zero", cwd=project)
    assert completed.returncode == 0, completed.stderr
    found = {Path(d["filename"]).stem: d for d in json.loads(completed.stdout)}
    assert sorted(found) == ["builder", "manager"]
    assert found["manager"]["fix"]["applicability"] == "unsafe"
    assert "'netra_backend.app.agents.everything' imports 'create_websocket_manager' from this module" in (
        found["manager"]["fix"]["message"])
    assert "removing the import" not in found["builder"]["fix"]["message"]
    fixed = shutil.copytree(project, tmp_path / "fixed")
    completed = ssot("check", ".", "--fix", "--no-cache", "--exit-zero", cwd=fixed)
    assert completed.returncode == 0, completed.stderr
    builder = (fixed / "src/netra_backend/app/agents/builder.py").read_text()
    assert f"return {FACTORY}(user_id=user_id)" in builder and "import UserExecutionContext, " in builder
    assert imported_output(fixed, MODULES) == imported_output(project, MODULES)
