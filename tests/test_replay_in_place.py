"""A run after files changed in place whose results are all the run-level state's writes the
replay record's output (cli.replay_recorded) instead of rendering a report: the record was
made from that state, so its bytes are the report's. These tests hold it to "exactly what a
run without any cache writes", in the cases where the record must NOT be used: a changed file
whose findings stay the same but whose lines a report quotes, a changed file that starts or
stops reporting, a file whose findings another file's edit changes, a crafted state."""

from __future__ import annotations

from pathlib import Path

import pytest
import test_changed_in_place
import test_runstate
from test_replay import full, replayed, root  # noqa: F401  (root: the fixture)
from test_runstate import settle

from flake8_ssot import cli, replay
from flake8_ssot.checking import runstate

@pytest.fixture(autouse=True)
def racy(monkeypatch):
    monkeypatch.setattr(runstate, "RACY_NS", test_runstate.RACY_NS)
    monkeypatch.setattr(replay, "_CHANGES", [])


JSON = ("--output-format", "json", "--jobs", "1")
FULL = ("--output-format", "full", "--jobs", "1", "--show-fixes")


class Reports:
    """How each full command ended: the record's output (True) or a rendered report (False)."""

    def __init__(self, monkeypatch) -> None:
        self.recorded: list[bool] = []
        original_report, original_recorded = cli.report, cli.replay_recorded

        def report(*args, **kwargs):
            self.recorded.append(False)
            return original_report(*args, **kwargs)

        def replay_recorded(*args, **kwargs):
            self.recorded.append(True)
            return original_recorded(*args, **kwargs)

        monkeypatch.setattr(cli, "report", report)
        monkeypatch.setattr(cli, "replay_recorded", replay_recorded)


def command(root: Path, *argv: str) -> tuple[int, bytes, bytes]:
    """As the `ssot` executable runs a command: the replay first, then the full command."""
    answer = replayed(root, *argv)
    return answer if answer is not None else full(root, *argv)


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


@pytest.mark.parametrize("at_once", [True, False], ids=["at once", "settled"])
@pytest.mark.parametrize("argv", [JSON, FULL], ids=["json", "full"])
def test_an_edit_that_changes_no_result_writes_the_record(root, monkeypatch, argv, at_once):  # noqa: F811
    """The run after the edit writes the record's output, and saves the state and the record
    again. Made at once after the edit (the edited file racy), they hold the file smudged: the
    next command runs, checks it again and writes the record's output. Made after the racy
    window, they hold its stat: the next command is a replay."""
    reports = Reports(monkeypatch)
    first = command(root, *argv)
    append(root / "src/netra_backend/app/agents/supervisor/threads.py", "# reviewed in #1128\n")
    if not at_once:
        settle()
    assert replayed(root, *argv) is None
    with pytest.MonkeyPatch.context() as patch:
        if at_once:  # (whatever the time the run takes to start: the edit is within the window)
            patch.setattr(runstate, "RACY_NS", 3600 * 10**9)
        after = full(root, *argv)
    assert after == first == full(root, *argv, "--no-cache")
    assert reports.recorded == [False, True, False]
    settle()
    assert command(root, *argv) == first
    assert reports.recorded == [False, True, False] + ([True] if at_once else [])


def test_a_changed_file_whose_quoted_line_changed_is_reported_again(root, monkeypatch):  # noqa: F811
    """The same finding at the same place, but the line under it reads differently now: the
    full format's snippet must show the new line (the record shows the old one)."""
    reports = Reports(monkeypatch)
    bridge = root / "src/netra_backend/app/agents/supervisor/bridge.py"
    first = command(root, *FULL)
    old = "from netra_backend.app.websocket_core.factory import create_websocket_manager\n"
    bridge.write_text(bridge.read_text().replace(old, old[:-1] + "  # still used by the bridge\n"))
    after = command(root, *FULL)
    assert after == full(root, *FULL, "--no-cache")
    assert b"# still used by the bridge" in after[1] and after != first
    assert reports.recorded[1] is False


@pytest.mark.parametrize("edit", ["starts", "stops"])
def test_a_changed_file_that_starts_or_stops_reporting_is_reported(root, monkeypatch, edit):  # noqa: F811
    reports = Reports(monkeypatch)
    threads = root / "src/netra_backend/app/agents/supervisor/threads.py"
    bridge = root / "src/netra_backend/app/agents/supervisor/bridge.py"
    first = command(root, *JSON)
    if edit == "starts":
        append(threads, "\nfrom netra_backend.app.websocket_core.factory import create_websocket_manager\n")
    else:
        bridge.write_text(test_runstate.CLEAN)
    after = command(root, *JSON)
    assert after == full(root, *JSON, "--no-cache") and after != first
    assert reports.recorded[1] is False


def test_edits_whose_effect_is_on_other_files_are_reported(tmp_path, monkeypatch):
    """The tree of test_changed_in_place, whose every edit changes what another file reports,
    through the executable's path (the replay, then the full command with its record)."""
    root = tmp_path / "repo"
    test_changed_in_place.make_tree(root)
    (root / ".ssot_cache").mkdir()
    test_changed_in_place._short_window(monkeypatch)
    monkeypatch.setattr(replay, "_CHANGES", [])
    reports = Reports(monkeypatch)
    settle()
    before = command(root, *JSON)
    for name, variant in [("src/app/n.py", 1), ("src/app/context.py", 1), ("src/app/user.py", 1),
                          ("src/app/tests/test_0.py", 2), ("src/app/bridge.py", 1)]:
        test_changed_in_place._edit(root, name, variant)
        settle()
        after = command(root, *JSON)
        assert after == full(root, *JSON, "--no-cache") and after != before, name
        before = after
    assert reports.recorded.count(True) == 0
    # and an edit after those that changes nothing else is answered by the record
    append(root / "src/app/tests/__init__.py", "# the tests of the app\n")
    settle()
    assert command(root, *JSON) == before and reports.recorded[-1] is True


def test_a_crafted_result_row_costs_the_shortcut_not_the_answer(root, monkeypatch):  # noqa: F811
    """A state row whose diagnostics do not decode (its checksum holds: someone wrote it) is
    decoded only when the run needs every result; the run then goes the full way."""
    first = command(root, *JSON)
    (state,) = test_runstate.state_files(root / ".ssot_cache")

    def damage(header, files, times, sizes):
        header["results"][0][2][0][2] = -1  # a diagnostic's line

    test_runstate._rewrite_state(state, damage)
    # The record stands for the state as it was: let it stand for the crafted one (its stats
    # would, had the crafter rewritten it too), so the run takes the state without decoding it.
    monkeypatch.setattr(runstate, "changes_found", lambda path: next(
        ((True, changed, record) for state, changed, record in replay._CHANGES if state[0] == path),
        (False, None, None)))
    append(root / "src/netra_backend/app/agents/supervisor/threads.py",
           "\nfrom netra_backend.app.websocket_core.factory import create_websocket_manager\n")
    damaged: list[str] = []
    original = runstate.DamagedState.__init__
    monkeypatch.setattr(runstate.DamagedState, "__init__", lambda self, *a: damaged.append(a) or original(self, *a))
    after = command(root, *JSON)
    assert after == full(root, *JSON, "--no-cache") and after != first
    assert damaged, "the crafted row was decoded (and found wanting) in the run after the edit"


def test_results_are_built_only_when_asked_for(root, monkeypatch):  # noqa: F811
    built: list[int] = []
    original = runstate._results_of
    monkeypatch.setattr(runstate, "_results_of", lambda *args: built.append(1) or original(*args))
    command(root, *JSON)
    built.clear()
    append(root / "src/netra_backend/app/agents/supervisor/threads.py", "# reviewed\n")
    command(root, *JSON)  # racy: the state is not saved again, and nothing asked for the results
    assert built == []


def test_the_state_takes_the_records_list_of_files(root, monkeypatch):  # noqa: F811
    """The failed replay decoded the list of files already; the state, whose names are the
    same bytes, takes that list instead of decoding its own."""
    taken: list[bool] = []
    original = runstate.RunState.answer

    def answer(state):
        result = original(state)
        if state.changed is not None:
            taken.append(state.record is not None and state.changed.files is state.record.files)
        return result

    monkeypatch.setattr(runstate.RunState, "answer", answer)
    command(root, *JSON)
    append(root / "src/netra_backend/app/agents/supervisor/threads.py", "# reviewed\n")
    command(root, *JSON)
    assert taken == [True]


def test_globs_compile_when_first_matched_only_after_a_replay_saw_the_configuration_unchanged(root, monkeypatch):  # noqa: F811
    """A failed replay that saw every configuration file as recorded lets the command's globs
    compile when first matched (the recorded run compiled them all); any other command compiles
    them when the configuration is read, so a bad one is an error at once."""
    from flake8_ssot.config import globs

    proven: list[bool] = []
    original = globs.patterns_proven

    def patterns_proven(flag):
        proven.append(flag)
        return original(flag)

    monkeypatch.setattr(cli, "patterns_proven", patterns_proven)
    command(root, *JSON)
    append(root / "src/netra_backend/app/agents/supervisor/threads.py", "# reviewed\n")
    after = command(root, *JSON)
    assert after == full(root, *JSON, "--no-cache")
    policy = root / "pyproject.toml"
    policy.write_text(policy.read_text().replace('exclude = ["src/netra_backend/generated/**"]',
                                                 'exclude = ["src/netra_backend/generated/**", "build/"]'))
    command(root, *JSON)
    assert proven == [False, True, False, False]  # first run, the edit, the new policy (its replay fails), --no-cache
    patterns = ["src/netra_backend/generated/**", "build/", "*.pyi", "conftest.py"]
    with globs.patterns_proven(True):
        deferred = globs.GlobSet(patterns, str(root))
    eager = globs.GlobSet(patterns, str(root))
    assert deferred._spec is globs._LATER and eager._spec is not globs._LATER
    for name, is_dir in [("src/netra_backend/generated/stub.py", False), ("build", True), ("build", False),
                         ("src/app/types.pyi", False), ("tests/conftest.py", False), ("src/app.py", False)]:
        assert deferred.matches(str(root / name), is_dir) == eager.matches(str(root / name), is_dir), name
    assert deferred._spec is not globs._LATER
