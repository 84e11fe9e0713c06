"""`ssot server` and baselines, pyproject.toml problems and hover, in real LSP sessions (#19).

The editor must tell the accepted past (baselined violations) from new ones exactly as
`ssot check --baseline` does in CI: the tests edit buffers the way an editor does (lines
inserted above a baselined violation, code moved, a violation added) and compare with the
command line run over the same texts. The code actions write the baseline file; its diff stays
one line per entry. One server serves the tests in order (each step builds on the last); a
second one, with other initialization options and UTF-8 positions, checks "hide" and "ignore".
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
from projects import ssot

pytest.importorskip("pygls", reason="the server extra (pygls) is not installed")

from test_server import (  # noqa: E402
    DIRECT_CONSTRUCTION, PYPROJECT, ROUTES, LspClient, routes, span, utf16, write_project,
)

from flake8_ssot.config import ConfigError, load_config  # noqa: E402

BASELINE = "ssot-baseline.json"
POLICY = PYPROJECT.replace('src = ["src"]\n', f'src = ["src"]\nbaseline = "{BASELINE}"\n')

DISPATCHER = '''\
"""Agent dispatcher: routes a user's request to the agent that serves it."""
import logging

from netra_backend.app.websocket_core.factory import create_websocket_manager
from netra_backend.app.services.user_execution_context import UserExecutionContext

logger = logging.getLogger(__name__)


class AgentDispatcher:
    def __init__(self, user_id):
        self.context = UserExecutionContext(user_id=user_id)
        self.manager = create_websocket_manager(self.context)

    def dispatch(self, request):
        logger.info("dispatching %s for %s", request, self.context.user_id)
        return self.manager.send(request)
'''
DISPATCHER_PATH = "src/netra_backend/app/agents/dispatcher.py"

# What an editor session does to the two files: lines inserted above the baselined violations,
# the class moved below a new function, and one new violation (a construction in `notify`).
INSERTED = '''\
import os  # the dispatcher reads its limits from the environment

MAX_AGENTS = int(os.environ.get("NETRA_MAX_AGENTS", "8"))
'''
NOTIFY = '''

def notify(user_id, event):
    return UserExecutionContext(user_id=user_id), event
'''
EDITED_DISPATCHER = DISPATCHER.replace("\nfrom netra_backend", "\n" + INSERTED + "from netra_backend", 1) + NOTIFY
NEW_LINE = EDITED_DISPATCHER.splitlines().index("    return UserExecutionContext(user_id=user_id), event")  # 0-based
# The route module: `connect` moved below a new helper, whose call is a new SSOT101.
HEAD, CONNECT = ROUTES.split("\n\n\n", 1)
EDITED_ROUTES = f"{HEAD}\n\n\ndef reconnect(user_id):\n    return get_websocket_manager_factory(user_id)\n\n\n{CONNECT}"
MIGRATED_ROUTES = EDITED_ROUTES.replace(
    "context = UserExecutionContext(user_id=user_id)", "context = create_defensive_user_execution_context(user_id)")
HINT, WARNING, ERROR = 4, 2, 1


def write_baselined_project(root: Path, baseline: str | None = None) -> Path:
    """The project, and its baseline written by `ssot check --write-baseline` (or `baseline`)."""
    write_project(root)
    (root / "pyproject.toml").write_text(POLICY, encoding="utf-8")
    (root / DISPATCHER_PATH).parent.mkdir(parents=True, exist_ok=True)
    (root / "src/netra_backend/app/agents/__init__.py").write_text("")
    (root / DISPATCHER_PATH).write_text(DISPATCHER, encoding="utf-8")
    routes(root).write_text(ROUTES, encoding="utf-8")
    if baseline is not None:
        (root / BASELINE).write_text(baseline, encoding="utf-8")
        return root
    written = ssot("check", "--write-baseline", BASELINE, cwd=root)
    assert written.returncode == 0, written.stderr
    assert written.stdout.startswith(f"Wrote {BASELINE}: 5 violations in 2 files."), written.stdout
    return root


def latest(client: LspClient, uri: str) -> list[dict]:
    """The last diagnostics published for `uri` so far (a command's refresh comes before its reply)."""
    found = client.published(uri)
    assert found, f"no diagnostics published for {uri}"
    client.backlog = [
        m for m in client.backlog
        if not (m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
    ]
    return found[-1]["diagnostics"]


def drain(client: LspClient) -> None:
    client.backlog = [m for m in client.backlog if m.get("method") != "textDocument/publishDiagnostics"]


def summary(diagnostics: list[dict]) -> list[tuple]:
    return [(d["code"], d["range"]["start"]["line"] + 1, d["severity"], d["message"].endswith(" (baselined)"))
            for d in diagnostics]


def cli_new(root: Path) -> tuple[dict[str, list[tuple]], str]:
    """`ssot check` (the baseline in [tool.ssot]) over the files on disk: new violations per file
    as (code, line, message), and the notes it prints."""
    result = ssot("check", "--output-format", "json", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    end = result.stdout.index("]") + 1 if result.stdout.startswith("[]") else result.stdout.rindex("]\n") + 1
    new: dict[str, list[tuple]] = {}
    for item in json.loads(result.stdout[:end]):
        name = Path(item["filename"]).resolve().relative_to(root.resolve()).as_posix()
        new.setdefault(name, []).append((item["code"], item["location"]["row"], item["message"]))
    return new, result.stdout[end:] + result.stderr


def editor_new(diagnostics: list[dict]) -> list[tuple]:
    return [(d["code"], d["range"]["start"]["line"] + 1, d["message"]) for d in diagnostics if d["severity"] != HINT]


def code_actions(client: LspClient, uri: str, rng: dict, only: list[str] | None = None) -> list[dict]:
    context: dict = {"diagnostics": []}
    if only is not None:
        context["only"] = only
    return client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": rng, "context": context})


def run(client: LspClient, action: dict) -> object:
    command = action["command"]
    return client.request("workspace/executeCommand", {"command": command["command"], "arguments": command["arguments"]})


def changed_lines(before: str, after: str) -> list[str]:
    """The +/- lines of a unified diff, as a reviewer sees them."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = write_baselined_project(tmp_path_factory.mktemp("lsp-baseline") / "netra")
    FIRST_BASELINE.append((root / BASELINE).read_text(encoding="utf-8"))
    return root


FIRST_BASELINE: list[str] = []  # the baseline the command line wrote, before the tests edit it


@pytest.fixture(scope="module")
def client(project, tmp_path_factory):
    client = LspClient(project, tmp_path_factory.mktemp("lsp-baseline-log") / "server.log")
    yield client
    assert client.close() == 0


# --------------------------------------------------------------------------- the baseline in diagnostics

def test_baselined_violations_are_hints_and_editor_and_ci_agree_after_moving_code(client, project):
    dispatcher = client.open(project / DISPATCHER_PATH, DISPATCHER)
    watch = client.wait(lambda m: m.get("method") == "client/registerCapability"
                        and m["params"]["registrations"][0]["id"].startswith("ssot-baseline"), "the baseline watcher")
    assert watch["params"]["registrations"][0]["registerOptions"] == {"watchers": [{"globPattern": f"**/{BASELINE}"}]}
    assert summary(client.diagnostics(dispatcher, version=1)) == [
        ("SSOT001", 4, HINT, True), ("SSOT002", 12, HINT, True),
    ]
    route = client.open(routes(project), ROUTES)
    assert summary(client.diagnostics(route, version=1)) == [
        ("SSOT001", 2, HINT, True), ("SSOT101", 8, HINT, True), ("SSOT002", 9, HINT, True),
    ]

    # Lines inserted above the baselined violations (an incremental change, as editors send),
    # then a new violation at the end: only the new one keeps its severity.
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": dispatcher, "version": 2},
        "contentChanges": [{"range": span(3, 0, 0), "text": INSERTED}],
    })
    end = len(DISPATCHER.splitlines()) + len(INSERTED.splitlines())
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": dispatcher, "version": 3},
        "contentChanges": [{"range": span(end, 0, 0), "text": NOTIFY}],
    })
    in_dispatcher = client.diagnostics(dispatcher, version=3)
    assert summary(in_dispatcher) == [
        ("SSOT001", 7, HINT, True), ("SSOT002", 15, HINT, True), ("SSOT002", NEW_LINE + 1, WARNING, False),
    ]
    client.replace(route, 2, EDITED_ROUTES)
    in_routes = client.diagnostics(route, version=2)
    assert summary(in_routes) == [
        ("SSOT001", 2, HINT, True), ("SSOT101", 8, ERROR, False), ("SSOT101", 12, HINT, True),
        ("SSOT002", 13, HINT, True),
    ]

    # `ssot check` over the same texts says the same: the same new violations, the rest baselined.
    (project / DISPATCHER_PATH).write_text(EDITED_DISPATCHER, encoding="utf-8")
    routes(project).write_text(EDITED_ROUTES, encoding="utf-8")
    new, notes = cli_new(project)
    assert new == {
        DISPATCHER_PATH: editor_new(in_dispatcher),
        "src/netra_backend/app/routes/websocket_routes.py": editor_new(in_routes),
    }
    assert "5 baselined violations not shown (ssot-baseline.json)." in notes
    assert "no longer occur" not in notes


def test_add_to_baseline_writes_one_line_and_the_diagnostic_becomes_a_hint(client, project):
    dispatcher = (project / DISPATCHER_PATH).as_uri()
    baseline = project / BASELINE
    before = baseline.read_text(encoding="utf-8")
    actions = code_actions(client, dispatcher, span(NEW_LINE, 12, 12))
    titles = [action["title"] for action in actions]
    assert "Add to baseline (ssot-baseline.json)" in titles
    assert "Add 1 new SSOT violation in this file to baseline (ssot-baseline.json)" in titles
    (add,) = [action for action in actions if action["title"] == "Add to baseline (ssot-baseline.json)"]
    assert add["kind"] == "quickfix" and add["diagnostics"][0]["code"] == "SSOT002"
    # On a baselined violation there is nothing to add.
    assert not [a for a in code_actions(client, dispatcher, span(14, 25, 25)) if a["title"].startswith("Add to")]

    drain(client)
    run(client, add)
    after = baseline.read_text(encoding="utf-8")
    entry = {"code": "SSOT002", "path": "netra_backend.app.services.user_execution_context.UserExecutionContext",
             "occurrence": 0, "statement": "return UserExecutionContext(user_id = user_id), event"}
    assert changed_lines(before, after) == ["+      " + json.dumps(entry) + ","]
    assert summary(latest(client, dispatcher))[-1] == ("SSOT002", NEW_LINE + 1, HINT, True)


def test_add_the_whole_file_and_remove_stale_entries(client, project):
    route = routes(project).as_uri()
    baseline = project / BASELINE
    before = baseline.read_text(encoding="utf-8")
    (add_file,) = code_actions(client, route, span(0, 0, 0), only=["source.baseline.ssot"])
    assert add_file["title"] == "Add 1 new SSOT violation in this file to baseline (ssot-baseline.json)"
    assert add_file["kind"] == "source.baseline.ssot"
    drain(client)
    run(client, add_file)
    after = baseline.read_text(encoding="utf-8")
    # The new entry sorts last in the file's list: JSON's comma moves to the line before it.
    old = '{"code": "SSOT101", "path": "SSOT101", "occurrence": 0, "statement": "manager = get_websocket_manager_factory(user_id)"}'
    new = '{"code": "SSOT101", "path": "SSOT101", "occurrence": 0, "statement": "return get_websocket_manager_factory(user_id)"}'
    assert [line[0] + line[1:].strip() for line in changed_lines(before, after)] == [f"-{old}", f"+{old},", f"+{new}"]
    assert all(d["severity"] == HINT for d in latest(client, route))

    # The construction is migrated in the buffer: its entry is stale, and the action drops it.
    client.replace(route, 3, MIGRATED_ROUTES)
    assert all(d["code"] != "SSOT002" for d in client.diagnostics(route, version=3))
    (remove,) = [a for a in code_actions(client, route, span(0, 0, 0), only=["source"]) if "stale" in a["title"]]
    assert remove["title"] == "Remove 1 stale baseline entry of this file (ssot-baseline.json)"
    before = after
    run(client, remove)
    after = baseline.read_text(encoding="utf-8")
    removed = changed_lines(before, after)
    assert len(removed) == 1 and removed[0].startswith("-") and '"code": "SSOT002"' in removed[0]
    assert not [a for a in code_actions(client, route, span(0, 0, 0), only=["source"]) if "stale" in a["title"]]

    # The command line over the same texts: nothing new (in either file), nothing stale.
    routes(project).write_text(MIGRATED_ROUTES, encoding="utf-8")
    new, notes = cli_new(project)
    assert new == {} and "no longer occur" not in notes, notes


def test_hover_on_a_baselined_violation(client, project):
    route = routes(project).as_uri()
    hover = client.request("textDocument/hover", {"textDocument": {"uri": route}, "position": {"line": 1, "character": 80}})
    value = hover["contents"]["value"]
    assert value.startswith("**Canonical path:** `netra_backend.app.websocket_core.websocket_manager.get_websocket_manager`")
    assert "**Rule:** An import of a legacy path" in value
    assert "\n\n**Fix:** " in value
    assert value.endswith("**Baselined** in `ssot-baseline.json`: `ssot check` does not fail on it.")
    assert hover["range"] == span(1, 71, 95)
    # The pattern rule on the line with "👋" (two UTF-16 units): its range and its rule text.
    number = 11
    line = MIGRATED_ROUTES.splitlines()[number]
    column = utf16(line[:line.index("get_websocket_manager_factory")])
    hover = client.request("textDocument/hover", {"textDocument": {"uri": route}, "position": {"line": number, "character": column + 2}})
    assert hover["range"] == span(number, column, column + len("get_websocket_manager_factory(user_id)"))
    assert "[SSOT101]" in hover["contents"]["value"]
    assert "**Rule:** The factory accessor is retired." in hover["contents"]["value"]
    assert "**Fix:** safe (apply the fix of SSOT101)" in hover["contents"]["value"]


def test_a_bad_baseline_is_told_once_and_counts_as_none(client, project):
    route = routes(project).as_uri()
    baseline = project / BASELINE
    good = baseline.read_text(encoding="utf-8")
    drain(client)
    baseline.write_text(good.replace('"version": 1', '"version": 2'), encoding="utf-8")
    client.notify("textDocument/didSave", {"textDocument": {"uri": baseline.as_uri()}})  # saved in the editor
    told = client.wait(lambda m: m.get("method") == "window/showMessage", "the baseline problem")
    assert told["params"]["message"].startswith("flake8-ssot: ssot-baseline.json: unknown baseline version 2")
    assert [d["severity"] for d in client.diagnostics(route, version=3)] == [ERROR, ERROR, ERROR]
    # Restored on disk (a checkout) and reported by the editor's file watcher: hints again.
    baseline.write_text(good, encoding="utf-8")
    client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": baseline.as_uri(), "type": 2}]})
    assert [d["severity"] for d in client.diagnostics(route, version=3)] == [HINT, HINT, HINT]
    assert not [m for m in client.backlog if m.get("method") == "window/showMessage"]
    # However often the baseline was read again, the editor was asked to watch it once.
    client.request("textDocument/hover", {"textDocument": {"uri": route}, "position": {"line": 0, "character": 0}})
    watchers = [m for m in client.server_requests + client.backlog if m.get("method") == "client/registerCapability"
                and m["params"]["registrations"][0]["id"].startswith("ssot-baseline")]
    assert len(watchers) == 1


# --------------------------------------------------------------------------- pyproject.toml problems

# A policy line with an astral and an accented character before the bad key, so that UTF-16
# and UTF-8 columns differ from character columns.
BAD_LINE_OLD = 'message = "the factory was retired in #1126" }'
BAD_LINE_NEW = 'message = "👋 retiré in #1126", fix = "sometimes" }'
BAD_KEY = ('tool.ssot.legacy."netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager"'
           '.fix')


def expected_problem(tmp_path: Path, text: str) -> str:
    """The message the CLI's ConfigError carries for this text, as the server words it."""
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(str(tmp_path / "pyproject.toml"))
    assert raised.value.key_path == BAD_KEY
    return f"bad flake8-ssot configuration: {raised.value.key_path}: {raised.value.problem}"


def pyproject_round_trip(client: LspClient, project: Path, tmp_path: Path, encode) -> None:
    """Open pyproject.toml, break it in the buffer (no save), fix it again, close it."""
    pyproject = project / "pyproject.toml"
    uri = pyproject.as_uri()
    text = pyproject.read_text(encoding="utf-8")
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": text}})
    bad = text.replace(BAD_LINE_OLD, BAD_LINE_NEW)
    client.replace(uri, 2, bad)
    (number, line), = [(n, line) for n, line in enumerate(bad.splitlines()) if BAD_LINE_NEW in line]
    (problem,) = client.diagnostics(uri)
    assert problem == {
        "range": {"start": {"line": number, "character": encode(line[:line.index("fix = ")])},
                  "end": {"line": number, "character": encode(line)}},
        "severity": 1, "code": "SSOT000", "source": "ssot",
        "message": expected_problem(tmp_path, bad),
    }
    # The disk still holds a good policy: checks of Python buffers do not clear the buffer's problem.
    other = client.open(routes(project, "policy_routes.py"), ROUTES)
    client.diagnostics(other, version=1)
    assert client.published(uri) == []
    # Lines inserted above move the diagnostic with the key.
    client.replace(uri, 3, "# the migration policy (#1128)\n" + bad)
    (moved,) = client.diagnostics(uri)
    assert moved["range"]["start"]["line"] == number + 1
    client.replace(uri, 4, text)
    assert client.diagnostics(uri) == []
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


def test_pyproject_problems_from_the_unsaved_buffer_utf16(client, project, tmp_path):
    pyproject_round_trip(client, project, tmp_path, utf16)


CLOSE = '\n\ndef close(user_id):\n    note = "à bientôt 👋"; return UserExecutionContext(user_id=user_id)\n'


def test_hide_and_ignore_options_and_utf8_positions(project, tmp_path):
    """Another copy of the project and session: UTF-8 positions, the baseline named by the
    baselineFile option and shown with baseline = "hide"; then the settings change to
    "ignore" and "hint"."""
    project = write_baselined_project(tmp_path / "netra", FIRST_BASELINE[0])
    # CI passes --baseline on the command line: the policy names none, the editor's option does.
    (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    utf8 = {"general": {"positionEncodings": ["utf-8"]}}
    client = LspClient(project, tmp_path / "hide.log", utf8, {"baseline": "hide", "baselineFile": BASELINE})
    try:
        pyproject_round_trip(client, project, tmp_path, lambda text: len(text.encode("utf-8")))
        uri = client.open(routes(project), ROUTES + CLOSE)
        (shown,) = client.diagnostics(uri, version=1)  # the baselined three are hidden
        number = len(ROUTES.splitlines()) + 3
        line = (ROUTES + CLOSE).splitlines()[number]
        start = len(line[:line.index("UserExecutionContext(")].encode("utf-8"))
        assert (shown["code"], shown["severity"], shown["message"]) == ("SSOT002", WARNING, DIRECT_CONSTRUCTION)
        assert shown["range"] == span(number, start, len(line.encode("utf-8")))
        hover = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": number, "character": start + 3}})
        assert hover["range"] == shown["range"]
        assert "**Baselined**" not in hover["contents"]["value"]
        assert hover["contents"]["value"].startswith(
            "**Canonical path:** `netra_backend.app.services.user_execution_context.create_defensive_user_execution_context`")
        hidden = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 80}})
        assert hidden is None  # the hidden (baselined) legacy import

        # The settings change while the editor runs: baseline = "ignore" shows every violation as
        # it is, with no baseline actions; "hint" again marks the baselined ones.
        drain(client)
        client.notify("workspace/didChangeConfiguration", {"settings": {"ssot": {"baseline": "ignore"}}})
        assert [(d["code"], d["severity"]) for d in client.diagnostics(uri, version=1)] == [
            ("SSOT001", ERROR), ("SSOT101", ERROR), ("SSOT002", WARNING), ("SSOT002", WARNING),
        ]
        assert not [a for a in code_actions(client, uri, span(0, 0, 30, end_line=30)) if "baseline" in a["title"]]
        client.notify("workspace/didChangeConfiguration", {"settings": {"ssot": {"baseline": "hint"}}})
        assert summary(client.diagnostics(uri, version=1)) == [
            ("SSOT001", 2, HINT, True), ("SSOT101", 8, HINT, True), ("SSOT002", 9, HINT, True),
            ("SSOT002", number + 1, WARNING, False),
        ]
    finally:
        assert client.close() == 0
