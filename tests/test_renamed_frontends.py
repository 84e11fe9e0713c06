"""The front-ends agree on a construction through a re-export that renames the class (SSOT002,
index/aliases.py, checking/renamed.py, server/renamed.py).

`netra_backend/app/agents/context.py` re-exports the factory-only `UserExecutionContext` as
`AgentContext`, and `routes/session.py` renames that again to `SessionContext`. A module that
imports one of those names and calls it spells no word of the policy: only the names the tree
gives the class (one read of the tree, or the cache's) make a check look at it. `ssot check`
over the tree, `ssot check` on that one file without a cache, flake8 with the plugin and the
editor (`ssot server`) all report it, on the same line; and a module that starts renaming the
class, in an unsaved buffer or on disk, is seen by the server and by flake8. (The workspace is
small: the server checks it in its thread; test_server_background.py sees the child process of
a large one send the same names.)
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from projects import flake8, ssot, write

POLICY = """\
[tool.ssot]
src = ["."]

[tool.ssot.factories]
"netra_backend.app.services.user_execution_context.UserExecutionContext" = { use = "netra_backend.app.services.user_execution_context.create_defensive_user_execution_context" }
"""

USER_EXECUTION_CONTEXT = '''\
"""Per-request isolation: every agent run gets its own context."""
import uuid
from dataclasses import dataclass, field


@dataclass
class UserExecutionContext:
    user_id: str
    thread_id: str
    run_id: str = field(default_factory=lambda: f"run_{uuid.uuid4()}")
    websocket_client_id: str | None = None


def create_defensive_user_execution_context(user_id, thread_id=None, websocket_client_id=None):
    return UserExecutionContext(user_id=user_id, thread_id=thread_id or f"thread_{user_id}",
                                websocket_client_id=websocket_client_id)
'''

# The re-export that renames the class (the shape of the monorepo's agent packages).
AGENT_CONTEXT = '''\
"""The context type the agents pass around."""
from netra_backend.app.services.user_execution_context import UserExecutionContext as AgentContext

__all__ = ["AgentContext"]
'''

# A rename of the rename.
SESSION_CONTEXT = '''\
"""Route sessions."""
from netra_backend.app.agents.context import AgentContext as SessionContext
'''

# No word of the policy: `AgentContext(...)` builds the class (line 9).
SUPERVISOR_RUN = '''\
"""Supervisor runs: one context per request."""
import uuid

from netra_backend.app.agents.context import AgentContext


def start_run(user_id: str, thread_id: str) -> AgentContext:
    run_id = f"run_{uuid.uuid4()}"
    return AgentContext(user_id=user_id, thread_id=thread_id, run_id=run_id)
'''

# Through the rename of the rename (line 7).
WEBSOCKET_ROUTE = '''\
"""The websocket route opens a session per connection."""
from netra_backend.app.routes.session import SessionContext


async def connect(websocket, user_id: str):
    await websocket.accept()
    context = SessionContext(user_id=user_id, thread_id=websocket.thread_id)
    return context
'''

# Only annotates: nothing to report.
HANDLER = '''\
"""Message handler {number}."""
from netra_backend.app.agents.context import AgentContext


async def handle_{number}(context: AgentContext, payload: dict) -> str:
    return f"{{context.user_id}}:{{payload.get('type', 'unknown')}}"
'''

# Calls a name no module gives the class yet: the server's test adds the module on disk.
PLANNER = '''\
"""The planner agent."""
from netra_backend.app.agents.planner_context import PlannerContext


def plan(user_id: str, thread_id: str):
    return PlannerContext(user_id=user_id, thread_id=thread_id)
'''

PLANNER_CONTEXT = '''\
"""The planner's context type."""
from netra_backend.app.services.user_execution_context import UserExecutionContext as PlannerContext
'''

EXPECTED = [
    ("netra_backend/app/agents/supervisor_run.py", 9),
    ("netra_backend/app/routes/websocket.py", 7),
]


def _tree(root: Path) -> Path:
    files = {
        "pyproject.toml": POLICY,
        "netra_backend/__init__.py": "",
        "netra_backend/app/__init__.py": "",
        "netra_backend/app/services/__init__.py": "",
        "netra_backend/app/services/user_execution_context.py": USER_EXECUTION_CONTEXT,
        "netra_backend/app/agents/__init__.py": "",
        "netra_backend/app/agents/context.py": AGENT_CONTEXT,
        "netra_backend/app/agents/supervisor_run.py": SUPERVISOR_RUN,
        "netra_backend/app/routes/__init__.py": "",
        "netra_backend/app/routes/session.py": SESSION_CONTEXT,
        "netra_backend/app/routes/websocket.py": WEBSOCKET_ROUTE,
        "netra_backend/app/routes/ws_session.py": "",  # the server's test edits it
        "netra_backend/app/agents/planner.py": PLANNER,
    }
    for number in range(8):
        files[f"netra_backend/app/agents/handlers/handler_{number}.py"] = HANDLER.format(number=number)
    files["netra_backend/app/agents/handlers/__init__.py"] = ""
    write(root, files)
    past = time.time() - 10  # older than the caches' racy window
    for path in root.rglob("*"):
        os.utime(path, (past, past))
    return root


def _flake8_constructions(tree: Path, files: list[str]) -> list[tuple[str, int]]:
    result = flake8("--select", "SSO", *files, cwd=tree)
    assert result.returncode in (0, 1), result.stderr
    return sorted((_relative(tree, m["path"]), int(m["line"])) for m in re.finditer(
        r"^(?P<path>.+?):(?P<line>\d+):\d+: SSOT002 ", result.stdout, re.M))


def _json_constructions(result) -> list[tuple[str, int]]:
    assert result.returncode in (0, 1), result.stderr
    return sorted((Path(item["filename"]).as_posix(), item["location"]["row"])
                  for item in json.loads(result.stdout) if item["code"] == "SSOT002")


def _relative(root: Path, name: str) -> str:
    return Path(os.path.relpath(name, root)).as_posix() if os.path.isabs(name) else Path(name).as_posix()


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    return _tree(tmp_path_factory.mktemp("renamed") / "netra")


def test_ssot_check_on_the_files_alone_without_a_cache_finds_it_as_over_the_tree(tree):
    alone = ssot("check", *(file for file, _ in EXPECTED), "--no-cache", "--output-format", "json", cwd=tree)
    assert [(_relative(tree, name), row) for name, row in _json_constructions(alone)] == EXPECTED
    whole = ssot("check", ".", "--no-cache", "--output-format", "json", cwd=tree)
    assert [(_relative(tree, name), row) for name, row in _json_constructions(whole)] == EXPECTED
    assert not (tree / ".ssot_cache").exists()


def _published_constructions(client, uri: str) -> list[int]:
    return [d["range"]["start"]["line"] + 1 for d in client.diagnostics(uri) if d["code"] == "SSOT002"]


def test_the_editor_finds_it_and_sees_modules_that_start_renaming_the_class(tree, tmp_path):
    pytest.importorskip("pygls", reason="the server extra (pygls) is not installed")
    from test_server import CAPABILITIES, LspClient

    client = LspClient(tree, tmp_path / "server.log", CAPABILITIES)
    try:
        client.logged(r"checked the workspace: \d+ files")
        for file, line in EXPECTED:
            path = tree / file
            uri = client.open(path, path.read_text())
            assert _published_constructions(client, uri) == [line], file
        # "Fix all" rewrites the websocket route's construction, as `ssot check --fix` does
        fix_all = client.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source.fixAll"]}})
        edits = client.request("codeAction/resolve", fix_all[0])["edit"]["documentChanges"][0]["edits"]
        assert any("create_defensive_user_execution_context" in edit["newText"] for edit in edits), edits
        # An unsaved buffer starts renaming the class: once typing pauses, an open buffer that
        # calls the new name gets its SSOT002.
        handler = tree / "netra_backend/app/routes/ws_handler.py"
        handler_uri = client.open(handler, (
            '"""Websocket handler."""\nfrom netra_backend.app.routes.ws_session import WsContext\n\n\n'
            "def open_session(user_id):\n    return WsContext(user_id=user_id, thread_id=None)\n"))
        assert _published_constructions(client, handler_uri) == []
        session = tree / "netra_backend/app/routes/ws_session.py"
        session_uri = client.open(session, "")
        client.diagnostics(session_uri)
        client.replace(session_uri, 2, "from netra_backend.app.services.user_execution_context "
                                       "import UserExecutionContext as WsContext\n")
        assert _published_constructions(client, handler_uri) == [6]
        # A module written on disk (a checkout) starts renaming it: the open caller is checked
        # again at once, before the next workspace check.
        planner = tree / "netra_backend/app/agents/planner.py"
        planner_uri = client.open(planner, planner.read_text())
        assert _published_constructions(client, planner_uri) == []
        created = tree / "netra_backend/app/agents/planner_context.py"
        created.write_text(PLANNER_CONTEXT)
        client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": created.as_uri(), "type": 1}]})
        assert _published_constructions(client, planner_uri) == [6]
    finally:
        assert client.close() == 0


def test_flake8_and_ssot_check_agree_with_the_editor_and_see_a_module_written_since(tree):
    """The server's workspace check left the cache (and the names it kept); a module written
    since renames the class again: flake8 computes the names anew, as `ssot check` does."""
    assert (tree / ".ssot_cache").is_dir()
    write(tree, {
        "netra_backend/app/agents/triage_context.py": (
            "from netra_backend.app.services.user_execution_context import UserExecutionContext as TriageContext\n"),
        "netra_backend/app/agents/triage.py": (
            "from netra_backend.app.agents.triage_context import TriageContext\n\n\n"
            "def triage(user_id):\n    return TriageContext(user_id=user_id, thread_id=None)\n"),
    })
    expected = sorted([*EXPECTED, ("netra_backend/app/agents/planner.py", 6), ("netra_backend/app/agents/triage.py", 5)])
    # The files that call the class, several: the names are computed once, in the process that
    # forks flake8's workers.
    assert _flake8_constructions(tree, [file for file, _ in expected]) == expected
    whole = ssot("check", ".", "--output-format", "json", cwd=tree)
    assert [(_relative(tree, name), row) for name, row in _json_constructions(whole)] == expected


def test_files_changed_on_disk_add_the_names_they_bind_through_renames_of_renames(tmp_path):
    """The server's names between two workspace checks (server/renamed.py): files written on
    disk that rename the class, or rename one of its names, add theirs; others add none."""
    from flake8_ssot.checking.renamed import class_names
    from flake8_ssot.config import config_for
    from flake8_ssot.server.renamed import RenamedClasses

    root = _tree(tmp_path / "netra")
    config = config_for(str(root / "netra_backend/app/agents/supervisor_run.py"))
    roots, key = tuple(config.src), class_names(config)
    renamed = RenamedClasses()
    assert not renamed.files_changed([str(root / "netra_backend/app/agents/context.py")])  # no names yet
    assert renamed.took({roots: {key: key | {"AgentContext", "SessionContext"}}})
    agents = root / "netra_backend/app/agents"
    write(agents, {
        # a rename of a rename written at once: B is the class only through A
        "ops_b.py": "from netra_backend.app.agents.ops_a import OpsContext as OpsRunContext\n",
        "ops_a.py": "from netra_backend.app.agents.context import AgentContext as OpsContext\n",
        # names and calls, but no rename of the class
        "ops_c.py": "from netra_backend.app.agents.supervisor_run import start_run as OpsContextFactory\n"
                    "AgentContextLike = dict\nresult = AgentContext(user_id='u')\n",
    })
    changed = [str(agents / name) for name in ("ops_b.py", "ops_a.py", "ops_c.py")]
    assert renamed.files_changed(changed)
    assert renamed.names_on_disk(roots, key) == key | {"AgentContext", "SessionContext", "OpsContext", "OpsRunContext"}
    assert not renamed.files_changed(changed[2:])
    # The next workspace check's names replace the tree's; those found since stay (a superset
    # costs a buffer's full check, never a finding).
    assert not renamed.took({roots: {key: key | {"AgentContext", "SessionContext", "OpsContext"}}})
    # A workspace check that began after those files changed read them: its names replace them
    # (ops_b.py deleted meanwhile: `OpsRunContext` goes); a file changed during it stays.
    number = renamed.check_starts()
    (agents / "ops_b.py").unlink()
    write(agents, {"ops_d.py": "from netra_backend.app.agents.context import AgentContext as OpsDraftContext\n"})
    assert renamed.files_changed([str(agents / "ops_d.py")])
    assert renamed.took({roots: {key: key | {"AgentContext", "SessionContext", "OpsContext"}}}, number)
    assert renamed.names_on_disk(roots, key) == key | {"AgentContext", "SessionContext", "OpsContext", "OpsDraftContext"}


@pytest.mark.parametrize("cached", [False, True])
def test_a_fix_run_fixes_what_the_check_reports(tmp_path, cached):
    """`ssot check --fix` checks, and so fixes, the files that build the class only through a
    renamed name, as `ssot check` reports them: with the names a check kept in the cache, or
    computed by the fix run itself. The check after it reports only what had no fix."""
    root = _tree(tmp_path / "netra")
    cache = ["--cache-dir", str(tmp_path / "cache")] if cached else ["--no-cache"]
    if cached:  # a check first keeps the names
        checked = ssot("check", ".", *cache, "--output-format", "json", cwd=root)
        assert [(_relative(root, name), row) for name, row in _json_constructions(checked)] == EXPECTED
    fixed = ssot("check", ".", "--fix", *cache, "--output-format", "concise", cwd=root)
    assert fixed.returncode == 1, fixed.stderr
    # The websocket route's call binds the factory's signature and is rewritten; the supervisor's
    # passes `run_id`, which it has no parameter for: reported, not fixed, by the fix run too.
    assert "Found 2 errors (1 fixed, 1 remaining)." in fixed.stdout, fixed.stdout
    websocket = (root / "netra_backend/app/routes/websocket.py").read_text()
    assert "context = create_defensive_user_execution_context(user_id=user_id" in websocket
    after = ssot("check", ".", "--no-cache", "--output-format", "json", cwd=root)
    assert [(_relative(root, name), row) for name, row in _json_constructions(after)] == EXPECTED[:1]
    if cached:  # the fix kept the names it used: flake8 (one file at a time) takes them from the cache
        from flake8_ssot.checking.cache import _read_head

        (document,) = (tmp_path / "cache").rglob("*.json")
        head = _read_head(str(document))[0]
        assert set(head["renamed"]) == {"UserExecutionContext", "AgentContext", "SessionContext"}
