#!/usr/bin/env python3
"""How long `ssot server` works on a 5,000-line buffer after each change (budget: 50 ms).

    python benchmarks/lsp_latency.py [--lines 5000] [--changes 40] [--module-changes 10]
                                     [--fix-changes 6] [--rebind-changes 6]
                                     [--reached-changes 6] [--broken-changes 10]
                                     [--unclosed-changes 12] [--top-changes 6]
                                     [--exports-changes 6] [--budget-ms 50] [--keep DIR]
                                     [--workspace DIR [--during-changes 60]] [--server-path SRC]

Writes a small project (a `[tool.ssot]` policy modelled on the seeds and the canonical
modules), starts the server as an editor would (`python -m flake8_ssot server`, LSP over
pipes), opens one generated module of `--lines` lines, then makes small incremental edits
one at a time, waiting for each version's diagnostics:

- `--changes` edits inside function bodies (insert a comment line, type into it, delete
  it, at spots spread over the module): the server re-checks only the edited statement;
- `--module-changes` edits to an import (`import asyncio` -> `import asyncio, json` and
  back): the module's bindings change; the server checks the import again, and the
  statements that mention a name bound differently (none here: nothing uses `json`);
- `--fix-changes` edits that apply the quick fix to the legacy import (`...factory import
  create_websocket_manager` -> `...canonical_imports import ...`) and undo it: the name
  it binds now names another path, and what the file imports under configured names
  changed, so the statements that mention the name and those with fixes are checked again;
- `--rebind-changes` edits that rename a configured import every class uses
  (`get_websocket_manager` -> `get_websocket_manager as get_manager` and back): no
  legacy, factory or canonical key is that function's path or lies under it, so no rule
  can find anything through the name and its uses keep their findings (like renaming
  `asyncio`);
- `--reached-changes` edits that rename the import of a factory-only class every class
  uses (`UserExecutionContext` -> `UserExecutionContext as ExecutionContext` and back; each
  `run` method calls `UserExecutionContext.from_request`, and the legacy paths construct
  it): the worst case of an edit to a binding; the statements that use the name where a
  key follows it (the constructions: their findings come and go) are checked again, not
  those that only call `.from_request` on it (no key lies under the class);
- `--broken-changes` edits that leave a method half typed (`if payload` with no colon),
  each followed by one that deletes it: only the broken statement (with the bindings) goes
  through the error-tolerant parser, the findings elsewhere are kept from the last version
  that parsed; the deletion is compared with that version too;
- `--unclosed-changes` the same with a call left open (`payload.get(`), at spots spread
  over the module: the bracket takes the statements after it into the broken one, and the
  error-tolerant reading re-reads them line group by line group; the server parses a window
  of the buffer error-tolerantly (from the statement before the broken one to one 150 lines
  below it; the whole buffer when the damage does not show local there) to see that each
  group is a statement that parsed before (then it keeps their findings), and checks only
  the broken method;
- `--top-changes` a new import half typed at the top of the module (`from
  netra_backend.app.websocket_core import `, at column 0, then deleted): read apart the
  same way, with what the broken line binds compared with what was bound before;
- `--exports-changes` a name added to `__all__` and taken out again: `__all__` binds
  nothing, but fixes elsewhere read it (SSOT001 keeps an exported alias), so the statements
  with fixes are checked again.

The window is read only when every statement outside it reads clean alone with tree-sitter:
the server reads them once after publishing the open's diagnostics (about one whole parse,
not on an edit's clock), and later only those an edit changed.

The constructions' fixes (SSOT002) read the whole file: where the factory's import goes,
whether the class's import goes. One kept from the last check holds while the edited lines
spell nothing it read; otherwise its statement is checked again, and a fix built from the
reduced buffer is judged against the whole file (`rules/construction.fix_is_current`).

It reports, for each kind:

- server work: the time the server logs for each check (configuration lookup, engine,
  conversion to LSP, publishing), read from its debug log;
- round trip minus debounce: from sending `didChange` to receiving the diagnostics, minus
  the server's debounce delay; this adds applying the edit to the buffer and the pipes.

For scale it also times, in this process, `ast.parse` and `engine.check_source` on the
whole buffer (median of 5): the floor of any full check.

With `--workspace DIR` (a subfolder of a generated tree, such as the 10M tree's
`netra_backend/app/agents`), DIR's files are copied into the project at their place under
`src/` (the tree's root is the folder above DIR that holds pyproject.toml), so the server's
workspace check at start has a real subtree to check (cold: the project is new). Right after
the open, `--during-changes` body edits (as `--changes` makes them) are made while that
check runs, until its work-done progress ends; those answered before it ended are reported
as their own kind ("during"), the rest of their cycle of three as "settled". The other kinds
follow once it has ended. `--server-path SRC` runs the server from another copy of the package (`SRC` goes
first on PYTHONPATH): an older commit's `src`, for before/after figures in one session.

Exits 1 when the median server work of any kind is over the budget.

    python benchmarks/lsp_latency.py --compare DIR [--compare-files 100] [--seed 1]

does not time: it proves the shortcuts on real code. In `--compare-files` files of DIR of
400 lines or more that parse (drawn with `--seed`), it types half-typed lines (a bracket
left open in a method, a line at column 0 between two statements), four per file, each
then deleted, into the server's incremental checker in this process, and compares every
check with the full check of the same text (`engine.check_source`). It reports how each
edit was read (a window of the buffer, the whole buffer, neither) and exits 1 on any
difference.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from queue import Empty, Queue

POLICY = """\
[tool.ssot]
src = ["src"]

[tool.ssot.legacy]
"netra_backend.app.websocket_core.factory" = "netra_backend.app.websocket_core.canonical_imports"
"netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager" = { use = "netra_backend.app.websocket_core.websocket_manager.get_websocket_manager", message = "the factory was retired in #1126" }
"netra_backend.app.websocket_core.unified_manager" = { use = "netra_backend.app.websocket_core.websocket_manager", type-checking = true }
"netra_backend.app.agents.supervisor.agent_instance_factory.get_global_agent_factory" = "netra_backend.app.agents.supervisor.agent_instance_factory.create_agent_instance_factory"

[tool.ssot.canonical]
"netra_backend.app.websocket_core.websocket_manager.WebSocketManager" = {}

[tool.ssot.factories]
"netra_backend.app.services.user_execution_context.UserExecutionContext" = { use = "netra_backend.app.services.user_execution_context.create_defensive_user_execution_context" }

[tool.ssot.deprecated-exports]
"netra_backend.app.websocket_core.websocket_manager_factory" = ["WebSocketManagerFactory", "get_websocket_manager_factory"]

[[tool.ssot.patterns]]
code = "SSOT101"
pattern = "get_websocket_manager_factory($$$ARGS)"
message = "the factory accessor is retired"
fix = "get_websocket_manager($$$ARGS)"
"""

CANONICAL = {
    "src/netra_backend/app/websocket_core/websocket_manager.py": (
        '"""The canonical WebSocket manager (SSOT)."""\n\n\nclass WebSocketManager:\n'
        "    def __init__(self, user_context):\n        self.user_context = user_context\n\n\n"
        "def get_websocket_manager(user_context=None):\n    return WebSocketManager(user_context)\n"
    ),
    "src/netra_backend/app/services/user_execution_context.py": (
        '"""Per-request user context."""\n\n\nclass UserExecutionContext:\n'
        "    def __init__(self, user_id):\n        self.user_id = user_id\n\n\n"
        "def create_defensive_user_execution_context(user_id):\n    return UserExecutionContext(user_id)\n"
    ),
}

HEADER = '''\
"""Agent execution pipeline: routing, retries and WebSocket notifications (generated)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any
from unittest import mock

from netra_backend.app.websocket_core.factory import create_websocket_manager
from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager as legacy_create
from netra_backend.app.services.user_execution_context import UserExecutionContext
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager, get_websocket_manager

if TYPE_CHECKING:
    from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager

logger = logging.getLogger(__name__)

__all__ = ["build_message_0_report"]

'''

BLOCK = '''

class {name}Pipeline:
    """Runs {noun} steps for one user; the manager is resolved per request."""

    def __init__(self, user_id: str, retries: int = 3) -> None:
        self.user_id = user_id
        self.retries = retries
        self.events: list[dict[str, Any]] = []

    async def run(self, payload: dict[str, Any]) -> dict[str, Any]:
        context = UserExecutionContext.from_request(self.user_id, payload)
        manager = get_websocket_manager(user_context=context)
        for attempt in range(self.retries):
            try:
                result = await self._step(payload, attempt)
            except (ValueError, KeyError) as error:
                logger.warning("{noun} step failed for %s: %s", self.user_id, error)
                continue
            self.events.append({{"attempt": attempt, "ok": True}})
            return result
        return {{"ok": False, "manager": repr(manager)}}

    async def _step(self, payload: dict[str, Any], attempt: int) -> dict[str, Any]:
        await asyncio.sleep(0)
        total = sum(len(str(value)) for value in payload.values())
        if total > 10_000 + attempt:
            raise ValueError("payload too large")
        return {{"ok": True, "size": total, "user": self.user_id}}


def build_{lower}_report(rows: list[dict[str, Any]]) -> str:
    lines = []
    for row in rows:
        status = "ok" if row.get("ok") else "failed"
        lines.append(f"{{row.get('user', '?')}}: {{status}}")
    return "\\n".join(lines)
'''

VIOLATIONS = [
    '\n\ndef legacy_{lower}_path(user_id):\n    context = UserExecutionContext(user_id)\n'
    '    return get_websocket_manager_factory(context)\n',
    '\n\ndef patch_{lower}_target():\n'
    '    return mock.patch("netra_backend.app.websocket_core.factory.create_websocket_manager")\n',
]

NOUNS = ("message", "thread", "agent", "session", "metric", "report", "event", "supervisor", "tool", "quota")


def generate_module(lines: int) -> str:
    parts, count, index = [HEADER], HEADER.count("\n"), 0
    while count < lines:
        noun = NOUNS[index % len(NOUNS)]
        name = f"{noun.capitalize()}{index}"
        block = BLOCK.format(name=name, noun=noun, lower=f"{noun}_{index}")
        if index % 7 == 3:
            block += VIOLATIONS[index % 2].format(lower=f"{noun}_{index}")
        parts.append(block)
        count += block.count("\n")
        index += 1
    text = "".join(parts)
    kept = text.split("\n")[:lines]
    while True:  # a cut in a block's first lines leaves it without a body: end before it
        try:
            ast.parse("\n".join(kept))
            return "\n".join(kept) + "\n"
        except SyntaxError:
            kept = kept[:max(i for i, line in enumerate(kept) if line.startswith(("class ", "def ")))]


def write_project(root: Path, lines: int, workspace: Path | None = None) -> Path:
    (root / "pyproject.toml").write_text(POLICY, encoding="utf-8")
    if workspace is not None:
        copy_subtree(workspace, root / "src")
    for name, text in CANONICAL.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for package in ("src/netra_backend", "src/netra_backend/app", "src/netra_backend/app/websocket_core",
                    "src/netra_backend/app/services", "src/netra_backend/app/agents"):
        (root / package).mkdir(parents=True, exist_ok=True)
        (root / package / "__init__.py").touch()
    module = root / "src/netra_backend/app/agents/execution_pipeline.py"
    module.write_text(generate_module(lines), encoding="utf-8")
    return module


def copy_subtree(directory: Path, src: Path) -> None:
    """DIR's Python files at their place under `src` (relative to the folder above DIR that
    holds pyproject.toml), with the `__init__.py` of the packages between."""
    directory = directory.resolve()
    tree = next((folder for folder in directory.parents if (folder / "pyproject.toml").is_file()), None)
    if tree is None:
        raise SystemExit(f"--workspace {directory}: no folder above it holds a pyproject.toml")
    place = src / directory.relative_to(tree)
    shutil.copytree(directory, place, dirs_exist_ok=True,
                    ignore=lambda folder, names: [name for name in names if name.startswith(".")])
    for package in directory.relative_to(tree).parents:
        if (tree / package / "__init__.py").is_file():
            (src / package).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(tree / package / "__init__.py", src / package / "__init__.py")


class Connection:
    def __init__(self, command: list[str], cwd: Path, log: Path, env: dict | None = None) -> None:
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, cwd=cwd, env=env)
        self.inbox: Queue = Queue()
        self.ids = 0
        # Set by the reading thread when the server's work-done progress (its workspace check
        # at start) ends: an edit answered before that was checked while the check ran.
        self.workspace_checked = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.inbox.put(None)
                    return
                if not line.strip():
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            message = json.loads(stream.read(length))
            if message.get("method") == "$/progress" and message["params"]["value"].get("kind") == "end":
                self.workspace_checked.set()
            self.inbox.put(message)

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.process.stdin.flush()

    def request(self, method: str, params) -> dict:
        self.ids += 1
        self.send({"id": self.ids, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == self.ids and "method" not in m)

    def wait(self, wanted, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            try:
                message = self.inbox.get(timeout=max(deadline - time.monotonic(), 0.01))
            except Empty:
                raise SystemExit("timed out waiting for the server") from None
            if message is None:
                raise SystemExit("the server exited")
            if "method" in message and "id" in message:
                self.send({"id": message["id"], "result": None})
            elif wanted(message):
                return message


def server_command(log: Path) -> list[str]:
    return [sys.executable, "-m", "flake8_ssot", "server", "--log-level", "debug", "--log-file", str(log)]


def server_environment(server_path: Path | None) -> dict | None:
    """The server's environment: `server_path` first on PYTHONPATH, when given."""
    if server_path is None:
        return None
    paths = [str(server_path.resolve()), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


KINDS = {
    "during": "edits in function bodies while the workspace check at start runs",
    "settled": "the same, answered once the workspace check had ended (ending a cycle of three)",
    "body": "edits in function bodies",
    "module": "edits to an import (`import asyncio, json` and back)",
    "fix": "the legacy import fixed and unfixed (`factory` <-> `canonical_imports`)",
    "rebind": "a configured import every class uses renamed (`get_websocket_manager as get_manager`)",
    "reached": "a factory-only class every class uses renamed (`UserExecutionContext as ExecutionContext`)",
    "broken": "half-typed line (the buffer does not parse)",
    "unclosed": "a half-typed call (`payload.get(`): the buffer does not parse, a bracket left open",
    "top": "a new import half typed at the top (`from netra_backend.app.websocket_core import `)",
    "repaired": "the half-typed line deleted (parses again)",
    "exports": "a name added to `__all__` and taken out",
}


def in_process(module: Path, text: str, runs: int = 5) -> tuple[float, float]:
    """Median ms of `ast.parse` and of a full `check_source` of the buffer, after a first call."""
    from flake8_ssot.config import config_for
    from flake8_ssot.engine import check_source

    config = config_for(str(module))
    check_source(text, str(module), config)
    parse, check = [], []
    for _ in range(runs):
        started = time.perf_counter()
        ast.parse(text)
        parse.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        check_source(text, str(module), config)
        check.append((time.perf_counter() - started) * 1000)
    return statistics.median(parse), statistics.median(check)


# What `--compare` types: half-typed code, some of it with findings of the seeds' policy (a
# legacy import, a legacy path in a string, the factory accessor a pattern rule retires).
TYPED_IN_BODY = ("payload.get(", "manager = create_websocket_manager(", "return {", "items = [x for x in",
                 "context = UserExecutionContext(user_id=", "call(a, b))", "if payload", "values = (",
                 "get_websocket_manager_factory(context)", "from netra_backend.app.websocket_core.factory import (",
                 "mock.patch('netra_backend.app.websocket_core.factory.create_websocket_manager',")
TYPED_AT_COLUMN_0 = ("from netra_backend.app.websocket_core import ", "import netra_backend.app.websocket_core.",
                     "def helper(payload", "class Broken(", "REGISTRY = [", "x = ", "@", "factory = (",
                     "get_websocket_manager_factory(", "from . import",
                     "from netra_backend.app.websocket_core.factory import create_websocket_manager, (",
                     "legacy = get_websocket_manager_factory(context) + (")


def compare(directory: Path, count: int, seed: int) -> int:
    """Half-typed lines in real files: the incremental check against the full check (see the
    module's docstring). Returns the number of differences."""
    import random
    import warnings
    from collections import Counter

    from flake8_ssot.config import config_for
    from flake8_ssot.engine import check_source
    from flake8_ssot.server.incremental import IncrementalChecker

    draw = random.Random(seed)
    paths = sorted(directory.rglob("*.py"))
    draw.shuffle(paths)
    seen, tally, differences = 0, Counter(), 0
    for path in paths:
        if seen >= count:
            break
        source = path.read_text(encoding="utf-8", errors="replace")
        lines = source.split("\n")
        if len(lines) < 400:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        seen += 1
        config = config_for(str(path))
        checker = IncrementalChecker()
        checker.check(source, str(path), config)
        checker.read_statements()
        tops = [min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))]) - 1 for node in tree.body]
        bodies = [index for index, text in enumerate(lines) if text.startswith("    ") and text.strip()]
        for _ in range(4):
            if draw.random() < 0.5 or not bodies:
                at, typed = draw.choice(tops[1:] or tops), draw.choice(TYPED_AT_COLUMN_0)
            else:
                at = draw.choice(bodies)
                typed = lines[at][:len(lines[at]) - len(lines[at].lstrip())] + draw.choice(TYPED_IN_BODY)
            text = "\n".join([*lines[:at], typed, *lines[at:]])
            for version in (text, source):
                got = checker.check(version, str(path), config)
                tally["checks"] += 1
                tally["incremental"] += checker.last_was_incremental
                tally[f"read in: {checker.last_reading}"] += bool(checker.last_reading)
                expected = check_source(version, str(path), config, noqa=True).diagnostics
                tally["findings on the typed line"] += version is text and any(d.line == at + 1 for d in expected)
                if got != expected:
                    differences += 1
                    print(f"DIFFERENT: {path}, {typed!r} typed before line {at + 1}" if version is text
                          else f"DIFFERENT: {path}, after deleting {typed!r} again")
    print(f"{seen} files, {tally['checks']} checks ({tally['incremental']} incremental, "
          f"{tally['findings on the typed line']} edits with a finding on the typed line); buffers that did not "
          f"parse read in a window: {tally['read in: window']}, whole: {tally['read in: whole']}; "
          f"differences from the full check: {differences}")
    return differences


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(fraction * (len(ordered) - 1))), len(ordered) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--changes", type=int, default=40, help="edits inside function bodies")
    parser.add_argument("--module-changes", type=int, default=10, help="edits to a module-level line")
    parser.add_argument("--fix-changes", type=int, default=6, help="the legacy import fixed, then unfixed")
    parser.add_argument("--rebind-changes", type=int, default=6,
                        help="an import every function uses renamed, then back")
    parser.add_argument("--reached-changes", type=int, default=6,
                        help="the import of a factory-only class every class uses renamed, then back")
    parser.add_argument("--broken-changes", type=int, default=10,
                        help="edits that make a method unparsable, each undone by the next")
    parser.add_argument("--unclosed-changes", type=int, default=12,
                        help="the same with a bracket left open, each undone by the next")
    parser.add_argument("--top-changes", type=int, default=6,
                        help="a new import half typed at the top, each undone by the next")
    parser.add_argument("--exports-changes", type=int, default=6,
                        help="a name added to __all__, then taken out")
    parser.add_argument("--budget-ms", type=float, default=50.0)
    parser.add_argument("--workspace", type=Path, metavar="DIR",
                        help="copy this subfolder of a generated tree into the project: the workspace check at start")
    parser.add_argument("--during-changes", type=int, default=60,
                        help="at most this many body edits while the workspace check at start runs")
    parser.add_argument("--server-path", type=Path, metavar="SRC",
                        help="run the server from this copy of the package (first on PYTHONPATH)")
    parser.add_argument("--keep", type=Path, help="write the project here and keep it")
    parser.add_argument("--compare", type=Path, metavar="DIR",
                        help="instead of timing: half-typed lines in DIR's files, incremental check against the full")
    parser.add_argument("--compare-files", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args(argv)
    if options.compare is not None:
        return 1 if compare(options.compare, options.compare_files, options.seed) else 0

    from flake8_ssot.server import DEBOUNCE_SECONDS

    root = options.keep or Path(tempfile.mkdtemp(prefix="ssot-lsp-"))
    root.mkdir(parents=True, exist_ok=True)
    log = root / "server.log"
    try:
        module = write_project(root, options.lines, options.workspace)
        shutil.rmtree(root / ".ssot_cache", ignore_errors=True)  # with --keep: the workspace check is cold
        log.unlink(missing_ok=True)  # ... and the log is this run's
        files = sum(1 for _ in (root / "src").rglob("*.py"))
        text = module.read_text(encoding="utf-8")
        uri = module.as_uri()
        connection = Connection(server_command(log), root, log, server_environment(options.server_path))
        connection.request("initialize", {"processId": None, "rootUri": root.as_uri(),
                                          "capabilities": {"window": {"workDoneProgress": True}}})
        connection.send({"method": "initialized", "params": {}})
        connection.send({"method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}})
        opened = connection.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
        found = len(opened["params"]["diagnostics"])

        sent: list[tuple[str, float]] = []  # (kind, round trip minus debounce in ms), one per change

        def change(kind: str, edit: dict) -> None:
            version = len(sent) + 2
            started = time.perf_counter()
            connection.send({"method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": version}, "contentChanges": [edit]}})
            connection.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"].get("version") == version)
            if kind == "during" and connection.workspace_checked.is_set():
                kind = "settled"  # answered after the workspace check ended
            sent.append((kind, (time.perf_counter() - started - DEBOUNCE_SECONDS) * 1000))

        body_start = HEADER.count("\n") + 5

        def body_edit(kind: str, step: int) -> None:
            # Cycles of three edits at a spot somewhere in the module: insert a comment line,
            # type into it, delete it again (so the buffer stays valid Python throughout).
            line = body_start + (step // 3 * 97) % (options.lines - body_start - 1)
            here = {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}
            change(kind, [
                {"range": here, "text": "# note\n"},
                {"range": {"start": {"line": line, "character": 6}, "end": {"line": line, "character": 6}},
                 "text": " to self"},
                {"range": {"start": here["start"], "end": {"line": line + 1, "character": 0}}, "text": ""},
            ][step % 3])

        during = 0
        # Until the workspace check ends, and then to the end of a cycle (the module again).
        while during % 3 or (not connection.workspace_checked.is_set() and during < options.during_changes):
            body_edit("during", during)
            during += 1
        if not connection.workspace_checked.is_set():
            connection.wait(lambda m: m.get("method") == "$/progress" and m["params"]["value"].get("kind") == "end",
                            timeout=600)
        for step in range(options.changes):
            body_edit("body", step)
        import_line = HEADER.split("\n").index("import asyncio")
        at = {"line": import_line, "character": len("import asyncio")}
        for step in range(options.module_changes):
            # Add a module to an import statement, then take it out again: the names the
            # module binds change, so every line of the buffer may resolve differently.
            if step % 2 == 0:
                change("module", {"range": {"start": at, "end": at}, "text": ", json"})
            else:
                end = {"line": import_line, "character": at["character"] + len(", json")}
                change("module", {"range": {"start": at, "end": end}, "text": ""})
        header = HEADER.split("\n")
        legacy = "from netra_backend.app.websocket_core.factory import create_websocket_manager"
        fixed = legacy.replace(".factory import", ".canonical_imports import")
        for step in range(options.fix_changes):
            # The quick fix applied to the legacy import, then undone.
            line = header.index(legacy)
            old, new = (legacy, fixed) if step % 2 == 0 else (fixed, legacy)
            change("fix", {"range": {"start": {"line": line, "character": 0},
                                     "end": {"line": line, "character": len(old)}}, "text": new})

        def rename(kind: str, changes: int, ending: str, alias: str) -> None:
            """The import line ending in `ending` gets ` as alias`, then loses it, and so on."""
            statement = next(text for text in header if text.endswith(ending))
            at = {"line": header.index(statement), "character": len(statement)}
            for step in range(changes):
                if step % 2 == 0:
                    change(kind, {"range": {"start": at, "end": at}, "text": f" as {alias}"})
                else:
                    end = {"line": at["line"], "character": at["character"] + len(f" as {alias}")}
                    change(kind, {"range": {"start": at, "end": end}, "text": ""})

        # `get_websocket_manager` renamed in its import: every `run` method calls it.
        rename("rebind", options.rebind_changes, ", get_websocket_manager", "get_manager")
        # `UserExecutionContext` renamed in its import: a factory key is its path.
        rename("reached", options.reached_changes, " import UserExecutionContext", "ExecutionContext")
        lines = generate_module(options.lines).split("\n")
        steps = [index for index, text in enumerate(lines) if text.startswith("    async def _step(")]
        for step in range(options.broken_changes):
            # Half-typed code in a method (`if payload` without its colon and body): the
            # buffer does not parse. The next edit deletes it again, and the buffer does.
            line = steps[(step // 2 * 7) % len(steps)] + 1
            here = {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}
            if step % 2 == 0:
                change("broken", {"range": here, "text": "        if payload\n"})
            else:
                change("repaired", {"range": {"start": here["start"], "end": {"line": line + 1, "character": 0}}, "text": ""})
        for step in range(options.unclosed_changes):
            line = steps[(step // 2 * 11 + 3) % len(steps)] + 1
            here = {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}
            if step % 2 == 0:
                change("unclosed", {"range": here, "text": "        payload.get(\n"})
            else:
                change("repaired", {"range": {"start": here["start"], "end": {"line": line + 1, "character": 0}}, "text": ""})
        top = next(index for index, text in enumerate(header) if text.startswith("from netra_backend"))
        for step in range(options.top_changes):
            # A new import typed above the first one: half typed, then deleted again.
            here = {"start": {"line": top, "character": 0}, "end": {"line": top, "character": 0}}
            if step % 2 == 0:
                change("top", {"range": here, "text": "from netra_backend.app.websocket_core import \n"})
            else:
                change("repaired", {"range": {"start": here["start"], "end": {"line": top + 1, "character": 0}},
                                    "text": ""})
        exports = header.index('__all__ = ["build_message_0_report"]')
        at = {"line": exports, "character": len('__all__ = ["build_message_0_report"')}
        for step in range(options.exports_changes):
            # A name added to `__all__`, then taken out again.
            if step % 2 == 0:
                change("exports", {"range": {"start": at, "end": at}, "text": ', "build_thread_1_report"'})
            else:
                end = {"line": exports, "character": at["character"] + len(', "build_thread_1_report"')}
                change("exports", {"range": {"start": at, "end": end}, "text": ""})
        connection.request("shutdown", None)
        connection.send({"method": "exit", "params": None})
        connection.process.wait(timeout=30)

        checks = re.findall(r"checked \S+execution_pipeline\.py \(.*?(, incremental)?\) in ([\d.]+) ms", log.read_text())
        if len(checks) != len(sent) + 1:
            raise SystemExit(f"{len(sent)} changes but {len(checks) - 1} checks logged after the open")
        print(f"buffer: {options.lines} lines, {found} diagnostics; debounce {DEBOUNCE_SECONDS * 1000:.0f} ms; "
              f"open: {float(checks[0][1]):.1f} ms")
        workspace = re.search(r"checked the workspace: (\d+) files in ([\d.]+) s", log.read_text())
        print(f"workspace: {files} files{f' from {options.workspace}' if options.workspace else ''}; "
              + (f"its check at start took {float(workspace[2]):.2f} s; " if workspace else "")
              + f"{sum(kind == 'during' for kind, _ in sent)} edits answered while it ran")
        verdict = True
        for kind, label in KINDS.items():
            rows = [(float(ms), bool(incremental), trip)
                    for (incremental, ms), (sent_kind, trip) in zip(checks[1:], sent) if sent_kind == kind]
            if not rows:
                continue
            work, trips = [row[0] for row in rows], [row[2] for row in rows]
            incremental = sum(row[1] for row in rows)
            print(f"{label}: {len(rows)} changes, {incremental} checked incrementally")
            print(f"  server work per change (ms): median {statistics.median(work):.1f}, "
                  f"p90 {percentile(work, 0.90):.1f}, p95 {percentile(work, 0.95):.1f}, max {max(work):.1f}")
            print(f"  round trip minus debounce (ms): median {statistics.median(trips):.1f}, "
                  f"p95 {percentile(trips, 0.95):.1f}, max {max(trips):.1f}")
            met = statistics.median(work) <= options.budget_ms
            verdict = verdict and met
            print(f"  budget {options.budget_ms:.0f} ms (median server work): {'met' if met else 'MISSED'}")
        parse_ms, check_ms = in_process(module, text)
        print(f"in this process, the whole buffer: ast.parse median {parse_ms:.1f} ms, "
              f"engine.check_source median {check_ms:.1f} ms")
        return 0 if verdict else 1
    finally:
        if options.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
