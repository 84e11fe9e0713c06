"""`ssot server` in real LSP sessions: the server runs as a subprocess and this file speaks
JSON-RPC to it over its pipes (Content-Length framing), as an editor would.

Every wait has a timeout, so a hung server fails the test instead of hanging the suite.
"""

from __future__ import annotations

import itertools
import json
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from projects import read_lsp_messages

pytest.importorskip("pygls", reason="the server extra (pygls) is not installed")

from flake8_ssot.config import load_config  # noqa: E402
from flake8_ssot.engine import check_source  # noqa: E402
from flake8_ssot.fixes import fix_text  # noqa: E402
from flake8_ssot.index import ProjectIndex  # noqa: E402
from flake8_ssot.server import locate_key, noqa_edit  # noqa: E402
from flake8_ssot.span import split_lines  # noqa: E402
from flake8_ssot.rules.rewrites import SourceLines  # noqa: E402

SERVER = [sys.executable, "-m", "flake8_ssot", "server"]  # the real subcommand, as an editor starts it
TIMEOUT = 20.0
FIXTURES = Path(__file__).parent / "fixtures"

PYPROJECT = """\
[project]
name = "netra-backend"

[tool.ssot]
src = ["src"]

[tool.ssot.legacy]
"netra_backend.app.websocket_core.factory" = "netra_backend.app.websocket_core.canonical_imports"
"netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager" = { use = "netra_backend.app.websocket_core.websocket_manager.get_websocket_manager", message = "the factory was retired in #1126" }

[tool.ssot.factories]
"netra_backend.app.services.user_execution_context.UserExecutionContext" = { use = "netra_backend.app.services.user_execution_context.create_defensive_user_execution_context", severity = "warning" }

[[tool.ssot.patterns]]
code = "SSOT101"
pattern = "get_websocket_manager_factory($$$ARGS)"
message = "the factory accessor is retired"
fix = "get_websocket_manager($$$ARGS)"
"""

WEBSOCKET_MANAGER = '''\
"""The canonical WebSocket manager (SSOT)."""


class WebSocketManager:
    def __init__(self, user_context):
        self.user_context = user_context


def get_websocket_manager(user_context=None):
    return WebSocketManager(user_context)
'''

USER_EXECUTION_CONTEXT = '''\
"""Per-request user context; build it through the defensive factory."""
from dataclasses import dataclass


@dataclass
class UserExecutionContext:
    user_id: str


def create_defensive_user_execution_context(user_id):
    return UserExecutionContext(user_id=str(user_id))
'''

# Line 8 has an astral character (two UTF-16 code units) and an accented one (one unit,
# two UTF-8 bytes) before the violation, so character, UTF-16 and UTF-8 columns all differ.
ROUTES = '''\
"""WebSocket routes: the «golden path» handlers."""
from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager
from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager
from netra_backend.app.services.user_execution_context import UserExecutionContext


def connect(user_id):
    greeting = "👋 connecté"; manager = get_websocket_manager_factory(user_id)
    context = UserExecutionContext(user_id=user_id)
    return manager, context, greeting
'''

LEGACY_IMPORT = (
    "legacy import 'netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager': "
    "use 'netra_backend.app.websocket_core.websocket_manager.get_websocket_manager' "
    "(the factory was retired in #1126)"
)
DIRECT_CONSTRUCTION = (
    "direct construction of factory-only class "
    "'netra_backend.app.services.user_execution_context.UserExecutionContext': "
    "use 'netra_backend.app.services.user_execution_context.create_defensive_user_execution_context'"
)


# --------------------------------------------------------------------------- a tiny LSP client

class LspClient:
    """Speaks JSON-RPC with Content-Length framing to a server subprocess."""

    def __init__(
        self, root: Path, log: Path, capabilities: dict | None = None, initialization_options: dict | None = None,
    ) -> None:
        self.root, self.log = root, log
        self.log_file = open(log, "wb")
        self.process = subprocess.Popen(
            [*SERVER, "--log-level", "debug"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log_file, cwd=root,
        )
        self.inbox: queue.Queue = queue.Queue()
        self.backlog: list[dict] = []  # messages received but not yet asked for
        self.server_requests: list[dict] = []
        self.ids = itertools.count(1)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.initialize_result = self.request("initialize", {
            "processId": None,
            "rootUri": root.as_uri(),
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "capabilities": capabilities if capabilities is not None else CAPABILITIES,
            **({"initializationOptions": initialization_options} if initialization_options is not None else {}),
        })
        self.notify("initialized", {})

    def _read(self) -> None:
        read_lsp_messages(self.process.stdout, self.inbox)

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.process.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict) -> object:
        number = next(self.ids)
        self.send({"id": number, "method": method, "params": params})
        reply = self.wait(lambda m: m.get("id") == number and "method" not in m, f"the reply to {method}")
        assert "error" not in reply, f"{method} failed: {reply['error']}"
        return reply["result"]

    def wait(self, wanted, what: str) -> dict:
        for index, message in enumerate(self.backlog):
            if wanted(message):
                return self.backlog.pop(index)
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                message = self.inbox.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"timed out waiting for {what}; server log:\n{self.server_log()}") from None
            if message is None:
                raise AssertionError(f"the server closed its output waiting for {what}:\n{self.server_log()}")
            if "method" in message and "id" in message:  # a request from the server: answer it
                self.server_requests.append(message)
                result = {"applied": True} if message["method"] == "workspace/applyEdit" else None
                self.send({"id": message["id"], "result": result})
            if wanted(message):
                return message
            self.backlog.append(message)

    def diagnostics(self, uri: str, version: int | None = None) -> list[dict]:
        """The next diagnostics published for `uri` (for that document version, if given)."""
        message = self.wait(
            lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
            and (version is None or m["params"].get("version") == version),
            f"diagnostics for {uri}",
        )
        return message["params"]["diagnostics"]

    def published(self, uri: str) -> list[dict]:
        """Diagnostics notifications for `uri` that arrived but were not asked for."""
        return [
            m["params"] for m in self.backlog
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
        ]

    def open(self, path: Path, text: str) -> str:
        uri = path.as_uri()
        self.notify("textDocument/didOpen", {
            "textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text},
        })
        return uri

    def replace(self, uri: str, version: int, text: str) -> None:
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}],
        })

    def close(self) -> int:
        """shutdown and exit (unless the test did); the server's exit code."""
        if self.process.poll() is None:
            self.request("shutdown", None)
            self.notify("exit", None)
        try:
            return self.process.wait(timeout=TIMEOUT)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=TIMEOUT)
            self.reader.join(timeout=TIMEOUT)  # it stops at the end of the server's output
            self.process.stdin.close()
            self.process.stdout.close()
            self.log_file.close()

    def server_log(self) -> str:
        self.log_file.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")

    def logged(self, pattern: str) -> re.Match:
        """Wait for a line of the server's log (it logs a check just after publishing it)."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            found = re.search(pattern, self.server_log())
            if found is not None:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {pattern!r} in the server log:\n{self.server_log()}")
            time.sleep(0.02)


CAPABILITIES = {
    "workspace": {
        "workspaceEdit": {"documentChanges": True},
        "didChangeWatchedFiles": {"dynamicRegistration": True},
        "applyEdit": True,
    },
    "textDocument": {
        "publishDiagnostics": {"relatedInformation": True, "versionSupport": True},
        "hover": {"contentFormat": ["markdown", "plaintext"]},
        "codeAction": {"isPreferredSupport": True, "resolveSupport": {"properties": ["edit"]}},
    },
}


def write_project(root: Path) -> Path:
    files = {
        "pyproject.toml": PYPROJECT,
        "src/netra_backend/__init__.py": "",
        "src/netra_backend/app/__init__.py": "",
        "src/netra_backend/app/websocket_core/__init__.py": "",
        "src/netra_backend/app/websocket_core/websocket_manager.py": WEBSOCKET_MANAGER,
        "src/netra_backend/app/services/__init__.py": "",
        "src/netra_backend/app/services/user_execution_context.py": USER_EXECUTION_CONTEXT,
        "src/netra_backend/app/routes/__init__.py": "",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def routes(root: Path, name: str = "websocket_routes.py") -> Path:
    return root / "src/netra_backend/app/routes" / name


def span(line: int, start: int, end: int, end_line: int | None = None) -> dict:
    """An LSP range (0-based line, UTF-16 columns)."""
    return {
        "start": {"line": line, "character": start},
        "end": {"line": line if end_line is None else end_line, "character": end},
    }


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def apply_text_edits(text: str, edits: list[dict]) -> str:
    """Apply LSP TextEdits (UTF-16 positions, all relative to `text`) as an editor does."""
    lines = text.split("\n")

    def offset(position: dict) -> int:
        line = lines[position["line"]]
        units, column = 0, 0
        while column < len(line) and units < position["character"]:
            units += 2 if ord(line[column]) > 0xFFFF else 1
            column += 1
        return sum(len(before) + 1 for before in lines[: position["line"]]) + column

    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


def edits_of(workspace_edit: dict, uri: str, version: int) -> list[dict]:
    (change,) = workspace_edit["documentChanges"]
    assert change["textDocument"] == {"uri": uri, "version": version}
    return change["edits"]


# --------------------------------------------------------------------------- one session for most tests

@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return write_project(tmp_path_factory.mktemp("lsp") / "netra")


@pytest.fixture(scope="module")
def client(project, tmp_path_factory):
    client = LspClient(project, tmp_path_factory.mktemp("lsp-log") / "server.log")
    yield client
    assert client.close() == 0


def expected_diagnostics(project: Path) -> list[dict]:
    manager = (project / "src/netra_backend/app/websocket_core/websocket_manager.py").as_uri()
    context = (project / "src/netra_backend/app/services/user_execution_context.py").as_uri()
    factory = "create_defensive_user_execution_context"
    return [
        {
            "range": span(1, 71, 95),
            "severity": 1,
            "code": "SSOT001",
            "codeDescription": {"href": "https://github.com/flake8-ssot/flake8-ssot/blob/main/docs/rules.md#ssot001-legacy-import"},
            "source": "ssot",
            "message": LEGACY_IMPORT,
            "relatedInformation": [{
                "location": {"uri": manager, "range": span(8, 4, 25)},
                "message": "canonical definition of 'get_websocket_manager'",
            }],
        },
        {
            # character columns 39-77; the emoji before them counts twice in UTF-16
            "range": span(7, 40, 78),
            "severity": 1,
            "code": "SSOT101",
            "codeDescription": {"href": "https://github.com/flake8-ssot/flake8-ssot/blob/main/docs/rules.md#ssot1xx-ssot8xx-pattern-rules"},
            "source": "ssot",
            "message": "the factory accessor is retired",
        },
        {
            "range": span(8, 14, 51),
            "severity": 2,
            "code": "SSOT002",
            "codeDescription": {"href": "https://github.com/flake8-ssot/flake8-ssot/blob/main/docs/rules.md#ssot002-direct-construction"},
            "source": "ssot",
            "message": DIRECT_CONSTRUCTION,
            "relatedInformation": [{
                "location": {"uri": context, "range": span(9, 4, 4 + len(factory))},
                "message": f"canonical definition of '{factory}'",
            }],
        },
    ]


def test_initialize_advertises_the_features(client):
    capabilities = client.initialize_result["capabilities"]
    assert client.initialize_result["serverInfo"]["name"] == "ssot"
    assert capabilities["positionEncoding"] == "utf-16"
    assert capabilities["textDocumentSync"]["change"] == 2  # incremental
    assert capabilities["codeActionProvider"] == {
        "codeActionKinds": ["quickfix", "source.fixAll.ssot", "source.baseline.ssot"], "resolveProvider": True,
    }
    assert capabilities["hoverProvider"] is True
    assert capabilities["executeCommandProvider"]["commands"] == [
        "ssot.fixAll", "ssot.addToBaseline", "ssot.removeStaleBaselineEntries",
    ]
    registration = client.wait(lambda m: m.get("method") == "client/registerCapability", "the file watcher")
    assert registration["params"]["registrations"] == [{
        "id": "ssot-pyproject",
        "method": "workspace/didChangeWatchedFiles",
        "registerOptions": {"watchers": [{"globPattern": "**/pyproject.toml"}]},
    }]


def test_diagnostics_on_open_from_the_unsaved_buffer(client, project):
    path = routes(project)  # never written to disk: the buffer is all the server has
    uri = client.open(path, ROUTES)
    assert client.diagnostics(uri, version=1) == expected_diagnostics(project)
    assert not path.exists()
    client.logged(r"checked \S+websocket_routes\.py \(10 lines, 3 diagnostics\) in \d+\.\d ms")


def test_diagnostics_follow_changes_debounced(client, project):
    uri = client.open(routes(project, "changing_routes.py"), ROUTES)
    assert [d["code"] for d in client.diagnostics(uri, version=1)] == ["SSOT001", "SSOT101", "SSOT002"]
    # Three quick incremental edits: delete the legacy import line, then type a new
    # legacy import at the top. Only the last version is checked.
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"range": span(1, 0, 0, end_line=2), "text": ""}],
    })
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 3},
        "contentChanges": [{"range": span(0, 0, 0), "text": "from netra_backend.app.websocket_core.factory "}],
    })
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 4},
        "contentChanges": [{"range": span(0, 46, 46), "text": "import create_websocket_manager  # 🔌\n"}],
    })
    diagnostics = client.diagnostics(uri, version=4)
    assert client.published(uri) == []  # versions 2 and 3 were never checked
    assert [(d["code"], d["range"], d["message"]) for d in diagnostics] == [
        (
            "SSOT001",
            span(0, 0, 77),  # the whole statement: its module is the legacy path
            "legacy import 'netra_backend.app.websocket_core.factory': "
            "use 'netra_backend.app.websocket_core.canonical_imports'",
        ),
        ("SSOT101", span(7, 40, 78), "the factory accessor is retired"),
        ("SSOT002", span(8, 14, 51), DIRECT_CONSTRUCTION),
    ]

    # An edit inside the function body: the server re-checks only that function.
    construction = "UserExecutionContext(user_id='🔌')"  # the emoji is two UTF-16 code units
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 5},
        "contentChanges": [{"range": span(9, 0, 0), "text": f"    legacy = {construction}\n"}],
    })
    assert [(d["code"], d["range"]) for d in client.diagnostics(uri, version=5)] == [
        ("SSOT001", span(0, 0, 77)),
        ("SSOT101", span(7, 40, 78)),
        ("SSOT002", span(8, 14, 51)),
        ("SSOT002", span(9, 13, 13 + utf16(construction))),
    ]
    # Checked incrementally: the new SSOT002 fixes keep the class's import (two uses), which
    # holds for the whole file too (rules/construction.fix_is_current); tests/test_incremental.py
    # and tests/test_incremental_fixes.py compare the incremental path with the full check.
    client.logged(r"changing_routes\.py \(11 lines, 4 diagnostics, incremental\)")


def only(code: str):
    return lambda diagnostic: diagnostic.code == code


def test_code_actions_replace_fix_all_and_noqa(client, project):
    path = routes(project, "action_routes.py")
    config = load_config(str(project / "pyproject.toml"))
    uri = client.open(path, ROUTES)
    published = client.diagnostics(uri, version=1)
    legacy, pattern = published[0], published[1]
    in_file = {"uri": uri, "version": 1}

    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": span(7, 50, 50), "context": {"diagnostics": [pattern]},
    })
    line = ROUTES.splitlines()[7]
    assert actions == [
        {
            "title": "Apply the fix of SSOT101",
            "kind": "quickfix",
            "diagnostics": [pattern],
            "isPreferred": True,
            "edit": {"documentChanges": [{"textDocument": in_file, "edits": [
                {"range": span(7, 40, 78), "newText": "get_websocket_manager(user_id)"},
            ]}]},
        },
        # the client resolves the edit of this one when the user picks it
        {"title": "Fix all safe SSOT violations in file", "kind": "source.fixAll.ssot", "data": {"uri": uri}},
        {
            "title": "Add # noqa: SSOT101",
            "kind": "quickfix",
            "diagnostics": [pattern],
            "edit": {"documentChanges": [{"textDocument": in_file, "edits": [
                {"range": span(7, utf16(line), utf16(line)), "newText": "  # noqa: SSOT101"},
            ]}]},
        },
    ]
    # `get_websocket_manager` is imported by the file, so the pattern's fix is safe; the quick
    # fix makes the same change as `ssot check --fix` restricted to that code.
    quick_fixed = apply_text_edits(ROUTES, edits_of(actions[0]["edit"], uri, 1))
    assert quick_fixed == fix_text(ROUTES, str(path), config, keep=only("SSOT101")).text

    # The legacy import's fix renames the binding. The server consults the project index, as
    # `ssot check` does, and the index shows no other module importing the old name from this
    # file: safe and preferred. The file imports from the canonical module on the next line,
    # so the legacy import goes and its uses take the canonical name.
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": span(1, 75, 75), "context": {"diagnostics": [legacy]},
    })
    assert (actions[0]["title"], actions[0]["kind"], actions[0]["diagnostics"], actions[0]["isPreferred"]) == (
        "Replace with canonical import", "quickfix", [legacy], True)
    assert [action["title"] for action in actions[1:]] == ["Fix all safe SSOT violations in file", "Add # noqa: SSOT001"]
    quick_fixed = apply_text_edits(ROUTES, edits_of(actions[0]["edit"], uri, 1))
    index = ProjectIndex(config.src)
    assert quick_fixed == fix_text(ROUTES, str(path), config, keep=only("SSOT001"), index=index).text
    assert quick_fixed.splitlines()[1] == (
        "from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager"
    )

    only_fix_all = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": span(0, 0, 0), "context": {"diagnostics": [], "only": ["source.fixAll"]},
    })
    assert only_fix_all == [actions[1]]
    resolved = client.request("codeAction/resolve", only_fix_all[0])
    fixed = apply_text_edits(ROUTES, edits_of(resolved["edit"], uri, 1))
    # every safe fix, as the project index judges them: here all three violations go
    assert fixed == fix_text(ROUTES, str(path), config, index=index).text
    assert "create_websocket_manager" not in fixed and "UserExecutionContext(" not in fixed
    # the same text `ssot check --fix` writes for this file
    path.write_text(ROUTES, encoding="utf-8")
    try:
        command = subprocess.run(
            [sys.executable, "-m", "flake8_ssot", "check", "--fix", "--no-cache", str(path)],
            cwd=project, capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL,
        )
        assert command.returncode == 0, command.stderr  # nothing remains
        assert path.read_text(encoding="utf-8") == fixed
    finally:
        path.unlink()
    client.replace(uri, 2, fixed)
    assert client.diagnostics(uri, version=2) == []


def test_noqa_action_appends_to_existing_codes_and_silences_the_line(client, project):
    text = ROUTES.replace(
        "    context = UserExecutionContext(user_id=user_id)\n",
        "    context = UserExecutionContext(user_id=user_id)  # noqa: E501\n",
    )
    uri = client.open(routes(project, "noqa_routes.py"), text)
    published = client.diagnostics(uri, version=1)
    construction = published[2]
    assert construction["code"] == "SSOT002"
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": construction["range"], "context": {"diagnostics": [construction]},
    })
    (noqa,) = [action for action in actions if action["title"] == "Add # noqa: SSOT002"]
    edited = apply_text_edits(text, edits_of(noqa["edit"], uri, 1))
    assert edited.splitlines()[8] == "    context = UserExecutionContext(user_id=user_id)  # noqa: E501, SSOT002"
    client.replace(uri, 2, edited)
    assert [d["code"] for d in client.diagnostics(uri, version=2)] == ["SSOT001", "SSOT101"]


def test_fix_all_command_asks_the_editor_to_apply_the_edit(client, project):
    uri = client.open(routes(project, "command_routes.py"), ROUTES)
    client.diagnostics(uri, version=1)
    assert client.request("workspace/executeCommand", {"command": "ssot.fixAll", "arguments": [uri]}) is None
    (apply,) = [r for r in client.server_requests if r["method"] == "workspace/applyEdit"]
    assert apply["params"]["label"] == "Fix all safe SSOT violations in file"
    fixed = apply_text_edits(ROUTES, edits_of(apply["params"]["edit"], uri, 1))
    config = load_config(str(project / "pyproject.toml"))
    path = str(routes(project, "command_routes.py"))
    assert fixed == fix_text(ROUTES, path, config, index=ProjectIndex(config.src)).text  # as the index judges


def test_a_pattern_fix_needing_a_name_the_file_lacks_is_unsafe(client, project):
    """The replacement calls `get_websocket_manager`, which this file neither imports nor
    defines: the fix is offered but not preferred, and "fix all" leaves it alone (it applies
    the legacy import's and the construction's fixes, which the project index proves safe)."""
    text = ROUTES.replace(
        "from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager\n", ""
    )
    uri = client.open(routes(project, "unsafe_routes.py"), text)
    published = client.diagnostics(uri, version=1)
    pattern = published[1]
    assert (pattern["code"], pattern["range"]) == ("SSOT101", span(6, 40, 78))
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": pattern["range"], "context": {"diagnostics": [pattern]},
    })
    assert actions[0] == {
        "title": "Apply the fix of SSOT101 (unsafe)",
        "kind": "quickfix",
        "diagnostics": [pattern],
        "isPreferred": False,
        "edit": {"documentChanges": [{"textDocument": {"uri": uri, "version": 1}, "edits": [
            {"range": span(6, 40, 78), "newText": "get_websocket_manager(user_id)"},
        ]}]},
    }
    assert [action["title"] for action in actions] == [
        "Apply the fix of SSOT101 (unsafe)", "Fix all safe SSOT violations in file", "Add # noqa: SSOT101"]
    requests = len(client.server_requests)
    assert client.request("workspace/executeCommand", {"command": "ssot.fixAll", "arguments": [uri]}) is None
    [applied] = [r for r in client.server_requests[requests:] if r["method"] == "workspace/applyEdit"]
    fixed = apply_text_edits(text, edits_of(applied["params"]["edit"], uri, 1))
    # Once the legacy import's fix has made the file import `get_websocket_manager`, the
    # pattern's fix is safe too, and the next round applies it, as `ssot check --fix` does.
    config = load_config(str(project / "pyproject.toml"))
    path = str(routes(project, "unsafe_routes.py"))
    assert fixed == fix_text(text, path, config, index=ProjectIndex(config.src)).text
    assert "get_websocket_manager(user_id)" in fixed and "create_websocket_manager" not in fixed


def test_hover_on_a_legacy_name_shows_the_canonical_path(client, project):
    uri = client.open(routes(project, "hover_routes.py"), ROUTES)
    client.diagnostics(uri, version=1)
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 80}})
    # The fix section names the engine's fix, its applicability and (unsafe) why.
    config = load_config(str(project / "pyproject.toml"))
    fix = check_source(ROUTES, str(routes(project, "hover_routes.py")), config, index=ProjectIndex(config.src))
    fix = next(d.fix for d in fix.diagnostics if d.code == "SSOT001")
    fix_section = (
        f"**Fix:** safe ({fix.description}): the quick fix, *Fix all* and `ssot check --fix` apply it."
        if fix.applicability == "safe" else
        f"**Fix:** unsafe ({fix.description}): review it before applying; the quick fix offers it, "
        "`ssot check --fix --unsafe-fixes` applies it."
    )
    assert hover == {
        "contents": {
            "kind": "markdown",
            "value": (
                "**Canonical path:** `netra_backend.app.websocket_core.websocket_manager.get_websocket_manager`\n\n"
                "the factory was retired in #1126\n\n"
                "[SSOT001](https://github.com/flake8-ssot/flake8-ssot/blob/main/docs/rules.md#ssot001-legacy-import) (legacy-import): " + LEGACY_IMPORT
                + "\n\n**Rule:** An import of a legacy path, or of a canonical symbol through a re-export. While a"
                " migration runs, the old path and the canonical one both work, so new code keeps copying the old"
                " one. Every import of the legacy path is a file that breaks when the legacy module is finally"
                " deleted, and a place where two sources of truth can drift apart.\n\n"
                + fix_section
            ),
        },
        "range": span(1, 71, 95),
    }
    outside = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 5, "character": 4}})
    assert outside is None


# --------------------------------------------------------------------------- configuration reloads

def test_bad_configuration_is_shown_once_on_pyproject_and_reload_brings_diagnostics_back(tmp_path):
    project = write_project(tmp_path / "netra")
    pyproject = project / "pyproject.toml"
    config_uri = pyproject.as_uri()
    client = LspClient(project, tmp_path / "server.log")
    try:
        uri = client.open(routes(project), ROUTES)
        assert [(d["code"], d["severity"]) for d in client.diagnostics(uri, version=1)] == [
            ("SSOT001", 1), ("SSOT101", 1), ("SSOT002", 2),
        ]

        # A policy edit the editor reports: the open buffer is checked again under it.
        pyproject.write_text(PYPROJECT.replace('message = "the factory was', 'severity = "warning", message = "the factory was'))
        client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": config_uri, "type": 2}]})
        assert [(d["code"], d["severity"]) for d in client.diagnostics(uri, version=1)] == [
            ("SSOT001", 2), ("SSOT101", 1), ("SSOT002", 2),
        ]
        assert client.published(config_uri) == []  # a good configuration is not a problem to show

        pyproject.write_text(PYPROJECT.replace('message = "the factory was', 'fix = "sometimes", message = "the factory was'))
        client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": config_uri, "type": 2}]})
        key = '"netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager"'
        line = pyproject.read_text().splitlines()[8]
        assert client.diagnostics(config_uri) == [{
            "range": span(8, line.index("fix = "), len(line)),
            "severity": 1,
            "code": "SSOT000",
            "source": "ssot",
            "message": (
                f"bad flake8-ssot configuration: tool.ssot.legacy.{key}.fix: "
                "must be one of 'safe', 'unsafe', 'none', not 'sometimes'"
            ),
        }]
        assert client.diagnostics(uri, version=1) == []

        # Editing and opening Python files while the policy is broken: still no SSOT
        # diagnostics, and the problem is not published again.
        client.replace(uri, 2, ROUTES + "\n")
        assert client.diagnostics(uri, version=2) == []
        other = client.open(routes(project, "other_routes.py"), ROUTES)
        assert client.diagnostics(other, version=1) == []
        assert client.published(config_uri) == []

        pyproject.write_text(PYPROJECT.replace("[tool.ssot.factories]", "[tool.ssot.factories"))
        client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": config_uri, "type": 2}]})
        (problem,) = client.diagnostics(config_uri)
        assert problem["range"] == span(10, 0, len("[tool.ssot.factories"))
        assert problem["message"].startswith("bad flake8-ssot configuration: pyproject.toml is not valid TOML: ")
        assert problem["message"].endswith("(at line 11, column 21)")
        assert client.diagnostics(uri, version=2) == []
        assert client.diagnostics(other, version=1) == []

        pyproject.write_text(PYPROJECT)
        client.notify("textDocument/didSave", {"textDocument": {"uri": config_uri}})
        assert client.diagnostics(config_uri) == []
        assert [d["code"] for d in client.diagnostics(uri, version=2)] == ["SSOT001", "SSOT101", "SSOT002"]
        assert [d["code"] for d in client.diagnostics(other, version=1)] == ["SSOT001", "SSOT101", "SSOT002"]

        # A client that reports no file changes: the next check of a buffer still reads the
        # policy again, because pyproject.toml's size and modification time changed.
        pyproject.write_text(PYPROJECT.replace('message = "the factory was', 'severity = "warning", message = "the factory was'))
        client.replace(uri, 3, ROUTES)
        assert [(d["code"], d["severity"]) for d in client.diagnostics(uri, version=3)] == [
            ("SSOT001", 2), ("SSOT101", 1), ("SSOT002", 2),
        ]
    finally:
        assert client.close() == 0


def test_utf8_positions_when_the_client_prefers_them_and_a_clean_exit(tmp_path):
    project = write_project(tmp_path / "netra")
    client = LspClient(project, tmp_path / "server.log", {"general": {"positionEncodings": ["utf-8", "utf-16"]}})
    try:
        assert client.initialize_result["capabilities"]["positionEncoding"] == "utf-8"
        uri = client.open(routes(project), ROUTES)
        ranges = [d["range"] for d in client.diagnostics(uri, version=1)]
        # "👋" is 4 bytes and "é" 2 bytes: character column 39 is byte column 43.
        assert ranges == [span(1, 71, 95), span(7, 43, 81), span(8, 14, 51)]
        # Without resolve support the fix-all edit comes inline; without documentChanges, as `changes`.
        (fix_all,) = client.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": span(0, 0, 0), "context": {"diagnostics": [], "only": ["source"]},
        })
        assert list(fix_all["edit"]) == ["changes"]
        edits = fix_all["edit"]["changes"][uri]
        # The legacy import's line goes (the canonical import is on the next line); whole-line edits.
        assert edits[0] == {"range": span(1, 0, 0, end_line=2), "newText": ""}
        assert all(edit["range"]["start"]["character"] == 0 for edit in edits)
        client.request("shutdown", None)
        client.notify("exit", None)
        assert client.process.wait(timeout=TIMEOUT) == 0
    finally:
        client.close()


def test_a_document_that_is_not_python_gets_no_diagnostics(client, project):
    readme = project / "README.md"
    client.notify("textDocument/didOpen", {
        "textDocument": {"uri": readme.as_uri(), "languageId": "markdown", "version": 1,
                         "text": "from netra_backend.app.websocket_core.factory import x\n"},
    })
    assert client.request("textDocument/hover", {
        "textDocument": {"uri": readme.as_uri()}, "position": {"line": 0, "character": 10},
    }) is None
    assert client.published(readme.as_uri()) == []


# --------------------------------------------------------------------------- the pure parts

def test_locate_key_finds_the_line_of_the_key_path():
    text = PYPROJECT + '\n[[tool.ssot.patterns]]\ncode = "SSOT9"\n'
    lines = text.splitlines()
    assert locate_key(text, "tool.ssot.patterns[1].code").line == lines.index('code = "SSOT9"') + 1
    assert locate_key(text, "tool.ssot.patterns[0].fix").line == lines.index('fix = "get_websocket_manager($$$ARGS)"') + 1
    assert locate_key(text, "tool.ssot.src[0]").line == lines.index('src = ["src"]') + 1
    factories = locate_key(text, 'tool.ssot.factories."netra_backend.app.services.user_execution_context.UserExecutionContext".severity')
    line = lines[factories.line - 1]
    assert line[factories.column:factories.end_column] == 'severity = "warning" }'
    assert locate_key(text, "tool.ssot.legacy.bogus").line == lines.index("[tool.ssot.legacy]") + 1


def test_noqa_edit_silences_every_fixture_diagnostic():
    """For each diagnostic in the fixture projects, the '# noqa' edit keeps the file parsing and
    suppresses exactly that diagnostic (multi-line statements, strings, existing comments)."""
    checked = 0
    for pyproject in sorted(FIXTURES.glob("*/pyproject.toml")):
        config = load_config(str(pyproject))
        for path in sorted(pyproject.parent.rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            before = check_source(source, str(path), config)
            for diagnostic in before.diagnostics:
                edit = noqa_edit(source, split_lines(source), diagnostic)
                start, end = SourceLines(source).slice(edit.span)
                edited = source[:start] + edit.replacement + source[end:]
                after = check_source(edited, str(path), config)
                assert (after.syntax_error is None) == (before.syntax_error is None), (path, diagnostic)
                before_keys = {(d.code, d.span) for d in before.diagnostics}
                after_keys = {(d.code, d.span) for d in after.diagnostics}
                assert (diagnostic.code, diagnostic.span) not in after_keys, (path, diagnostic, edit)
                assert after_keys <= before_keys, (path, diagnostic, edit)
                assert {key for key in before_keys if key[0] != diagnostic.code} <= after_keys, (path, diagnostic)
                checked += 1
    assert checked > 20
