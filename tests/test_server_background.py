"""`ssot server` edits while the workspace check at start runs (#16): the editor's checks come
first (server/background.py), and the workspace check still reports every file.

One workspace shaped like the monorepo's agents package: 400 generated agent modules (about
240 KB, so the server checks it in a child process), one in ten still importing the legacy
WebSocket factory module (SSOT001), one in fifteen building `UserExecutionContext` directly
(SSOT002). No assertion here is timed: they are about order and completeness.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the server extra (pygls) is not installed")

from projects import NETRA_POLICY  # noqa: E402
from test_server import CAPABILITIES, TIMEOUT, LspClient  # noqa: E402

from flake8_ssot.server import background  # noqa: E402
from flake8_ssot.server.background import LARGE_BYTES, Yielding, is_large  # noqa: E402

GENERATED = 400
LEGACY_EVERY = 10
CONSTRUCTION_EVERY = 15


FILES = {
    "netra_backend/__init__.py": "",
    "netra_backend/app/__init__.py": "",
    "netra_backend/app/agents/__init__.py": "",
    "netra_backend/app/websocket_core/__init__.py": "",
    "netra_backend/app/websocket_core/canonical_imports.py": (
        '"""The canonical WebSocket imports (SSOT)."""\n\n\ndef create_websocket_manager(user_context=None):\n'
        "    return {'user': user_context}\n"
    ),
    "netra_backend/app/websocket_core/factory.py": (
        '"""Legacy: use canonical_imports."""\nfrom netra_backend.app.websocket_core.canonical_imports import '
        "create_websocket_manager  # noqa: SSOT001\n"
    ),
    "netra_backend/app/services/__init__.py": "",
    "netra_backend/app/services/user_execution_context.py": (
        '"""Per-request user context."""\n\n\nclass UserExecutionContext:\n'
        "    def __init__(self, user_id):\n        self.user_id = user_id\n\n\n"
        "def create_defensive_user_execution_context(user_id):\n    return UserExecutionContext(user_id)\n"
    ),
}

AGENT = '''\
"""Agent {number}: routes one user's {noun} requests (generated, shaped like netra_backend.app.agents)."""

from __future__ import annotations

import logging
from typing import Any

{manager_import}
from netra_backend.app.services.user_execution_context import UserExecutionContext, create_defensive_user_execution_context

logger = logging.getLogger(__name__)


class {name}Agent:
    """Runs {noun} steps; the WebSocket manager is resolved per request."""

    def __init__(self, user_id: str) -> None:
        self.user_id = user_id

    async def run(self, payload: dict[str, Any]) -> dict[str, Any]:
        context = {context}
        manager = create_websocket_manager(user_context=context)
        logger.info("{noun} agent %s running for %s", {number}, self.user_id)
        return {{"ok": True, "manager": repr(manager), "size": len(payload)}}
'''

NOUNS = ("message", "thread", "supervisor", "triage", "quota", "report")


def _agent(number: int) -> str:
    legacy = number % LEGACY_EVERY == 0
    direct = number % CONSTRUCTION_EVERY == 0
    noun = NOUNS[number % len(NOUNS)]
    return AGENT.format(
        number=number, noun=noun, name=f"{noun.capitalize()}{number}",
        manager_import=("from netra_backend.app.websocket_core.factory import create_websocket_manager" if legacy
                        else "from netra_backend.app.websocket_core.canonical_imports import create_websocket_manager"),
        context=("UserExecutionContext(self.user_id)" if direct
                 else "create_defensive_user_execution_context(self.user_id)"),
    )


def _agent_path(root: Path, number: int) -> Path:
    return root / "src" / "netra_backend" / "app" / "agents" / f"group_{number // 100:02d}" / f"agent_{number:04d}.py"


def _expected(number: int) -> set[str]:
    return {code for code, every in (("SSOT001", LEGACY_EVERY), ("SSOT002", CONSTRUCTION_EVERY)) if number % every == 0}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("background") / "netra"
    (root / "src").mkdir(parents=True)
    (root / "pyproject.toml").write_text(NETRA_POLICY)
    for name, text in FILES.items():
        path = root / "src" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for number in range(GENERATED):
        path = _agent_path(root, number)
        if not path.parent.is_dir():
            path.parent.mkdir(parents=True)
            (path.parent / "__init__.py").write_text("")
        path.write_text(_agent(number))
    past = time.time() - 10  # older than the caches' racy window
    for path in root.rglob("*"):
        os.utime(path, (past, past))
    return root


PROGRESS = {**CAPABILITIES, "window": {"workDoneProgress": True}}


def _progress(kind: str):
    return lambda m: m.get("method") == "$/progress" and m["params"]["value"].get("kind") == kind


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux: /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    stat = handle.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + TIMEOUT
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                if handle.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True  # exited; its parent has not reaped it yet
        except OSError:
            break
        time.sleep(0.05)
    return not os.path.exists(f"/proc/{pid}")


def test_the_workspace_is_large_enough_for_a_child_process(workspace):
    assert is_large([str(workspace)], LARGE_BYTES)
    assert not is_large([str(workspace / "src" / "netra_backend" / "app" / "services")], LARGE_BYTES)


def test_edits_during_the_workspace_check_are_answered_first_and_every_file_is_still_reported(workspace, tmp_path):
    client = LspClient(workspace, tmp_path / "server.log", PROGRESS)
    try:
        client.wait(_progress("begin"), "the start of the workspace check")
        path = _agent_path(workspace, 30)  # a legacy import and a direct construction
        text = _agent(30)
        uri = client.open(path, text)
        opened = client.diagnostics(uri, 1)
        assert sorted(d["code"] for d in opened) == ["SSOT001", "SSOT002"]
        # Type a comment into the method, then fix the import, while the workspace is checked.
        lines = text.split("\n")
        at = lines.index("    async def run(self, payload: dict[str, Any]) -> dict[str, Any]:") + 1
        edited = "\n".join([*lines[:at], "        # TODO: retry on a closed socket", *lines[at:]])
        client.replace(uri, 2, edited)
        assert sorted(d["code"] for d in client.diagnostics(uri, 2)) == ["SSOT001", "SSOT002"]
        # The answer came before the workspace check ended: its end is still to come.
        assert not [m for m in client.backlog if _progress("end")(m)]
        fixed = edited.replace("websocket_core.factory import", "websocket_core.canonical_imports import")
        client.replace(uri, 3, fixed)
        assert [d["code"] for d in client.diagnostics(uri, 3)] == ["SSOT002"]
        end = client.wait(_progress("end"), "the end of the workspace check")
        assert end["params"]["value"]["message"].startswith(f"{GENERATED + 8 + GENERATED // 100} files checked in ")
        (child,) = _children(client.process.pid)  # the check ran in a child process, which stays

        report = client.request("workspace/diagnostic", {"previousResultIds": []})
        found = {item["uri"]: {d["code"] for d in item["items"]} for item in report["items"] if item["items"]}
        expected = {_agent_path(workspace, n).as_uri(): _expected(n) for n in range(GENERATED) if _expected(n)}
        expected[uri] = {"SSOT002"}  # the open buffer as the editor has it (the import fixed)
        assert found == expected

        # Shut down in the middle of a check (cold again, with progress): the child ends too.
        shutil.rmtree(workspace / ".ssot_cache")
        client.send({"id": 1000, "method": "workspace/diagnostic",
                     "params": {"previousResultIds": [], "workDoneToken": "again"}})
        client.wait(lambda m: _progress("begin")(m) and m["params"]["token"] == "again", "the check again")
        assert client.close() == 0
        assert _gone(child)
        assert "checking the workspace failed" not in client.log.read_text()
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_the_child_process_reports_what_the_thread_finds_and_stands_in_when_it_cannot_start(
        workspace, tmp_path, monkeypatch, caplog):
    root = tmp_path / "netra"
    shutil.copytree(workspace, root, ignore=lambda folder, names: [
        name for name in names if name == ".ssot_cache" or (name.startswith("group_") and name != "group_00")])
    monkeypatch.setattr(background, "LARGE_BYTES", 0)  # a child even for these 100 modules
    check = background.BackgroundCheck()
    progress: list[tuple[int, int]] = []
    try:
        in_child = check.run([str(root)], lambda done, total: progress.append((done, total)))
    finally:
        check.close()
    assert progress[-1] == (len(in_child), len(in_child))
    shutil.rmtree(root / ".ssot_cache")
    renamed: dict = {}  # the names the tree gives the factory class, for the buffers (server/renamed.py)
    here = background.check_folders([str(root)], lambda done, total: None, renamed)
    assert in_child == here
    assert check.renamed == renamed and renamed
    assert sum(1 for result in here.values() if result.diagnostics) == len([n for n in range(100) if _expected(n)])

    shutil.rmtree(root / ".ssot_cache")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python-here"))
    check = background.BackgroundCheck()
    assert check.run([str(root)], lambda done, total: None) == here  # checked in the thread instead
    assert "the server checks the workspace itself from now on" in caplog.text
    again = check.run([str(root)], lambda done, total: None)  # warm now: the cache answers, still in the thread
    assert {path: result.diagnostics for path, result in again.items()} == {
        path: result.diagnostics for path, result in here.items()}
    assert check._child is None


KILLED_WHILE_PAUSED = """
import asyncio, os, runpy, signal, sys

background = runpy.run_path(sys.argv[1])  # the module without the server package (pygls)


async def main():
    loop = asyncio.get_running_loop()
    check = background["BackgroundCheck"]()
    with check.yielding.foreground():  # an edit's check runs: the child starts paused
        loop.run_in_executor(None, check.run, [sys.argv[2]], lambda done, total: None, loop)
        while check._child is None or not check._paused:
            await asyncio.sleep(0.02)
        for _ in range(200):  # a signal is delivered a moment after it is sent
            with open(f"/proc/{check._child.pid}/stat") as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
            if state == "T":
                break
            await asyncio.sleep(0.01)
        print(check._child.pid, state, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # the server dies (kill -9) with its child paused


asyncio.run(main())
"""


def test_a_paused_child_dies_with_a_killed_server(workspace):
    script = subprocess.run([sys.executable, "-c", KILLED_WHILE_PAUSED, background.__file__, str(workspace)],
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert script.returncode == -signal.SIGKILL, script.stderr
    pid, state = script.stdout.split()
    assert state == "T"  # stopped: paused while the editor's work runs
    assert _gone(int(pid))


def test_the_workspace_check_waits_for_the_editor_between_files():
    yielding = Yielding()
    passed = threading.Event()

    def between_files() -> None:
        yielding.wait()
        passed.set()

    with yielding.foreground():
        thread = threading.Thread(target=between_files, daemon=True)
        thread.start()
        assert not passed.wait(0.05)  # held while the editor's check runs
    assert passed.wait(TIMEOUT)
    thread.join(TIMEOUT)

    passed.clear()
    yielding.expect("file:///agent.py", 60.0)  # an edit: its check is due after the debounce
    thread = threading.Thread(target=between_files, daemon=True)
    thread.start()
    assert not passed.wait(0.05)
    yielding.done("file:///agent.py")  # the check ran
    assert passed.wait(TIMEOUT)
    thread.join(TIMEOUT)


pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts the server's processes in /proc")
