"""SSOT002's fix leaves no unused import behind, of the class or of a name only the dropped
arguments used (`uuid` in `run_id=f"run_{uuid.uuid4()}"`), and never breaks a module that
imports it from the fixed file; a comment naming the class is no use of it, a type comment is.
A construction inside a lambda of a self-documenting f-string placeholder
(`{(lambda: Class(...))()=}`) gets an unsafe fix.

tests/fixtures_cleanup/ is one seed-shaped project: each module of src/ that `ssot check --fix
--unsafe-fixes` changes has its fixed text in after/ (the same path below src/). Its run_all.py
runs the modules: it prints the same before and after the fix.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from projects import ssot

from flake8_ssot.config import load_config
from flake8_ssot.diagnostic import SAFE, UNSAFE
from flake8_ssot.engine import check_source
from flake8_ssot.fixes import apply_edits, fix_text
from flake8_ssot.index import ProjectIndex
from flake8_ssot.rules.construction import fix_is_current

ROOT = Path(__file__).parent / "fixtures_cleanup"
AFTER = ROOT / "after"
AGENTS = ROOT / "src" / "netra_backend" / "app" / "agents"
CONFIG = load_config(str(ROOT / "pyproject.toml"))
CLASS = "UserExecutionContext"


def modules(root: Path) -> dict[str, str]:
    return {str(path.relative_to(root)): path.read_text(encoding="utf-8") for path in sorted(root.rglob("*.py"))}


def run_all(root: Path) -> str:
    result = subprocess.run([sys.executable, "run_all.py"], cwd=root, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def fixed(tmp_path_factory) -> dict:
    """The fixture project copied, run, fixed, fixed again and run again."""
    root = tmp_path_factory.mktemp("cleanup") / "project"
    shutil.copytree(ROOT, root, ignore=shutil.ignore_patterns("after", "__pycache__"))
    before = run_all(root)
    first = ssot("check", ".", "--no-cache", "--fix", "--unsafe-fixes", cwd=root)
    once = modules(root / "src")
    second = ssot("check", ".", "--no-cache", "--fix", "--unsafe-fixes", cwd=root)
    return {"before": before, "after": run_all(root), "first": first, "second": second, "once": once,
            "twice": modules(root / "src")}


@pytest.fixture(scope="module")
def index() -> ProjectIndex:
    return ProjectIndex(CONFIG.src)


def test_each_fixed_module_reads_as_the_migration_writes_it(fixed):
    original = modules(ROOT / "src")
    expected = {**original, **modules(AFTER)}
    assert set(modules(AFTER)) <= set(original)
    assert fixed["first"].returncode == 0, fixed["first"].stdout + fixed["first"].stderr
    for name, text in fixed["once"].items():
        assert text == expected[name], name


def test_one_fix_run_converges_and_the_code_runs_the_same(fixed):
    assert fixed["second"].stdout.strip() == "All checks passed!", fixed["second"].stdout
    assert fixed["twice"] == fixed["once"]
    assert fixed["after"] == fixed["before"]
    assert "('u1', 't2', 'req-2')" in fixed["before"]  # the runtime check ran the fixed modules


@pytest.mark.parametrize("module, gone", [
    ("agents/supervisor_agent.py", True),  # three calls, the only uses: the statement's name becomes the factory
    ("agents/tool_dispatcher.py", True),  # a parenthesized list with a comment: the other name and comment stay
    ("agents/execution_engine.py", True),  # the factory imported already: the class's name leaves the list
    ("agents/mixed_safety.py", True),  # a safe call and an unsafe one: the import goes with the unsafe fix
    ("agents/annotated_agent.py", False),  # a string annotation is a use
    ("agents/exported_context.py", False),  # `__all__` names it
    ("websocket_core/event_handlers.py", False),  # routes/chat.py imports it from this module
    ("websocket_core/connection.py", False),  # ... under an alias, after the only call
    ("agents/triage_agent.py", True),  # a comment naming it is no use of it (the comment stays)
    ("agents/typed_context.py", False),  # a type comment is
    ("agents/run_scheduler.py", False),  # annotations
    ("agents/data_helper_agent.py", True),
    ("agents/aliased_context.py", True),  # imported twice, once `as Ctx`: both statements' names go
    ("agents/aliased_one_statement.py", True),  # `UserExecutionContext, UserExecutionContext as Ctx`
    ("agents/aliased_in_function.py", True),  # the module's import, and one `as LegacyContext` in a function
    ("agents/aliased_annotated.py", False),  # the annotation keeps the one name, `Ctx` goes
    ("agents/module_alias.py", True),  # a call by name and one through `import ... as user_context`
    ("agents/module_alias_kept.py", True),  # ... whose module import stays for another use
    ("agents/retry_agent.py", True),  # `UserExecutionContext, new_run_id`: the run ids' name goes too
    ("agents/retry_registry.py", False),
    ("agents/aliased_run_ids.py", True),
])
def test_the_class_import_goes_only_when_nothing_uses_or_imports_the_name(fixed, module, gone):
    text = fixed["once"][f"netra_backend/app/{module}"]
    imported = {alias.name for node in ast.walk(ast.parse(text)) if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    assert (CLASS not in imported) is gone, text
    assert f"{CLASS}(" not in text


def test_every_call_of_the_last_uses_shares_one_fix_that_removes_the_import(index):
    """An editor applies one diagnostic's fix: it must rewrite every call, since it removes the import."""
    path = AGENTS / "execution_engine.py"
    source = path.read_text(encoding="utf-8")
    diagnostics = check_source(source, str(path), CONFIG, index=index).diagnostics
    assert [d.code for d in diagnostics] == ["SSOT002", "SSOT002"]
    assert diagnostics[0].fix == diagnostics[1].fix
    fix = diagnostics[0].fix
    assert fix.applicability == SAFE
    assert fix.description == (
        "use 'netra_backend.app.services.user_execution_context.create_defensive_user_execution_context' "
        "here and in the file's 1 other construction, removing the import of 'UserExecutionContext' (their last use)")
    assert apply_edits(source, fix.edits) == (AFTER / "netra_backend/app/agents/execution_engine.py").read_text()


def test_calls_of_different_safety_do_not_share_a_fix(index):
    """Under `--fix` the safe call is fixed and the import stays for the unsafe one."""
    path = AGENTS / "mixed_safety.py"
    source = path.read_text(encoding="utf-8")
    safe_only = fix_text(source, str(path), CONFIG, unsafe=False, index=index)
    assert safe_only.fixed == 1
    assert f"import {CLASS}, create_defensive_user_execution_context\n" in safe_only.text
    assert f"return {CLASS}(user_id=user_id, thread_id=thread_id, run_id=" in safe_only.text


def test_a_module_importing_the_name_keeps_the_import_of_the_last_call(index):
    path = ROOT / "src/netra_backend/app/websocket_core/connection.py"
    source = path.read_text(encoding="utf-8")
    [diagnostic] = check_source(source, str(path), CONFIG, index=index).diagnostics
    assert "removing" not in diagnostic.fix.description
    assert diagnostic.fix.applicability == SAFE


def test_without_the_index_removing_the_import_is_unsafe_and_says_why():
    path = ROOT / "src/netra_backend/app/websocket_core/connection.py"
    [diagnostic] = check_source(path.read_text(encoding="utf-8"), str(path), CONFIG).diagnostics
    assert diagnostic.fix.applicability == UNSAFE
    assert "removing the import of 'UserExecutionContext' (its last use)" in diagnostic.fix.description
    assert ("without the project index, modules importing 'UserExecutionContext' from this file cannot be seen"
            in diagnostic.fix.description)


@pytest.mark.parametrize("module", ["context_debug.py", "context_debug_star.py"])
def test_a_call_inside_a_lambda_of_a_self_documenting_placeholder_is_unsafe(index, module):
    """`{(lambda: Class(...))()=}` shows the lambda's code: the facts walk (an import) and the
    calls found by parsing again (a star import) both say so; `{...!r}` shows only the value."""
    path = AGENTS / module
    source = path.read_text(encoding="utf-8")
    found = [(d.line, d.fix.applicability) for d in check_source(source, str(path), CONFIG, index=index).diagnostics]
    expected = {"context_debug.py": [(6, UNSAFE), (10, SAFE)], "context_debug_star.py": [(5, UNSAFE)]}[module]
    assert found == expected
    shown = check_source(source, str(path), CONFIG, index=index).diagnostics[0].fix.description
    assert "the call is also the text of its f-string's `{...=}` placeholder" in shown


def imported_names(text: str) -> set[str]:
    return {alias.asname or alias.name for node in ast.walk(ast.parse(text)) if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names}


@pytest.mark.parametrize("module, name, gone", [
    ("agents/supervisor_agent.py", "uuid", True),  # two calls' dropped `run_id`s, in the fix that removes the class
    ("agents/mixed_safety.py", "uuid", True),  # the unsafe call's, in its fix
    ("agents/run_scheduler.py", "uuid", True),  # the class stays (annotations): the calls still share the fix
    ("agents/run_scheduler.py", "new_run_id", True),
    ("agents/triage_agent.py", "uuid", False),  # triage_request_id uses it
    ("agents/triage_agent.py", "time_ns", True),  # imported inside the function
    ("agents/data_helper_agent.py", "new_run_id", False),  # routes/chat.py imports it from this module
    ("agents/module_alias.py", "uuid", True),  # the call through the module dropped its run id
    ("agents/module_alias.py", "user_context", True),  # only that call went through it
    ("agents/module_alias_kept.py", "user_context", False),  # MANAGER uses it
    ("agents/retry_agent.py", "new_run_id", True),  # imported by the class's own statement
    ("agents/retry_registry.py", "new_run_id", True),  # ... which keeps the class (an annotation)
    ("agents/aliased_run_ids.py", "uuid", True),  # used by the calls of two names of the class
])
def test_an_import_only_the_dropped_arguments_used_goes_with_them(fixed, module, name, gone):
    text = fixed["once"][f"netra_backend/app/{module}"]
    assert (name not in imported_names(text)) is gone, text


def test_the_calls_whose_dropped_arguments_use_an_import_share_the_fix_that_removes_it(index):
    path = AGENTS / "run_scheduler.py"
    source = path.read_text(encoding="utf-8")
    diagnostics = check_source(source, str(path), CONFIG, index=index).diagnostics
    assert len(diagnostics) == 3 and len({d.fix for d in diagnostics}) == 1
    fix = diagnostics[0].fix
    assert fix.applicability == UNSAFE  # dropping `uuid.uuid4().hex` skips code
    assert fix.description.startswith(
        "use 'netra_backend.app.services.user_execution_context.create_defensive_user_execution_context' here and "
        "in the file's 2 other constructions, removing the import of 'uuid' and the import of 'new_run_id' (only the "
        "dropped arguments used them) (unsafe: dropping 'run_id' skips code its value runs")
    assert apply_edits(source, fix.edits) == (AFTER / "netra_backend/app/agents/run_scheduler.py").read_text()
    assert fix_is_current(diagnostics[0], source)
    assert not fix_is_current(diagnostics[0], source + "\nRUN = uuid.uuid4()\n")
    assert fix_is_current(diagnostics[0], source + "\n# uuid: no longer made here\n")  # a comment is no use


SHAPES = """\
import uuid

from netra_backend.app.services.user_execution_context import UserExecutionContext

try:
    from netra_backend.app.services.run_ids import new_run_id
except ImportError:  # an older deployment: the context makes its own run id
    pass


def build(user_id: str, thread_id: str):
    return UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=new_run_id() or uuid.uuid4().hex)
"""


def test_a_probe_keeps_its_import_and_a_package_init_makes_the_removal_unsafe(index):
    """A `try:` import stays (ruff's F401 does not fix one either); in a package's __init__.py
    removing an import is unsafe (as ruff's fix is): code outside the tree may import from it."""
    for name, level in (("build_context.py", UNSAFE), ("__init__.py", UNSAFE)):
        path = AGENTS / name
        [diagnostic] = check_source(SHAPES, str(path), CONFIG, index=index).diagnostics
        fixed_text = apply_edits(SHAPES, diagnostic.fix.edits)
        assert diagnostic.fix.applicability == level
        assert imported_names(fixed_text) == {"new_run_id", "create_defensive_user_execution_context"}
        assert ("from which code outside the tree may import 'uuid'" in diagnostic.fix.description) is (
            name == "__init__.py"), diagnostic.fix.description


def test_the_editor_drops_the_removal_of_an_import_an_edit_uses_again():
    """The language server keeps a fix from the last check through an edit far from it that
    spells none of the names it reads: the names of the imports it removes are among them."""
    from flake8_ssot.server.incremental import IncrementalChecker

    path = AGENTS / "mixed_safety.py"
    helpers = "\n".join(f"def helper_{i}(value):\n    return value + {i}\n\n" for i in range(12))
    source = path.read_text(encoding="utf-8").replace("def fresh_run", f"{helpers}\ndef fresh_run")
    checker = IncrementalChecker()
    assert any("'uuid'" in d.fix.description for d in checker.check(source, str(path), CONFIG))
    lines = source.split("\n")
    at = lines.index("def helper_3(value):") + 1
    lines[at:at] = ["    print(uuid.uuid4())"]  # typed into a helper's body
    text = "\n".join(lines)
    fresh = check_source(text, str(path), CONFIG, noqa=True).diagnostics
    assert not any("'uuid'" in d.fix.description for d in fresh)
    assert checker.check(text, str(path), CONFIG) == fresh


def test_a_removed_statement_keeps_its_comments_and_its_line_neighbours(index):
    """Whole statements go as SSOT003's do (rewrites.remove_statement): a comment inside one
    stays on its line, a statement after a `;` goes alone."""
    source = (
        "import os; import uuid\n"
        "\n"
        "from netra_backend.app.services.run_ids import (\n"
        "    new_run_id,  # until the factory made run ids\n"
        ")\n"
        "from netra_backend.app.services.user_execution_context import UserExecutionContext\n"
        "\n\n"
        "def build(user_id):\n"
        "    return UserExecutionContext(user_id=user_id, thread_id=os.sep, run_id=new_run_id() + uuid.uuid4().hex)\n"
    )
    [diagnostic] = check_source(source, str(AGENTS / "shapes.py"), CONFIG, index=index).diagnostics
    assert apply_edits(source, diagnostic.fix.edits) == (
        "import os\n"
        "\n"
        "# until the factory made run ids\n"
        "from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context\n"
        "\n\n"
        "def build(user_id):\n"
        "    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=os.sep)\n"
    )


def test_unused_statements_sharing_a_line_go_as_far_as_their_removals_do_not_clash(index):
    """`import os; import uuid`, both used only by the dropped argument: each statement's removal
    takes the `;` between them, so the two clash. The first goes and the other stays (unused:
    ruff's F401 reports it), rather than neither; only what goes is named, in the title and in
    why the fix is unsafe."""
    source = (
        "import os; import uuid  # ids and paths\n"
        "from netra_backend.app.services.user_execution_context import UserExecutionContext\n"
        "\n\n"
        "def build(user_id, thread_id):\n"
        "    return UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=f'{os.getpid()}-{uuid.uuid4()}')\n"
    )
    path = str(AGENTS / "shapes.py")
    [diagnostic] = check_source(source, path, CONFIG, index=index).diagnostics
    assert apply_edits(source, diagnostic.fix.edits) == (
        "import uuid  # ids and paths\n"
        "from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context\n"
        "\n\n"
        "def build(user_id, thread_id):\n"
        "    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id)\n"
    )
    assert "removing the import of 'UserExecutionContext' (its last use) and the import of 'os' (only the dropped " \
           "arguments used it)" in diagnostic.fix.description
    [unproven] = check_source(source, path, CONFIG).diagnostics  # no index: who imports the names is unknown
    assert "'os'" in unproven.fix.description and "'uuid'" not in unproven.fix.description


def test_a_shared_fix_removes_the_function_imports_each_of_its_calls_leaves_unused(index):
    """The calls share the fix that removes the class's import; each function imports `uuid` for
    its dropped `run_id` alone: the shared fix removes both imports, as each call's own would
    (it was built at the last call, which sees only its own function's import)."""
    source = (
        "from netra_backend.app.services.user_execution_context import UserExecutionContext\n"
        "\n\n"
        "def schedule(user_id, thread_id):\n"
        "    import uuid  # run ids\n"
        "    return UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=uuid.uuid4().hex)\n"
        "\n\n"
        "def resume(user_id, thread_id):\n"
        "    import uuid\n"
        "    return UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=str(uuid.uuid4()))\n"
    )
    diagnostics = check_source(source, str(AGENTS / "shapes.py"), CONFIG, index=index).diagnostics
    assert len(diagnostics) == 2 and diagnostics[0].fix == diagnostics[1].fix
    fixed_text = apply_edits(source, diagnostics[0].fix.edits)
    assert imported_names(fixed_text) == {"create_defensive_user_execution_context"}, fixed_text
    assert "    # run ids\n" in fixed_text
    assert diagnostics[0].fix.description.count("the import of 'uuid'") == 1
    assert fix_is_current(diagnostics[0], source)


def test_an_import_in_a_suppress_import_error_block_is_a_probe_and_stays(index):
    """`with suppress(ImportError):` probes as a `try` does (SSOT001's fixes treat it so): its
    import stays when only the dropped arguments used it."""
    suppressed = SHAPES.replace(
        "try:\n    from netra_backend.app.services.run_ids import new_run_id\n"
        "except ImportError:  # an older deployment: the context makes its own run id\n    pass\n",
        "from contextlib import suppress\n\nwith suppress(ImportError):  # an older deployment has none\n"
        "    from netra_backend.app.services.run_ids import new_run_id\n",
    ).replace("import uuid\n", "")
    suppressed = suppressed.replace("run_id=new_run_id() or uuid.uuid4().hex", "run_id=new_run_id()")
    [diagnostic] = check_source(suppressed, str(AGENTS / "build_context.py"), CONFIG, index=index).diagnostics
    fixed_text = apply_edits(suppressed, diagnostic.fix.edits)
    assert "    from netra_backend.app.services.run_ids import new_run_id\n" in fixed_text
    ast.parse(fixed_text)


ALIASED = ["aliased_context.py", "aliased_one_statement.py", "aliased_in_function.py", "aliased_annotated.py"]
FACTORY = "create_defensive_user_execution_context"


@pytest.mark.parametrize("module", ALIASED)
def test_a_class_imported_under_two_names_ends_with_one_import_of_the_factory(fixed, module):
    """Each name's calls got a fix of their own that put the factory in its statement: two
    imports of it, and a class import left unused. Now one fix rewrites them all: the factory is
    imported once, and every name the file still imports is used."""
    text = fixed["once"][f"netra_backend/app/agents/{module}"]
    aliases = [alias for node in ast.walk(ast.parse(text)) if isinstance(node, ast.ImportFrom) for alias in node.names]
    assert [alias.name for alias in aliases].count(FACTORY) == 1, text
    used = {node.id for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Name)}
    assert {alias.asname or alias.name for alias in aliases} <= used, text


def test_the_calls_of_every_name_of_the_class_share_one_fix(index):
    path = AGENTS / "aliased_context.py"
    source = path.read_text(encoding="utf-8")
    diagnostics = check_source(source, str(path), CONFIG, index=index).diagnostics
    assert len(diagnostics) == 2 and diagnostics[0].fix == diagnostics[1].fix
    fix = diagnostics[0].fix
    assert (fix.applicability, fix.description) == (SAFE, (
        f"use 'netra_backend.app.services.user_execution_context.{FACTORY}' here and in the file's 1 other "
        "construction, removing the import of 'UserExecutionContext' and the import of 'Ctx' (their last use)"))
    assert apply_edits(source, fix.edits) == (AFTER / "netra_backend/app/agents/aliased_context.py").read_text()
    # The editor's reduced buffer may hold the calls of one name only: the full check answers.
    assert not fix_is_current(diagnostics[0], source)
    # Without the index the removals are unproven: still one fix, unsafe, and it says why.
    unproven = check_source(source, str(path), CONFIG).diagnostics
    assert unproven[0].fix == unproven[1].fix and unproven[0].fix.applicability == UNSAFE
    assert apply_edits(source, unproven[0].fix.edits) == apply_edits(source, fix.edits)
    assert "modules importing 'Ctx' from this file cannot be seen" in unproven[0].fix.description


def test_two_functions_importing_the_class_under_two_names_keep_their_own_fixes(index):
    """Each function imports the factory once, where it imported the class."""
    source = (
        "def agent_context(user_id):\n"
        "    from netra_backend.app.services.user_execution_context import UserExecutionContext\n"
        "    return UserExecutionContext(user_id=user_id, thread_id='agent')\n\n\n"
        "def handler_context(user_id):\n"
        "    from netra_backend.app.services.user_execution_context import UserExecutionContext as Ctx\n"
        "    return Ctx(user_id=user_id, thread_id='handler')\n"
    )
    result = fix_text(source, str(AGENTS / "shapes.py"), CONFIG, unsafe=False, index=index)
    assert result.fixed == 2
    assert result.text.count(f"    from netra_backend.app.services.user_execution_context import {FACTORY}\n") == 2
    assert "UserExecutionContext" not in result.text and "Ctx" not in result.text


def test_a_shape_the_shared_fix_cannot_reconcile_is_fixed_one_name_at_a_time(index):
    """The class imported from its module and from a re-export (`services/__init__.py`): the
    factory could not be put in once. The first name's calls keep their fix, made unsafe; the
    other's get none until it is applied (the factory imported, their fix uses it)."""
    source = (
        "from netra_backend.app.services import UserExecutionContext as Ctx\n"
        "from netra_backend.app.services.user_execution_context import UserExecutionContext\n\n\n"
        "def contexts(user_id):\n"
        "    return UserExecutionContext(user_id=user_id, thread_id='a'), Ctx(user_id=user_id, thread_id='b')\n"
    )
    path = str(AGENTS / "shapes.py")
    first, second = check_source(source, path, CONFIG, index=index).diagnostics
    why = ("the class is imported under several names ('UserExecutionContext', 'Ctx') and not every one of them "
           "is a `from` import of the factory's module")
    assert first.fix.applicability == UNSAFE and why in first.fix.description
    assert second.fix is None and f"(not fixed: {why}: the calls of 'UserExecutionContext' are fixed first)" in (
        second.message)
    assert fix_text(source, path, CONFIG, unsafe=False, index=index).fixed == 0
    fixed_text = fix_text(source, path, CONFIG, unsafe=True, index=index).text
    assert fixed_text == (
        f"from netra_backend.app.services.user_execution_context import {FACTORY}\n\n\n"
        "def contexts(user_id):\n"
        f"    return {FACTORY}(user_id=user_id, websocket_client_id='a'), {FACTORY}(user_id=user_id, "
        "websocket_client_id='b')\n"
    ), fixed_text


def test_the_editor_agrees_with_the_full_check_on_a_class_imported_twice():
    from flake8_ssot.server.incremental import IncrementalChecker

    path = AGENTS / "aliased_annotated.py"
    source = path.read_text(encoding="utf-8")
    checker = IncrementalChecker()
    checker.check(source, str(path), CONFIG)
    edited = source.replace('    return Ctx(', '    Ctx(user_id=user_id, thread_id="probe")\n    return Ctx(')
    assert checker.check(edited, str(path), CONFIG) == check_source(edited, str(path), CONFIG, noqa=True).diagnostics


def test_safe_calls_of_one_name_are_not_held_back_by_unsafe_calls_of_the_other(index):
    """Under `--fix` the safe calls are rewritten and the factory imported once, `Ctx` staying for
    the unsafe call; `--unsafe-fixes` then rewrites that one with the factory already imported."""
    source = (
        "import uuid\n\n"
        "from netra_backend.app.services.user_execution_context import UserExecutionContext\n"
        "from netra_backend.app.services.user_execution_context import UserExecutionContext as Ctx\n\n\n"
        "def agent_context(user_id, thread_id):\n"
        "    return UserExecutionContext(user_id=user_id, thread_id=thread_id)\n\n\n"
        "def fresh_context(user_id, thread_id):\n"
        "    return Ctx(user_id=user_id, thread_id=thread_id, run_id=str(uuid.uuid4()))\n"
    )
    path = str(AGENTS / "shapes.py")
    safe_only = fix_text(source, path, CONFIG, unsafe=False, index=index)
    assert safe_only.fixed == 1
    assert safe_only.text.count(FACTORY) == 2 and "import UserExecutionContext as Ctx\n" in safe_only.text
    everything = fix_text(source, path, CONFIG, unsafe=True, index=index).text
    assert imported_names(everything) == {FACTORY} and everything.count(FACTORY) == 3, everything


def test_calls_through_the_module_and_by_name_share_one_fix(index):
    """`user_context.UserExecutionContext(...)` and `UserExecutionContext(...)` in one file: one
    fix rewrites both to the factory the class's statement imports, as the migration commit
    does; the module import goes when those calls were its last uses, and stays otherwise."""
    kept = AGENTS / "module_alias_kept.py"
    source = kept.read_text(encoding="utf-8")
    diagnostics = check_source(source, str(kept), CONFIG, index=index).diagnostics
    assert len(diagnostics) == 2 and diagnostics[0].fix == diagnostics[1].fix
    assert (diagnostics[0].fix.applicability, diagnostics[0].fix.description) == (SAFE, (
        f"use 'netra_backend.app.services.user_execution_context.{FACTORY}' here and in the file's 1 other "
        "construction, removing the import of 'UserExecutionContext' (their last use)"))
    assert apply_edits(source, diagnostics[0].fix.edits) == (AFTER / "netra_backend/app/agents/module_alias_kept.py").read_text()
    assert not fix_is_current(diagnostics[0], source)  # the editor's buffer may lack one of the calls

    path = AGENTS / "module_alias.py"
    source = path.read_text(encoding="utf-8")
    through, by_name = check_source(source, str(path), CONFIG, index=index).diagnostics
    assert through.fix.applicability == UNSAFE and through.fix.description.endswith(
        "removing the import of 'UserExecutionContext' (their last use) and the import of 'user_context' (only the "
        "calls through it used it) and the import of 'uuid' (only the dropped arguments used it) (unsafe: dropping "
        "'run_id' skips code its value runs)")
    assert apply_edits(source, through.fix.edits) == (AFTER / "netra_backend/app/agents/module_alias.py").read_text()
    # Under `--fix` the safe call is rewritten alone; the module import stays for the other.
    safe_only = fix_text(source, str(path), CONFIG, unsafe=False, index=index)
    assert safe_only.fixed == 1 and imported_names(safe_only.text) == {"uuid", "user_context", FACTORY}
    # The unsafe call's own fix then names the factory imported already, and removes what it left unused.
    [rest] = check_source(safe_only.text, str(path), CONFIG, index=index).diagnostics
    assert rest.fix.description.endswith(
        "removing the import of 'user_context' (only the call through it used it) and the import of 'uuid' (only the "
        "dropped arguments used it) (unsafe: dropping 'run_id' skips code its value runs)")
    assert apply_edits(safe_only.text, rest.fix.edits) == (AFTER / "netra_backend/app/agents/module_alias.py").read_text()


@pytest.mark.parametrize("module, removed", [
    ("retry_agent.py", "removing the import of 'UserExecutionContext' (its last use) and the import of 'new_run_id'"),
    ("retry_registry.py", "removing the import of 'new_run_id'"),
])
def test_a_name_the_class_statement_imports_goes_with_the_dropped_argument_that_used_it(index, module, removed):
    """`from ... import UserExecutionContext, new_run_id` where `run_id=new_run_id()` was its
    last use: the name leaves the statement the factory joins (the whole of it, in the class's
    place, when the class goes), under the same conditions as a name of another statement."""
    path = AGENTS / module
    source = path.read_text(encoding="utf-8")
    [diagnostic] = check_source(source, str(path), CONFIG, index=index).diagnostics
    assert f"{removed} (only the dropped arguments used it)" in diagnostic.fix.description
    assert apply_edits(source, diagnostic.fix.edits) == (AFTER / "netra_backend/app/agents" / module).read_text()
    assert fix_is_current(diagnostic, source)
    assert "new_run_id" not in imported_names(apply_edits(source, diagnostic.fix.edits))
    [unproven] = check_source(source, str(path), CONFIG).diagnostics
    assert "modules importing 'new_run_id' from this file cannot be seen" in unproven.fix.description


def test_the_class_statement_goes_whole_when_its_names_all_go(index):
    """The factory imported already: the class's statement loses both its names, so it goes."""
    source = (
        "from netra_backend.app.services.user_execution_context import UserExecutionContext, new_run_id  # ids\n"
        f"from netra_backend.app.services.user_execution_context import {FACTORY}\n\n\n"
        "def retry(user_id, thread_id):\n"
        "    return UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=new_run_id())\n"
    )
    [diagnostic] = check_source(source, str(AGENTS / "shapes.py"), CONFIG, index=index).diagnostics
    assert apply_edits(source, diagnostic.fix.edits) == (
        "# ids\n"
        f"from netra_backend.app.services.user_execution_context import {FACTORY}\n\n\n"
        "def retry(user_id, thread_id):\n"
        f"    return {FACTORY}(user_id=user_id, websocket_client_id=thread_id)\n"
    )


def test_a_name_the_class_statement_imports_stays_where_it_is_still_used_or_imported(index):
    source = (
        "from netra_backend.app.services.user_execution_context import UserExecutionContext, new_run_id\n\n\n"
        "def retry(user_id, thread_id):\n"
        "    return UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=new_run_id())\n\n\n"
        "RUN_IDS = [new_run_id]\n"
    )
    [diagnostic] = check_source(source, str(AGENTS / "shapes.py"), CONFIG, index=index).diagnostics
    assert "new_run_id" in imported_names(apply_edits(source, diagnostic.fix.edits))
    init = check_source(source.replace("RUN_IDS = [new_run_id]\n", ""), str(AGENTS / "__init__.py"), CONFIG,
                        index=index).diagnostics[0]
    assert init.fix.applicability == UNSAFE
    assert "from which code outside the tree may import 'new_run_id'" in init.fix.description


def test_an_import_the_dropped_arguments_of_two_names_calls_used_goes_with_their_shared_fix(index):
    path = AGENTS / "aliased_run_ids.py"
    source = path.read_text(encoding="utf-8")
    diagnostics = check_source(source, str(path), CONFIG, index=index).diagnostics
    assert len(diagnostics) == 2 and diagnostics[0].fix == diagnostics[1].fix
    assert diagnostics[0].fix.description.startswith(
        f"use 'netra_backend.app.services.user_execution_context.{FACTORY}' here and in the file's 1 other "
        "construction, removing the import of 'UserExecutionContext' and the import of 'Ctx' (their last use) and "
        "the import of 'uuid' (only the dropped arguments used it) (unsafe: ")
    assert apply_edits(source, diagnostics[0].fix.edits) == (AFTER / "netra_backend/app/agents/aliased_run_ids.py").read_text()


def test_calls_through_the_module_in_the_function_that_imports_the_class_share_its_fix(index):
    """The several-names rules: in one function, the calls after its import of the class."""
    source = (
        "def pair(user_id, thread_id):\n"
        "    import netra_backend.app.services.user_execution_context as context_module\n"
        "    from netra_backend.app.services.user_execution_context import UserExecutionContext\n"
        "    return (context_module.UserExecutionContext(user_id=user_id, thread_id=thread_id),\n"
        "            UserExecutionContext(user_id=user_id, thread_id=thread_id))\n\n\n"
        "def other(user_id, thread_id):\n"
        "    import netra_backend.app.services.user_execution_context as context_module\n"
        "    return context_module.UserExecutionContext(user_id=user_id, thread_id=thread_id)\n"
    )
    first, second, third = check_source(source, str(AGENTS / "shapes.py"), CONFIG, index=index).diagnostics
    assert first.fix == second.fix != third.fix
    assert fix_text(source, str(AGENTS / "shapes.py"), CONFIG, unsafe=False, index=index).text == (
        "def pair(user_id, thread_id):\n"
        f"    from netra_backend.app.services.user_execution_context import {FACTORY}\n"
        f"    return ({FACTORY}(user_id=user_id, websocket_client_id=thread_id),\n"
        f"            {FACTORY}(user_id=user_id, websocket_client_id=thread_id))\n\n\n"
        "def other(user_id, thread_id):\n"
        "    import netra_backend.app.services.user_execution_context as context_module\n"
        f"    return context_module.{FACTORY}(user_id=user_id, websocket_client_id=thread_id)\n"
    )


@pytest.mark.parametrize("typed", ["# a comment", "    return None"])
def test_the_editor_agrees_with_the_full_check_on_calls_that_share_a_fix_for_their_dropped_arguments(typed):
    """run_scheduler.py's three calls share one fix: together their dropped `run_id=` arguments
    were the last uses of `uuid` and `new_run_id` (the class's import stays: annotations use
    it). A line typed beside one call has the editor check that call again, in a buffer whose
    other calls are blanked: its own fix, which removes only `new_run_id`, is not the file's."""
    from flake8_ssot.server.incremental import IncrementalChecker

    path = AGENTS / "run_scheduler.py"
    source = path.read_text(encoding="utf-8")
    checker = IncrementalChecker()
    checker.check(source, str(path), CONFIG)
    lines = source.split("\n")
    lines[lines.index("def resume(context: UserExecutionContext) -> UserExecutionContext:") - 1] = typed
    edited = "\n".join(lines)
    full = check_source(edited, str(path), CONFIG, noqa=True).diagnostics
    assert all("the file's 2 other constructions" in d.fix.description for d in full)
    assert checker.check(edited, str(path), CONFIG) == full


def test_the_factory_is_not_named_through_a_module_alias_a_function_rebinds_globally(index):
    """`global contexts; contexts = ...` in a reset hook rebinds the module's name at run time,
    which the binding table does not record: the factory is imported by name instead of
    called as `contexts.create_...(...)`."""
    path = AGENTS / "never_written.py"
    source = (AGENTS / "replay_registry.py").read_text(encoding="utf-8").replace(
        "\n\ncontexts = contexts.UserContextManager()\n",
        "\n\ndef reset_registry():\n    global contexts\n    contexts = contexts.UserContextManager()\n")
    [diagnostic] = check_source(source, str(path), CONFIG, index=index).diagnostics
    fixed = apply_edits(source, diagnostic.fix.edits)
    assert "contexts.register(create_defensive_user_execution_context(" in fixed
    assert f"import {FACTORY}\n" in fixed
