"""The small projects the tests build, and the `ssot` command run on them as a user runs it.

Plain constants and functions, not fixtures: the policies are read at import time (in
parametrize lists, hypothesis strategies, other modules' constants) and `ssot()` is called
by each test file's own thin wrappers (`check`, with that file's default folder and options).
The fixtures built on these are in conftest.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

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
    machine and in CI."""
    env = {**os.environ, "PYTHONUTF8": "1"}
    env.pop("CI_PROJECT_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "flake8_ssot", *args], cwd=cwd, input=stdin, capture_output=True,
        encoding=None if binary else "utf-8", env=env, timeout=timeout,
    )


def flake8(*args: str, cwd: Path, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m flake8 ARGS` in `cwd`, text in and out in UTF-8: the plugin as flake8 runs it."""
    env = {**os.environ, "PYTHONUTF8": "1"}
    return subprocess.run(
        [sys.executable, "-m", "flake8", *args], cwd=cwd, input=stdin, capture_output=True, encoding="utf-8",
        env=env, timeout=timeout,
    )


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
