"""`ssot server` without the `server` extra: one clear line and exit 2, never a traceback.

These run whether or not pygls is installed: the child process hides pygls and lsprotocol
from the import system, as on an install without the extra.
"""

from __future__ import annotations

import subprocess
import sys

WITHOUT_EXTRA = (
    "import runpy, sys\n"
    "sys.modules['pygls'] = sys.modules['lsprotocol'] = None  # `import pygls` now fails\n"
    "runpy.run_module('flake8_ssot', run_name='__main__')\n"
)


def run(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRA, *arguments],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )


def test_server_without_the_extra_says_how_to_install_it():
    result = run("server")
    assert result.returncode == 2
    assert result.stdout == ""  # standard output is the LSP channel: nothing else goes there
    assert result.stderr == "error: ssot server needs the server extra: pip install 'flake8-ssot[server]'\n"


def test_other_commands_do_not_need_the_extra():
    result = run("rule", "SSOT001")
    assert result.returncode == 0, result.stderr
    assert "SSOT001" in result.stdout


def test_server_is_a_listed_subcommand_with_its_options():
    listed = run("--help")
    assert listed.returncode == 0
    assert "server" in listed.stdout and "language server" in listed.stdout
    usage = run("server", "--help")
    assert usage.returncode == 0
    assert "--log-level" in usage.stdout and "--log-file" in usage.stdout


def test_a_document_over_the_size_limit_gets_one_diagnostic_over_a_real_session(tmp_path):
    """#22: a 2.5 MB document is not checked: one SSOT000 diagnostic says why, and it comes
    within the session's timeout (checking it would take seconds and hundreds of MB)."""
    import pytest

    pytest.importorskip("pygls", reason="the server extra (pygls) is not installed")
    from test_server import LspClient

    root = tmp_path / "p"
    root.mkdir()
    (root / "pyproject.toml").write_text('[tool.ssot.legacy]\n"unittest.mock" = "mock"\n')
    line = "from unittest.mock import MagicMock  # " + "x" * 60 + "\n"  # a violation on every line
    text = line * (2_500_000 // len(line) + 1)
    client = LspClient(root, tmp_path / "server.log")
    try:
        uri = client.open(root / "huge.py", text)
        diagnostics = client.diagnostics(uri)
    finally:
        assert client.close() == 0
    size = len(text.encode("utf-8")) / 2**20
    assert [(d["code"], d["message"]) for d in diagnostics] == [
        ("SSOT000", f"skipped: the file is {size:.1f} MiB, over the 2 MiB limit"),
    ], diagnostics
    assert diagnostics[0]["range"]["start"] == {"line": 0, "character": 0}
