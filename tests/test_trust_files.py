"""Nothing outside the project is read or written, and every bad input is one clear line.

Each test reproduces one finding of the reliability audit (issue #22) in an empty directory,
as a user running `ssot check --fix` unattended in CI would meet it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

POLICY = '[tool.ssot.legacy]\n"unittest.mock" = "mock"\n'
LEGACY = "from unittest.mock import MagicMock\n"


def ssot(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONUTF8": "1", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "flake8_ssot", *args], cwd=cwd, capture_output=True, encoding="utf-8",
        env=env, timeout=timeout,
    )


def project(root: Path, policy: str = POLICY) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(policy)
    return root


# --------------------------------------------------------------------------- symlinks


def test_fix_never_writes_through_a_symlink_out_of_the_checked_tree(tmp_path: Path) -> None:
    outside = tmp_path / "o" / "t.py"
    outside.parent.mkdir()
    outside.write_text(LEGACY)
    inside = project(tmp_path / "p")
    (inside / "l.py").symlink_to("../o/t.py")
    run = ssot("check", "--no-cache", "--fix", ".", cwd=inside)
    assert outside.read_text() == LEGACY
    assert "l.py: not fixed: the file resolves outside the checked paths" in run.stderr, run.stderr
    assert run.returncode == 1  # the violation is still there


def test_fix_writes_through_a_symlink_that_stays_inside(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    (root / "real.py").write_text(LEGACY)
    (root / "alias.py").symlink_to("real.py")
    ssot("check", "--no-cache", "--fix", "real.py", "alias.py", cwd=root)
    assert (root / "real.py").read_text() == "from mock import MagicMock\n"


def test_a_symlink_loop_is_reported_and_the_rest_is_checked(tmp_path: Path) -> None:
    root = project(tmp_path / "d")
    (root / "loop.py").symlink_to("loop.py")
    (root / "b.py").write_text(LEGACY)
    run = ssot("check", "--no-cache", ".", cwd=root)
    assert "Traceback" not in run.stderr
    assert "error: loop.py: cannot read: symbolic link loop" in run.stderr, run.stderr
    assert "b.py:1:1: SSOT001" in run.stdout
    assert run.returncode == 1


def test_a_dangling_symlink_is_reported(tmp_path: Path) -> None:
    root = project(tmp_path / "e")
    (root / "x.py").symlink_to("nothere.py")
    run = ssot("check", "--no-cache", ".", cwd=root)
    assert "error: x.py: cannot read: the symbolic link points at nothing (nothere.py)" in run.stderr, run.stderr
    assert "All checks passed!" not in run.stdout
    assert run.returncode == 1


# --------------------------------------------------------------------------- not regular files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_as_a_file_is_refused(tmp_path: Path) -> None:
    root = project(tmp_path / "f")
    os.mkfifo(root / "f.py")
    run = ssot("check", "--no-cache", "f.py", cwd=root, timeout=30)
    assert "error: f.py: not a regular file" in run.stderr, run.stderr
    assert run.returncode == 1


# --------------------------------------------------------------------------- reports


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_output_file_write_error_is_one_line_and_exit_2(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    (root / "a.py").write_text(LEGACY)
    run = ssot("check", "--no-cache", "--output-format", "json", "--output-file", "/dev/full", ".", cwd=root)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("error: /dev/full: cannot write the report: ")


def test_output_file_in_a_read_only_directory_keeps_the_old_report(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only directories")
    root = project(tmp_path / "p")
    (root / "a.py").write_text(LEGACY)
    reports = root / "reports"
    reports.mkdir()
    (reports / "r.json").write_text("old report\n")
    reports.chmod(0o555)
    try:
        run = ssot("check", "--no-cache", "--output-format", "json", "--output-file", "reports/r.json", ".", cwd=root)
    finally:
        reports.chmod(0o755)
    assert run.returncode == 2
    assert "error: reports/r.json: cannot write the report: " in run.stderr
    assert (reports / "r.json").read_text() == "old report\n"


def test_output_file_is_replaced_whole(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    (root / "a.py").write_text(LEGACY)
    (root / "r.json").write_text("x" * 100_000)
    run = ssot("check", "--no-cache", "--output-format", "json", "--output-file", "r.json", ".", cwd=root)
    assert run.returncode == 1
    assert (root / "r.json").read_text().startswith("[")
    assert not [p for p in root.iterdir() if p.name.startswith(".r.json")]
