"""The mention maps of `importer_of` (index/importers.py) built the cheaper ways of #16 equal the
maps built the plain way: `Mentions` reverses and searches a text for `.name` only where it
holds `.name` or can import; the reference below is the loop as it was at 6e5ceab.
"""

from __future__ import annotations

import os
import re

from test_importers import _consulted, _names_in
from projects import write
from test_index import _trees

from flake8_ssot.dotted import module_name
from flake8_ssot.files import file_texts
from flake8_ssot.index import ProjectIndex, importers, module_of
from flake8_ssot.index.importers import (_AFTER_DOT, _BEFORE_IMPORT, _DOT_COMMENTS, _GAP, _IMPORTED, _RELATIVE,
                                         _WORDS, Mentions, _word, as_python_reads)

_SLOTS = ("files", "modules", "as_word", "readable", "dotted", "spelled", "commented", "relative")


def reference_maps(name: str, files, roots) -> dict:
    """`Mentions.__init__` as it was at 6e5ceab: every mention's text reversed and searched."""
    maps: dict = {slot: [] for slot in ("files", "modules", "as_word", "readable", "relative")}
    maps.update(dotted={}, spelled={}, commented={})
    needle, word = name.encode(), _word(name.encode())
    before_name = re.compile(re.escape((b"." + needle)[::-1]) + rb"(?=([\w.]*))")
    attribute = re.compile(rb"\." + _GAP + re.escape(needle) + rb"(?!\w)")
    for file, data in file_texts(files):
        if not data.isascii():
            data = as_python_reads(data)
        if needle not in data:
            continue
        number = len(maps["files"])
        module = module_name(os.path.abspath(file), roots)[0]
        as_word = bool(word.search(data))
        maps["files"].append(file)
        maps["modules"].append(module)
        maps["as_word"].append(as_word)
        backwards = data[::-1]
        runs = {run[::-1] for run in before_name.findall(backwards)}
        for run in runs:
            last = run.rpartition(b".")[2]
            if last:
                maps["dotted"].setdefault(last, []).append((number, run))
        capable = as_word and bool(module)
        maps["readable"].append(bool(capable or runs))
        if not capable:
            continue
        if _RELATIVE.search(data):
            maps["relative"].append(number)
        spelled = {found[::-1] for found in _BEFORE_IMPORT.findall(backwards)}
        commented: set[bytes] = set()
        if attribute.search(data):
            spelled.update(_AFTER_DOT.findall(data))
            spelled.update(_WORDS.findall(b"\0".join(_IMPORTED.findall(data))))
            commented.update(_WORDS.findall(b"\0".join(_DOT_COMMENTS.findall(data))))
        for found in spelled:
            maps["spelled"].setdefault(found, []).append(number)
        for found in commented:
            maps["commented"].setdefault(found, []).append(number)
    return maps


def test_the_attribute_pattern_backwards_finds_what_the_forward_one_finds():
    """`importers.attribute_backwards` searched in the reversed text answers as `\\.` `_GAP`
    `name(?!\\w)` in the text, on every short text of the characters that matter (dots, comments,
    spaces, continuations, pieces of the name) drawn at random; lines of hashes are read one way."""
    import random

    pieces = [b".", b"#", b" ", b"\n", b"\\", b"a", b"Name", b"Na", b"me", b"_", b"\t", b"# x\n", b".#", b"\r\n"]
    draw = random.Random(16)
    texts = [b"".join(draw.choice(pieces) for _ in range(draw.randint(0, 12))) for _ in range(20_000)]
    forward = re.compile(rb"\." + _GAP + re.escape(b"Name") + rb"(?!\w)")
    backward = importers.attribute_backwards(b"Name")
    found = [bool(forward.search(text)) for text in texts]
    assert found == [bool(backward.search(text[::-1])) for text in texts]
    assert 1_000 < sum(found) < 19_000

    # Lines of hashes: the gap read one way. Without the lookbehind (a comment that may end mid-
    # line finds the same texts) a failing search tried every split of them: a child process, so
    # that such a pattern fails here instead of hanging.
    import subprocess
    import sys

    code = """if True:
        from flake8_ssot.index import importers
        hashes = b"#" * 64
        lines = [b"a" + hashes + b" Name", (hashes + b"\\n") * 8 + b"Name", b"x" + (hashes + b" \\n") * 8 + b"Name"]
        for line in lines:
            assert importers.attribute_backwards(b"Name").search(line[::-1]) is None
        assert importers.attribute_backwards(b"Name").search((b"x." + hashes + b"Name")[::-1])
    """
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


def _maps(mentions: Mentions) -> dict:
    return {slot: getattr(mentions, slot) for slot in _SLOTS}


def _unordered(maps: dict) -> dict:
    """The maps with each word's list sorted (a set's iteration order built them)."""
    return {slot: ({key: sorted(found) for key, found in value.items()} if isinstance(value, dict) else value)
            for slot, value in maps.items()}


def test_the_maps_equal_the_plain_ones_on_the_fixture_trees(tmp_path):
    compared = with_runs = 0
    for roots in _trees(tmp_path):
        files = ProjectIndex(roots)._python_files()
        for name in sorted(_names_in(files)):
            built = _maps(Mentions(name, files, roots))
            assert _unordered(built) == _unordered(reference_maps(name, files, roots)), (roots, name)
            compared += 1
            with_runs += bool(built["dotted"])
    assert compared > 150 and with_runs > 40, (compared, with_runs)


# --------------------------------------------------------------------------- one read for the expected names

def test_one_read_for_the_expected_names_gives_the_same_answers_and_dependencies(tmp_path, monkeypatch):
    """A run's index that expects names (the policy's legacy names) lists their files in the
    first question's read; each question then answers, and depends on the files, as an index
    that reads the tree once per name, asked in either order, a name it did not expect too."""
    read: list[int] = []
    reading = importers.file_texts
    monkeypatch.setattr(importers, "file_texts", lambda files: read.append(len(files)) or reading(files))
    shared_reads = plain_reads = asked = 0
    for roots in _trees(tmp_path):
        files = ProjectIndex(roots)._python_files()
        names = sorted(_names_in(files))[::5] + ["Absent"]
        modules = sorted({module_of(file, roots) for file in files} - {""})
        own = {module_of(file, roots): file for file in files}
        for order in (names, names[::-1]):
            expecting, plain = ProjectIndex(roots), ProjectIndex(roots)
            expecting.run_stats, plain.run_stats = {}, {}
            expecting.expected_mentions = frozenset(names[1:])  # names[0]: asked, not expected
            for index, count in ((expecting, "shared"), (plain, "plain")):
                read.clear()
                answers = []
                for name in order:
                    for module in modules:
                        for skip in ("", own.get(module, "")):
                            index.begin()
                            answers.append((index.importer_of(module, name, skip), _consulted(index, skip)))
                if count == "shared":
                    shared, shared_reads = answers, shared_reads + sum(read)
                else:
                    assert answers == shared, roots
                    plain_reads += sum(read)
                    asked += len(answers)
    assert asked > 2_000 and shared_reads * 2 < plain_reads, (asked, shared_reads, plain_reads)


# --------------------------------------------------------------------------- a run expects the renamed legacy names

_WS = "netra_backend/app/websocket_core"
_CORE = "netra_backend.app.websocket_core"
_POLICY = f"""\
[tool.ssot]
src = ["."]

[tool.ssot.legacy]
"{_CORE}.factory" = "{_CORE}.canonical_imports"
"{_CORE}.websocket_manager_factory.create_websocket_manager" = "{_CORE}.websocket_manager.get_websocket_manager"
"{_CORE}.unified_manager" = "{_CORE}.websocket_manager"
"netra_backend.app.legacy_*" = "netra_backend.app.core"
"{_CORE}.handlers.MessageRouter" = "{_CORE}.router.MessageRouter"
"""


def _run_tree() -> dict[str, str]:
    """Seed-shaped: routes that import the retired factory module and function (renames both
    ask `importer_of`), one that re-exports the old name to another, and enough other files
    for a large run."""
    files = {
        "pyproject.toml": _POLICY,
        "netra_backend/__init__.py": "", "netra_backend/app/__init__.py": "", f"{_WS}/__init__.py": "",
        f"{_WS}/factory.py": "def build():\n    return None\n",
        f"{_WS}/canonical_imports.py": "def build():\n    return None\n",
        f"{_WS}/websocket_manager.py": "def get_websocket_manager(user_id):\n    return user_id\n",
        f"{_WS}/websocket_manager_factory.py": "def create_websocket_manager(user_id):\n    return user_id\n",
        "netra_backend/app/routes/__init__.py": "",
        "netra_backend/app/routes/legacy_chat.py": (
            "from netra_backend.app.routes.chat_0 import create_websocket_manager\n\n"
            "manager = create_websocket_manager('legacy')\n"),
    }
    for n in range(70):
        files[f"netra_backend/app/routes/chat_{n}.py"] = (
            "from netra_backend.app.websocket_core import factory\n"
            "from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager\n\n\n"
            f"async def connect_{n}(user_id):\n"
            "    factory.build()\n"
            "    return create_websocket_manager(user_id)\n")
    return files


def test_a_large_check_reads_the_tree_once_for_the_renamed_legacy_names(tmp_path, monkeypatch):
    from flake8_ssot.checking import runner
    from flake8_ssot.cli import main

    root = write(tmp_path, _run_tree())
    tree = len(ProjectIndex([str(root)])._python_files())
    whole: list[int] = []
    reading = importers.file_texts
    monkeypatch.setattr(importers, "file_texts", lambda files: whole.append(len(files) == tree) or reading(files))
    monkeypatch.chdir(root)

    def check(output: str, jobs: str = "1") -> str:
        whole.clear()
        try:
            main(["check", ".", "--output-format", "json", "--no-cache", "--jobs", jobs, "--exit-zero",
                  "--output-file", output])
        except SystemExit:
            pass
        return (root / output).read_text()

    assert runner.renamed_legacy_names([_config(root)]) == {"factory", "create_websocket_manager", "unified_manager"}
    plain = check("plain.json")  # fewer files than a run expects the names for
    assert sum(whole) == 2
    monkeypatch.setattr(runner, "MIN_FILES_EXPECTING_NAMES", 64)
    expecting = check("expecting.json")
    assert sum(whole) == 1  # factory and create_websocket_manager, one read of the tree
    assert check("workers.json", jobs="2") == expecting  # a worker's lists shared with the other
    # chat_0's rename of the function is unsafe: another module takes the old name from it
    assert expecting == plain and "'netra_backend.app.routes.legacy_chat' imports 'create_websocket_manager'" in plain
    for index in _indexes():
        assert not index.expected_mentions and not index.expected_holders  # for this run only


def _config(root):
    from flake8_ssot.config import load_config

    return load_config(str(root / "pyproject.toml"))


def _indexes():
    import flake8_ssot.index as index_package

    return list(index_package._INDEXES.values())
