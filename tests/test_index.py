"""The project index (#14): decisions that need another module, proved on small projects that
run. Each project under tests/fixtures_index/ has a `run.py`; a safe `--fix` must leave its
output unchanged and every module importable, which the single-file decisions did not.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from projects import ssot, write
from python_programs import FROM_GRAMMAR

from flake8_ssot.index import DEFINITION, MISSING, MODULE, UNKNOWN, Origin, ProjectIndex

FIXTURES = Path(__file__).parent / "fixtures_index"


def _copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


def _run(project: Path) -> str:
    done = subprocess.run([sys.executable, "run.py"], cwd=project, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(project / "src")}, timeout=60)
    return done.stdout + done.stderr


def _import_every_module(project: Path) -> None:
    src = project / "src"
    modules = []
    for path in sorted(src.rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules.append(".".join(parts))
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    done = subprocess.run([sys.executable, "-c", code, *modules], cwd=project, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(src)}, timeout=60)
    assert done.returncode == 0, done.stderr


def _findings(project: Path, *args: str) -> list[tuple]:
    done = ssot("check", "--output-format", "json", *args, cwd=project)
    found = []
    for item in json.loads(done.stdout):
        fix = item.get("fix") or {}
        relative = Path(item["filename"]).resolve().relative_to((project / "src").resolve()).as_posix()
        found.append((relative, item["location"]["row"], item["code"], item["message"],
                      fix.get("applicability"), fix.get("message")))
    return sorted(found)


# --------------------------------------------------------------------------- the projects

SEVERAL_NAMES = ("the class is imported under several names ('UserExecutionContext', 'ModelsContext') and "
                 "not every one of them is a `from` import of the factory's module")

EXPECTED = {
    "own_definition": [
        ("netra_backend/app/routes/websocket.py", 1, "SSOT001",
         "legacy import 'netra_backend.app.websocket_core.factory.WebSocketManagerFactory': use "
         "'netra_backend.app.websocket_core.canonical_imports.WebSocketManagerFactory'",
         "safe", "import from the canonical module"),
        ("netra_backend/app/routes/websocket.py", 2, "SSOT001",
         "legacy import 'netra_backend.app.websocket_core.unified_manager.WebSocketManager': use "
         "'netra_backend.app.websocket_core.canonical_imports.WebSocketManager' (not a re-export: "
         "'netra_backend.app.websocket_core.unified_manager.WebSocketManager' is defined there, a different object)",
         "unsafe", "import from the canonical module (unsafe: "
         "'netra_backend.app.websocket_core.unified_manager.WebSocketManager' is a different object, "
         "defined in its own module)"),
    ],
    "import_cycle": [
        ("app/ws/handlers.py", 2, "SSOT001",
         "legacy import 'app.ws.compat.ConnectionRegistry': use 'app.ws.registry.ConnectionRegistry'",
         "unsafe", "import from the canonical module (unsafe: 'app.ws.registry' imports 'app.ws.handlers' "
         "when it is imported: an import cycle)"),
        ("app/ws/registry.py", 2, "SSOT001",
         "legacy import 'app.ws.compat.normalise_id': use 'app.ws.registry.normalise_id'",
         "unsafe", "import from the canonical module (unsafe: 'app.ws.registry' would import itself)"),
    ],
    "missing_target": [
        ("app/agents/supervisor.py", 1, "SSOT001",
         "legacy import 'app.services.legacy_context.UserExecutionContext': use "
         "'app.services.user_execution_context.UserExecutionContext'",
         "safe", "import from the canonical module"),
        ("app/agents/supervisor.py", 1, "SSOT001",
         "legacy import 'app.services.legacy_context.create_user_context': use "
         "'app.services.user_execution_context.create_user_context'",
         "unsafe", "import from the canonical module (unsafe: 'app.services.user_execution_context' does not "
         "define or export 'create_user_context')"),
        # compat.py aliases the canonical class through the legacy module: a legacy reference
        # (SSOT004), not a second definition (no SSOT005); shadow.py's own class is one.
        ("app/services/compat.py", 4, "SSOT004",
         "legacy reference 'app.services.legacy_context.UserExecutionContext': use "
         "'app.services.user_execution_context.UserExecutionContext'", None, None),
        ("app/services/shadow.py", 4, "SSOT005",
         "duplicate definition of class 'UserExecutionContext': the canonical one is "
         "'app.services.user_execution_context.UserExecutionContext'", None, None),
    ],
    # Found through every module that re-exports the class; each construction is fixed to the
    # factory (SSOT002's fix, issue #20), the last use of an import alias taking the import along.
    # routes.py imports the class under two names from two modules: the factory would be imported
    # twice, so the first name's fix is unsafe and the other's waits for it (rules/construction.py,
    # `_across_bindings`); once the attribute call's safe fix has imported the factory, both are
    # safe and `--fix` ends with one import of it.
    "reexported_factory_class": [
        (path, line, "SSOT002", "direct construction of factory-only class "
         "'app.models.user_context.UserExecutionContext': use "
         "'app.models.user_context.create_defensive_user_execution_context'" + waits, level,
         None if fix is None else "use 'app.models.user_context.create_defensive_user_execution_context'" + fix)
        for path, line, waits, level, fix in [
            ("app/routes.py", 8, "", "unsafe", f", removing the import of 'UserExecutionContext' (its last use) "
             f"(unsafe: {SEVERAL_NAMES})"),
            ("app/routes.py", 9, "", "safe", ", removing the import of 'c' (only the call through it used it)"),
            ("app/routes.py", 10, f" (not fixed: {SEVERAL_NAMES}: the calls of 'UserExecutionContext' are fixed first)",
             None, None),
            ("app/star_user.py", 5, "", "safe", ""),
        ]
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_index_decides_what_one_file_cannot(name, tmp_path):
    project = _copy(name, tmp_path)
    assert _findings(project, "--no-cache") == sorted(EXPECTED[name])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_safe_fix_keeps_what_the_program_does(name, tmp_path):
    project = _copy(name, tmp_path)
    before = _run(project)
    assert "Traceback" not in before
    ssot("check", "--fix", "--no-cache", cwd=project)
    assert _run(project) == before
    _import_every_module(project)


@pytest.mark.parametrize("name, broken", [
    ("own_definition", "canonical factory / canonical manager"),  # another class: another output
    ("import_cycle", "ImportError"),
])
def test_the_fixes_the_index_marks_unsafe_would_change_the_program(name, broken, tmp_path):
    """The evidence behind the unsafe verdicts: applied anyway, they break the project."""
    project = _copy(name, tmp_path)
    ssot("check", "--fix", "--unsafe-fixes", "--no-cache", cwd=project)
    assert broken in _run(project)


# --------------------------------------------------------------------------- caching

def _age(project: Path) -> None:
    """Files older than the caches' racy window, so that both caches trust their stats."""
    past = time.time() - 10
    for path in project.rglob("*"):
        os.utime(path, (past, past))


@pytest.mark.parametrize("paths", [(), ("src/netra_backend/app/routes",)])
def test_editing_another_module_updates_the_cached_findings_of_an_unchanged_file(paths, tmp_path):
    """The finding in routes/websocket.py depends on unified_manager.py; both caches must see
    its change even when only routes/ is checked (the run-level cache then watches it)."""
    project = _copy("own_definition", tmp_path)
    _age(project)
    first = _findings(project, *paths)
    assert _findings(project, *paths) == first and first[1][4] == "unsafe"
    legacy = project / "src/netra_backend/app/websocket_core/unified_manager.py"
    legacy.write_text("from netra_backend.app.websocket_core.canonical_imports import WebSocketManager\n")
    past = time.time() - 5
    os.utime(legacy, (past, past))
    updated = _findings(project, *paths)
    assert updated[1][3].endswith("'netra_backend.app.websocket_core.canonical_imports.WebSocketManager'")
    assert updated[1][4:] == ("safe", "import from the canonical module")
    assert _findings(project, *paths) == updated


# --------------------------------------------------------------------------- the index itself

def _tree(tmp_path: Path, files: dict[str, str]) -> ProjectIndex:
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return ProjectIndex([str(tmp_path)])


def test_star_imports_take_all_when_it_is_literal_else_the_public_names(tmp_path):
    index = _tree(tmp_path, {
        "pkg/__init__.py": "from pkg.a import *\nfrom pkg.b import *\n",
        "pkg/a.py": "__all__ = ['Listed']\nclass Listed: pass\nclass Unlisted: pass\n",
        "pkg/b.py": "class Public: pass\nclass _Private: pass\n",
    })
    assert index.resolve("pkg.Listed") == Origin("pkg.a.Listed", DEFINITION)
    assert index.resolve("pkg.Unlisted") == Origin("pkg.Unlisted", MISSING)
    assert index.resolve("pkg.Public") == Origin("pkg.b.Public", DEFINITION)
    assert index.resolve("pkg._Private") == Origin("pkg._Private", MISSING)


def test_what_the_index_cannot_see_it_does_not_claim(tmp_path):
    index = _tree(tmp_path, {
        "ns/mod.py": "import os\nfrom json import loads\n",  # ns: a namespace package
        "dyn.py": "def __getattr__(name):\n    return name\n",
        "computed.py": "from ns.mod import *\n__all__ = sorted(['x'])\n",
        "star_of_computed.py": "from computed import *\n",
        "broken.py": "def (:\n",
    })
    assert index.resolve("ns.elsewhere").kind == UNKNOWN
    assert index.resolve("ns.mod.loads").kind == UNKNOWN
    assert index.resolve("ns.mod.os") == Origin("os", UNKNOWN)
    assert index.resolve("dyn.anything").kind == UNKNOWN
    assert index.resolve("star_of_computed.x").kind == UNKNOWN
    assert index.resolve("broken.name").kind == UNKNOWN
    assert index.resolve("ns.mod") == Origin("ns.mod", MODULE)


def test_import_time_imports_skip_type_checking_and_function_bodies(tmp_path):
    index = _tree(tmp_path, {
        "app/__init__.py": "",
        "app/a.py": """\
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from app.b import B
            def later():
                from app.c import C
            """,
        "app/b.py": "from app.a import later\n",
        "app/c.py": "import app.a\n",
    })
    assert index.imported_at_import_time("app.a") == {"app", "app.a"}
    assert index.import_problem("app.a", "app.b") == "'app.b' imports 'app.a' when it is imported: an import cycle"
    assert index.import_problem("app.a", "app.a") == "'app.a' would import itself"
    assert index.import_problem("app.b", "app.c") is None


def test_an_alias_chain_that_loops_is_unknown(tmp_path):
    index = _tree(tmp_path, {"a.py": "from b import X\n", "b.py": "from a import X\n"})
    assert index.resolve("a.X").kind == UNKNOWN


# --------------------------------------------------------------------------- the flake8 plugin

def _flake8(project: Path, *files: str) -> list[str]:
    done = subprocess.run([sys.executable, "-m", "flake8", "--select", "SSO", *files], cwd=project,
                          capture_output=True, text=True, timeout=120)
    return sorted(done.stdout.splitlines())


def test_the_flake8_plugin_uses_the_index_once_ssot_check_has_written_its_cache(tmp_path):
    """flake8 sees one file at a time: without a cache directory the plugin decides from the
    file alone (the construction through `c.UserExecutionContext` is not seen); once `ssot
    check` has run, it agrees with `ssot check`."""
    project = _copy("reexported_factory_class", tmp_path)
    alone = _flake8(project, "src/app/routes.py", "src/app/star_user.py")
    assert [line.split(":")[1] for line in alone] == ["10"]
    ssot("check", cwd=project)
    assert (project / ".ssot_cache").is_dir()
    indexed = _flake8(project, "src/app/routes.py", "src/app/star_user.py")
    assert [(line.split(":")[0], line.split(":")[1]) for line in indexed] == [
        ("src/app/routes.py", "10"), ("src/app/routes.py", "8"), ("src/app/routes.py", "9"), ("src/app/star_user.py", "5")]
    assert all("SSOT002 direct construction of factory-only class 'app.models.user_context.UserExecutionContext'" in line
               for line in indexed)


def test_the_flake8_plugin_says_a_legacy_class_is_its_own_object_with_the_index(tmp_path):
    project = _copy("own_definition", tmp_path)
    target = "src/netra_backend/app/routes/websocket.py"
    assert not any("not a re-export" in line for line in _flake8(project, target))
    (project / ".ssot_cache").mkdir()
    assert sum("not a re-export" in line for line in _flake8(project, target)) == 1


# --------------------------------------------------------------------------- the policy against the code

def test_policy_entries_naming_code_the_tree_lacks_are_warnings_in_every_format(tmp_path):
    project = _copy("missing_target", tmp_path)
    with (project / "pyproject.toml").open("a") as policy:
        policy.write('\n[tool.ssot.factories]\n"app.services.user_execution_context.UserContext" = {}\n'
                     '"requests.Session" = {}\n')  # outside the tree: not judged
    warnings = [
        "warning: pyproject.toml: tool.ssot.legacy.\"app.services.legacy_context.create_user_context\".use: "
        "'app.services.user_execution_context' does not define or export 'create_user_context'",
        "warning: pyproject.toml: tool.ssot.factories.\"app.services.user_execution_context.UserContext\": "
        "'app.services.user_execution_context' does not define or export 'UserContext'",
    ]
    text = ssot("check", "--no-cache", cwd=project)
    assert text.returncode == 1 and text.stdout.splitlines()[-2:] == warnings
    machine = ssot("check", "--no-cache", "--output-format", "json", cwd=project)
    assert machine.returncode == 1 and machine.stderr.splitlines() == warnings
    json.loads(machine.stdout)  # still parseable
    assert ssot("check", "--no-cache", "--exit-zero", cwd=project).returncode == 0
    assert warnings[0] not in ssot("check", "--no-cache", "-q", cwd=project).stdout
    shown = ssot("check", "--show-policy", cwd=project)
    assert shown.returncode == 0 and shown.stdout.splitlines() == [line.removeprefix("warning: ") for line in warnings]


def test_a_legacy_key_under_the_trees_package_that_matches_nothing_is_a_problem(tmp_path):
    project = _copy("own_definition", tmp_path)
    (project / "src/netra_backend/app/websocket_core/unified_manager.py").unlink()
    shown = ssot("check", "--show-policy", cwd=project).stdout.splitlines()
    assert shown == [
        "pyproject.toml: tool.ssot.legacy.\"netra_backend.app.websocket_core.unified_manager.WebSocketManager\": "
        "'netra_backend.app.websocket_core.unified_manager.WebSocketManager' matches no module or name of the tree"]
    (project / "src/netra_backend/app/websocket_core/unified_manager.py").write_text("WebSocketManager = None\n")
    assert ssot("check", "--show-policy", cwd=project).stdout == "The policy names only code the tree has.\n"


# --------------------------------------------------------------------------- caching what the index read

MOVE_NOT_DONE = {
    "pyproject.toml": """\
        [tool.ssot]
        src = ["src"]

        [tool.ssot.legacy]
        # The move to user_context_factory is planned but not done yet (issue #1131).
        "app.services.legacy_context.create_user_context" = "app.services.user_context_factory.create_user_context"
        """,
    "src/app/__init__.py": "",
    "src/app/services/__init__.py": "",
    "src/app/services/legacy_context.py": """\
        def create_user_context(user_id):
            return {"user_id": user_id}
        """,
    "src/app/agents/__init__.py": "",
    "src/app/agents/supervisor.py": """\
        from app.services.legacy_context import create_user_context


        def start(user_id):
            return create_user_context(user_id)
        """,
}


def _check_in_process(project: Path, monkeypatch, capsys, *args: str) -> list[tuple]:
    """`ssot check --output-format json` in this process, as a new process would run it (no
    index left from an earlier run): what the caches alone carry over."""
    from flake8_ssot import index
    from flake8_ssot.cli import main

    index._INDEXES.clear()
    monkeypatch.chdir(project)
    capsys.readouterr()
    main(["check", "--output-format", "json", "--jobs", "1", *args])
    return [(item["code"], (item.get("fix") or {}).get("message")) for item in json.loads(capsys.readouterr().out)]


@pytest.mark.parametrize("paths", [(), ("src/app/agents/supervisor.py",)])
def test_a_module_that_appears_updates_the_cached_findings_that_relied_on_its_absence(paths, tmp_path, monkeypatch,
                                                                                       capsys):
    """The fix is unsafe while the target module does not exist; once it exists the reason is
    another (the legacy function is an object of its own), though no file the first decision
    read has changed: the caches recorded the module's absence."""
    project = write(tmp_path / "p", MOVE_NOT_DONE)
    _age(project)
    unsafe = [("SSOT001", "import from the canonical module (unsafe: there is no module "
                          "'app.services.user_context_factory' in the tree)")]
    assert _check_in_process(project, monkeypatch, capsys, *paths) == unsafe
    assert _check_in_process(project, monkeypatch, capsys, *paths) == unsafe  # from the caches
    (project / "src/app/services/user_context_factory.py").write_text(
        "def create_user_context(user_id):\n    return {'user_id': user_id}\n")
    _age(project)
    moved = [("SSOT001", "import from the canonical module (unsafe: 'app.services.legacy_context.create_user_context' "
                         "is a different object, defined in its own module)")]
    assert _check_in_process(project, monkeypatch, capsys, *paths) == moved
    assert _check_in_process(project, monkeypatch, capsys, *paths) == moved


def test_the_cache_keeps_the_summaries_so_a_later_run_parses_no_consulted_module_again(tmp_path, monkeypatch, capsys):
    from flake8_ssot import index

    project = _copy("own_definition", tmp_path)
    _age(project)
    first = _check_in_process(project, monkeypatch, capsys)
    [document] = (project / ".ssot_cache").rglob("*.json")
    summaries = json.loads(document.read_text())["summaries"]
    assert "src/netra_backend/app/websocket_core/unified_manager.py" in summaries
    routes = project / "src/netra_backend/app/routes/websocket.py"
    routes.write_text(routes.read_text() + "\n# edited\n")  # re-checked; the modules it reads are not
    loaded = []
    real_load = index._load
    monkeypatch.setattr(index, "_load", lambda *args: loaded.append(args[0]) or real_load(*args))
    assert _check_in_process(project, monkeypatch, capsys) == first
    assert loaded == []
    # A changed module's stored summary is stale: it is read again, and the decision follows.
    manager = project / "src/netra_backend/app/websocket_core/unified_manager.py"
    manager.write_text("from netra_backend.app.websocket_core.canonical_imports import WebSocketManager\n")
    assert [fix for _, fix in _check_in_process(project, monkeypatch, capsys)] == [
        "import from the canonical module", "import from the canonical module"]
    assert loaded == [str(manager)]


def test_a_summary_travels_back_from_a_worker_on_its_dependency(tmp_path):
    import pickle

    from flake8_ssot.index import Dependency, ReadDependency

    project = _copy("own_definition", tmp_path)
    index = ProjectIndex([str(project / "src")])
    index.begin()
    assert index.resolve("netra_backend.app.websocket_core.unified_manager.WebSocketManager").kind == DEFINITION
    read = [d for d in index.consulted if type(d) is ReadDependency]
    assert read and all(d.summary is not None for d in read)
    back = pickle.loads(pickle.dumps(read[0]))
    assert back.summary == read[0].summary and back == Dependency(*read[0]) and hash(back) == hash(Dependency(*back))
    index.begin()  # the next check reads the same modules: their summaries are not sent twice
    index.resolve("netra_backend.app.websocket_core.unified_manager.WebSocketManager")
    assert not [d for d in index.consulted if type(d) is ReadDependency]


# --------------------------------------------------------------------------- importer_of

def _importer_by_summaries(index: ProjectIndex, module: str, name: str, skip: str = "") -> str | None:
    """importer_of as it was before its text test (a628691): every file that mentions `name`
    and spells `module`'s last component as a word (or sits in its package) is summarised.
    The fast answer must be the same, file for file."""
    import re

    from flake8_ssot.index import importers, module_of

    path = f"{module}.{name}"
    skip = os.path.abspath(skip) if skip else ""
    spelled = re.compile(rb"(?<!\w)" + re.escape(module.rpartition(".")[2].encode()) + rb"(?!\w)")
    texts: dict[str, bytes] = index.__dict__.setdefault("_texts", {})
    for file in index._python_files():
        data = texts.get(file) or texts.setdefault(file, Path(file).read_bytes())
        if file == skip or name.encode() not in data:
            continue
        other = module_of(file, index.roots)
        if path.encode() in data:
            return other or file
        if not other.startswith(module + ".") and not spelled.search(data):
            continue
        summary = index.summary(other) if other else None
        if summary is not None and importers._takes(summary, path, data):  # (an attribute read counts too)
            return other
    return None


# Every way a summary can take `pkg.last.Name`, with its neighbours that do not.
_IMPORTING = {
    "pkg/__init__.py": "",
    "pkg/last.py": "class Name: pass\nclass Other: pass\nNameless = 1\n",
    "pkg/sub/__init__.py": "",
    "pkg/sub/deep.py": "from .. import last\nvalue = last . Name\n",
    "pkg/relative.py": "from .last import (  # a comment with a ) in it\n    Other,\n    Name,\n)\n",
    "pkg/dots.py": "from.last import Name as N\n",
    "pkg/grand/__init__.py": "",
    "pkg/grand/child.py": "from .. import last\nfrom .. import Name\nfrom ..last import Name as N\n",
    "pkg/home/__init__.py": "class Name: pass\n",
    "pkg/home/inner.py": "from . import Name\n",
    "alias.py": "import pkg.last as m\nthing = (m.  # why\n    Name)\n",
    "spaced.py": "import pkg . last . Name\n",
    "continued.py": "from pkg.last \\\n    import Name\n",
    "attribute.py": "from pkg import last\nN = last.Name\n",
    "chain.py": "import pkg.last as m\nn = m\nx = n.Name\n",
    "via_package.py": "import pkg as p\nm = p.last\nx = m.Name\n",
    "star.py": "from pkg.last import *\nx = Name\n",
    "method.py": "class C:\n    def f(self, last):\n        return last.Name\n",
    "nameless.py": "from pkg.last import Nameless\n",
    "elsewhere.py": "from pkg.last import Other\nName = 1\n",
    "patched.py": "TARGET = 'pkg.last.Name'\n",
    "in_function.py": "def f():\n    from pkg.last import Name\n    return Name\n",
    "typing_only.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.last import Name\n",
    "broken.py": "from pkg.last import Name\ndef (:\n",
}


def _trees(tmp_path: Path) -> list[list[str]]:
    fixtures = Path(__file__).parent
    own = tmp_path / "importing"
    for relative, text in _IMPORTING.items():
        (own / relative).parent.mkdir(parents=True, exist_ok=True)
        (own / relative).write_text(text)
    return [[str(fixtures / "fixtures_index" / name / "src")] for name in sorted(os.listdir(fixtures / "fixtures_index"))
            ] + [[str(fixtures / "fixtures_rename")], [str(own)]]


def test_importer_of_answers_as_summarising_every_candidate_does(tmp_path):
    import ast

    from flake8_ssot.index import module_of

    compared = found = 0
    for roots in _trees(tmp_path):
        fast, slow = ProjectIndex(roots), ProjectIndex(roots)
        files = fast._python_files()
        modules = sorted({module_of(file, roots) for file in files} - {""})
        names: set[str] = set()
        for file in files:
            try:
                tree = ast.parse(Path(file).read_text())
            except SyntaxError:
                continue
            names.update(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))
            names.update(node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute))
            names.update(alias.asname or alias.name.rpartition(".")[2] for node in ast.walk(tree)
                         if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names)
        for name in sorted(names):
            for module in modules:
                expected = _importer_by_summaries(slow, module, name)
                assert fast.importer_of(module, name) == expected, (roots, module, name)
                compared += 1
                found += expected is not None
    assert compared > 4_000 and found > 30


def test_importer_of_finds_every_spelling_of_the_import(tmp_path):
    _trees(tmp_path)
    root = tmp_path / "importing"
    found: list[str] = []
    for _ in range(len(_IMPORTING)):  # the next taker, with the ones found so far left out of the tree
        index = ProjectIndex([str(root)])
        index._all_files = [f for f in index._python_files() if os.path.relpath(f, root) not in found]
        taker = index.importer_of("pkg.last", "Name")
        if taker is None:
            break
        found.append(next(f for f in _IMPORTING if f.removesuffix(".py").replace("/", ".") == taker))
    assert sorted(found) == sorted(["pkg/sub/deep.py", "pkg/relative.py", "pkg/dots.py", "pkg/grand/child.py",
                                    "alias.py", "spaced.py", "continued.py", "attribute.py", "chain.py", "via_package.py",
                                    "star.py", "patched.py"])
    assert ProjectIndex([str(root)]).importer_of("pkg.home", "Name") == "pkg.home.inner"


# --------------------------------------------------------------------------- summaries without the facts walk

_SUMMARY_EDGES = '''\
"""Bindings whose summary row depends on the facts walk's rules, not only on the statement."""
from __future__ import annotations
import os.path
import os.path as osp
from typing import TYPE_CHECKING
from . import sibling
from .. import *
from .inner import Thing as Other, helper
if TYPE_CHECKING:
    from pkg.types import Hint
    import typing_extensions
else:
    from pkg.runtime import Hint
try:
    from fast import parse
except ImportError as error:
    parse = None
    join = None
    try:
        pass
    except Exception as parse:
        Other = os
else:
    join = osp.join
finally:
    cleanup = join
__all__ = ["parse", "Other"] + ("join",)
__all__.append("helper")
__all__.extend(["cleanup"])
__all__.insert(0, "Hint")
a, (b, *c) = 1, (2, 3)
for index, item in enumerate(()):
    pass
with open(__file__) as (handle, *rest):
    pass
total: int
total += 1
obj.attribute = joined = os.path.join
items[0] = copy = Other
while False:
    looped = osp
match total:
    case 1:
        matched = sibling.value
class Config:
    name: str
    def __init__(self, name, /, *, debug=False):
        self.name = name
@dataclass(kw_only=True)
class Settings:
    host: str
    port: int = 80
async def serve(host, *args, port=80, **options):
    global late
    late = 1
'''


def _summaries_agree(tree, module: str, is_package: bool, source: str, module_level: bool = True) -> None:
    from flake8_ssot.facts import collect_facts
    from flake8_ssot.index.summary import summarise, summarise_module_level, summarise_source

    expected = summarise(collect_facts(tree, "<module>", module, is_package, source))
    assert summarise_source(tree, module, is_package, source) == expected, module
    # From the module-level statements alone, definitions stubbed (what `importer_of` trusts
    # for "does not import it"): the same bindings and imports, on a file that parses.
    if module_level and "coding" not in source[:300]:  # the text is compared as UTF-8 bytes
        reduced = summarise_module_level(source.encode("utf-8", "surrogatepass"), module, is_package, "<module>")
        if reduced is not None:
            assert (reduced.bindings, reduced.imports) == (expected.bindings, expected.imports), module


def _modules_under(root: Path) -> list[tuple[Path, str, bool]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found.append((path, ".".join(parts[:-1] if is_package else parts) or "root", is_package))
    return found


def _parsed(path: Path):
    import ast
    import warnings

    try:
        source = path.read_text(encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source), source
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return None, ""


def test_a_consulted_modules_summary_is_the_one_its_facts_give():
    """The index summarises the modules it consults from their module-level statements alone
    (#16): the summary must be the one the full facts walk gives, on every fixture tree, a
    sample of the standard library, and the edges the facts walk has rules for."""
    import ast
    import sysconfig

    tests = Path(__file__).parent
    compared = 0
    for root in [*sorted((tests / "fixtures_index").iterdir()), tests / "fixtures_rename",
                 tests / "fixtures_construction", tests.parent / "examples" / "monorepo"]:
        for path, module, is_package in _modules_under(root):
            tree, source = _parsed(path)
            if tree is not None:
                _summaries_agree(tree, module, is_package, source)
                compared += 1
    stdlib = _modules_under(Path(sysconfig.get_paths()["stdlib"]))
    for number, (path, module, is_package) in enumerate(stdlib[::max(1, len(stdlib) // 300)]):  # the same sample each run
        tree, source = _parsed(path)
        if tree is not None:
            _summaries_agree(tree, module, is_package, source, module_level=number % 4 == 0)
            compared += 1
    for module, is_package in [("pkg.sub.edges", False), ("pkg.sub", True)]:
        _summaries_agree(ast.parse(_SUMMARY_EDGES), module, is_package, _SUMMARY_EDGES)
    assert compared > 400


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(source=FROM_GRAMMAR)
def test_a_generated_modules_summary_is_the_one_its_facts_give(source):
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    _summaries_agree(tree, "pkg.generated", False, source)


def test_the_flake8_plugin_takes_module_summaries_from_the_cache_ssot_check_wrote(tmp_path, monkeypatch):
    """The plugin reads the summaries `ssot check` kept instead of parsing the modules again:
    with summarising switched off, it still finds the constructions through re-exports."""
    import ast as ast_module

    from flake8_ssot import flake8_plugin
    from flake8_ssot import index as index_package
    from flake8_ssot.checking import cache as cache_module

    project = _copy("reexported_factory_class", tmp_path)
    _age(project)  # the cache's entries, and the renamed names it keeps, then hold without a read
    assert ssot("check", cwd=project).returncode == 1
    path = project / "src" / "app" / "routes.py"
    source = path.read_text(encoding="utf-8")
    monkeypatch.chdir(project)
    monkeypatch.setattr(index_package, "_INDEXES", {}, raising=False)

    def refuse(*args, **kwargs):
        raise AssertionError("a module was summarised again: the cache's summaries were not used")

    monkeypatch.setattr(index_package, "_load", refuse)
    opened = []
    real = cache_module.Cache.detached_summaries  # what the plugin's workers keep of the cache

    def detached(self):
        stored = real(self)
        return lambda *a: opened.append(a) or stored(*a)

    monkeypatch.setattr(cache_module.Cache, "detached_summaries", detached)
    checker = flake8_plugin.SsotChecker(ast_module.parse(source), str(path), source.splitlines(keepends=True))
    lines = sorted(line for line, _, message, _ in checker.run() if message.startswith("SSOT002"))
    assert lines == [8, 9, 10] and opened
