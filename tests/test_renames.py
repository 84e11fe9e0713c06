"""Renamed symbols (issue #23): a fix that moves a symbol to a canonical home under another name
renames the file's uses, as the migration commit does, instead of keeping `new as old`.

tests/fixtures_rename/ is one small tree in the seeds' shapes (the websocket manager factory
retired for `get_websocket_manager`, the user context consolidated into
`UserExecutionContext`, the `manager` and `factory` modules renamed), with a policy that has no
`fix` keys: the project index over that tree decides what is safe. Each directory under
cases/ is a file of that tree (checked as netra_backend/app/callers/<case>.py): `before.py`
fixed with unsafe fixes allowed is `after.py`, byte for byte; its header says whether plain
`--fix` already writes it (`# fix: safe`) or leaves the file alone (`# fix: unsafe`).

Then a runtime check (a package whose own code calls the renamed function, run before and after
`ssot check --fix --unsafe-fixes`) and properties over generated modules: a rename changes no
other name's object, keeps every comment, parses, and is idempotent.
"""

from __future__ import annotations

import ast
import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_ssot.config import load_config
from flake8_ssot.engine import check_source
from flake8_ssot.fixes import fix_text, is_fixable
from flake8_ssot.index import ProjectIndex
from projects import ssot, write

ROOT = Path(__file__).parent / "fixtures_rename"
CONFIG = load_config(str(ROOT / "pyproject.toml"))
CASES = sorted(p.name for p in (ROOT / "cases").iterdir() if (p / "before.py").is_file())
_HEADER = re.compile(r"^# fix: (\w+)$", re.MULTILINE)


@pytest.fixture(scope="module")
def index() -> ProjectIndex:
    return ProjectIndex([str(ROOT)])


def case_text(case: str, which: str) -> str:
    return (ROOT / "cases" / case / f"{which}.py").read_text()


def checked_as(case: str) -> str:
    return str(ROOT / "netra_backend" / "app" / "callers" / f"{case}.py")


def test_there_are_enough_cases_and_each_says_its_kind():
    assert len(CASES) >= 15
    for case in CASES:
        assert _HEADER.findall(case_text(case, "before")) in (["safe"], ["unsafe"]), case


@pytest.mark.parametrize("case", CASES)
def test_fixes_write_the_migration_commit(case, index):
    before, after = case_text(case, "before"), case_text(case, "after")
    unsafe = fix_text(before, checked_as(case), CONFIG, unsafe=True, index=index)
    assert unsafe.refused is None
    assert unsafe.text == after != before
    safe = fix_text(before, checked_as(case), CONFIG, index=index)
    assert safe.text == (after if _HEADER.findall(before) == ["safe"] else before)
    again = fix_text(after, checked_as(case), CONFIG, unsafe=True, index=index)
    assert again.text == after and again.fixed == 0
    assert not any(is_fixable(d, True) for d in again.diagnostics)


@pytest.mark.parametrize("case, title", [
    ("call_sites", "import from the canonical module, renaming 'create_websocket_manager' to 'get_websocket_manager'"),
    ("in_all", "import from the canonical module (unsafe: keeps the alias 'create_websocket_manager': "
               "'create_websocket_manager' is in __all__)"),
    ("reads_globals", "import from the canonical module (unsafe: keeps the alias 'create_websocket_manager': "
                      "the file reads its names by string (globals()))"),
    ("canonical_name_taken", "import from the canonical module (unsafe: keeps the alias 'create_websocket_manager': "
                             "'get_websocket_manager' names something else where 'create_websocket_manager' is used)"),
    ("string_reference", "import from the canonical module (unsafe: keeps the alias 'create_websocket_manager': "
                         "'create_websocket_manager' appears in the string 'create_websocket_manager')"),
    ("imported_elsewhere", "import from the canonical module (unsafe: keeps the alias 'create_websocket_manager': "
                           "'netra_backend.app.api.routes' imports 'create_websocket_manager' from this module)"),
    ("import_error_fallback", "import from the canonical module (unsafe: keeps the alias 'create_websocket_manager': "
                              "'create_websocket_manager' is bound again in this file)"),
    ("module_alias", "import 'netra_backend.app.websocket_core.websocket_manager', "
                     "renaming 'manager' to 'websocket_manager'"),
    ("module_alias_taken", "import 'netra_backend.app.websocket_core.websocket_manager' (unsafe: keeps the alias "
                           "'manager': 'websocket_manager' names something else where 'manager' is used)"),
    ("star_import_missing_name", "import * from 'netra_backend.app.websocket_core.websocket_factory' (unsafe: "
                                 "'netra_backend.app.websocket_core.websocket_factory' does not export "
                                 "'legacy_factory_name')"),
])
def test_the_fix_title_says_what_is_renamed_or_why_the_alias_stays(case, title, index):
    [finding] = [d for d in check_source(case_text(case, "before"), checked_as(case), CONFIG, index=index).diagnostics
                 if d.fix is not None]
    assert finding.fix.description == title
    assert finding.fix.applicability == ("unsafe" if "(unsafe:" in title else "safe")


def test_without_the_index_a_rename_is_unsafe_and_says_why():
    [finding] = check_source(case_text("call_sites", "before"), checked_as("call_sites"), CONFIG).diagnostics
    assert finding.fix.applicability == "unsafe"
    assert finding.fix.description == (
        "import from the canonical module, renaming 'create_websocket_manager' to 'get_websocket_manager' (unsafe: "
        "the name changes, and without the project index nothing proves the canonical path is the same object; "
        "without the project index, modules importing the old name from this file cannot be seen)")
    assert fix_text(case_text("call_sites", "before"), checked_as("call_sites"), CONFIG, unsafe=True).text \
        == case_text("call_sites", "after")


# --------------------------------------------------------------------------- at run time

_APP = {
    "pyproject.toml": """\
        [tool.ssot]
        src = ["."]

        [tool.ssot.legacy]
        "shop.ws.websocket_manager_factory.create_websocket_manager" = "shop.ws.websocket_manager.get_websocket_manager"
        "shop.ctx.UserContext" = "shop.user_execution_context.UserExecutionContext"
        "shop.ws.manager" = "shop.ws.websocket_manager"
        """,
    "shop/__init__.py": "",
    "shop/ws/__init__.py": "",
    "shop/user_execution_context.py": """\
        class UserExecutionContext:
            def __init__(self, user_id):
                self.user_id = user_id
        """,
    "shop/ctx.py": "from shop.user_execution_context import UserExecutionContext as UserContext\n",
    "shop/ws/websocket_manager.py": """\
        def get_websocket_manager(context, mode="unified"):
            return f"manager({context.user_id}, {mode})"
        """,
    "shop/ws/websocket_manager_factory.py":
        "from shop.ws.websocket_manager import get_websocket_manager as create_websocket_manager\n",
    "shop/ws/manager.py": "from shop.ws.websocket_manager import *  # noqa: F403\n",
    "shop/sessions.py": """\
        import shop.ws.manager as manager
        from shop.ctx import UserContext  # the request's context
        from shop.ws.websocket_manager_factory import create_websocket_manager


        def open_session(user_id, create_websocket_manager_override=None):
            context: "UserContext" = UserContext(user_id)
            factory = create_websocket_manager_override or create_websocket_manager
            return factory(context), manager.get_websocket_manager(context, "isolated")


        def shadowed(create_websocket_manager):
            # the caller's own factory, not the import
            return create_websocket_manager(UserContext("guest"))


        def report():
            return [open_session("u1"), shadowed(lambda context: f"own({context.user_id})"),
                    [create_websocket_manager(UserContext(name)) for name in ("a", "b")]]
        """,
    "main.py": """\
        from shop.sessions import report

        print(report())
        """,
}


def test_the_package_runs_the_same_after_the_renames(tmp_path):
    project = write(tmp_path, _APP)
    before = subprocess.run([sys.executable, "main.py"], cwd=project, capture_output=True, text=True, check=True)
    fixed = ssot("check", "--fix", "--unsafe-fixes", "shop/sessions.py", cwd=project)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    after_text = (project / "shop" / "sessions.py").read_text()
    assert "import shop.ws.websocket_manager as websocket_manager\n" in after_text
    assert "from shop.user_execution_context import UserExecutionContext  # the request's context\n" in after_text
    assert "from shop.ws.websocket_manager import get_websocket_manager\n" in after_text
    assert 'context: "UserExecutionContext" = UserExecutionContext(user_id)' in after_text
    assert "factory = create_websocket_manager_override or get_websocket_manager" in after_text
    assert 'return create_websocket_manager(UserExecutionContext("guest"))' in after_text  # the parameter
    assert "[get_websocket_manager(UserExecutionContext(name))" in after_text
    after = subprocess.run([sys.executable, "main.py"], cwd=project, capture_output=True, text=True, check=True)
    assert after.stdout == before.stdout and "manager(u1, unified)" in before.stdout


# --------------------------------------------------------------------------- properties

_OLD = "create_websocket_manager"
_SHAPES = [
    "def f{i}():\n    return {old}{c}\n",
    "def f{i}({old}=None):\n    return {old}{c}\n",
    "def f{i}():\n    {old} = 'local'\n    return {old}{c}\n",
    "def f{i}():\n    return [{old} for _ in range(1)][0]{c}\n",
    "def f{i}():\n    return [{old} for {old} in ('comprehension',)][0]{c}\n",
    "def f{i}():\n    get_websocket_manager = 'mine'\n    return get_websocket_manager, {old}{c}\n",
    "class C{i}:\n    ref = {old}{c}\n\n    def read(self):\n        return {old}\n\n\ndef f{i}():\n    return C{i}.ref, C{i}().read()\n",
    "def f{i}():\n    def inner():\n        return {old}\n    return inner(){c}\n",
    "def f{i}():\n    return (lambda {old}=1: {old})(), len{c}\n",
    "def f{i}(context: '{old}' = None):\n    return f{i}.__annotations__, {old}{c}\n",
]
_COMMENTS = ["", "  # per user", "  # SSOT"]


@st.composite
def _module(draw) -> str:
    lines = ["# generated caller\n"]
    if draw(st.booleans()):
        lines.append("from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager\n")
    comment = draw(st.sampled_from(_COMMENTS))
    lines.append(f"from netra_backend.app.websocket_core.websocket_manager_factory import {_OLD}{comment}\n\n\n")
    shapes = draw(st.lists(st.sampled_from(range(len(_SHAPES))), min_size=1, max_size=5))
    for i, shape in enumerate(shapes):
        lines.append(_SHAPES[shape].format(i=i, old=_OLD, c=draw(st.sampled_from(_COMMENTS))) + "\n\n")
    lines.append(f"RESULTS = [{', '.join(f'f{i}()' for i in range(len(shapes)))}]\n")
    return "".join(lines)


def _comments(text: str) -> list[str]:
    return sorted(t.string for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type == tokenize.COMMENT)


def _results(text: str) -> list:
    namespace: dict = {"__name__": "netra_backend.app.callers.generated"}
    exec(compile(text, "generated.py", "exec"), namespace)
    return namespace["RESULTS"]


def _same_objects(first, second) -> bool:
    if isinstance(first, (tuple, list)) and isinstance(second, (tuple, list)):
        return len(first) == len(second) and all(map(_same_objects, first, second))
    if isinstance(first, dict) and isinstance(second, dict):
        return first.keys() == second.keys() and all(_same_objects(first[k], second[k]) for k in first)
    return first is second or (isinstance(first, str) and first == second)


@pytest.fixture(scope="module")
def importable():
    """The fixture tree on sys.path, so the generated modules' imports run."""
    sys.path.insert(0, str(ROOT))
    yield
    sys.path.remove(str(ROOT))
    for name in [name for name in sys.modules if name == "netra_backend" or name.startswith("netra_backend.")]:
        del sys.modules[name]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=_module())
def test_a_rename_changes_no_other_name_keeps_comments_and_is_idempotent(source, index, importable):
    path = checked_as("generated")
    result = fix_text(source, path, CONFIG, unsafe=True, index=index)
    assert result.refused is None
    ast.parse(result.text)
    assert _comments(result.text) == _comments(source)
    again = fix_text(result.text, path, CONFIG, unsafe=True, index=index)
    assert again.text == result.text and again.fixed == 0
    # What every name of the module refers to at run time is the same object as before. A string
    # annotation is text: renamed, it reads the canonical name, and the object stays the same.
    before, after = _results(source), _results(result.text)
    for old, new in zip(before, after):
        if isinstance(old, tuple) and old and isinstance(old[0], dict):
            old, new = old[1:], new[1:]
        assert _same_objects(old, new), (source, result.text)


# --------------------------------------------------------------------------- the language server

def test_an_edit_that_adds_a_use_gets_a_fix_that_renames_it_too():
    """The server's incremental check keeps findings outside an edit; a rename fix found its
    uses in the text it was built from, so one that misses a use typed since is built again."""
    from flake8_ssot.server.incremental import IncrementalChecker

    source = case_text("call_sites", "before") + "\n\ndef default_factory():\n    return None\n"
    checker = IncrementalChecker()
    checker.check(source, checked_as("call_sites"), CONFIG)
    edited = source.replace("    return None\n", "    return create_websocket_manager\n")
    [finding] = checker.check(edited, checked_as("call_sites"), CONFIG)
    assert finding == check_source(edited, checked_as("call_sites"), CONFIG, noqa=True).diagnostics[0]
    assert len(finding.fix.edits) == 5  # the module, the name and three uses
