"""The whole-tree passes of the project index made cheaper for a cold run (#16) answer as the
slower ways they replaced: `files.file_texts` reads what `open().read()` read; the renamed-names
pass (index/aliases.py) that parses a file whole only when its module-level statements show a
rename not yet known finds the names that parsing every candidate whole found; `importer_of`'s
module-level readings kept per file give the answers and dependencies of readings made afresh;
a run's index (`run_stats`) tells a namespace package from a module as `os.path.isdir` does.
"""

from __future__ import annotations

import os

import pytest
from projects import write

from flake8_ssot.files import FIRST_READ, file_texts
import flake8_ssot.index as index_package
from flake8_ssot.index import ProjectIndex, aliases, importers
from flake8_ssot.index.aliases import renamed_aliases

# --------------------------------------------------------------------------- reading the tree


def test_file_texts_reads_each_file_as_open_read_did(tmp_path):
    sizes = [0, 1, 4000, FIRST_READ - 1, FIRST_READ, FIRST_READ + 1, 3 * FIRST_READ + 17, 3 * 2**20]
    paths = []
    for size in sizes:
        path = tmp_path / f"m{size}.py"
        path.write_bytes((bytes(range(size % 251, 251)) * (size // 200 + 1))[:size])  # no size limit here
        paths.append(str(path))
    (tmp_path / "package.py").mkdir()  # a directory named like a module: left out
    listed = paths[:3] + [str(tmp_path / "package.py"), str(tmp_path / "gone.py")] + paths[3:]
    assert list(file_texts(listed)) == [(path, open(path, "rb").read()) for path in paths]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_file_texts_does_not_wait_on_a_fifo(tmp_path):
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)  # opened without O_NONBLOCK, this waits for a writer forever
    module = tmp_path / "module.py"
    module.write_text("X = 1\n")
    assert [path for path, data in file_texts([str(fifo), str(module)]) if data] == [str(module)]


# --------------------------------------------------------------------------- renamed names

# Seed-shaped: the execution context re-exported under shorter names by many modules (the
# benchmark tree has a hundred `ExecutionContext = UserExecutionContext`), renames of renames,
# a rename only a file that does not compile makes (a function body broken: its module-level
# statements parse), one in compatibility characters, one inside a function (not module level).
_CONTEXT = "netra_backend/app/services/user_execution_context.py"
RENAMED_TREE = {
    _CONTEXT: "class UserExecutionContext:\n    def __init__(self, user_id):\n        self.user_id = user_id\n",
    **{f"netra_backend/app/agents/agent_{n}.py": (
        "from netra_backend.app.services.user_execution_context import UserExecutionContext\n\n"
        "ExecutionContext = UserExecutionContext\n\n\ndef run(context: ExecutionContext):\n    return context\n")
       for n in range(6)},
    "netra_backend/app/agents/context.py": (
        "from netra_backend.app.services.user_execution_context import UserExecutionContext as Ctx\n"
        "from netra_backend.app.agents.agent_0 import ExecutionContext\n\n\nclass Runner:\n    pass\n"),
    "netra_backend/app/routes/deps.py": (
        "from netra_backend.app.agents.context import Ctx as RequestContext\n\n\n"
        "def get_context():\n    return RequestContext(user_id='u')\n"),
    "netra_backend/app/routes/broken.py": (
        "from netra_backend.app.agents.context import Ctx\n\nBrokenContext = Ctx\n\n\n"
        "def handler(:\n    return None\n"),
    "netra_backend/app/routes/broken_body.py": (
        "from netra_backend.app.agents.context import Ctx\n\nHalfContext = Ctx\n\n\n"
        "def handler():\n    return )\n"),
    "netra_backend/app/routes/wide.py": (
        "from netra_backend.app.services.user_execution_context import \uff35serExecutionContext as WideContext\n"),
    "netra_backend/app/routes/local.py": (
        "from netra_backend.app.services import user_execution_context\n\n\n"
        "def build():\n    LocalContext = user_execution_context.UserExecutionContext\n    return LocalContext('u')\n"),
}


def test_the_renamed_names_pass_finds_what_parsing_every_candidate_whole_found(tmp_path, monkeypatch):
    root = write(tmp_path, RENAMED_TREE)
    parsed = []
    loading = index_package._load  # (`renames_in` imports it when it runs)

    def counting(path, module, is_package):
        parsed.append(path)
        return loading(path, module, is_package)

    monkeypatch.setattr(index_package, "_load", counting)
    found = renamed_aliases(ProjectIndex([str(root)]), {"UserExecutionContext"})
    fast_parses = len(parsed)
    # The way it was: no module-level reading, every candidate parsed whole.
    monkeypatch.setattr(aliases, "summarise_module_level", lambda *args: None)
    parsed.clear()
    assert renamed_aliases(ProjectIndex([str(root)]), {"UserExecutionContext"}) == found
    assert found == {"UserExecutionContext", "ExecutionContext", "Ctx", "RequestContext", "WideContext"}
    # Six modules bind `ExecutionContext`: only the first is parsed whole; the broken files are
    # parsed (their module-level statements show a new name) and, not compiling, add none.
    assert fast_parses <= len(parsed) - 5


# --------------------------------------------------------------------------- importer_of

def test_importer_of_answers_the_same_with_the_module_level_readings_kept(tmp_path, monkeypatch):
    files = {
        "app/__init__.py": "",
        "app/ws/__init__.py": "",
        "app/ws/factory.py": "def create_websocket_manager(user_id):\n    return user_id\n",
        "app/ws/legacy.py": "def create_websocket_manager(user_id):\n    return None\n",
        "app/ws/shim.py": (
            "from app.ws.factory import create_websocket_manager\n\n\n"
            "def compat():\n    return create_websocket_manager('u')\n"),
        "app/routes/chat.py": (
            "from app.ws import factory, legacy\n\n\n"
            "def connect(user_id):\n    return factory.create_websocket_manager(user_id) or legacy\n"),
        "app/routes/admin.py": (
            "import app.ws.legacy as legacy\n\n\n"
            "manager = legacy.create_websocket_manager\n\n\ndef connect():\n    return manager('admin')\n"),
        "tests/test_ws.py": (
            "from unittest import mock\n\n"
            "@mock.patch('app.ws.shim.create_websocket_manager')\ndef test_patched(patched):\n    assert patched\n"),
    }
    root = write(tmp_path, files)
    modules = ["app.ws.factory", "app.ws.legacy", "app.ws.shim", "app.routes.chat", "app.ws", "tests.test_ws"]

    def answers(index_of):
        found = []
        for module in modules * 2:
            index = index_of()
            index.begin()
            found.append((index.importer_of(module, "create_websocket_manager"), sorted(index.consulted)))
        return found

    readings = []
    reading = importers.summarise_module_level
    monkeypatch.setattr(importers, "summarise_module_level", lambda *args: readings.append(args[3]) or reading(*args))
    shared = ProjectIndex([str(root)])
    shared.run_stats = {}
    kept = answers(lambda: shared)
    kept_readings = len(readings)
    readings.clear()

    def fresh():
        index = ProjectIndex([str(root)])
        index.run_stats = {}
        return index

    assert kept == answers(fresh)
    # (chat.py reads `factory.create_websocket_manager`: it takes the name from app.ws.factory)
    assert [answer for answer, _ in kept[:6]] == [
        "app.routes.chat", "app.routes.admin", "tests.test_ws", None, None, None]
    assert 0 < kept_readings < len(readings)  # each file was read once in the run, not once per question


# --------------------------------------------------------------------------- namespace packages

def test_a_runs_index_tells_namespace_packages_from_modules_as_the_file_system_does(tmp_path):
    files = {
        "src/app/__init__.py": "",
        "src/app/plugins/registry.py": "class Registry:\n    pass\n",  # `app.plugins`: no __init__
        "src/app/plugins/loader.py": "from app.plugins.registry import Registry\n\nLoader = Registry\n",
        "src/app/core.py": "from app import plugins\nfrom app.plugins import loader\n",
    }
    root = write(tmp_path, files)
    paths = ["app.plugins.registry.Registry", "app.plugins.loader.Loader", "app.plugins.missing",
             "app.core.plugins", "app.core.loader", "app.plugins", "app.core.absent"]

    def answers(run_stats):
        index = ProjectIndex([str(root / "src")])
        index.run_stats = run_stats
        index.begin()
        found = [index.resolve(path) for path in paths]
        summaries = [index.summary(module) for module in ("app", "app.plugins", "app.plugins.loader")]
        return found, summaries, sorted(index.consulted)

    assert answers({}) == answers(None)
    assert answers({})[1][1].is_package and not answers({})[1][1].bindings


def _closure_by_rounds(index, names):
    """The renamed-names pass as it was: a round per level of renaming, each over the whole tree."""
    found, frontier = set(names), set(names)
    files = index._python_files()
    while frontier:
        grown = aliases.renames_in(index, files, [word.encode() for word in sorted(frontier)], frozenset(found)) - found
        found |= grown
        frontier = grown
    return frozenset(found)


# Renames of renames in both directions of the file order (`Z` binds what `A` renames, and is
# bound by `B`), so a name is often found after files that rename it: those must be read again.
CHAINS = {
    "app/__init__.py": "",
    "app/a_first.py": "from app.z_last import LastName\n\nFirstName = LastName\n",
    "app/b_second.py": "from app.a_first import FirstName as SecondName\n",
    "app/m_middle.py": "from app.context import UserExecutionContext as MiddleName\n",
    "app/context.py": "class UserExecutionContext:\n    pass\n",
    "app/n_next.py": "from app.m_middle import MiddleName\n\nNextName = MiddleName\nAgainName = NextName\n",
    "app/y_before.py": "from app.z_last import LastName as BeforeName\n",
    "app/z_last.py": "from app.n_next import AgainName\n\nLastName = AgainName\n",
    "app/zz_unrelated.py": "from app.other import Thing as Renamed\n",
    # a module renaming its own new name through its dotted path: read again for it
    "app/self_ref.py": ("import app.self_ref\nfrom app.context import UserExecutionContext as OwnName\n\n"
                        "OwnAlias = app.self_ref.OwnName\n"),
}


@pytest.mark.parametrize("parts", [1, 2, 3])
def test_one_read_that_grows_its_names_finds_the_closure_of_a_round_per_level(tmp_path, parts):
    root = write(tmp_path, CHAINS)
    reads = []

    def rounds(files, words, found):
        """The round in `parts` parts, each growing its names on its own (as checking/renamed.py
        splits it between two processes)."""
        reads.append(len(files))
        size = -(-len(files) // parts) if files else 1
        grown = {}
        for start in range(0, len(files), size):
            for name, spots in aliases.grow_in(index, files[start:start + size], words, found).items():
                grown.setdefault(name, []).extend(spots)
        return grown

    index = ProjectIndex([str(root)])
    found = renamed_aliases(index, {"UserExecutionContext"}, rounds)
    assert found == _closure_by_rounds(ProjectIndex([str(root)]), {"UserExecutionContext"})
    assert found == {"UserExecutionContext", "MiddleName", "NextName", "AgainName", "LastName", "FirstName",
                     "SecondName", "BeforeName", "OwnName", "OwnAlias"}
    assert renamed_aliases(ProjectIndex([str(root)]), {"UserExecutionContext"}) == found
    if parts == 1:
        assert reads[0] == len(CHAINS) and sum(reads[1:]) < len(reads[1:]) * len(CHAINS)  # later rounds read less


def test_the_renamed_names_of_the_seed_tree_are_found_in_fewer_reads(tmp_path):
    root = write(tmp_path, RENAMED_TREE)
    index = ProjectIndex([str(root)])
    assert renamed_aliases(index, {"UserExecutionContext"}) == _closure_by_rounds(index, {"UserExecutionContext"})
