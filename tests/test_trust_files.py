"""Nothing outside the project is read or written, and every bad input is one clear line.

Each test reproduces one finding of the reliability audit (issue #22) in an empty directory,
as a user running `ssot check --fix` unattended in CI would meet it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from projects import MOCK_IMPORT as LEGACY
from projects import policy_project as project
from projects import ssot

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


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_found_by_the_walk_is_reported_and_the_rest_is_checked(tmp_path: Path) -> None:
    """Never skipped silently (PRODUCT.md), never opened: opening a FIFO waits for a writer."""
    root = project(tmp_path / "w")
    os.mkfifo(root / "pipe.py")
    (root / "b.py").write_text(LEGACY)
    for cache in (["--no-cache"], []):
        run = ssot("check", *cache, ".", cwd=root, timeout=30)
        assert "error: pipe.py: not a regular file" in run.stderr, run.stderr
        assert "b.py:1:1: SSOT001" in run.stdout, run.stdout
        assert run.returncode == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_being_opened(tmp_path: Path, monkeypatch) -> None:
    from flake8_ssot import files

    os.mkfifo(tmp_path / "f.py")
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(files.os, "open", lambda path, *rest: opened.append(path) or real_open(path, *rest))
    with pytest.raises(files.SourceError, match="^not a regular file$"):
        files.read_bytes(str(tmp_path / "f.py"))
    assert opened == []


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


def test_output_file_that_cannot_be_created_is_one_line_and_exit_2(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    (root / "a.py").write_text(LEGACY)
    run = ssot("check", "--no-cache", "--output-format", "json", "--output-file", "a.py/r.json", ".", cwd=root)
    assert run.returncode == 2
    assert run.stderr.splitlines()[-1] == "error: a.py/r.json: cannot write the report: Not a directory"


def test_output_file_keeps_its_mode_and_its_symbolic_link(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    (root / "a.py").write_text(LEGACY)
    (root / "kept.json").write_text("old\n")
    (root / "kept.json").chmod(0o640)
    (root / "link.json").symlink_to("kept.json")
    ssot("check", "--no-cache", "--output-format", "json", "--output-file", "link.json", ".", cwd=root)
    assert (root / "link.json").is_symlink()
    assert (root / "kept.json").read_text().startswith("[")
    assert (root / "kept.json").stat().st_mode & 0o777 == 0o640
    ssot("check", "--no-cache", "--output-format", "json", "--output-file", "new.json", ".", cwd=root)
    umask = os.umask(0)
    os.umask(umask)
    assert (root / "new.json").stat().st_mode & 0o777 == 0o666 & ~umask  # as open() creates it, not 0o600


def test_output_file_on_a_device_is_written_in_place(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    (root / "a.py").write_text(LEGACY)
    run = ssot("check", "--no-cache", "--output-format", "json", "--output-file", "/dev/stdout", ".", cwd=root)
    assert run.returncode == 1
    assert run.stdout.startswith("[") and '"code": "SSOT001"' in run.stdout


# --------------------------------------------------------------------------- limits


def test_a_file_over_the_size_limit_is_skipped_alike_in_every_front_end(tmp_path: Path) -> None:
    from flake8_ssot.files import MAX_SOURCE_BYTES, text_refusal
    from flake8_ssot.flake8_plugin import SsotChecker

    root = project(tmp_path / "big")
    text = LEGACY + "# padding\n" * (MAX_SOURCE_BYTES // 10)
    (root / "big.py").write_text(text)
    (root / "small.py").write_text(LEGACY)
    message = "skipped: the file is 2.0 MiB, over the 2 MiB limit"
    run = ssot("check", "--no-cache", "--output-format", "concise", ".", cwd=root)
    assert run.stderr.splitlines()[0] == f"error: big.py: {message}"
    assert run.stdout.splitlines()[0].startswith("small.py:1:1: SSOT001 ")
    assert "big.py" not in run.stdout
    assert run.returncode == 1
    assert text_refusal(text) == message  # the server's check
    env = {**os.environ, "PYTHONUTF8": "1", "NO_COLOR": "1"}
    piped = subprocess.run(
        [sys.executable, "-m", "flake8_ssot", "check", "--no-cache", "--fix", "--stdin-filename", "piped.py"],
        cwd=root, input=text, capture_output=True, encoding="utf-8", env=env, timeout=60,
    )
    assert piped.stderr.splitlines()[0] == f"error: piped.py: {message}"
    assert piped.stdout == text and piped.returncode == 1  # --fix on standard input: the source, unchanged
    SsotChecker.config_file = None
    found = list(SsotChecker(None, str(root / "big.py"), text.splitlines(keepends=True)).run())
    assert [(line, column, text) for line, column, text, _ in found] == [(1, 0, f"SSOT000 {message}")]
    assert text_refusal(LEGACY) is None


# --------------------------------------------------------------------------- temporaries


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_stale_temporary_is_removed_and_never_checked(tmp_path: Path) -> None:
    root = project(tmp_path / "t")
    (root / "m.py").write_text(LEGACY)
    stale = root / f".m.py.{_dead_pid()}.0a1b2c3d.ssot-tmp"
    stale.write_text(LEGACY)
    alive = root / f".m.py.{os.getpid()}.0a1b2c3d.ssot-tmp"  # its writer (this test) still runs
    alive.write_text(LEGACY)
    run = ssot("check", "--no-cache", "--fix", ".", cwd=root)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (root / "m.py").read_text() == "from mock import MagicMock\n"
    assert not stale.exists()
    assert alive.exists()
    assert "ssot-tmp" not in run.stdout + run.stderr


def _seed_tree(root: Path, count: int) -> None:
    for index in range(count):
        body = "".join(f"value_{index}_{line} = MagicMock()\n" for line in range(200))
        (root / f"seed_{index:02}.py").write_text(LEGACY + body)


@pytest.mark.slow
def test_kill_9_during_fix_leaves_every_file_whole_and_the_rerun_no_temporaries(tmp_path: Path) -> None:
    import random
    import signal
    import time

    count, kills = 24, 6
    env = {**os.environ, "PYTHONUTF8": "1", "NO_COLOR": "1"}
    command = [sys.executable, "-m", "flake8_ssot", "check", "--no-cache", "--fix", "--jobs", "1", "."]
    reference = project(tmp_path / "reference")
    _seed_tree(reference, count)
    started = time.monotonic()
    subprocess.run(command, cwd=reference, env=env, capture_output=True, timeout=120)
    duration = time.monotonic() - started  # each rewrite reaches the disk (fsync): most of it is the write window
    killed_while_writing = 0
    for seed in range(kills):
        root = project(tmp_path / f"run{seed}")
        _seed_tree(root, count)
        originals = {path.name: path.read_text() for path in root.glob("seed_*.py")}
        child = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(random.Random(seed).uniform(0.3, 0.9) * duration)
        child.send_signal(signal.SIGKILL)
        child.wait()
        changed = 0
        for name, original in originals.items():
            now = (root / name).read_text()
            assert now in (original, (reference / name).read_text()), name
            changed += now != original
        killed_while_writing += 0 < changed < count
        rerun = subprocess.run(command, cwd=root, env=env, capture_output=True, encoding="utf-8", timeout=120)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        assert [path.name for path in root.iterdir() if path.name.endswith(".ssot-tmp")] == []
        assert all((root / name).read_text() == (reference / name).read_text() for name in originals)
    assert killed_while_writing, "no kill landed while files were being written: adjust the delays"


# --------------------------------------------------------------------------- temporaries of killed runs


def test_a_stale_temporary_of_the_old_naming_scheme_is_removed_by_a_fix(tmp_path: Path) -> None:
    """Earlier versions named their temporaries `.NAME.XXXXXXXX.ssot-fix` (no process id): one
    untouched for over 10 minutes is a killed run's; a recent one may be a live run's."""
    root = project(tmp_path / "t")
    (root / "a.py").write_text(LEGACY)
    stale, recent, unlike = root / ".a.py.k3j_x9z2.ssot-fix", root / ".a.py.abcdefgh.ssot-fix", root / ".a.py.ab.ssot-fix"
    for temporary in (stale, recent, unlike):
        temporary.write_text(LEGACY)  # legacy code: checking it as a source would report it
    hour_ago = time.time() - 3600
    for temporary in (stale, unlike):
        os.utime(temporary, (hour_ago, hour_ago))
    run = ssot("check", "--no-cache", ".", cwd=root)  # a check writes nothing: removes nothing
    assert stale.exists()
    assert "a.py:1:1: SSOT001" in run.stdout and "Found 1 error." in run.stdout, run.stdout  # never checked
    run = ssot("check", "--no-cache", "--fix", ".", cwd=root)
    assert run.returncode == 0, run.stderr
    assert (root / "a.py").read_text() == "from mock import MagicMock\n"
    assert not stale.exists()
    assert recent.exists() and unlike.exists()
    assert recent.read_text() == LEGACY
