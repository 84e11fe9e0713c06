"""SSOT002's fix (issue #20): a direct construction rewritten to the class's factory, its
arguments mapped by the entry's `args` and checked against the signatures the project index
reads, the factory imported the way the file imports its module.

tests/fixtures_construction/ is one seed-shaped project: each module of
src/netra_backend/cases/ is fixed (with --unsafe-fixes) into after/<name>.py. A runtime
test runs the fixture's own code before and after `ssot check --fix --unsafe-fixes`: the
contexts and managers it builds are the same.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
import tokenize
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flake8_ssot.config import ConfigError, config_from_document, load_config, parse_toml
from flake8_ssot.diagnostic import SAFE, UNSAFE
from flake8_ssot.engine import check_source
from flake8_ssot.fixes import fix_text, parse_error
from flake8_ssot.index import ProjectIndex
from flake8_ssot.index.summary import Summary
from projects import ssot

ROOT = Path(__file__).parent / "fixtures_construction"
CASES_DIR = ROOT / "src" / "netra_backend" / "cases"
CASES = sorted(path.stem for path in CASES_DIR.glob("*.py") if path.stem != "__init__")
CONFIG = load_config(str(ROOT / "pyproject.toml"))
UEC = "netra_backend.app.services.user_execution_context"

# The calls left as they are, and what their diagnostic says instead of offering a fix.
NOT_FIXED = {
    "not_fixed_unknown_argument": "not fixed: 'create_agent_run_context' has no parameter 'retries'",
    "not_fixed_unpacked": "not fixed: the call unpacks *args or **kwargs",
    "missing_argument": "not fixed: 'create_agent_run_context' needs 'agent_name', which the call does not pass",
}
# Fixed by `--fix` alone: nothing dropped runs code, every signature is known.
SAFE_CASES = {
    "aliased_class", "aliased_module", "annotation_keeps_import", "backslash_continued_import", "comments_inside", "dropped_name_is_safe",
    "dunder_all_keeps_import", "factory_already_imported", "function_level_import", "function_level_import_two_calls",
    "function_level_imports_per_function", "isinstance_keeps_import",
    "kept_call_argument", "local_alias", "module_attribute", "other_imports_placement", "positional_args",
    "reexport", "renamed_reexport", "trailing_comma", "two_calls", "websocket_manager_parenthesized",
    "websocket_manager_positional",
}
# Dropping `run_id=f"run_{uuid.uuid4()}"` skips a call: only --unsafe-fixes rewrites these.
UNSAFE_CASES = {"seed_multiline", "seed_one_line"}


@pytest.fixture(scope="module")
def index() -> ProjectIndex:
    return ProjectIndex(CONFIG.src)


def comments(text: str) -> Counter:
    return Counter(token.string for token in tokenize.generate_tokens(io.StringIO(text).readline)
                   if token.type == tokenize.COMMENT)


def fixed(name: str, index: ProjectIndex, unsafe: bool = True):
    path = CASES_DIR / f"{name}.py"
    return fix_text(path.read_text(encoding="utf-8"), str(path), CONFIG, unsafe=unsafe, index=index)


def test_the_cases_cover_the_issue():
    assert len(CASES) >= 20
    assert sorted(CASES) == sorted(path.stem for path in (ROOT / "after").glob("*.py"))
    assert set(CASES) == SAFE_CASES | UNSAFE_CASES | set(NOT_FIXED)


@pytest.mark.parametrize("name", CASES)
def test_before_becomes_after(name, index):
    before = (CASES_DIR / f"{name}.py").read_text(encoding="utf-8")
    result = fixed(name, index)
    assert result.text == (ROOT / "after" / f"{name}.py").read_text(encoding="utf-8")
    assert parse_error(result.text) is None
    assert comments(result.text) == comments(before), "a comment was lost or duplicated"
    again = fix_text(result.text, str(CASES_DIR / f"{name}.py"), CONFIG, unsafe=True, index=index)
    assert again.text == result.text, "fixing twice changed the file again"
    left = [d for d in again.diagnostics if d.code == "SSOT002"]
    if name in NOT_FIXED:
        assert any(NOT_FIXED[name] in d.message for d in left), [d.message for d in left]
        assert all(d.fix is None for d in left)
    else:
        assert left == []


@pytest.mark.parametrize("name", sorted(SAFE_CASES | UNSAFE_CASES))
def test_safe_fixes_need_no_unsafe_flag(name, index):
    result = fixed(name, index, unsafe=False)
    after = (ROOT / "after" / f"{name}.py").read_text(encoding="utf-8")
    before = (CASES_DIR / f"{name}.py").read_text(encoding="utf-8")
    assert result.text == (after if name in SAFE_CASES else before)


def test_an_unsafe_fix_says_why(index):
    path = CASES_DIR / "seed_one_line.py"
    [diagnostic] = check_source(path.read_text(encoding="utf-8"), str(path), CONFIG, index=index).diagnostics
    assert diagnostic.fix.applicability == UNSAFE
    assert "dropping 'run_id' skips code its value runs" in diagnostic.fix.description
    path = CASES_DIR / "dropped_name_is_safe.py"  # `run_id=run_id` runs nothing
    [diagnostic] = check_source(path.read_text(encoding="utf-8"), str(path), CONFIG, index=index).diagnostics
    assert diagnostic.fix.applicability == SAFE


def test_without_the_index_positional_calls_are_not_fixed_and_keyword_ones_are_unsafe():
    path = CASES_DIR / "positional_args.py"
    [diagnostic] = check_source(path.read_text(encoding="utf-8"), str(path), CONFIG).diagnostics
    assert diagnostic.fix is None
    assert f"positional arguments need the signature of '{UEC}.UserExecutionContext'" in diagnostic.message
    path = CASES_DIR / "dropped_name_is_safe.py"
    [diagnostic] = check_source(path.read_text(encoding="utf-8"), str(path), CONFIG).diagnostics
    assert diagnostic.fix.applicability == UNSAFE
    assert "is not known to check the call against" in diagnostic.fix.description


def test_the_factorys_module_may_build_the_class(index):
    path = ROOT / "src/netra_backend/app/websocket_core/canonical_imports.py"
    assert check_source(path.read_text(encoding="utf-8"), str(path), CONFIG, index=index).diagnostics == []


# --------------------------------------------------------------------------- signatures

def test_summaries_carry_signatures_through_json(index):
    summary = index.summary(UEC)
    assert summary.signature("UserExecutionContext") == (
        ("user_id", "positional", False), ("thread_id", "positional", False), ("run_id", "positional", True),
        ("request_id", "positional", True), ("db_session", "positional", True))
    assert summary.signature("create_defensive_user_execution_context") == (
        ("user_id", "positional", False), ("websocket_client_id", "positional", True),
        ("request_id", "keyword-only", True), ("db_session", "keyword-only", True))
    manager = index.summary("netra_backend.app.websocket_core.websocket_manager")
    assert manager.signature("WebSocketManager") == (("user_context", "positional", False), ("mode", "positional", True))
    for module in (UEC, "netra_backend.app.websocket_core.websocket_manager", "netra_backend.app.agents.run_context"):
        summary = index.summary(module)
        assert Summary.from_json(json.loads(json.dumps(summary.to_json()))) == summary
    assert Summary.from_json(summary.to_json()[:6]).signatures == ()  # a summary stored before signatures


# --------------------------------------------------------------------------- the policy

@pytest.mark.parametrize(("args", "key", "problem"), [
    ('"thread_id"', "args", "must be a table"),
    ('{ run_id = true }', "args.run_id", "not true"),
    ('{ run_id = 3 }', "args.run_id", "must be the factory's parameter name (a string) or false"),
    ('{ "thread id" = "websocket_client_id" }', 'args."thread id"', "is not an argument name"),
    ('{ thread_id = "websocket client" }', "args.thread_id", "is not a parameter name"),
    ('{ thread_id = "websocket_client_id", client = "websocket_client_id" }', "args.client",
     "as 'thread_id' does"),
])
def test_a_bad_args_mapping_names_its_key(args, key, problem, tmp_path):
    text = f'[tool.ssot.factories]\n"pkg.ctx.UserExecutionContext" = {{ use = "pkg.ctx.create", args = {args} }}\n'
    path = str(tmp_path / "pyproject.toml")
    with pytest.raises(ConfigError) as raised:
        config_from_document(parse_toml(text.encode(), path), path)
    assert raised.value.key_path == f'tool.ssot.factories."pkg.ctx.UserExecutionContext".{key}'
    assert problem in raised.value.problem


def test_args_is_a_factory_key_only(tmp_path):
    text = '[tool.ssot.legacy]\n"pkg.old" = { use = "pkg.new", args = { a = "b" } }\n'
    path = str(tmp_path / "pyproject.toml")
    with pytest.raises(ConfigError) as raised:
        config_from_document(parse_toml(text.encode(), path), path)
    assert raised.value.key_path.endswith(".args") and "unknown key" in raised.value.problem


# --------------------------------------------------------------------------- properties

ARGUMENTS = ("user_id", "thread_id", "run_id", "request_id", "db_session")
VALUES = st.sampled_from(["uid", '"user_1"', "self.thread_id", 'f"run_{uuid.uuid4()}"', "make_id()", "None",
                          "ids[0]", "(tid)", "{'a': 1}"])


@st.composite
def constructions(draw):
    names = draw(st.lists(st.sampled_from(ARGUMENTS), unique=True, max_size=5))
    positional = draw(st.integers(0, 2)) if names[:2] == ["user_id", "thread_id"] else 0
    parts = []
    for index, name in enumerate(names):
        value = draw(VALUES)
        parts.append(value if index < positional else f"{name}={value}")
    multiline = draw(st.booleans())
    commented = draw(st.lists(st.booleans(), min_size=len(parts), max_size=len(parts)))
    trailing = draw(st.booleans()) and bool(parts)
    if multiline:
        lines = [f"        {part},{'  # note ' + str(i) if commented[i] else ''}" for i, part in enumerate(parts)]
        if parts and not trailing:
            lines[-1] = lines[-1].replace(",", "", 1) if not commented[-1] else f"        {parts[-1]}  # note {len(parts) - 1}"
        call = "UserExecutionContext(  # built here\n" + "\n".join(lines) + "\n    )"
    else:
        call = f"UserExecutionContext({', '.join(parts)}{',' if trailing else ''})"
    return "user_id" in names, (
        "import uuid\n\n"
        f"from {UEC} import UserExecutionContext  # the class\n\n\n"
        "def make_id():\n    return 'x'\n\n\n"
        "def build(uid, tid, ids, self=None):\n"
        f"    return {call}\n"
    )


@settings(max_examples=25, deadline=None)
@given(generated=constructions())
def test_fixes_parse_keep_comments_and_are_idempotent(generated):
    passes_user_id, source = generated
    index = ProjectIndex(CONFIG.src)
    path = str(CASES_DIR / "generated.py")
    result = fix_text(source, path, CONFIG, unsafe=True, index=index)
    assert result.refused is None
    assert parse_error(result.text) is None
    assert comments(result.text) == comments(source)
    again = fix_text(result.text, path, CONFIG, unsafe=True, index=index)
    assert again.text == result.text
    # The factory needs only user_id (and takes every mapped argument): fixed whenever it is passed.
    assert ("UserExecutionContext(" not in result.text) == passes_user_id


# --------------------------------------------------------------------------- at run time

RUN = """\
import asyncio, json, sys
sys.path.insert(0, "src")
from netra_backend.app.services import user_execution_context as uec
from netra_backend.app.websocket_core import websocket_manager as wm
from netra_backend.cases import (aliased_module, annotation_keeps_import, comments_inside, dropped_name_is_safe,
    factory_already_imported, function_level_import, function_level_import_two_calls, kept_call_argument, module_attribute, other_imports_placement,
    positional_args, reexport, seed_one_line, trailing_comma, two_calls, websocket_manager_positional)

seed_one_line.build_context("u1", "t1")
annotation_keeps_import.build_context("u2", "t2", "run_2")
comments_inside.build("u3", "t3", "run_3")
dropped_name_is_safe.build("u4", "t4", "run_4")
factory_already_imported.second_context("u5", "t5")
function_level_import.build("u6", "t6")
function_level_import_two_calls.check_user_isolation()
kept_call_argument.build("t7")
module_attribute.build("u8", "t8")
positional_args.build("u9", "t9")
reexport.build("u10", "t10")
trailing_comma.build("u11", "t11", "run_11")
two_calls.pair("u12", "u13", "t12")
asyncio.run(aliased_module.handle("u14", "t14", {"run_id": "run_14"}))
websocket_manager_positional.open_manager("u15")
other_imports_placement.handle(json.dumps({"user": "u16", "thread": "t16"}))
print(json.dumps({"contexts": uec.BUILT, "managers": wm.BUILT}))
"""


def test_the_fixed_code_builds_the_same_objects(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT, project)
    (project / "run.py").write_text(RUN)

    def run() -> dict:
        import subprocess

        done = subprocess.run([sys.executable, "run.py"], cwd=project, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    before = run()
    fixing = ssot("check", "--no-cache", "--fix", "--unsafe-fixes", "src", cwd=project)
    assert fixing.returncode == 1, fixing.stdout + fixing.stderr  # the calls that cannot be fixed remain
    for name in ("seed_one_line", "positional_args", "comments_inside", "websocket_manager_positional"):
        assert (project / "src/netra_backend/cases" / f"{name}.py").read_text() == \
            (ROOT / "after" / f"{name}.py").read_text()
    after = run()
    assert after == before
    assert len(before["contexts"]) >= 15 and len(before["managers"]) == 2


# --------------------------------------------------------------------------- the example monorepo

MONOREPO = Path(__file__).parent.parent / "examples" / "monorepo"


def test_fixing_the_example_monorepo_leaves_it_parseable_and_is_idempotent(tmp_path):
    """Every rule's fixes together over the example tree (two constructions under one
    function-level import once wrote the factory's name into it twice): each fixed file
    parses as well as it did, imports no name twice in one statement, and a second
    `--fix --unsafe-fixes` changes nothing."""
    import ast

    from flake8_ssot.cli import main

    project = tmp_path / "monorepo"
    shutil.copytree(MONOREPO, project, ignore=shutil.ignore_patterns(".ssot_cache", "__pycache__"))
    files = sorted(project.rglob("*.py"))
    before = {path: path.read_text(encoding="utf-8") for path in files}

    def fix() -> dict:
        main(["check", "--no-cache", "--quiet", "--fix", "--unsafe-fixes", str(project)])
        return {path: path.read_text(encoding="utf-8") for path in files}

    once = fix()
    assert once != before, "the example tree has fixable findings"
    for path, text in once.items():
        if parse_error(before[path]) is not None:
            continue  # the tree's deliberately broken file
        assert parse_error(text) is None, path
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [alias.asname or alias.name for alias in node.names]
                assert len(names) == len(set(names)), f"{path}:{node.lineno} imports a name twice"
    assert fix() == once, "fixing twice changed the tree again"


# --------------------------------------------------------------------------- in the editor

EDITOR_SOURCE = f'''\
from {UEC} import UserExecutionContext


def build(uid, tid):
    return UserExecutionContext(user_id=uid, thread_id=tid)


def describe(value) -> str:
    return type(value).__name__
'''


def test_the_incremental_checker_fixes_as_the_full_check(index):
    """The language server checks a reduced buffer (other definitions stubbed): a fix that
    removes the class's import counted uses it may not see, and is taken from the full check."""
    from flake8_ssot.server.incremental import IncrementalChecker

    path = str(CASES_DIR / "editor_buffer.py")  # never written
    checker = IncrementalChecker()
    checker.index = index
    edits = [
        # a use in another function: the import must stay
        EDITOR_SOURCE.replace("def describe(value) -> str:", "def describe(value: UserExecutionContext) -> str:"),
        # the call's own statement edited while the other function uses the class
        EDITOR_SOURCE.replace("def describe(value) -> str:", "def describe(value: UserExecutionContext) -> str:")
        .replace("thread_id=tid)", "thread_id=tid, request_id='r')"),
        # the other use gone again: the import goes with the call
        EDITOR_SOURCE.replace("type(value).__name__", "str(value)"),
        # a line added above the import-editing call: its import edit stays where it is
        EDITOR_SOURCE.replace("\n\ndef build", "\n\nLIMIT = 3\n\n\ndef build"),
    ]
    checker.check(EDITOR_SOURCE, path, CONFIG)
    for text in edits:
        got = checker.check(text, path, CONFIG)
        assert got == check_source(text, path, CONFIG, noqa=True, index=index).diagnostics, text
        [diagnostic] = got
        fixed = fix_text(text, path, CONFIG, unsafe=True, index=index).text
        assert ("UserExecutionContext" in fixed) == ("value: UserExecutionContext" in text)
