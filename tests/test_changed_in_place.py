"""A run after files changed in place (an edit, a save, `git checkout` of the same files) takes
the run-level state's files and stats instead of discovering and stat'ing the tree again
(checking/runstate.py, `Changed`), and checks through the per-file cache as a full run does.
Its report must be exactly that of a run without any cache, whatever the edits change in
other files' findings: the names a factory class is renamed to (every file may spell one),
a module other files import from, the files that import a name a fix would move, a file
that stops or starts parsing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import test_runstate
from test_runstate import cached, reference, settle

from flake8_ssot.checking import cache as per_file_cache
from flake8_ssot.checking import discovery
from flake8_ssot.checking import runner as checking_runner
from flake8_ssot.checking import runstate

POLICY = """\
[tool.ssot]
src = ["src"]

[tool.ssot.legacy]
"app.ws.factory.create_websocket_manager" = "app.ws.manager.get_websocket_manager"

[tool.ssot.factories]
"app.models.context.UserExecutionContext" = { use = "app.models.context.Other" }
"""

# Each edited file's variants: the first is the tree's start.
EDITS = {
    # the renamed names: `New` becomes a name of the factory class, which 12 callers call
    "src/app/n.py": [
        "from app.models.context import Other\n\nNew = Other\n",
        "from app.models.context import UserExecutionContext\n\nNew = UserExecutionContext\n",
    ],
    # a module its importers' findings depend on (its summary is read)
    "src/app/context.py": [
        "from app.models.context import UserExecutionContext\n\nContext = UserExecutionContext\n",
        "from app.models.context import Other\n\nContext = Other\n",
        "from app.models.context import UserExecutionContext\n\nContext = UserExecutionContext\ndef broken(:\n",
    ],
    # a legacy import, and a file that takes the name from it (the fix would move it)
    "src/app/bridge.py": [
        '"""Websocket bridge."""\n\nfrom app.ws.factory import create_websocket_manager\n\n\n'
        "def bridge(user_id):\n    return create_websocket_manager(user_id)\n",
        '"""Websocket bridge."""\n\nfrom app.ws.manager import get_websocket_manager\n\n\n'
        "def bridge(user_id):\n    return get_websocket_manager(user_id)\n",
    ],
    "src/app/user.py": [
        '"""Users."""\n\n# the factory hands out one manager per user\n',
        '"""Users."""\n\nfrom app.bridge import create_websocket_manager\n\n\ndef user(u):\n'
        "    return create_websocket_manager(u)\n",
        '"""Users."""\n\ndef user(:\n    from app.ws.factory import create_websocket_manager\n',
        # reads the name through the module (`bridge.create_websocket_manager`): takes it too
        '"""Users."""\n\nfrom app import bridge\n\n\ndef user(u):\n    return bridge.create_websocket_manager(u)\n',
    ],
    # a caller that constructs directly, or not at all
    "src/app/tests/test_0.py": [
        "from app.context import Context\nfrom app.n import New\n\n\ndef test_0():\n    return Context(), New()\n",
        "from app.models.context import UserExecutionContext\n\n\ndef test_0():\n    return UserExecutionContext()\n",
        "# no construction here any more\n",
        # the first's size (an edit at once after another may keep it), another finding
        "from app.context import Context\nfrom app.n import New\n\n\ndef test_0():\n    return (Context, New())\n",
    ],
}


def make_tree(root: Path) -> None:
    files = {
        "pyproject.toml": POLICY,
        "src/app/__init__.py": "",
        "src/app/ws/__init__.py": "",
        "src/app/ws/manager.py": "def get_websocket_manager(user_id):\n    return user_id\n",
        "src/app/ws/factory.py": "from app.ws.manager import get_websocket_manager as create_websocket_manager\n",
        "src/app/models/__init__.py": "",
        "src/app/models/context.py": "class UserExecutionContext:\n    pass\n\n\nclass Other:\n    pass\n",
        "src/app/tests/__init__.py": "",
    }
    files.update({name: variants[0] for name, variants in EDITS.items()})
    for n in range(1, 66):  # a run of at least checking.renamed.MIN_FILES files computes the names
        name, module = ("Context", "context") if n % 3 else ("New", "n")
        files[f"src/app/tests/test_{n}.py"] = (
            f"from app.{module} import {name}\nfrom app.models.context import UserExecutionContext\n\n\n"
            f"def test_{n}():\n    return {name}(), UserExecutionContext\n")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _short_window(patch) -> None:
    """The racy window of both caches shortened to test_runstate's 50 ms (`settle` waits it out),
    so that per-file entries and states are trusted within a test."""
    patch.setattr(runstate, "RACY_NS", test_runstate.RACY_NS)
    patch.setattr(per_file_cache, "RACY_NS", test_runstate.RACY_NS)


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """(root, cache directory) of a fresh tree, with the short racy window."""
    _short_window(monkeypatch)
    make_tree(tmp_path / "repo")
    return tmp_path / "repo", tmp_path / "cache"


class Paths:
    """Which way each cached run went: the state's files (True) or discovery (False)."""

    def __init__(self, monkeypatch) -> None:
        self.taken: list[bool] = []
        original_answer, original_discover = runstate.RunState.answer, discovery.discover

        def answer(state):
            self.taken.append(True)
            return original_answer(state)

        def discover(*args, **kwargs):
            if kwargs.get("walked") is not None:  # the run's own discovery (not the warnings')
                self.taken[-1] = False
            return original_discover(*args, **kwargs)

        monkeypatch.setattr(runstate.RunState, "answer", answer)
        monkeypatch.setattr(discovery, "discover", discover)


def _edit(root: Path, name: str, variant: int) -> None:
    (root / name).write_text(EDITS[name][variant % len(EDITS[name])], encoding="utf-8")


# How the run follows the edit: once its stat is settled (the state saved after it holds the
# file's stat), at once (within the racy window: the state is saved with the file smudged, and
# the next edit may keep its size: test_0.py's last variant), or after a touch instead of an
# edit (new times, the same content: the per-file cache confirms its entry by the digest).
HOW = ["settled", "at once", "touched"]
STEPS = st.lists(st.tuples(st.sampled_from(sorted(EDITS)), st.integers(0, 3), st.sampled_from(HOW)),
                 min_size=1, max_size=4)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_edits_in_place_report_what_a_run_without_a_cache_reports(tmp_path_factory, steps):
    base = tmp_path_factory.mktemp("edits")
    root, cache = base / "repo", base / "cache"
    make_tree(root)
    with pytest.MonkeyPatch.context() as patch:
        _short_window(patch)
        paths = Paths(patch)
        settle()
        cached(root, cache)
        for name, variant, how in steps:
            if how == "touched":
                os.utime(root / name)
            else:
                _edit(root, name, variant)
            if how != "at once":
                settle()  # the last run's state was saved: this run takes its files
            assert cached(root, cache) == reference(root)
        assert paths.taken[1:] == [True] * len(steps) or not any(
            (root / name).read_text() != EDITS[name][0] for name, _, _ in steps)


def test_each_kind_of_edit_changes_the_findings_and_takes_the_state_files(tree, monkeypatch):
    """Each edit changes what some other file reports (else the property above proves little),
    and each run after one takes the state's files."""
    root, cache = tree
    paths = Paths(monkeypatch)
    settle()
    before = cached(root, cache)
    for name, variant in [("src/app/n.py", 1), ("src/app/context.py", 1), ("src/app/user.py", 1),
                          ("src/app/context.py", 2), ("src/app/tests/test_0.py", 2), ("src/app/bridge.py", 1)]:
        _edit(root, name, variant)
        settle()
        after = cached(root, cache)
        assert after == reference(root)
        assert after != before, name
        before = after
    assert paths.taken == [False] + [True] * 6


LATER = ("from app.vendored.names import Later\nfrom app.models.context import UserExecutionContext\n\n\n"
         "def test_later():\n    return Later(), UserExecutionContext\n")


@pytest.mark.parametrize("how", ["edited", "added"])
def test_an_excluded_file_that_starts_renaming_the_class_stops_the_shortcut(tree, how):
    """The names a factory class has under other names come from every file under `src`,
    excluded ones too: a vendored module that starts binding the class to a name a checked
    file calls changes that file's findings, though no checked file, listed directory or
    configuration changed (the run-level cache and the replay once answered from before)."""
    root, cache = tree
    policy = root / "pyproject.toml"
    policy.write_text(policy.read_text().replace('src = ["src"]', 'src = ["src"]\nexclude = ["src/app/vendored/**"]'))
    vendored = root / "src/app/vendored"
    vendored.mkdir()
    (vendored / "__init__.py").write_text("")
    renaming = "from app.models.context import UserExecutionContext\n\nLater = UserExecutionContext\n"
    if how == "edited":
        (vendored / "names.py").write_text("from app.models.context import Other\n\nLater = Other\n")
        (root / "src/app/tests/test_later.py").write_text(LATER)
    else:
        # A module that appears in a directory discovery never lists (excluded), imported by a
        # checked file that spells no word of the policy: only the new name makes it a candidate.
        (vendored / "deeper").mkdir()
        (vendored / "deeper/__init__.py").write_text("")
        (root / "src/app/tests/test_later.py").write_text(
            "from app.vendored.deeper.names import Later\n\n\ndef test_later():\n    return Later()\n")
    settle()
    before = cached(root, cache)
    settle()
    assert cached(root, cache) == before  # answered from the state
    (vendored / ("names.py" if how == "edited" else "deeper/names.py")).write_text(renaming)
    settle()
    after = cached(root, cache)
    assert after == reference(root) and after != before


def test_runs_right_after_edits_keep_taking_the_state_files(tree, monkeypatch):
    """Runs within the racy window of everything (an hour here: the directories the state
    watches too) cannot save a state; the previous state stays and the next run, after another
    such edit, still takes its files. (With only the edited file racy, the run saves the state
    with it smudged: `test_runs_each_right_after_an_edit_check_only_the_files_edited_since_the_last`.)"""
    root, cache = tree
    paths = Paths(monkeypatch)
    settle()
    cached(root, cache)
    (saved,) = test_runstate.state_files(cache)
    before = saved.read_bytes()
    monkeypatch.setattr(runstate, "RACY_NS", 3600 * 10**9)  # from here on every run is racy
    for name, variant in [("src/app/n.py", 1), ("src/app/user.py", 1), ("src/app/n.py", 0)]:
        _edit(root, name, variant)
        assert cached(root, cache) == reference(root)
    assert paths.taken == [False, True, True, True]
    assert test_runstate.state_files(cache) == [saved] and saved.read_bytes() == before


def test_a_run_right_after_an_edit_with_no_state_saves_one_without_that_file(tree, monkeypatch):
    """A first run (no state yet) made right after an edit: the edited file's stat proves
    nothing (the racy rule), but every other file's does. The state is saved with that file's
    inode number smudged (as git smudges a racily clean entry), so that no stat can match it: the next
    run, after another such edit or none, takes the state's files and checks that file again
    instead of discovering and checking the whole tree (an editor's run-on-save, `entr`, a
    pre-commit run straight after an edit would otherwise never save a state)."""
    root, cache = tree
    paths = Paths(monkeypatch)
    decoded = Decoded(monkeypatch)
    answered = test_runstate.Spy(monkeypatch)
    settle()
    _edit(root, "src/app/n.py", 1)
    # The run starts in the edit's clock tick: the edited file is within the window, every other
    # file and directory of the tree (older) is not.
    monkeypatch.setattr(runstate, "RACY_NS", 0)
    original_start = runstate.RunState.__init__

    def start(state, *args, **kwargs):
        original_start(state, *args, **kwargs)
        state.start = (root / "src/app/n.py").stat().st_ctime_ns
    monkeypatch.setattr(runstate.RunState, "__init__", start)
    first = cached(root, cache)
    assert first == reference(root)
    assert len(test_runstate.state_files(cache)) == 1, "the state is saved, the edited file smudged"
    decoded.checked.clear()
    second = cached(root, cache)  # nothing changed since: only the smudged file is looked at again
    assert second == first
    assert paths.taken == [False, True]
    assert not answered.last(), "the state does not answer as if the racy file's stat proved it"
    # Its size was kept: the per-file cache answers for it (by content, its entry being racy
    # too), and a checkout of many files followed at once by a run costs the run after no parse.
    assert decoded.checked == []
    _edit(root, "src/app/n.py", 0)
    third = cached(root, cache)
    assert third == reference(root) and third != first
    assert paths.taken == [False, True, True]


def test_a_run_over_a_small_part_of_the_tree_saves_no_state(tree, monkeypatch):
    """pre-commit's few files: their findings depend on the whole tree under `src` (the
    renamed names, who imports a name), which such a state would have to stat and keep for a
    command rarely run twice alike; none is saved. The whole tree's run saves one."""
    monkeypatch.setattr(runstate, "MAX_OUTSIDE", 10)
    root, cache = tree
    settle()
    assert test_runstate.run(root, "src/app/tests/test_1.py", "--cache-dir", str(cache))[0] == 1
    assert test_runstate.state_files(cache) == []
    cached(root, cache)
    assert len(test_runstate.state_files(cache)) == 1


class Decoded:
    """Counts the per-file cache's entry tables decoded (`Cache.entries`, decoded when first
    asked for) and the files checked again, run by run."""

    def __init__(self, monkeypatch) -> None:
        self.tables = 0
        self.checked: list[str] = []
        original_valid = per_file_cache._valid_document
        original_check = checking_runner.check_bytes

        def valid(document):
            self.tables += 1
            return original_valid(document)

        def check(data, path, *args, **kwargs):
            self.checked.append(Path(path).name)
            return original_check(data, path, *args, **kwargs)

        monkeypatch.setattr(per_file_cache, "_valid_document", valid)
        monkeypatch.setattr(checking_runner, "check_bytes", check)


def test_an_edit_that_no_other_result_depends_on_reads_no_cache_entry(tree, monkeypatch):
    """A file of the group of files holding a name (a note that mentions the retired factory)
    edited without starting to import it: the results that heard "no module takes the name"
    stand, proven from the state (`takes_from`), and so does every other one. The run checks
    the note alone and decodes none of the per-file cache's entries (#16: one changed file)."""
    root, cache = tree
    note = root / "src/app/notes.py"
    note.write_text('"""Migration notes: create_websocket_manager moves to app.ws.manager."""\n', encoding="utf-8")
    settle()
    first = cached(root, cache)
    assert '"applicability": "safe"' in first[1]  # the rename of the import is safe: no module takes it
    decoded = Decoded(monkeypatch)
    paths = Paths(monkeypatch)
    with note.open("a", encoding="utf-8") as handle:
        handle.write("# reviewed for the websocket migration\n")
    settle()
    again = cached(root, cache)
    assert paths.taken == [True]
    assert decoded.checked == ["notes.py"] and decoded.tables == 0
    assert again == first == reference(root)
    # The note starts taking the name from the bridge: the bridge's fix is no longer safe.
    note.write_text("from app.bridge import create_websocket_manager\n", encoding="utf-8")
    settle()
    del decoded.checked[:]
    after = cached(root, cache)
    assert "bridge.py" in decoded.checked
    assert after == reference(root) != first


def test_a_second_configuration_without_factories_does_not_cost_the_kept_results(tree, monkeypatch):
    """A tools directory with its own pyproject.toml (a policy without factory classes): the
    renamed-class names only matter to configurations with factories, so an edit elsewhere
    still keeps every other result from the state and decodes no cache entry."""
    root, cache = tree
    tools = root / "tools"
    tools.mkdir()
    (tools / "pyproject.toml").write_text(
        '[tool.ssot]\nsrc = ["."]\n\n[tool.ssot.legacy]\n"app.ws.factory" = "app.ws.manager"\n', encoding="utf-8")
    (tools / "rebuild.py").write_text("from app.ws.factory import create_websocket_manager\n", encoding="utf-8")
    note = root / "src/app/user.py"
    settle()
    first = cached(root, cache)
    assert "rebuild.py" in first[1]
    decoded = Decoded(monkeypatch)
    with note.open("a", encoding="utf-8") as handle:
        handle.write("# one manager per user, see the migration notes\n")
    settle()
    again = cached(root, cache)
    assert decoded.checked == ["user.py"] and decoded.tables == 0
    assert again == first == reference(root)


def test_a_file_that_joined_a_group_in_a_run_that_kept_no_state_still_counts(tree, monkeypatch):
    """The state stays from before a run that could not save one (an edit just before it); a
    file that started taking a name in that run joined the per-file cache's group then. The
    next run, after another edit, compares the group with the state's, not the cache's: the
    bridge's result from the state heard "no module takes the name", which is no longer so."""
    root, cache = tree
    paths = Paths(monkeypatch)
    settle()
    first = cached(root, cache)
    assert '"applicability": "safe"' in first[1]
    monkeypatch.setattr(runstate, "RACY_NS", 3600 * 10**9)  # from here on every run is racy
    _edit(root, "src/app/user.py", 1)  # takes create_websocket_manager from app.bridge
    assert cached(root, cache) == reference(root) != first
    with (root / "src/app/context.py").open("a", encoding="utf-8") as handle:
        handle.write("# reviewed\n")
    assert cached(root, cache) == reference(root)
    assert paths.taken == [False, True, True]


def _damage(how: str):
    def change(header, files, times, sizes):
        if how == "position":
            header["depends"][0][0] = len(files)
        elif how == "rows":
            header["depends"][0][1] = len(header["rows"])
        elif how == "group":
            header["groups"].clear()
        elif how == "row":
            header["rows"][0][0] = [1.5, 0, 0]
        elif how == "renamed":
            header["renamed"] = ["New"]
    return change


@pytest.mark.parametrize("how", ["position", "rows", "group", "row", "renamed"])
def test_a_damaged_dependency_table_costs_the_shortcut_not_the_answer(tree, monkeypatch, how):
    """The state's dependency tables are input like the rest of it: one that does not hold
    together sends the run down the full path, with the same report."""
    root, cache = tree
    paths = Paths(monkeypatch)
    settle()
    cached(root, cache)
    (state,) = test_runstate.state_files(cache)
    test_runstate._rewrite_state(state, _damage(how))
    with (root / "src/app/user.py").open("a", encoding="utf-8") as handle:
        handle.write("# reviewed\n")
    settle()
    assert cached(root, cache) == reference(root)
    assert paths.taken == [False, False]


@settings(max_examples=40, deadline=None)
@given(names=st.lists(st.sampled_from(['"files":', 'files', '{"files": 1}', 'é"files":', "a\\b", "\u2028", "x"]),
                      max_size=4),
       spaced=st.booleans())
def test_the_per_file_cache_head_is_read_as_the_whole_document_reads(tmp_path_factory, names, spaced):
    """`_read_head` decodes only the text before the first `"files":` when the keys end there;
    whatever the head's strings and keys hold (the words "files" in a path, a nested key of
    that name, characters of several bytes), it reads what the whole document reads."""
    import json

    document = {"format": per_file_cache.FORMAT, "version": per_file_cache.__version__,
                "strings": names, "summaries": {"files": names}, "groups": {name: [] for name in names},
                "files": {"a.py": [1, 2, "x"]}}
    text = json.dumps(document, indent=1 if spaced else None, ensure_ascii=False)
    path = tmp_path_factory.mktemp("head") / "cache.json"
    path.write_text(text, encoding="utf-8")
    head, data, start = per_file_cache._read_head(str(path))
    assert head == {key: value for key, value in document.items() if key != "files"}
    decoded = data.decode("utf-8")
    assert json.JSONDecoder().raw_decode(decoded, per_file_cache._SPACE.match(decoded, start).end())[0] == document["files"]


def _decoded_state(state: Path) -> dict:
    """A state file's content, its results decoded (the string table's order aside, what a
    later run reads from it)."""
    seen: dict = {}

    def keep(header, files, times, sizes):
        strings = header["strings"]
        results = {row[0]: (row[1], [runstate._decode(item, strings) for item in row[2]], row[3:])
                   for row in header["results"]}
        seen.update({key: value for key, value in header.items() if key not in ("strings", "results")})
        seen.update(results=results, files=list(files), times=list(times), sizes=list(sizes))

    test_runstate._rewrite_state(state, keep)
    return seen


# The edits after which a run writes the state it read with the changed file's stat and result:
# a comment in a clean file; the legacy path named in a string (a finding of its own; the
# file held the name before, so no result that asked about it is checked again); fixed again.
PATCHED_EDITS = [
    ("src/app/billing.py", '"""Billing (no create_websocket_manager here)."""\n\n\ndef invoice(user_id):\n'
                           "    return user_id  # one per user\n"),
    ("src/app/billing.py", '"""Billing (no create_websocket_manager here)."""\n\n'
                           'FACTORY = "app.ws.factory.create_websocket_manager"\n\n\n'
                           "def invoice(user_id):\n    return user_id\n"),
    ("src/app/billing.py", '"""Billing (no create_websocket_manager here)."""\n\n\ndef invoice(user_id):\n'
                           "    return user_id\n"),
]


# A module others import: their results are checked again, and their dependencies' stats change.
WHOLE_EDITS = [("src/app/ws/manager.py", "def get_websocket_manager(user_id):\n    return user_id  # per user\n")]


@pytest.mark.parametrize("edits", [PATCHED_EDITS[:1], PATCHED_EDITS, WHOLE_EDITS])
def test_a_run_after_an_edit_writes_the_state_it_read_with_the_changed_files(tree, monkeypatch, edits):
    """After an edit that leaves every other result as it was, the run writes the state it read
    with the changed file's stat and result (`RunState._patched`) instead of encoding the whole
    state again (0.2-0.5 s on #16's tree). It is the state the whole encoding writes, and the
    next run answers from it without checking anything. An edit that sends other results back
    to be checked has the state encoded whole."""
    root, cache = tree
    paths = Paths(monkeypatch)
    answered = test_runstate.Spy(monkeypatch)
    patched: list[bool] = []
    original = runstate.RunState._patched

    def spy(state, *args):
        written = original(state, *args)
        patched.append(written is not runstate._WHOLE)
        return written

    monkeypatch.setattr(runstate.RunState, "_patched", spy)
    (root / "src/app/billing.py").write_text(PATCHED_EDITS[-1][1], encoding="utf-8")  # a module no other imports
    settle()
    cached(root, cache)
    (state,) = test_runstate.state_files(cache)
    for name, text in edits:
        before = state.read_bytes()
        (root / name).write_text(text, encoding="utf-8")
        settle()
        after_edit = cached(root, cache)
        assert after_edit == reference(root)
        assert ("billing.py" in after_edit[1]) == ("app.ws.factory" in text)
        assert patched[-1] == (edits is not WHOLE_EDITS) and paths.taken[-1]
        written = _decoded_state(state)
        # The same run, its state encoded whole: the same content.
        state.write_bytes(before)
        monkeypatch.setattr(runstate.RunState, "_patched", lambda *args: runstate._WHOLE)
        assert cached(root, cache) == after_edit
        assert _decoded_state(state) == written
        monkeypatch.setattr(runstate.RunState, "_patched", spy)
        settle()
        assert cached(root, cache) == after_edit and answered.last(), "answered from the state, nothing checked"
    assert len(patched) == len(edits)


def test_runs_each_right_after_an_edit_check_only_the_files_edited_since_the_last(tree, monkeypatch):
    """`ssot check --watch`, or a run on each save, runs right after every edit: the edited
    file's stat proves nothing (the racy rule). The run saves the state it took its files from
    with that file smudged, so the next run checks it and the newly edited one again, not
    every file edited since the last run that was not right after an edit; unless the racy
    files are all that changed (nothing is gained then, and the state is not written)."""
    root, cache = tree
    paths = Paths(monkeypatch)
    decoded = Decoded(monkeypatch)
    leaves = [f"src/app/leaf_{n}.py" for n in range(3)]
    for name in leaves:
        (root / name).write_text(f'"""Leaf {name}."""\n', encoding="utf-8")
    settle()
    cached(root, cache)
    original_start = runstate.RunState.__init__
    edited: list[Path] = []

    def start(state, *args, **kwargs):  # each run starts in the clock tick of the last edit
        original_start(state, *args, **kwargs)
        state.start = edited[-1].stat().st_ctime_ns

    monkeypatch.setattr(runstate, "RACY_NS", 0)
    monkeypatch.setattr(runstate.RunState, "__init__", start)
    checked, rewritten = [], []
    (state,) = test_runstate.state_files(cache)
    for name in leaves:
        edited.append(root / name)
        with edited[-1].open("a", encoding="utf-8") as handle:
            handle.write("# edited\n")
        decoded.checked.clear()
        before = state.read_bytes()
        report = cached(root, cache)
        checked.append(sorted(decoded.checked))
        rewritten.append(state.read_bytes() != before)
        assert report == reference(root)
    assert paths.taken == [False, True, True, True]
    assert checked == [["leaf_0.py"], ["leaf_0.py", "leaf_1.py"], ["leaf_1.py", "leaf_2.py"]]
    # Only the racy file changed: the state, rewritten, would make the next run do the same work.
    assert rewritten == [False, True, True]
