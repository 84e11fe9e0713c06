"""The flake8 plugin keeps the renamed-class names it computed in a file of its own beside the
cache (checking/names_file.py): the next flake8 process takes them instead of reading the tree.

The tree is test_renamed_frontends.py's: `agents/context.py` re-exports the factory-only
`UserExecutionContext` as `AgentContext`, `routes/session.py` renames that to `SessionContext`,
and `supervisor_run.py` and `websocket.py` build the class only through those names. Its cache
directory exists but holds nothing this code wrote (as after an upgrade of flake8-ssot): each
"process" is the plugin run in this one, on a fresh project index.
"""

from __future__ import annotations

import ast
import marshal
import os
import shutil
import struct
import zlib
from array import array
from pathlib import Path

import pytest
from projects import ssot, write
from test_renamed_frontends import EXPECTED, PLANNER_CONTEXT, _json_constructions, _relative, _tree

from flake8_ssot import __version__, flake8_plugin
from flake8_ssot import index as index_module
from flake8_ssot.checking import names_file
from flake8_ssot.flake8_plugin import SsotChecker

PLANNER = ("netra_backend/app/agents/planner.py", 6)  # calls `PlannerContext`: no module gives the class that name yet
CHECKED = [file for file, _ in EXPECTED] + [PLANNER[0]]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    return _tree(tmp_path_factory.mktemp("names-file") / "netra")


@pytest.fixture
def root(pristine, tmp_path) -> Path:
    root = tmp_path / "netra"
    shutil.copytree(pristine, root)
    (root / ".ssot_cache" / __version__).mkdir(parents=True)  # an older version's files would be here
    return root


class Spy:
    """Counts the plugin's reads of the tree: whole (`renamed_aliases`) and of some files."""

    def __init__(self, monkeypatch) -> None:
        self.computed = 0
        self.read: list[str] = []
        compute, read = names_file.renamed_aliases, names_file.renames_in

        def computing(*args, **kwargs):
            self.computed += 1
            return compute(*args, **kwargs)

        def reading(index, files, words, found):
            self.read.extend(files)
            return read(index, files, words, found)

        monkeypatch.setattr(names_file, "renamed_aliases", computing)
        monkeypatch.setattr(names_file, "renames_in", reading)
        monkeypatch.setattr(SsotChecker, "config_file", None)

    def process(self, monkeypatch, root: Path) -> list[tuple[str, int]]:
        """A new flake8 process checking `CHECKED`: its SSOT002 lines."""
        self.computed, self.read = 0, []
        monkeypatch.setattr(flake8_plugin, "_PROJECTS", {})
        monkeypatch.setattr(index_module, "_INDEXES", {})
        found = []
        for file in CHECKED:
            path = root / file
            lines = path.read_text().splitlines(keepends=True)
            for line, _, text, _ in SsotChecker(ast.parse("".join(lines)), str(path), lines).run():
                if text.startswith("SSOT002"):
                    found.append((file, line))
        return sorted(found)


def _names_files(root: Path) -> list[Path]:
    return sorted((root / ".ssot_cache" / __version__).glob("renamed-*.bin"))


def _relative_read(spy: Spy, root: Path) -> list[str]:
    return sorted(Path(os.path.relpath(path, root)).as_posix() for path in spy.read)


@pytest.fixture
def steady(monkeypatch):
    """No file of the tree was changed within the racy window of the save (the tree is written
    just before each test: its change times cannot be set back)."""
    monkeypatch.setattr(names_file, "RACY_NS", 0)


def test_the_next_process_takes_the_names_the_first_computed(root, monkeypatch, steady):
    spy = Spy(monkeypatch)
    assert spy.process(monkeypatch, root) == EXPECTED
    assert spy.computed == 1
    [kept] = _names_files(root)
    assert spy.process(monkeypatch, root) == EXPECTED
    assert (spy.computed, spy.read) == (0, [])  # not one file read
    assert _names_files(root) == [kept]


def test_a_file_that_renames_the_class_since_makes_the_next_process_compute(root, monkeypatch, steady):
    spy = Spy(monkeypatch)
    assert spy.process(monkeypatch, root) == EXPECTED
    # An edit that renames nothing: only that file is read, and the names still hold.
    handler = root / "netra_backend/app/agents/handlers/handler_3.py"
    handler.write_text(handler.read_text() + "\n\nHANDLED = 'handler_3'\n")
    assert spy.process(monkeypatch, root) == EXPECTED
    assert (spy.computed, _relative_read(spy, root)) == (0, ["netra_backend/app/agents/handlers/handler_3.py"])
    assert spy.process(monkeypatch, root) == EXPECTED
    assert (spy.computed, spy.read) == (0, [])  # its new stat was kept
    # A new module gives the class the name the planner calls: read, and the names computed.
    write(root, {"netra_backend/app/agents/planner_context.py": PLANNER_CONTEXT})
    assert spy.process(monkeypatch, root) == sorted([*EXPECTED, PLANNER])
    assert spy.computed == 1
    assert _relative_read(spy, root)[0] == "netra_backend/app/agents/planner_context.py"
    assert spy.process(monkeypatch, root) == sorted([*EXPECTED, PLANNER])
    assert (spy.computed, spy.read) == (0, [])
    assert _ssot_check(root) == sorted([*EXPECTED, PLANNER])  # the front-ends agree
    # A deleted module can only shrink the set: the names kept still serve, nothing is read,
    # and `PlannerContext` (still in the set) no longer resolves to the class: no finding.
    (root / "netra_backend/app/agents/planner_context.py").unlink()
    assert spy.process(monkeypatch, root) == EXPECTED
    assert (spy.computed, spy.read) == (0, [])
    assert _ssot_check(root) == EXPECTED
    # ... and the file now lists the tree as it is, so that the next process compares no file
    listed = _document(_names_files(root)[0])[4].split("\0")
    assert str(root / CHECKED[0]) in listed and not any(path.endswith("planner_context.py") for path in listed)


def _ssot_check(root: Path) -> list[tuple[str, int]]:
    """`ssot check` on the same files, computing the names itself."""
    result = ssot("check", *CHECKED, "--no-cache", "--output-format", "json", cwd=root)
    return [(_relative(root, name), line) for name, line in _json_constructions(result)]


def _document(path: Path) -> tuple:
    data = path.read_bytes()
    return marshal.loads(data[len(names_file.MAGIC) + 4:])


def _with_checksum(body: bytes) -> bytes:
    return names_file.MAGIC + struct.pack("<I", zlib.crc32(body)) + body


def _crafted(document) -> bytes:
    return _with_checksum(marshal.dumps(document))


def _damaged(kind: str, data: bytes, document: tuple) -> bytes:
    form, roots, names, found, paths, times, inodes = document
    if kind == "a byte flipped":
        return data[:-7] + bytes([data[-7] ^ 0x5A]) + data[-6:]
    if kind == "cut short":
        return data[:len(data) // 2]
    if kind == "not marshal":
        return _with_checksum(b"\xff\xfe\xfd not marshal")
    if kind == "names without the class":
        return _crafted((form, roots, names, ("AgentContext",), paths, times, inodes))
    if kind == "stats of another type":
        return _crafted((form, roots, names, found, paths, list(array("q", times)), inodes))
    if kind == "stats of too few files":
        return _crafted((form, roots, names, found, paths, times[:-24], inodes[:-8]))
    if kind == "another tree":
        return _crafted((form, ("/elsewhere",), names, found, paths, times, inodes))
    assert kind == "a list, not a tuple"
    return _crafted([form, roots, names, found, paths, times, inodes])


@pytest.mark.parametrize("kind", [
    "a byte flipped", "cut short", "not marshal", "names without the class", "stats of another type",
    "stats of too few files", "another tree", "a list, not a tuple",
])
def test_a_damaged_or_crafted_file_is_ignored(root, monkeypatch, steady, kind):
    spy = Spy(monkeypatch)
    assert spy.process(monkeypatch, root) == EXPECTED
    [kept] = _names_files(root)
    # Had the file been trusted, its names (only `AgentContext`, say) would miss a construction.
    kept.write_bytes(_damaged(kind, kept.read_bytes(), _document(kept)))
    assert spy.process(monkeypatch, root) == EXPECTED
    assert spy.computed == 1
    assert spy.process(monkeypatch, root) == EXPECTED  # saved anew
    assert spy.computed == 0


def test_a_file_changed_just_before_the_save_is_read_again_even_when_its_stat_looks_unchanged(root, monkeypatch):
    """On a coarse clock, a file written again within the tick of the save keeps its times and
    perhaps its size: its stat proves nothing. The save records it with an impossible inode, so
    the next process reads it."""
    spy = Spy(monkeypatch)
    session = root / "netra_backend/app/agents/planner_context.py"
    session.write_text('"""The planner\'s context type: not yet."""\n')
    before = os.stat(session)
    assert spy.process(monkeypatch, root) == EXPECTED  # every file of the tree was just written: all racy
    _, _, _, _, paths, _, inodes = _document(_names_files(root)[0])
    position = paths.split("\0").index(str(session))
    assert array("Q", inodes)[position] == names_file.SMUDGED
    session.write_text(PLANNER_CONTEXT)
    observe = names_file._observe

    def coarse_clock(files):  # the session module's stat as it was before the edit
        times, inodes = observe(files)
        number = files.index(str(session))
        times[3 * number:3 * number + 3] = array("q", (before.st_mtime_ns, before.st_ctime_ns, before.st_size))
        inodes[number] = before.st_ino
        return times, inodes

    monkeypatch.setattr(names_file, "_observe", coarse_clock)
    assert spy.process(monkeypatch, root) == sorted([*EXPECTED, PLANNER])
    assert str(session) in spy.read and spy.computed == 1


def test_a_directory_that_cannot_be_written_costs_only_the_next_read(root, monkeypatch, steady):
    spy = Spy(monkeypatch)
    assert spy.process(monkeypatch, root) == EXPECTED
    [kept] = _names_files(root)
    kept.unlink()
    kept.mkdir()  # the file's place is taken: it cannot be written
    for _ in range(2):
        assert spy.process(monkeypatch, root) == EXPECTED
        assert spy.computed == 1
    assert kept.is_dir()


def test_without_a_cache_directory_nothing_is_written(root, monkeypatch, steady):
    """The plugin uses no cache where `ssot check` never ran; the server reads the tree and
    writes nothing there either."""
    from flake8_ssot.checking.renamed import class_names, names_of_tree
    from flake8_ssot.config import config_for
    from flake8_ssot.index import ProjectIndex

    shutil.rmtree(root / ".ssot_cache")
    config = config_for(str(root / CHECKED[0]))
    names = class_names(config)
    assert names_of_tree(ProjectIndex(config.src), names, None) == names | {"AgentContext", "SessionContext"}
    assert not (root / ".ssot_cache").exists()


def test_file_ids_wider_than_64_bits_are_kept_too(root, monkeypatch, steady):
    """Python 3.12+ on Windows gives ReFS volumes' (Dev Drive's) 128-bit file ids as st_ino,
    which no machine integer holds: the plugin still answers, and the next process still reads
    nothing (the id is kept folded to 64 bits, so an id that changes still reads as changed)."""
    stat = os.stat

    class Wide:
        def __init__(self, status) -> None:
            self.st_mtime_ns, self.st_ctime_ns, self.st_size = status.st_mtime_ns, status.st_ctime_ns, status.st_size
            self.st_ino = (status.st_ino << 64) | 0x5EED

    class WideOs:
        def __getattr__(self, name):
            return getattr(os, name)

        @staticmethod
        def stat(path, *args, **kwargs):
            return Wide(stat(path, *args, **kwargs))

    monkeypatch.setattr(names_file, "os", WideOs())
    spy = Spy(monkeypatch)
    assert spy.process(monkeypatch, root) == EXPECTED
    assert spy.computed == 1 and _names_files(root)
    assert spy.process(monkeypatch, root) == EXPECTED
    assert (spy.computed, spy.read) == (0, [])
