"""The replay of a repeated `ssot check` (replay.py): a command answered from its record must
write exactly what the full command writes, and any change the run-level cache would see
must send it down the full path.

Commands run in-process from the tree's root, with standard output and error as real text
streams over bytes (so that the JSON report's bytes and the text report's characters both go
through the paths the terminal's would). The racy window is 50 ms, as in test_runstate.py.
"""

from __future__ import annotations

import ast
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import test_runstate
from test_runstate import MUTATIONS, make_tree, settle

from flake8_ssot import cli, replay
from flake8_ssot.checking.discovery import discover as original_discover
from flake8_ssot.config import clear_caches

SRC = Path(__file__).resolve().parent.parent / "src" / "flake8_ssot"


@pytest.fixture(autouse=True)
def racy(monkeypatch):
    monkeypatch.setattr(test_runstate.runstate, "RACY_NS", test_runstate.RACY_NS)
    monkeypatch.setattr(replay, "_CHANGES", [])


class Captured:
    """sys.stdout and sys.stderr as text streams over bytes, for one command."""

    def __enter__(self) -> Captured:
        self.saved = sys.stdout, sys.stderr
        sys.stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
        sys.stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
        return self

    def __exit__(self, *exc_info) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        self.out, self.err = sys.stdout.buffer.getvalue(), sys.stderr.buffer.getvalue()
        sys.stdout, sys.stderr = self.saved


def in_directory(directory: Path, call):
    previous = os.getcwd()
    os.chdir(directory)
    try:
        return call()
    finally:
        os.chdir(previous)


def full(root: Path, *argv: str, where: Path | None = None) -> tuple[int, bytes, bytes]:
    """The whole command, as `ssot` runs it when there is no record to replay."""
    clear_caches()
    with Captured() as streams:
        code = in_directory(where or root, lambda: cli.main(["check", *argv]))
    return code, streams.out, streams.err


def replayed(root: Path, *argv: str, where: Path | None = None) -> tuple[int, bytes, bytes] | None:
    with Captured() as streams:
        code = in_directory(where or root, lambda: replay.replayed(["check", *argv]))
    if code is None:
        assert streams.out == streams.err == b"", "nothing is written unless the record holds"
        return None
    return code, streams.out, streams.err


def records(root: Path) -> list[Path]:
    return sorted(root.rglob("replay-*.bin"))


@pytest.fixture
def root(tmp_path) -> Path:
    root = tmp_path / "repo"
    make_tree(root)
    (root / ".git").mkdir()
    # As after a first run: the cache directory's creation changes the root's times, and the
    # run that creates it saves no state (nor a record) for that reason.
    (root / ".ssot_cache").mkdir()
    settle()
    return root


@pytest.mark.parametrize("argv", [
    ("--output-format", "json", "--jobs", "1"),
    ("--output-format", "full", "--jobs", "1", "--show-fixes"),
    ("--output-format", "concise", "--jobs", "1", "-q"),
    ("--output-format", "sarif", "--jobs", "1", "--statistics", "--exit-zero"),
], ids=["json", "full", "concise-quiet", "statistics-rejected"])
def test_a_repeated_command_is_replayed_byte_for_byte(root, argv):
    first = full(root, *argv)
    if first[0] == cli.EXIT_ERROR:  # a usage error: nothing recorded, nothing replayed
        assert not records(root) and replayed(root, *argv) is None
        return
    again = replayed(root, *argv)
    assert again == first
    assert first[0] == 1 and b"SSOT001" in first[1]
    assert replayed(root, *argv) == first  # a replay changes nothing it depends on


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.__name__)
def test_each_change_stops_the_replay(root, mutation):
    argv = ("--output-format", "json", "--jobs", "1")
    full(root, *argv)
    assert replayed(root, *argv) is not None
    mutation(root)
    assert replayed(root, *argv) is None, "the change must send the command down the full path"
    after = full(root, *argv)
    assert after == full(root, *argv, "--no-cache")
    settle()  # (a run that created a nested configuration's cache directory saved no record)
    assert full(root, *argv) == after
    assert replayed(root, *argv) == after


def test_another_command_is_not_answered_by_this_one(root, monkeypatch):
    argv = ("--output-format", "concise", "--jobs", "1")
    full(root, *argv)
    assert replayed(root, *argv) is not None
    assert replayed(root, *argv, "tests") is None  # other arguments
    assert replayed(root, *argv, where=root / "tests") is None  # another working directory
    monkeypatch.setenv("NO_COLOR", "1")  # an environment variable the output reads
    assert replayed(root, *argv) is None
    monkeypatch.delenv("NO_COLOR")
    assert replayed(root, *argv) is not None


def test_a_record_is_found_from_a_subdirectory_and_in_cache_dir(root, tmp_path):
    argv = ("tests", "--output-format", "concise", "--jobs", "1")
    first = full(root, "../tests", *argv[1:], where=root / "scripts")
    assert replayed(root, "../tests", *argv[1:], where=root / "scripts") == first
    cache = tmp_path / "elsewhere"
    moved = ("--cache-dir", str(cache), *argv)
    first = full(root, *moved)
    assert list(cache.rglob("replay-*.bin"))
    assert replayed(root, *moved) == first


@pytest.mark.parametrize("extra", [
    ("--fix",), ("--diff",), ("--verbose",), ("--no-cache",), ("--add-noqa",), ("--show-files",),
    ("--output-file", "report.txt"), ("--write-baseline", "baseline.json"),
])
def test_commands_that_write_or_time_are_never_recorded(root, extra):
    full(root, "--jobs", "1", *extra)
    assert not records(root)
    assert replayed(root, "--jobs", "1", *extra) is None


def test_a_damaged_record_is_ignored(root):
    argv = ("--output-format", "json", "--jobs", "1")
    first = full(root, *argv)
    (record,) = records(root)
    data = record.read_bytes()
    for damaged in (data[:-1], data[:20], data[:-5] + bytes([data[-5] ^ 1]) + data[-4:], b""):
        record.write_bytes(damaged)
        assert replayed(root, *argv) is None
    assert full(root, *argv) == first  # the full command runs, and saves a good record again
    assert replayed(root, *argv) == first


def test_a_changed_baseline_stops_the_replay(root):
    assert full(root, "--write-baseline", "ssot-baseline.json", "--jobs", "1")[0] == 0
    settle()
    argv = ("--baseline", "ssot-baseline.json", "--output-format", "concise", "--jobs", "1")
    first = full(root, *argv)
    assert first[0] == 0 and replayed(root, *argv) == first
    baseline = root / "ssot-baseline.json"
    baseline.write_text(baseline.read_text(encoding="utf-8").replace("SSOT001", "SSOT004"), encoding="utf-8")
    assert replayed(root, *argv) is None
    assert full(root, *argv)[0] == 1


def test_the_key_holds_every_environment_variable_the_package_reads():
    """A new `os.environ.get("X")` anywhere in the package must be in replay.ENVIRONMENT (or a
    record made with another value of X would be replayed)."""
    read: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "environ" not in text and "getenv" not in text:
            continue
        for node in ast.walk(ast.parse(text)):
            target = None
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                function = ast.unparse(node.func)
                if function in ("os.environ.get", "os.getenv", "environ.get", "getenv"):
                    target = node.args[0].value
            elif isinstance(node, ast.Subscript) and ast.unparse(node.value) in ("os.environ", "environ"):
                if isinstance(node.slice, ast.Constant):
                    target = node.slice.value
            if target is not None:
                read.add(target)
    assert read and read <= set(replay.ENVIRONMENT), read - set(replay.ENVIRONMENT)


def test_the_executable_replays_without_importing_the_checker(root):
    argv = [sys.executable, "-X", "importtime", "-m", "flake8_ssot", "check", "--output-format", "json"]
    time.sleep(2.1)  # the racy window of a process of its own is the real one: the tree must be 2 s old
    first = subprocess.run(argv, cwd=root, capture_output=True)
    second = subprocess.run(argv, cwd=root, capture_output=True)

    def imported(run) -> set[str]:
        return {line.split("|")[-1].strip() for line in run.stderr.decode().splitlines() if "|" in line}

    assert "flake8_ssot.cli" in imported(first) and "flake8_ssot.cli" not in imported(second)
    assert "flake8_ssot.replay" in imported(second)
    assert (second.returncode, second.stdout) == (first.returncode, first.stdout) and first.returncode == 1

    def said(run) -> list[str]:
        return [line for line in run.stderr.decode().splitlines() if not line.startswith("import time:")]

    assert said(second) == said(first)


def test_the_code_stamp_covers_the_package():
    stamp = replay._code_stamp()
    stamped = {Path(item[0]).relative_to(SRC).as_posix() for item in stamp if len(item) == 3}
    assert {"replay.py", "cli/__init__.py", "rules/legacy_import.py", "checking/runstate.py"} <= stamped
    assert {"ast_grep_py", "pathspec"} <= {item[0] for item in stamp if len(item) == 4}


def test_a_failed_replay_spares_the_run_level_state_the_same_stats(root, monkeypatch):
    """The replay that found a file changed hands what it found to the run-level state, which
    then stats nothing again; the run takes the state's files (no discovery) and re-checks the
    changed one: the same output as a run without any cache."""
    argv = ("--output-format", "json", "--jobs", "1")
    full(root, *argv)
    test_runstate.fix_violation(root)
    assert replayed(root, *argv) is None
    stats: list[tuple] = []
    original = replay.changed_files

    def changed_files(*args, **kwargs):
        stats.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(test_runstate.runstate, "changed_files", changed_files)
    walks: list = []
    from flake8_ssot.checking import discovery

    monkeypatch.setattr(discovery, "discover", lambda *a, **k: walks.append(a) or original_discover(*a, **k))
    after = full(root, *argv)
    assert stats == [] and walks == [] and after == full(root, *argv, "--no-cache")
    # Another state (or the same one, rewritten since) is not judged by that replay.
    monkeypatch.setattr(replay, "_CHANGES", [])
    settle()
    full(root, *argv)
    test_runstate.add_deep_file(root)
    stats.clear()
    full(root, *argv)
    assert len(stats) == 1




def test_two_children_stat_and_signal_the_first_change(tmp_path, monkeypatch):
    """A replay on a large tree with two jobs leaves the stats to two forked processes, which
    signal the first change they find (the executable then imports the checker while they go
    on): the same answer as one process, and a signal exactly when the answer is not []."""
    files = []
    for index in range(40):
        path = tmp_path / f"module_{index}.py"
        path.write_text(f"x = {index}\n", encoding="utf-8")
        files.append(str(path))
    watched_file = tmp_path / "pyproject.toml"
    watched_file.write_text("[tool.ssot]\n", encoding="utf-8")
    stats = test_runstate.recorded_stats
    times, sizes = stats(files)
    status = os.stat(watched_file)
    watched = [[str(watched_file), status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino],
               [str(tmp_path / "setup.cfg")]]
    monkeypatch.setattr(replay, "MIN_FILES_TO_SPLIT", 2)
    children: list[int] = []
    original = replay._in_two_children
    monkeypatch.setattr(replay, "_in_two_children", lambda *a: children.append(1) or original(*a))

    def changed(watched=watched):
        signals: list[int] = []
        # as a replay holds it: decoded from its bytes, the names never split in this process
        record = replay.Record.decode(replay.Record(b"key", 0, files, times, sizes, watched, []).encode())
        found = replay.record_changes(record, 2, lambda: signals.append(os.getpid()))
        assert record._files is None
        assert found == replay.changed_files(files, times, sizes, watched, 1)
        assert signals in ([], [os.getpid()])  # at most once, in this process
        return found, bool(signals)

    assert changed() == ([], False)
    assert children  # the path under test was taken
    for number in (3, 33):  # one in each child's share
        before = os.stat(files[number])
        os.utime(files[number], ns=(before.st_atime_ns, before.st_mtime_ns + 1))
        assert changed() == ([number], True)
        times, sizes = stats(files)
    # A watched path that changed, or one that appeared, and a file gone: None, signalled.
    os.utime(watched_file, ns=(status.st_atime_ns, status.st_mtime_ns + 1))
    assert changed() == (None, True)
    assert changed(watched[1:]) == ([], False)
    (tmp_path / "setup.cfg").write_text("", encoding="utf-8")
    assert changed(watched[1:]) == (None, True)
    os.unlink(files[30])
    assert changed([]) == (None, True)


def test_newest_are_the_files_whose_status_changed_last():
    from array import array

    times = array("q", [value for ctime in (5, 9, 1, 9, 7, 3) for value in (0, ctime)])
    assert replay.newest(times, 2) == [1, 3]
    assert replay.newest(times, 3) == [1, 3, 4]
    assert replay.newest(times, 10) == [0, 1, 2, 3, 4, 5]
    ties = array("q", [0, 4] * 10)
    assert replay.newest(ties, 3) == [0, 1, 2, 3, 4, 5]  # ties included, up to twice as many


def test_a_failed_fork_stats_in_this_process(tmp_path, monkeypatch):
    files = [str(tmp_path / f"m{index}.py") for index in range(4)]
    for name in files:
        Path(name).write_text("x = 1\n", encoding="utf-8")
    times, sizes = test_runstate.recorded_stats(files)
    monkeypatch.setattr(replay, "MIN_FILES_TO_SPLIT", 2)
    forks = []

    def fork():
        forks.append(1)
        if len(forks) == 2:
            raise OSError("no more processes")
        return original_fork()

    original_fork = os.fork
    monkeypatch.setattr(os, "fork", fork)
    record = replay.Record(b"key", 0, files, times, sizes, [], [])
    assert replay.record_changes(record, 2, lambda: None) == []
    assert len(forks) >= 3  # two children (the second failed), then StatHelper's
    os.utime(files[1], ns=(0, 0))
    assert replay.record_changes(record, 2, lambda: None) == [1]
