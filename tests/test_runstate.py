"""The run-level cache (runstate.py): a warm run that reuses the last run's results when
nothing it looked at changed must report exactly what a run without any cache reports.

Every scenario runs `ssot check` in-process three ways on the same tree: with the cache
(which may take the run-level shortcut), and with `--no-cache` (the reference), and checks
which path the cached run took. The racy window is shortened from 2 s to 50 ms so that the
tests need not sleep for seconds; a change is still always a later clock tick than the
recorded times (a coarse kernel clock ticks at least every 10 ms).
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from flake8_ssot import cli, replay
from flake8_ssot.checking import runstate
from flake8_ssot.config import clear_caches

RACY_NS = 50_000_000

POLICY = textwrap.dedent("""\
    [tool.ssot]
    src = ["src"]
    exclude = ["src/netra_backend/generated/**"]

    [tool.ssot.legacy]
    "netra_backend.app.websocket_core.factory" = "netra_backend.app.websocket_core.canonical_imports"

    [tool.ssot.factories."netra_backend.app.services.user_execution_context.UserExecutionContext"]
    use = "netra_backend.app.services.user_execution_context.create_defensive_user_execution_context"
    """)

LEGACY = textwrap.dedent('''\
    """Supervisor wiring for the agent websocket bridge."""

    from netra_backend.app.websocket_core.factory import create_websocket_manager


    def bridge(user_id: str):
        return create_websocket_manager(user_id)
    ''')

CLEAN = textwrap.dedent('''\
    """Thread persistence for the agent supervisor."""

    import logging

    logger = logging.getLogger(__name__)


    def save_thread(thread_id: str) -> str:
        logger.info("saving %s", thread_id)
        return thread_id
    ''')

FACTORY = textwrap.dedent('''\
    from netra_backend.app.services.user_execution_context import UserExecutionContext


    def context_for(user_id: str):
        return UserExecutionContext(user_id=user_id)
    ''')

BROKEN = "def handler(:\n    from netra_backend.app.websocket_core.factory import x\n"


def make_tree(root: Path) -> None:
    files = {
        "pyproject.toml": POLICY,
        ".gitignore": "*.log\nbuild_output/\n",
        "src/netra_backend/__init__.py": "",
        "src/netra_backend/app/__init__.py": "",
        "src/netra_backend/app/agents/__init__.py": "",
        "src/netra_backend/app/agents/supervisor/bridge.py": LEGACY,
        "src/netra_backend/app/agents/supervisor/threads.py": CLEAN,
        "src/netra_backend/app/services/context_user.py": FACTORY,
        "src/netra_backend/app/db/deep/deeper/models.py": CLEAN,
        "src/netra_backend/generated/stub.py": LEGACY,  # excluded by the configuration
        "tests/unit/test_bridge.py": LEGACY,
        "tests/unit/test_threads.py": CLEAN,
        "scripts/broken.py": BROKEN,
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def racy(monkeypatch):
    monkeypatch.setattr(runstate, "RACY_NS", RACY_NS)


def run(root: Path, *extra: str) -> tuple[int, str, str]:
    """`ssot check` in-process, from `root`; (exit code, JSON report, standard error)."""
    clear_caches()  # each command is a new process: no configuration remembered in between
    out = root.parent / "report.json"
    if out.exists():
        out.unlink()
    previous = os.getcwd()
    os.chdir(root)
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors):
            code = cli.main([
                "check", *extra, "--output-format", "json", "--output-file", str(out), "--jobs", "1",
            ])
    finally:
        os.chdir(previous)
    return code, out.read_text(encoding="utf-8") if out.exists() else "", errors.getvalue()


class Spy:
    """Records whether each run answered from the run-level cache."""

    def __init__(self, monkeypatch) -> None:
        self.answers: list[bool] = []
        original = runstate.RunState.answer

        def answer(state):
            result = original(state)
            self.answers.append(result is not None)
            return result

        monkeypatch.setattr(runstate.RunState, "answer", answer)

    def last(self) -> bool:
        return self.answers[-1]


def settle() -> None:
    time.sleep(2 * RACY_NS / 1e9)


def cached(root: Path, cache: Path) -> tuple[int, str, str]:
    return run(root, "--cache-dir", str(cache))


def reference(root: Path) -> tuple[int, str, str]:
    return run(root, "--no-cache")


def state_files(cache: Path) -> list[Path]:
    return sorted(cache.rglob("run-*.bin"))


def test_unchanged_tree_is_answered_by_the_run_level_cache(tmp_path, monkeypatch, racy):
    root = tmp_path / "repo"
    make_tree(root)
    cache = tmp_path / "cache"
    spy = Spy(monkeypatch)
    settle()
    first = cached(root, cache)
    assert not spy.last() and len(state_files(cache)) == 1
    second = cached(root, cache)
    assert spy.last()
    assert first == second == reference(root)
    assert '"SSOT001"' in first[1] and '"SSOT002"' in first[1] and first[0] == 1


def test_a_file_that_does_not_decode_is_answered_too(tmp_path, monkeypatch, racy):
    """Its error line depends on its bytes alone (the stat says when they change); an
    unreadable file would still be retried every run."""
    root = tmp_path / "repo"
    make_tree(root)
    (root / "scripts/latin.py").write_bytes(b"# -*- coding: utf-8 -*-\nNAME = '\xe9t\xe9'\n")
    cache = tmp_path / "cache"
    spy = Spy(monkeypatch)
    settle()
    first = cached(root, cache)
    assert first[0] == 1 and "scripts/latin.py" in first[2] and "decode" in first[2]
    assert cached(root, cache) == first == reference(root) and spy.last()
    (root / "scripts/latin.py").write_bytes(b"NAME = 'ete'\n")
    after = cached(root, cache)
    assert not spy.last() and after == reference(root) and "latin.py" not in after[2]


def test_nothing_is_saved_while_a_file_is_racy(tmp_path, monkeypatch):
    """With the real 2 s window, a tree written just now gives no run-level state."""
    root = tmp_path / "repo"
    make_tree(root)
    cache = tmp_path / "cache"
    spy = Spy(monkeypatch)
    cached(root, cache)
    assert state_files(cache) == []
    assert cached(root, cache) == reference(root) and not spy.last()


def test_a_checked_file_that_is_racy_is_saved_smudged(tmp_path, monkeypatch):
    """A file edited in place just before the run (its directory untouched, older than the
    window): its stat proves nothing yet, so the state records a size no file has for it
    (every other file's stat holds), and the next run sees it changed whatever its stat."""
    monkeypatch.setattr(runstate, "RACY_NS", 500_000_000)
    root = tmp_path / "repo"
    make_tree(root)
    cache = tmp_path / "cache"
    time.sleep(1.0)
    fix_violation(root)  # in place: no directory changes
    spy = Spy(monkeypatch)
    first = cached(root, cache)
    (saved,) = state_files(cache)
    assert struct.pack("<Q", runstate.SMUDGED) in saved.read_bytes()
    second = cached(root, cache)
    assert not spy.last()  # (this module's spy: the state answered nothing, a file changed)
    assert first == second == reference(root)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def add_deep_file(root: Path) -> None:
    _write(root / "src/netra_backend/app/db/deep/deeper/new_module.py", LEGACY)


def add_subdirectory(root: Path) -> None:
    _write(root / "src/netra_backend/app/agents/supervisor/fresh/handlers.py", LEGACY)


def add_empty_subdirectory_then_file(root: Path) -> None:
    (root / "src/netra_backend/app/empty").mkdir(parents=True, exist_ok=True)
    _write(root / "src/netra_backend/app/empty/late.py", FACTORY)


def delete_file(root: Path) -> None:
    (root / "tests/unit/test_bridge.py").unlink()


def rename_file(root: Path) -> None:
    os.rename(root / "src/netra_backend/app/agents/supervisor/bridge.py",
              root / "src/netra_backend/app/agents/supervisor/bridge_v2.py")


def rename_over(root: Path) -> None:
    """A clean file replaced by a renamed one with its modification time: the inode and size tell."""
    a = root / "tests/unit/test_threads.py"
    b = root / "tests/unit/test_other.py"
    b.write_text(LEGACY.replace("create_websocket_manager(user_id)", "create_websocket_manager(uid)"), "utf-8")
    stat = a.stat()
    os.utime(b, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(b, a)


def rename_to_other_directory(root: Path) -> None:
    os.rename(root / "tests/unit/test_bridge.py", root / "src/netra_backend/app/db/test_bridge.py")


def rename_directory(root: Path) -> None:
    os.rename(root / "src/netra_backend/app/db/deep", root / "src/netra_backend/app/db/build_output")


def edit_gitignore(root: Path) -> None:
    with open(root / ".gitignore", "a", encoding="utf-8") as handle:
        handle.write("tests/unit/test_bridge.py\n")


def new_nested_gitignore(root: Path) -> None:
    _write(root / "src/netra_backend/app/agents/.gitignore", "supervisor/\n")


def gitignore_in_ancestor_repository(root: Path) -> None:
    """A `.git` appears above the root: the ancestors' .gitignore files now apply."""
    (root.parent / ".git").mkdir(exist_ok=True)
    _write(root.parent / ".gitignore", "repo/scripts/\n")


def git_info_exclude(root: Path) -> None:
    _write(root / ".git/info/exclude", "tests/\n")


def change_exclude(root: Path) -> None:
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    (root / "pyproject.toml").write_text(text.replace('"src/netra_backend/generated/**"', '"tests/**"'), "utf-8")


def nested_configuration(root: Path) -> None:
    _write(root / "tests/pyproject.toml", POLICY.replace('"src/netra_backend/generated/**"', '"unit/test_bridge.py"'))


def touch_same_content(root: Path) -> None:
    path = root / "tests/unit/test_threads.py"
    path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")


def same_size_same_mtime(root: Path) -> None:
    """New content of the same size (the legacy import gone), and the old modification time put back."""
    path = root / "src/netra_backend/app/agents/supervisor/bridge.py"
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    new = text.replace(".factory import", ".factorx import")
    assert new != text and len(new) == len(text)
    path.write_text(new, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def fix_violation(root: Path) -> None:
    path = root / "tests/unit/test_bridge.py"
    path.write_text(path.read_text(encoding="utf-8").replace(".factory import", ".canonical_imports import"), "utf-8")


def break_file(root: Path) -> None:
    _write(root / "tests/unit/test_threads.py", BROKEN)


def unreadable_directory(root: Path) -> None:
    os.chmod(root / "src/netra_backend/app/db", 0)


MUTATIONS = [
    add_deep_file, add_subdirectory, add_empty_subdirectory_then_file, delete_file, rename_file, rename_over,
    rename_to_other_directory, rename_directory, edit_gitignore, new_nested_gitignore,
    gitignore_in_ancestor_repository, git_info_exclude, change_exclude, nested_configuration,
    touch_same_content, same_size_same_mtime, fix_violation, break_file,
]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.__name__)
def test_each_change_is_seen(tmp_path, monkeypatch, racy, mutation):
    root = tmp_path / "repo"
    make_tree(root)
    (root / ".git").mkdir()  # a repository, so .git/info/exclude applies
    cache = tmp_path / "cache"
    spy = Spy(monkeypatch)
    settle()
    before = cached(root, cache)
    assert cached(root, cache) == before and spy.last()
    mutation(root)
    after = cached(root, cache)
    assert not spy.last(), "the change must send the run down the full path"
    assert after == reference(root)
    settle()
    # Saves the state again, now that nothing is racy. Whether `after` saved one already
    # depends on how long it ran past the change (more than the 50 ms window on a loaded CI
    # machine): which path `again` takes is timing, not behaviour (test_nothing_is_saved_while_
    # a_file_is_racy pins the rule itself); its answer is not.
    again = cached(root, cache)
    assert again == after
    assert cached(root, cache) == after and spy.last()


def test_a_tree_whose_results_change_is_never_answered_stale(tmp_path, monkeypatch, racy):
    """The results matter, not only the answer: the slow path's figures after each step."""
    root = tmp_path / "repo"
    make_tree(root)
    cache = tmp_path / "cache"
    settle()
    before = cached(root, cache)
    fix_violation(root)
    after = cached(root, cache)
    assert after[1].count('"SSOT001"') == before[1].count('"SSOT001"') - 1
    assert after == reference(root)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can list a directory without permissions")
def test_an_unreadable_directory_saves_no_state(tmp_path, monkeypatch, racy):
    root = tmp_path / "repo"
    make_tree(root)
    cache = tmp_path / "cache"
    settle()
    unreadable_directory(root)
    try:
        cached(root, cache)
        assert state_files(cache) == []
    finally:
        os.chmod(root / "src/netra_backend/app/db", 0o755)


def test_a_damaged_state_file_is_ignored(tmp_path, monkeypatch, racy):
    root = tmp_path / "repo"
    make_tree(root)
    cache = tmp_path / "cache"
    spy = Spy(monkeypatch)
    settle()
    expected = cached(root, cache)
    (state,) = state_files(cache)
    data = bytearray(state.read_bytes())
    for position in (0, 12, len(data) // 2, len(data) - 1):
        damaged = bytearray(data)
        damaged[position] ^= 0x01
        state.write_bytes(bytes(damaged))
        assert cached(root, cache) == expected and not spy.last()
        state.write_bytes(bytes(data))
    state.write_bytes(bytes(data[: len(data) // 3]))
    assert cached(root, cache) == expected and not spy.last()


def test_paths_and_options_are_part_of_the_key(tmp_path, monkeypatch, racy):
    root = tmp_path / "repo"
    make_tree(root)
    cache = tmp_path / "cache"
    spy = Spy(monkeypatch)
    settle()
    whole = cached(root, cache)
    part = run(root, "tests", "--cache-dir", str(cache))
    assert not spy.last() and part == run(root, "tests", "--no-cache")
    selected = run(root, "--select", "SSOT002", "--cache-dir", str(cache))
    assert not spy.last() and selected == run(root, "--select", "SSOT002", "--no-cache")
    assert cached(root, cache) == whole and spy.last()
    assert run(root, "tests", "--cache-dir", str(cache)) == part and spy.last()


def test_a_named_file_that_is_excluded_is_still_watched(tmp_path, monkeypatch, racy):
    """`--force-exclude` skips a named file; deleting it must still be reported as missing."""
    root = tmp_path / "repo"
    make_tree(root)
    cache = tmp_path / "cache"
    spy = Spy(monkeypatch)
    named = ("src/netra_backend/generated/stub.py", "tests", "--force-exclude")
    settle()
    first = run(root, *named, "--cache-dir", str(cache))
    assert run(root, *named, "--cache-dir", str(cache)) == first and spy.last()
    (root / "src/netra_backend/generated/stub.py").unlink()
    after = run(root, *named, "--cache-dir", str(cache))
    assert not spy.last() and after == run(root, *named, "--no-cache")
    assert "no such file" in after[2]


def test_old_states_are_pruned(tmp_path, monkeypatch, racy):
    root = tmp_path / "repo"
    make_tree(root)
    cache = tmp_path / "cache"
    monkeypatch.setattr(runstate, "MAX_STATES", 3)
    settle()
    commands = [("tests",), ("scripts",), ("src",), ("tests", "scripts"), (".",)]
    for paths in commands:
        run(root, *paths, "--cache-dir", str(cache))
        assert len(state_files(cache)) <= 3
    spy = Spy(monkeypatch)
    assert run(root, ".", "--cache-dir", str(cache)) == run(root, ".", "--no-cache") and spy.answers == [True]
    run(root, "tests", "--cache-dir", str(cache))
    assert spy.answers == [True, False]  # its state was among the oldest, pruned


def recorded_stats(files):
    """The (mtime, ctime) and (size, inode) arrays a run-level state or replay record keeps."""
    from array import array

    times, sizes = array("q"), array("Q")
    for name in files:
        status = os.stat(name)
        times.extend((status.st_mtime_ns, status.st_ctime_ns))
        sizes.extend((status.st_size, status.st_ino))
    return times, sizes


def test_fork_split_agrees_with_one_process(tmp_path, monkeypatch):
    files = []
    for index in range(40):
        path = tmp_path / f"module_{index}.py"
        path.write_text(f"x = {index}\n", encoding="utf-8")
        files.append(str(path))
    times, sizes = recorded_stats(files)
    monkeypatch.setattr(replay, "MIN_FILES_TO_SPLIT", 2)

    def changed(jobs):  # how RunState.answer and a replay split the stats
        return replay.changed_files(files, times, sizes, [], jobs)

    assert changed(2) == changed(1) == []
    statuses = {number: os.stat(files[number]) for number in (0, 19, 39)}
    for number, status in statuses.items():  # in each half, and a second at once
        os.utime(files[number], ns=(status.st_atime_ns, status.st_mtime_ns + 1))
    assert changed(2) == changed(1) == [0, 19, 39]  # (setting the times back changes ctime: still changed)
    os.unlink(files[20])
    assert changed(2) is None and changed(1) is None


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=4))
def test_sequences_of_changes(tmp_path_factory, steps):
    """Any sequence of changes, with and without a pause long enough to save a state: the
    cached run always equals the run without a cache."""
    base = tmp_path_factory.mktemp("sequence")
    root = base / "repo"
    make_tree(root)
    (root / ".git").mkdir()
    cache = base / "cache"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runstate, "RACY_NS", RACY_NS)
        settle()
        cached(root, cache)
        for number, step in enumerate(steps):
            try:
                step(root)
            except (OSError, AssertionError):
                continue  # the step's file is gone or changed already
            if number % 2:
                settle()
            assert cached(root, cache) == reference(root)
            assert cached(root, cache) == reference(root)


# --------------------------------------------------------------------------- a crafted state file


def _rewrite_state(state: Path, change) -> None:
    """Decode a state file, let `change(header, files, times, sizes)` edit it, encode it with a
    valid checksum: what someone who can write the cache directory could leave there."""
    import marshal
    import struct
    import zlib
    from array import array

    data = state.read_bytes()
    body = len(runstate.MAGIC) + runstate._HEAD.size
    _, header_length = runstate._HEAD.unpack_from(data, len(runstate.MAGIC))
    header = marshal.loads(data[body:body + header_length])
    offset = body + header_length
    files = data[offset:offset + header["names"]].decode("utf-8").split("\0")
    offset += header["names"]
    count = header["count"]
    times, sizes = array("q"), array("Q")
    times.frombytes(data[offset:offset + 16 * count])
    sizes.frombytes(data[offset + 16 * count:offset + 32 * count])
    change(header, files, times, sizes)
    names = "\0".join(files).encode("utf-8")
    header["names"], header["count"] = len(names), len(files)
    encoded = marshal.dumps(header)
    rest = struct.pack("<Q", len(encoded)) + encoded + names + times.tobytes() + sizes.tobytes()
    state.write_bytes(runstate.MAGIC + struct.pack("<I", zlib.crc32(rest)) + rest)


@pytest.mark.parametrize("spelled", ["repo/../outside/secret.py", "outside/secret.py"])
def test_a_state_naming_a_file_outside_the_checked_paths_is_not_trusted(tmp_path, monkeypatch, racy, spelled):
    root = tmp_path / "repo"
    make_tree(root)
    secret = tmp_path / "outside" / "secret.py"
    secret.parent.mkdir()
    secret.write_text("TOKEN = 'hunter2'\n", encoding="utf-8")
    cache = tmp_path / "cache"
    spy = Spy(monkeypatch)
    settle()
    expected = cached(root, cache)
    (state,) = state_files(cache)

    def point_at_the_secret(header, files, times, sizes):
        position = header["results"][0][0]  # a file with something to report
        status = os.stat(secret)
        files[position] = str(tmp_path / spelled)
        times[2 * position:2 * position + 2] = runstate.array("q", [status.st_mtime_ns, status.st_ctime_ns])
        sizes[2 * position:2 * position + 2] = runstate.array("Q", [status.st_size, status.st_ino])

    _rewrite_state(state, point_at_the_secret)
    code, report, errors = cached(root, cache)
    assert not spy.last()
    assert (code, report, errors) == expected
    assert "secret" not in report and "hunter2" not in report + errors
    for mode in ("full", "concise"):  # the reporters that quote source lines
        _rewrite_state(state_files(cache)[0], point_at_the_secret)
        clear_caches()
        previous, out = os.getcwd(), io.StringIO()
        os.chdir(root)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                cli.main(["check", "--cache-dir", str(cache), "--output-format", mode, "--jobs", "1"])
        finally:
            os.chdir(previous)
        assert "hunter2" not in out.getvalue() and "secret.py" not in out.getvalue()


def test_a_state_naming_a_configuration_outside_the_project_is_not_trusted(tmp_path, monkeypatch, racy):
    root = tmp_path / "repo"
    make_tree(root)
    elsewhere = tmp_path / "elsewhere" / "deeper"
    elsewhere.mkdir(parents=True)
    (elsewhere / "pyproject.toml").write_text('[tool.ssot.legacy]\n"a.b" = "a.c"\n', encoding="utf-8")
    cache = tmp_path / "cache"
    spy = Spy(monkeypatch)
    settle()
    expected = cached(root, cache)
    (state,) = state_files(cache)
    _rewrite_state(state, lambda header, *_: header["configs"].append(str(elsewhere / "pyproject.toml")))
    assert cached(root, cache) == expected
    assert not spy.last()


PARTS = st.sampled_from(["repo", "src", "app", ".git", "..", ".", "", "a.py", "repo2", "/", "\0", "r\u00e9po", "x y"])


@settings(max_examples=300, deadline=None)
@example(given_path=["repo"], paths=[["repo2"], ["src", "a.py"]], absolute=[False, True])
@example(given_path=["repo"], paths=[["repo", "a.py"], ["a.py"]], absolute=[False, True])
@given(given_path=st.lists(PARTS, min_size=1, max_size=3), paths=st.lists(st.lists(PARTS, max_size=5), max_size=5),
       absolute=st.lists(st.booleans(), max_size=5))
def test_the_joined_names_test_never_trusts_what_the_test_of_each_path_would_not(given_path, paths, absolute):
    """runstate._all_normalised_below searches the state's NUL-joined names instead of testing
    each path: whenever it says yes, each path is normalised and under the command's path."""
    given = "/" + "/".join(given_path)
    # most paths under the given one, as a state's are
    files = [(given + "/" if first else "/" if len(parts) % 2 else "") + "/".join(parts)
             for parts, first in zip(paths, absolute + [True] * 5)]
    if not files or any("\0" in path for path in files):
        return
    if runstate._all_normalised_below("\0".join(files), len(files), [given]):
        below = given.rstrip("/") + "/"
        assert all(os.path.normpath(path) == path and (path.startswith(below) or path == given) for path in files)
        assert os.path.normpath(given) == given or given.endswith("/")


def test_an_edited_checker_never_answers_from_its_predecessors_caches(tmp_path, monkeypatch, racy):
    """The run-level state and the per-file cache are keyed by the package's code
    (`replay.code_identity`): after an edit of the checker (an editable install, a development
    tree) the tool's version is the same, but neither cache answers with what the code before
    it found."""
    root = tmp_path / "repo"
    make_tree(root)
    cache = tmp_path / "cache"
    spy = Spy(monkeypatch)
    settle()
    first = cached(root, cache)
    assert cached(root, cache) == first and spy.last()
    per_file = sorted(cache.rglob("*.json"))
    monkeypatch.setattr(replay, "_IDENTITY", "0" * 16)  # as if a module of the package had changed
    assert cached(root, cache) == first and not spy.last()
    assert len(state_files(cache)) == 2 and len(sorted(cache.rglob("*.json"))) == len(per_file) + 1


def test_the_per_file_caches_of_older_code_are_pruned(tmp_path, monkeypatch, racy):
    from flake8_ssot.checking import cache as per_file_cache

    root = tmp_path / "repo"
    make_tree(root)
    cache = tmp_path / "cache"
    monkeypatch.setattr(per_file_cache, "MAX_CACHES", 3)
    for number in range(5):
        monkeypatch.setattr(replay, "_IDENTITY", f"{number:016x}")  # an edited checker each time
        cached(root, cache)
        time.sleep(0.01)  # (distinct modification times)
    assert len(sorted(cache.rglob("*.json"))) == 3
