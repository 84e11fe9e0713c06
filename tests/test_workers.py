"""Worker processes never outlive `ssot`: a parent killed with SIGKILL (an OOM kill, a CI
timeout) must not leave its `--jobs` workers waiting on their task queue forever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]

POLICY = '[tool.ssot]\nsrc = ["."]\n[tool.ssot.legacy]\n"pkg.legacy" = "pkg.current"\n'
MODULE = "from pkg.legacy import make\n\n\n" + "".join(
    f"def function_{n}(value):\n    return make(value) + {n}\n\n\n" for n in range(150)
)


def _children(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(entry))
    return found


def _alive_in_group(pid: int, group: int) -> bool:
    """`pid` still runs (not a zombie) in process group `group`: a reused pid is another process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z" and int(fields[2]) == group


def test_workers_exit_when_the_parent_is_killed(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(POLICY)
    for package in range(40):
        directory = tmp_path / f"app{package}"
        directory.mkdir()
        for number in range(60):
            (directory / f"module_{number}.py").write_text(MODULE)
    env = {**os.environ, "PYTHONUTF8": "1", "NO_COLOR": "1"}
    parent = subprocess.Popen(
        [sys.executable, "-m", "flake8_ssot", "check", "--no-cache", "-j", "2", "."],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, to find whatever it leaves behind
    )
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while len(workers) < 2 and parent.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            workers = _children(parent.pid)
        assert parent.poll() is None, "the run ended before it could be killed: make the tree bigger"
        assert len(workers) >= 2, workers
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive_in_group(pid, parent.pid) for pid in workers):
            time.sleep(0.05)
        left = [pid for pid in workers if _alive_in_group(pid, parent.pid)]
        assert not left, f"workers still running 5 s after their parent was killed: {left}"
    finally:
        try:
            os.killpg(parent.pid, signal.SIGKILL)  # only the group this test started
        except ProcessLookupError:
            pass
