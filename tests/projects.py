"""The small projects the tests build, and the `ssot` command run on them as a user runs it.

Plain constants and functions, not fixtures: the policies are read at import time (in
parametrize lists, hypothesis strategies, other modules' constants) and `ssot()` is called
by each test file's own thin wrappers (`check`, with that file's default folder and options).
The fixtures built on these are in conftest.py.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Sequence

# A policy shaped like the seed project's, on a short `app` package: one legacy module.
APP_LEGACY_POLICY = '[tool.ssot]\nsrc = ["src"]\n[tool.ssot.legacy]\n"app.ws.factory" = "app.ws.canonical_imports"\n'
# ... and one factory-only class.
APP_POLICY = APP_LEGACY_POLICY + (
    '[tool.ssot.factories]\n'
    '"app.ctx.UserExecutionContext" = { use = "app.ctx.create_defensive_user_execution_context" }\n'
)

# The same two entries with the seed project's real module paths (netra_backend).
NETRA_POLICY = textwrap.dedent("""\
    [tool.ssot]
    src = ["src"]

    [tool.ssot.legacy]
    "netra_backend.app.websocket_core.factory" = "netra_backend.app.websocket_core.canonical_imports"

    [tool.ssot.factories]
    "netra_backend.app.services.user_execution_context.UserExecutionContext" = { use = "netra_backend.app.services.user_execution_context.create_defensive_user_execution_context" }
    """)


def ssot(
    *args: str, cwd: Path, stdin: str | bytes | None = None, binary: bool = False, timeout: float = 120,
) -> subprocess.CompletedProcess:
    """`python -m flake8_ssot ARGS` in `cwd`. Input and output are text, UTF-8 whatever the
    locale, or bytes when `binary` (to see line endings and encodings as written).
    CI_PROJECT_DIR is dropped so that GitLab reports name paths the same on a developer's
    machine and in CI. Run by a child forked from a process that has already imported the
    checker (preloaded_ssot.py), as a new interpreter would run it."""
    env = {**os.environ, "PYTHONUTF8": "1"}
    env.pop("CI_PROJECT_DIR", None)
    preloaded = _preloaded(env)
    if preloaded is None:
        return subprocess.run(
            [sys.executable, "-m", "flake8_ssot", *args], cwd=cwd, input=stdin, capture_output=True,
            encoding=None if binary else "utf-8", env=env, timeout=timeout,
        )
    return preloaded.run(args, cwd=cwd, env=env, stdin=stdin, binary=binary, timeout=timeout)


class _Preloaded:
    """This test process's preloaded_ssot.py process, and the files its children's standard
    streams go through."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.folder = Path(tempfile.mkdtemp(prefix="ssot-preloaded-"))
        requests_read, self.requests = os.pipe()
        self.replies, replies_write = os.pipe()
        script = Path(__file__).with_name("preloaded_ssot.py")
        self.process = subprocess.Popen(
            [sys.executable, "-c", f"import runpy; runpy.run_path({str(script)!r}, run_name='__main__')",
             str(requests_read), str(replies_write)],
            cwd=self.folder, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            pass_fds=(requests_read, replies_write),
        )
        os.close(requests_read)
        os.close(replies_write)
        self.unread = b""
        atexit.register(self.close)

    def close(self) -> None:
        """At the end of the test process: the preloaded process sees its requests end and exits."""
        os.close(self.requests)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _reply(self, timeout: float | None) -> str:
        """The next line the preloaded process writes (TimeoutError after `timeout` seconds)."""
        while b"\n" not in self.unread:
            ready, _, _ = select.select([self.replies], [], [], timeout)
            if not ready:
                raise TimeoutError
            chunk = os.read(self.replies, 4096)
            if not chunk:
                raise RuntimeError("the preloaded ssot process ended")
            self.unread += chunk
        line, _, self.unread = self.unread.partition(b"\n")
        return line.decode("ascii")

    def run(
        self, args: tuple[str, ...], cwd: Path, env: dict[str, str], stdin: str | bytes | None, binary: bool,
        timeout: float,
    ) -> subprocess.CompletedProcess:
        streams = {name: self.folder / name for name in ("stdin", "stdout", "stderr")}
        data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin or b""
        streams["stdin"].write_bytes(data)
        for name in ("stdout", "stderr"):
            streams[name].write_bytes(b"")
        if not os.path.isdir(cwd):
            raise FileNotFoundError(f"no such directory: {cwd}")
        request = {"args": list(args), "cwd": os.path.abspath(cwd), "env": env,
                   **{name: str(path) for name, path in streams.items()}}
        os.write(self.requests, (json.dumps(request) + "\n").encode("utf-8"))
        pid = int(self._reply(None))
        try:
            returncode = int(self._reply(timeout))
        except TimeoutError:
            os.kill(pid, signal.SIGKILL)
            self._reply(None)
            raise subprocess.TimeoutExpired(["python", "-m", "flake8_ssot", *args], timeout) from None
        out, err = streams["stdout"].read_bytes(), streams["stderr"].read_bytes()
        if not binary:  # as subprocess's text mode decodes
            out, err = (_text(data) for data in (out, err))
        return subprocess.CompletedProcess(["python", "-m", "flake8_ssot", *args], returncode, out, err)


def _text(data: bytes) -> str:
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


_PRELOADED: list[_Preloaded] = []


def _preloaded(env: dict[str, str]) -> _Preloaded | None:
    """The preloaded process for commands run with `env`; None when the commands must start a
    new interpreter: another environment than the one it imported the checker under (module
    constants read at import time), or no fork (not Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    if not _PRELOADED:
        _PRELOADED.append(_Preloaded(env))
    preloaded = _PRELOADED[0]
    return preloaded if preloaded.env == env and preloaded.process.poll() is None else None


def flake8(*args: str, cwd: Path, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m flake8 ARGS` in `cwd`, text in and out in UTF-8: the plugin as flake8 runs it."""
    env = {**os.environ, "PYTHONUTF8": "1"}
    return subprocess.run(
        [sys.executable, "-m", "flake8", *args], cwd=cwd, input=stdin, capture_output=True, encoding="utf-8",
        env=env, timeout=timeout,
    )


def imported_output(root: Path, modules: Sequence[str]) -> str:
    """What importing `modules` of a fixture project prints (its `src` on the path): a fixture's
    own behaviour, compared before and after `--fix`."""
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    code = "; ".join(f"import {module}" for module in modules)
    completed = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True,
                               timeout=60)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write each file under `root` (text dedented, bytes as they are); return `root`."""
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(textwrap.dedent(body), encoding="utf-8")
    return root


# The smallest policy, and a line it flags: the reliability tests' empty projects.
MOCK_POLICY = '[tool.ssot.legacy]\n"unittest.mock" = "mock"\n'
MOCK_IMPORT = "from unittest.mock import MagicMock\n"


def policy_project(root: Path, policy: str = MOCK_POLICY) -> Path:
    """A directory holding only a pyproject.toml with `policy`: the empty project a test fills."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(policy)
    return root


def read_lsp_messages(stream, inbox) -> None:
    """Put each JSON-RPC message a language server writes on `stream` into `inbox`, and None
    at the end of the stream (run in a thread: the tests' LSP clients share it)."""
    while True:
        headers = {}
        while True:
            line = stream.readline()
            if not line:
                inbox.put(None)
                return
            if not line.strip():
                break
            name, _, value = line.decode("ascii").partition(":")
            headers[name.strip().lower()] = value.strip()
        inbox.put(json.loads(stream.read(int(headers["content-length"]))))
