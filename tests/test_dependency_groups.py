"""The files that hold a name, kept once per cache (#14): a check that asked who imports a name
it renames (`ProjectIndex.importer_of`) and heard "no module" depends on every file holding the
name. On the 10M-line benchmark tree `factory` is in 7,685 files and about 170 checks ask, so
listing those files in each entry made a 47 MB cache. They are one `MentionsDependency` per
name instead, whose files the cache keeps in its `groups` table and the run-level cache watches
one by one.

One tree (the seeds' retired websocket manager factory): three callers import
`create_websocket_manager` from the factory module and call it, so SSOT001 renames it, safely
while no other module takes the name from them; ten notes modules mention the name in
comments. Each scenario runs `ssot check` in-process with the cache and compares with
`--no-cache`.
"""

from __future__ import annotations

import json
import os
import textwrap
import time
from pathlib import Path

import pytest
import test_runstate
from projects import write
from test_runstate import RACY_NS, Spy, settle

from flake8_ssot import index
from flake8_ssot.checking import runstate
from flake8_ssot.index import MENTIONS

NAME = "create_websocket_manager"
GROUP = MENTIONS + NAME
CALLERS = ("session_open", "session_resume", "session_close")
NOTES = tuple(f"netra_backend/app/agents/notes/handoff_{number}.py" for number in range(10))

POLICY = """\
    [tool.ssot]
    src = ["."]

    [tool.ssot.legacy]
    "netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager" = "netra_backend.app.websocket_core.websocket_manager.get_websocket_manager"
    """

CALLER = '''\
    """Websocket sessions for the agent supervisor."""
    from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager


    async def {name}(user_context):
        manager = await create_websocket_manager(user_context)
        return manager
    '''

NOTE = '''\
    """Agent handoff step {number}."""
    # The supervisor used to open its socket through create_websocket_manager (retired in #1126).


    def handoff_{number}(state: dict) -> dict:
        return {{**state, "step": {number}}}
    '''

# A note that now takes the name from a caller: that caller's rename would break it.
IMPORTING = '''\
    """Agent handoff step 3."""
    from netra_backend.app.callers.session_open import create_websocket_manager


    async def handoff_3(user_context):
        return await create_websocket_manager(user_context)
    '''


def run(root: Path, *extra: str) -> tuple[int, str, str]:
    """`ssot check` in-process as a new process would run it: with no index remembered from
    the last run (a name's mention files were read by it)."""
    index._INDEXES.clear()
    return test_runstate.run(root, *extra)


def cached(root: Path, cache: Path) -> tuple[int, str, str]:
    return run(root, "--cache-dir", str(cache))


def reference(root: Path) -> tuple[int, str, str]:
    return run(root, "--no-cache")


def make_tree(root: Path) -> None:
    files = {
        "pyproject.toml": POLICY,
        "netra_backend/__init__.py": "",
        "netra_backend/app/__init__.py": "",
        "netra_backend/app/websocket_core/__init__.py": "",
        "netra_backend/app/websocket_core/websocket_manager.py": '''\
            """The canonical websocket manager."""


            async def get_websocket_manager(user_context):
                return {"user": user_context}
            ''',
        "netra_backend/app/websocket_core/websocket_manager_factory.py": '''\
            """Deprecated: use websocket_manager.get_websocket_manager."""
            from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager

            create_websocket_manager = get_websocket_manager
            ''',
        "netra_backend/app/callers/__init__.py": "",
        "netra_backend/app/agents/__init__.py": "",
        "netra_backend/app/agents/notes/__init__.py": "",
        "netra_backend/app/agents/thread_store.py": '''\
            """Thread persistence for the agent supervisor."""


            def save_thread(thread_id: str) -> str:
                return thread_id
            ''',
    }
    files.update({f"netra_backend/app/callers/{name}.py": CALLER.format(name=name) for name in CALLERS})
    files.update({note: NOTE.format(number=number) for number, note in enumerate(NOTES)})
    write(root, files)


def cache_document(cache: Path) -> dict:
    [path] = [p for p in cache.rglob("*.json")]
    return json.loads(path.read_text(encoding="utf-8"))


def caller_fixes(report: str) -> dict[str, str]:
    """caller file -> its SSOT001 fix's applicability."""
    found = {}
    for item in json.loads(report):
        if item["code"] == "SSOT001" and "/callers/" in item["filename"]:
            found[os.path.basename(item["filename"])] = item["fix"]["applicability"]
    return found


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.setattr(runstate, "RACY_NS", RACY_NS)
    root = tmp_path / "repo"
    make_tree(root)
    settle()
    cache = tmp_path / "cache"
    first = cached(root, cache)
    assert first == reference(root)
    return root, cache, first


def test_the_mention_files_are_kept_once_not_per_entry(tree):
    _, cache, first = tree
    assert caller_fixes(first[1]) == {f"{name}.py": "safe" for name in CALLERS}
    document = cache_document(cache)
    [(digest, files)] = [row for key, row in document["groups"].items() if key == GROUP]
    listed = [relative for relative, _, _ in files]
    assert len(listed) == len(set(listed))
    assert set(NOTES) <= set(listed)
    assert {f"netra_backend/app/callers/{name}.py" for name in CALLERS} <= set(listed)
    for name in CALLERS:
        dependencies = document["files"][f"netra_backend/app/callers/{name}.py"][6]
        assert [GROUP, digest, len(files)] in dependencies
        assert not any(relative in NOTES for relative, _, _ in dependencies)  # only in the table
    # No entry lists a note itself: each is in the document once, in the table.
    assert not [key for key, entry in document["files"].items() if len(entry) > 6
                for relative, _, _ in entry[6] if relative in NOTES]


def test_a_mention_that_starts_importing_the_name_makes_the_rename_unsafe(tree, monkeypatch):
    root, cache, _ = tree
    spy = Spy(monkeypatch)
    time.sleep(0.02)
    (root / NOTES[3]).write_text(textwrap.dedent(IMPORTING), encoding="utf-8")
    warm = cached(root, cache)
    assert not spy.last()
    assert warm == reference(root)
    assert caller_fixes(warm[1])["session_open.py"] == "unsafe"
    assert "'netra_backend.app.agents.notes.handoff_3' imports 'create_websocket_manager'" in warm[1]
    assert caller_fixes(warm[1])["session_resume.py"] == "safe"


def test_touching_a_file_that_holds_no_mention_changes_nothing(tree, monkeypatch):
    root, cache, first = tree
    spy = Spy(monkeypatch)
    time.sleep(0.02)
    with open(root / "netra_backend/app/agents/thread_store.py", "a", encoding="utf-8") as handle:
        handle.write("# reviewed\n")
    settle()
    warm = run(root, "--cache-dir", str(cache), "--verbose")
    assert not spy.last()  # a checked file changed: the per-file cache answers
    assert warm[:2] == first[:2]
    # Every file but the touched one came from the cache: the callers' groups still hold.
    checked = len([p for p in root.rglob("*.py")])
    assert f"({checked - 1} from the cache)" in warm[2]


def test_an_unchanged_tree_is_answered_by_the_run_level_cache(tree, monkeypatch):
    root, cache, first = tree
    spy = Spy(monkeypatch)
    again = cached(root, cache)
    assert spy.last() and again == first


def test_the_run_level_cache_watches_each_mention_file(tree, monkeypatch):
    """A run of the callers alone: the notes are no checked files, only the index read them."""
    root, cache, _ = tree
    spy = Spy(monkeypatch)
    callers = ("netra_backend/app/callers", "--cache-dir", str(cache))
    first = run(root, *callers)
    assert not spy.last() and caller_fixes(first[1])["session_open.py"] == "safe"
    assert run(root, *callers) == first and spy.last()
    time.sleep(0.02)
    (root / NOTES[3]).write_text(textwrap.dedent(IMPORTING), encoding="utf-8")
    warm = run(root, *callers)
    assert not spy.last()
    assert warm == run(root, "netra_backend/app/callers", "--no-cache")
    assert caller_fixes(warm[1])["session_open.py"] == "unsafe"


def test_an_entry_whose_group_is_missing_or_replaced_is_checked_again(tree, monkeypatch):
    """Another run may have replaced the group (a file of it changed), or the table may be
    damaged: the entries that refer to it are stale, never trusted without their files."""
    root, cache, first = tree
    [path] = list(cache.rglob("*.json"))
    document = json.loads(path.read_text(encoding="utf-8"))
    digest, files = document["groups"][GROUP]
    for damage in ({}, {GROUP: [digest + 1, files]}, {GROUP: [digest, files[1:]]}):
        document["groups"] = damage
        path.write_text(json.dumps(document), encoding="utf-8")
        for state in cache.rglob("run-*.bin"):  # past the run-level cache: no file changed
            state.unlink()
        warm = run(root, "--cache-dir", str(cache), "--verbose")
        assert warm[:2] == first[:2]
        checked = len(list(root.rglob("*.py")))
        assert f"({checked - len(CALLERS)} from the cache)" in warm[2], damage


# --------------------------------------------------------------------------- checking/mentions.py

def test_a_file_that_held_no_mention_and_starts_importing_the_name_makes_the_rename_unsafe(tree, monkeypatch):
    """Not among the group's files when the cache was written: the run that checks it adds it
    to the group, so the callers that depended on "no module imports it" are checked again."""
    root, cache, _ = tree
    time.sleep(0.02)
    (root / "netra_backend/app/agents/thread_store.py").write_text(textwrap.dedent(IMPORTING), encoding="utf-8")
    warm = cached(root, cache)
    assert warm == reference(root)
    assert caller_fixes(warm[1])["session_open.py"] == "unsafe"
    assert "netra_backend/app/agents/thread_store.py" in {
        relative for relative, _, _ in cache_document(cache)["groups"][GROUP][1]}


def test_a_small_run_reads_the_files_the_cache_knows_hold_the_name_not_the_whole_tree(tree, monkeypatch):
    from flake8_ssot.index import importers

    root, cache, first = tree
    read: list[list[str]] = []
    original = importers.Mentions.__init__

    def spy(self, name, files, roots):
        read.append(list(files))
        original(self, name, files, roots)

    monkeypatch.setattr(importers.Mentions, "__init__", spy)
    past = time.time() - 60
    for path in root.rglob("*.py"):  # entries written just after their files are re-read every
        os.utime(path, (past, past))  # run (the racy rule): make the files old, the entries sure
    cached(root, cache)
    read.clear()
    time.sleep(0.02)
    for name in CALLERS:  # the callers are checked again, and ask who imports the name
        with open(root / f"netra_backend/app/callers/{name}.py", "a", encoding="utf-8") as handle:
            handle.write("# reviewed\n")
    settle()  # the other entries are trusted on their stat (not re-read: not about to be checked)
    warm = cached(root, cache)
    assert warm[:2] == first[:2]
    [files] = read
    assert not any(path.endswith("thread_store.py") or path.endswith("websocket_manager.py") for path in files)
    assert {os.path.relpath(path, root) for path in files} >= set(NOTES)
    # Over part of the tree too (pre-commit names a few files): the group's files, the checked
    # ones, and those the cache has not seen as they are now; not the whole tree.
    read.clear()
    time.sleep(0.02)
    with open(root / "netra_backend/app/callers/session_open.py", "a", encoding="utf-8") as handle:
        handle.write("# again\n")
    part = run(root, "netra_backend/app/callers", "--cache-dir", str(cache))
    assert read and not any(path.endswith("thread_store.py") for files in read for path in files)
    assert part[:2] == run(root, "netra_backend/app/callers", "--no-cache")[:2]
    # A file outside the run that changed since the cache saw it is read: here it now takes
    # the name from a caller, so that caller's rename is unsafe, as without the cache.
    read.clear()
    time.sleep(0.02)
    (root / "netra_backend/app/agents/thread_store.py").write_text(textwrap.dedent(IMPORTING), encoding="utf-8")
    with open(root / "netra_backend/app/callers/session_open.py", "a", encoding="utf-8") as handle:
        handle.write("# and again\n")
    part = run(root, "netra_backend/app/callers", "--cache-dir", str(cache))
    assert any(path.endswith("thread_store.py") for files in read for path in files)
    assert part[:2] == run(root, "netra_backend/app/callers", "--no-cache")[:2]
    assert caller_fixes(part[1])["session_open.py"] == "unsafe"


def test_a_fix_that_writes_files_drops_the_groups(tree):
    """A fix may put a name in a file its group lacks: the next question reads the whole tree."""
    root, cache, _ = tree
    run(root, "--fix", "--cache-dir", str(cache))
    assert "get_websocket_manager" in (root / "netra_backend/app/callers/session_open.py").read_text(encoding="utf-8")
    assert GROUP not in cache_document(cache).get("groups", {})
    assert cached(root, cache) == reference(root)


# --------------------------------------------------------------------------- a changed file of a group

def _from_the_cache(report: tuple[int, str, str]) -> int:
    [line] = [line for line in report[2].splitlines() if "from the cache" in line]
    return int(line.split("(")[1].split()[0])


def test_an_edit_elsewhere_in_a_mention_file_sends_no_caller_back(tree, monkeypatch):
    """A note still only mentions the name: the callers' "no module takes it" holds, and only
    the note is checked again (before, every caller that asked was: #16)."""
    root, cache, first = tree
    checked = len(list(root.rglob("*.py")))
    time.sleep(0.02)
    with open(root / NOTES[2], "a", encoding="utf-8") as handle:
        handle.write("\n\ndef handoff_extra(state: dict) -> dict:\n    return state  # create_websocket_manager is gone\n")
    warm = run(root, "--cache-dir", str(cache), "--verbose")
    assert warm[:2] == first[:2] == reference(root)[:2]
    assert _from_the_cache(warm) == checked - 1
    # Then the note takes the name from a caller: that caller alone is checked again.
    time.sleep(0.02)
    (root / NOTES[2]).write_text(textwrap.dedent(IMPORTING).replace("handoff_3", "handoff_2"), encoding="utf-8")
    warm = run(root, "--cache-dir", str(cache), "--verbose")
    assert warm[:2] == reference(root)[:2]
    assert caller_fixes(warm[1]) == {"session_open.py": "unsafe", "session_resume.py": "safe", "session_close.py": "safe"}
    assert _from_the_cache(warm) == checked - 2


def test_a_caller_checked_again_moves_the_others_to_its_new_group(tree, monkeypatch):
    """A note edited and a caller edited in one run: the caller's check writes the group anew
    (new times); the other callers, found to hold, refer to the new row, so the next run takes
    them from the cache instead of proving them again."""
    root, cache, first = tree
    checked = len(list(root.rglob("*.py")))
    time.sleep(0.02)
    for path in (NOTES[5], "netra_backend/app/callers/session_resume.py"):
        with open(root / path, "a", encoding="utf-8") as handle:
            handle.write("# reviewed for the websocket migration\n")
    # Past the run-level state: a run after files changed in place proves the other callers
    # from it and leaves the per-file cache as it was (tests/test_changed_in_place.py); here
    # the per-file cache proves them.
    for state in cache.rglob("run-*.bin"):
        state.unlink()
    warm = run(root, "--cache-dir", str(cache), "--verbose")
    assert warm[:2] == first[:2] == reference(root)[:2]
    assert _from_the_cache(warm) == checked - 2
    document = cache_document(cache)
    digest = document["groups"][GROUP][0]
    for name in CALLERS:
        assert [GROUP, digest, len(document["groups"][GROUP][1])] in document["files"][f"netra_backend/app/callers/{name}.py"][6]
    from flake8_ssot.index import importers

    asked: list[str] = []
    original = importers.takes_from
    monkeypatch.setattr(importers, "takes_from", lambda *args: asked.append(args[1]) or original(*args))
    settle()
    for state in cache.rglob("run-*.bin"):  # past the run-level cache
        state.unlink()
    again = run(root, "--cache-dir", str(cache), "--verbose")
    assert again[:2] == first[:2]
    assert _from_the_cache(again) == checked
    assert asked == []  # nothing to prove: the entries refer to the row of the files as they are
