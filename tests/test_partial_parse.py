"""Partial parsing (facts/partial.py, #16) finds exactly what a whole parse finds.

A large file that parses is read from a parse of only its top-level definitions that can
matter; the others stand as stubs. Here, on a project shaped like the seed project (a factory-
only class re-exported under another name, a legacy module, a renamed legacy function, a
canonical class, deprecated exports), every check is made both ways and must be identical:
diagnostics with their fixes, the syntax error, the files consulted. The size threshold is
lowered so that small examples take the partial path. benchmarks/compare_fast_path.py makes the
same comparison over whole trees.

- the boundary scanner equals Python's tokenizer on every file that compiles (hypothesmith's
  and seed-shaped ones);
- generated seed-shaped files and hypothesmith's find the same both ways;
- each trap named in the design has its own example (docstrings holding code at column 0,
  brackets closing at column 0, clauses and decorators, `;`, aliases, rebinding, star imports,
  `__all__`, definitions, strings, the renamed-class set, deep trees, noqa, fixes).
"""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import tokenize
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from projects import write
from python_programs import FROM_GRAMMAR

from flake8_ssot import engine
from flake8_ssot.config import load_config
from flake8_ssot.facts import partial
from flake8_ssot.fixes import fix_text
from flake8_ssot.index import ProjectIndex

POLICY = textwrap.dedent("""\
    [tool.ssot]
    src = ["src"]

    [tool.ssot.legacy]
    "netra_backend.app.websocket_core.factory" = "netra_backend.app.websocket_core.canonical_imports"
    "netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager" = { use = "netra_backend.app.websocket_core.websocket_manager.get_websocket_manager" }
    "netra_backend.app.legacy_*" = "netra_backend.app.core"

    [tool.ssot.canonical]
    "netra_backend.app.websocket_core.websocket_manager.WebSocketManager" = {}

    [tool.ssot.factories]
    "netra_backend.app.services.user_execution_context.UserExecutionContext" = { use = "netra_backend.app.services.user_execution_context.create_defensive_user_execution_context" }

    [tool.ssot.deprecated-exports]
    "netra_backend.app.websocket_core.unified_init" = ["create_websocket_manager_sync"]
    """)

CONTEXT = "netra_backend.app.services.user_execution_context"
PROJECT_FILES = {
    "src/netra_backend/__init__.py": "",
    "src/netra_backend/app/__init__.py": "",
    "src/netra_backend/app/core.py": "def connect():\n    return 'core'\n",
    "src/netra_backend/app/legacy_db.py": "def connect():\n    return 'legacy'\n",
    "src/netra_backend/app/services/__init__.py": "",
    "src/netra_backend/app/services/user_execution_context.py": """\
        class UserExecutionContext:
            def __init__(self, run_id=0):
                self.run_id = run_id


        def create_defensive_user_execution_context(run_id=0):
            return UserExecutionContext(run_id=run_id)
        """,
    # The class re-exported under another name: index/aliases.py's renamed-class set.
    "src/netra_backend/app/services/context_compat.py": f"""\
        from {CONTEXT} import UserExecutionContext

        ExecutionContext = UserExecutionContext
        """,
    "src/netra_backend/app/websocket_core/__init__.py": "",
    "src/netra_backend/app/websocket_core/factory.py": "def create_manager(user=None):\n    return ('manager', user)\n",
    "src/netra_backend/app/websocket_core/canonical_imports.py": "def create_manager(user=None):\n    return ('manager', user)\n",
    "src/netra_backend/app/websocket_core/websocket_manager_factory.py": """\
        def create_websocket_manager(user=None):
            return ('manager', user)
        """,
    "src/netra_backend/app/websocket_core/websocket_manager.py": """\
        class WebSocketManager:
            pass


        def get_websocket_manager(user=None):
            return ('manager', user)
        """,
    "src/netra_backend/app/websocket_core/unified_init.py": """\
        def create_websocket_manager_sync():
            return None

        __all__ = ["create_websocket_manager_sync"]
        """,
    "src/netra_backend/app/agents/__init__.py": "",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("partial")
    (root / "pyproject.toml").write_text(POLICY, encoding="utf-8")
    return write(root, PROJECT_FILES)


@contextmanager
def partial_parsing(enabled: bool):
    saved = partial.ENABLED, partial.MIN_SIZE, partial.MIN_SKIPPED_SHARE
    # Small examples, and those with little to skip, take the partial path too.
    partial.ENABLED, partial.MIN_SIZE, partial.MIN_SKIPPED_SHARE = enabled, 0, 0
    try:
        yield
    finally:
        partial.ENABLED, partial.MIN_SIZE, partial.MIN_SKIPPED_SHARE = saved


class Checker:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.config = load_config(str(root / "pyproject.toml"))
        self.index = ProjectIndex(self.config.src)

    def path(self, module: str) -> str:
        return str(self.root / "src" / (module.replace(".", "/") + ".py"))

    def result(self, source: str, module: str, enabled: bool):
        with partial_parsing(enabled):
            result = engine.check_source(source, self.path(module), self.config, prefilter=False,
                                         index=self.index)
        return result.diagnostics, result.syntax_error, result.depends

    def taken(self, source: str, module: str) -> bool:
        """Does the partial path read this file (before any rule asks for the whole tree)?"""
        path = self.path(module)
        name, is_package = engine.file_module(path, self.config)
        with partial_parsing(True):
            facts = partial.partial_facts(source, path, name, is_package, None, engine.interest(self.config),
                                          None, engine.partial_words(self.config))
        return facts is not None

    def same(self, source: str, module: str = "netra_backend.app.agents.generated"):
        """The check's result both ways (asserted equal), with partial parsing on."""
        whole = self.result(source, module, False)
        fast = self.result(source, module, True)
        assert fast == whole, f"partial parsing changed the result of:\n{source}"
        return fast


@pytest.fixture(scope="module")
def checker(project) -> Checker:
    return Checker(project)


def codes(result) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in result[0]]


# --------------------------------------------------------------------------- the boundary scanner

def tokenizer_starts(source: str) -> list[int]:
    """The 0-based lines where Python's tokenizer starts a logical line at column 0."""
    starts, first = [], True
    skipped = (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NEWLINE:
            first = True
        elif token.type not in skipped and first:
            first = False
            if token.start[1] == 0:
                starts.append(token.start[0] - 1)
    return starts


def compiles(source: str) -> bool:
    try:
        compile(source, "<generated>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


SCANNER_TRAPS = [
    # A docstring holding code at column 0, a string of the other quote, an escaped quote.
    'def f():\n    """Example:\n\nimport netra_backend.app.websocket_core.factory\n"""\n    return 1\n\nx = 1\n',
    "def f():\n    s = '''it's \\'''\nclass A: pass\n'''\n    return s\n",
    # Brackets closing, and arguments written, at column 0.
    "x = f(\n    1,\n)\ndef g(\na,\nb):\n    return [\n1]\ny = {\n}\n",
    # Clauses and decorators at column 0; `;` joining statements; a continued line.
    "if a:\n    pass\nelif b:\n    pass\nelse:\n    pass\ntry:\n    pass\nexcept E:\n    pass\nfinally:\n    pass\n"
    "@dec\n@dec2(\n1)\ndef h(): pass; x = 2\ny = 1 + \\\n2\n",
    # Comments with quotes, strings with `#`, prefixes, a continued single-quoted string.
    "# it's\nx = '#not a comment'  # \"\ny = rb'\\''\nz = 'a\\\nb'\nw = f\"{x!r}\" f'{y}'\n",
    # Windows line endings.
    "def f():\r\n    return (\r\n1)\r\nx = 1\r\n",
]


@pytest.mark.parametrize("source", SCANNER_TRAPS)
def test_the_scanner_starts_statements_where_the_tokenizer_does(source):
    assert compiles(source)
    assert partial.statement_starts(source) == tokenizer_starts(source)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(FROM_GRAMMAR)
def test_the_scanner_equals_the_tokenizer_on_generated_grammar(source):
    assume("\f" not in source and "\v" not in source and "\r" not in source and compiles(source))
    assert partial.statement_starts(source) == tokenizer_starts(source)


# --------------------------------------------------------------------------- seed-shaped files

NAMES = ["UserExecutionContext", "UEC", "Ctx", "ExecutionContext", "create_manager", "factory", "manager",
         "WebSocketManager", "helper", "os", "json", "record", "create_websocket_manager", "connect",
         "canonical_imports", "get_websocket_manager", "\uff35serExecutionContext"]
IMPORTS = [
    f"from {CONTEXT} import UserExecutionContext",
    f"from {CONTEXT} import UserExecutionContext as UEC",
    f"from {CONTEXT} import create_defensive_user_execution_context",
    "from netra_backend.app.services.context_compat import ExecutionContext",
    "from netra_backend.app.services import context_compat",
    "from netra_backend.app.websocket_core.factory import create_manager",
    "from netra_backend.app.websocket_core import factory",
    "import netra_backend.app.websocket_core.factory as manager",
    "from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager",
    "from netra_backend.app.websocket_core.websocket_manager import WebSocketManager",
    "from netra_backend.app import legacy_db",
    "from netra_backend.app.legacy_db import connect",
    "import os", "import json", "from typing import Optional",
]


@st.composite
def bodies(draw) -> str:
    a, b = draw(st.sampled_from(NAMES)), draw(st.sampled_from(NAMES))
    lines = draw(st.lists(st.sampled_from([
        f"    return {a}(run_id=1)", f"    x = {a}.{b}()", f"    value = {a}\n    return value()",
        f"    log('{a}.{b} done')", "    data = {\n'key': (\n1, 2)\n}", f"    items = [\n{a},\n]",
        f'    """Uses {a}.\n\nimport netra_backend.app.websocket_core.factory\nclass Fake: pass\n"""',
        f"    if {a}:\n        pass\n    else:\n        return {b}", f"    y = f'{{{a}!r}} and {{{b}}}'",
        f"    {a} = {b}\n    return {a}()", "    pass", f"    for item in {a}:\n        yield item",
        f"    with {a}() as handle:\n        return handle", f"    return lambda: {a}()",
        f"    try:\n        return {a}()\n    except ValueError:\n        return None",
        f"    s = 'netra_backend.app.websocket_core.factory.{a}'", f"    global {a}\n    {a} = None",
        f"    from {CONTEXT} import {a}", "    x = 1; y = 2",
        f"    total = 1 + \\\n        {a}", f"    return {a}.connect()",
        f"    s = ('netra_backend.app.websocket_core.fac'\n         'tory.{a}')", "    return globals()",
    ]), min_size=1, max_size=4))
    return "\n".join(lines)


@st.composite
def top_level(draw) -> str:
    a, b = draw(st.sampled_from(NAMES)), draw(st.sampled_from(NAMES))
    body = draw(bodies())
    name = draw(st.sampled_from(["handle", "build", "Service", "helper_one", "WebSocketManager", "run", a]))
    return draw(st.sampled_from([
        draw(st.sampled_from(IMPORTS)),
        f"def {name}(self, value=None):\n{body}",
        f"async def {name}(value: Optional[int] = None) -> None:\n{body}",
        f"@decorator\n@other(\n    1,\n)\ndef {name}():\n{body}",
        f"class {name}(Base):\n    attribute = 1\n\n    def method(self):\n    {body.replace(chr(10), chr(10) + '    ')}",
        f"class {name}:\n    pass",
        f"{a} = {b}", f"{a} = None", f"{a} = {b}.{draw(st.sampled_from(NAMES))}",
        f"if {a}:\n    {b} = 1\nelse:\n    {b} = 2",
        f"try:\n    from {CONTEXT} import UserExecutionContext as {a}\nexcept ImportError:\n    {a} = None",
        f"__all__ = ['{a}', '{b}']", f"__all__ += ['{a}']", "__all__.append('create_websocket_manager_sync')",
        f"x = {a}(); y = {b}", f"result = {a}(run_id=2)", f"TEXT = '''\ndef fake():\n    return {a}()\n'''",
        "from netra_backend.app.websocket_core.factory import *",
        f"def {name}(): return {a}(); x = 1",
    ]))


FILES = st.lists(top_level(), min_size=1, max_size=10).map(lambda parts: "\n\n\n".join(parts) + "\n")
MODULES = ["netra_backend.app.agents.generated", "netra_backend.app.websocket_core.unified_init",
           "netra_backend.app.websocket_core.factory_helpers"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(FILES, st.sampled_from(MODULES))
def test_partial_parsing_finds_what_a_whole_parse_finds(checker, source, module):
    checker.same(source, module)
    if compiles(source):
        assert partial.statement_starts(source) == tokenizer_starts(source)


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
@given(FROM_GRAMMAR)
def test_partial_parsing_of_generated_grammar_finds_what_a_whole_parse_finds(checker, source):
    checker.same(source + "\nfrom netra_backend.app.websocket_core.factory import create_manager\n")


def test_generated_files_take_the_partial_path(checker):
    # The properties above compare something: most seed-shaped files are read partially.
    examples = [
        f"from {CONTEXT} import UserExecutionContext\n\n\ndef helper():\n    return 1\n",
        "import os\n\n\n@decorator\ndef run():\n    return os.getcwd()\n\n\nclass Service:\n    pass\n",
    ]
    assert all(checker.taken(source, "netra_backend.app.agents.generated") for source in examples)


# --------------------------------------------------------------------------- the traps, one by one

def test_a_docstring_holding_code_at_column_zero_is_not_a_statement(checker):
    # Read as statements, the first docstring's lines would bind `Fake` and `Other` at module
    # level (the definition holding them is skipped); the second one's spell a policy word
    # and `import`, which keep their definition whole.
    source = textwrap.dedent('''\
        import os


        def documented():
            """How the old code did it:

        class Fake: pass
        Other = Fake
        """
            return os.sep


        def documented_too():
            """Old:

        from netra_backend.app.websocket_core.factory import create_manager
        """
            return os.sep
        ''')
    starts = partial.statement_starts(source)
    assert starts == tokenizer_starts(source) == [0, 3, 12]
    assert checker.taken(source, "netra_backend.app.agents.generated")
    assert codes(checker.same(source)) == []


def test_an_alias_of_the_factory_only_class_is_followed_into_definitions(checker):
    source = textwrap.dedent(f'''\
        from {CONTEXT} import UserExecutionContext as UEC


        def unrelated():
            return 1


        def build(run_id):
            ctx = UEC(run_id=run_id)
            return ctx


        X = UEC


        def build_again():
            return X()
        ''')
    assert checker.taken(source, "netra_backend.app.agents.generated")
    assert codes(checker.same(source)) == [("SSOT002", 9), ("SSOT002", 17)]


def test_a_rebound_alias_is_not_a_construction(checker):
    source = textwrap.dedent(f'''\
        from {CONTEXT} import UserExecutionContext as UEC

        UEC = dict


        def build():
            return UEC(run_id=1)
        ''')
    assert codes(checker.same(source)) == []


def test_a_fallback_binding_in_an_except_clause_keeps_the_import(checker):
    source = textwrap.dedent(f'''\
        try:
            from {CONTEXT} import UserExecutionContext as Ctx
        except ImportError:
            Ctx = None


        def build():
            return Ctx(run_id=1)
        ''')
    assert codes(checker.same(source)) == [("SSOT002", 8)]


def test_the_renamed_class_set_sends_the_check_to_a_whole_parse(checker):
    # `ExecutionContext` spells no policy word; the index knows it is the factory-only class.
    source = textwrap.dedent('''\
        from netra_backend.app.services.context_compat import ExecutionContext


        def build():
            return ExecutionContext(run_id=1)


        def other():
            return 2
        ''')
    assert checker.taken(source, "netra_backend.app.agents.generated")
    assert codes(checker.same(source)) == [("SSOT002", 5)]


RENAMED_FUNCTION = textwrap.dedent('''\
    from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager


    def build(user):
        return create_websocket_manager(user)


    def unrelated(rows):
        for row in rows:
            execute(row)
        return len(rows)


    def other(rows):
    ''')


@pytest.mark.parametrize("skipped, partial_tree, renamed", [
    ("    return sorted(rows)", True, True),  # `execute` above is no call of `exec`
    ("    get_websocket_manager = rows\n    return get_websocket_manager", False, True),  # the new name, elsewhere
    ("    return eval('rows')", False, False),  # the file reads names by string: the alias stays
    ("    return \uff45val('rows')", False, False),  # `eval`, in NFKC form
])
def test_a_rename_reads_the_partial_tree_when_no_skipped_definition_spells_its_names(
        checker, monkeypatch, skipped, partial_tree, renamed):
    source = RENAMED_FUNCTION + skipped + "\n"
    served = []
    tree_for = partial.PartialFacts.tree_for

    def recorded(self, *args):
        try:
            tree = tree_for(self, *args)
        except partial.WholeTreeNeeded:
            served.append(False)
            raise
        served.append(True)
        return tree

    monkeypatch.setattr(partial.PartialFacts, "tree_for", recorded)
    assert checker.taken(source, "netra_backend.app.agents.generated")
    result = checker.same(source)
    assert served and served[0] is partial_tree  # else the check ran again from a whole parse
    assert codes(result) == [("SSOT001", 1)]
    edits = result[0][0].fix.edits
    assert any(edit.replacement == "get_websocket_manager" and edit.span.line == 5 for edit in edits) is renamed


def test_a_star_import_parses_the_whole_file(checker):
    source = textwrap.dedent(f'''\
        from {CONTEXT} import *


        def build():
            return UserExecutionContext(run_id=1)
        ''')
    assert not checker.taken(source, "netra_backend.app.agents.generated")
    assert codes(checker.same(source)) == [("SSOT002", 5)]


def test_exports_definitions_and_strings_are_read_where_they_are(checker):
    source = textwrap.dedent('''\
        def create_websocket_manager_sync():
            return None


        def unrelated():
            return "netra_backend.app.websocket_core.factory.create_manager"


        class WebSocketManager:
            pass


        __all__ = ["unrelated"]
        __all__ += ["create_websocket_manager_sync"]
        ''')
    result = checker.same(source, "netra_backend.app.websocket_core.unified_init")
    assert sorted({code for code, _ in codes(result)}) == ["SSOT003", "SSOT004", "SSOT005"]


def test_clauses_decorators_and_semicolons_stay_with_their_statements(checker):
    source = textwrap.dedent(f'''\
        from {CONTEXT} import UserExecutionContext as UEC

        if True:
            pass
        else:
            pass


        @decorator(
            1,
        )
        def decorated():
            return 1


        def joined(): return 2; ctx = UEC(run_id=1)


        def closing():
            return [
        1]
        ''')
    assert checker.taken(source, "netra_backend.app.agents.generated")
    assert codes(checker.same(source)) == [("SSOT002", 16)]


def test_a_global_statement_keeps_the_definition(checker):
    source = textwrap.dedent(f'''\
        from {CONTEXT} import UserExecutionContext as UEC


        def rebind():
            global UEC
            UEC = None


        def walrus(items):
            return [last := item for item in items]
        ''')
    assert codes(checker.same(source)) == []


LEGACY_PATH = "netra_backend.app.websocket_core.factory.create_manager"


@pytest.mark.parametrize("body, expected", [
    # Python reads names in NFKC form: a fullwidth U is the class, a fullwidth C the alias UEC.
    ("return \uff35serExecutionContext(run_id=1)", [("SSOT002", 7)]),
    ("return UE\uff23(run_id=1)", [("SSOT002", 7)]),
    ("return UserExecution\ufb00(run_id=1)", []),  # a ligature: 'UserExecutionff' is no name of the policy
    # A string's value spells what its text does not: escapes, a continued line, joined literals.
    (r'return patch("netra_backend.app.websocket_core.\x66actory.create_manager")', [("SSOT004", 7)]),
    (r'return patch("netra_backend.app.websocket_core.\N{LATIN SMALL LETTER F}actory.create_manager")',
     [("SSOT004", 7)]),
    (r'return patch("netra_backend.app.websocket_core.\146actory.create_manager")', [("SSOT004", 7)]),
    ('return patch("netra_backend.app.websocket_core.fac\\\ntory.create_manager")', [("SSOT004", 7)]),
    ('return patch("netra_backend.app.websocket_core.fac" "tory.create_manager")', [("SSOT004", 7)]),
    ('return patch("netra_backend.app.websocket_core.fac""tory.create_manager")', [("SSOT004", 7)]),
    ("return patch('''netra_backend.app.websocket_core.fac''' r'''tory.create_manager''')", [("SSOT004", 7)]),
    ('return patch(\n        "netra_backend.app.websocket_core.fac"  # the old home\n        "tory.create_manager")',
     [("SSOT004", 8)]),
    ('return patch("netra_backend.app.websocket_core." "factory.create_manager")', [("SSOT004", 7)]),
    ('return patch("netra_backend.app.websocket_core.fac", "tory.create_manager")', []),
])
def test_a_word_python_reads_but_the_text_does_not_spell_keeps_its_definition(checker, body, expected):
    # Skipping the definition would lose what a whole parse finds there.
    source = f"from {CONTEXT} import UserExecutionContext\nfrom {CONTEXT} import UserExecutionContext as UEC\n" \
        f"\n\ndef helper():\n    return 'caf\u00e9'\n    {body}\n\n\ndef other():\n    return 1\n"
    assert codes(checker.same(source)) == expected


def test_a_tree_too_deep_for_the_walk_is_a_syntax_error_both_ways(checker):
    source = "import os\n\n\ndef deep():\n    return " + " + ".join(["1"] * 1500) + "\n"
    assert checker.taken(source, "netra_backend.app.agents.generated")  # the check after the rules refuses it
    result = checker.same(source)
    assert result[1] == "too deeply nested for Python's parser"


def test_a_file_python_cannot_parse_is_recovered_both_ways(checker):
    # The error is in a definition the partial parse skips: the stub parses, the file does not.
    source = f"from {CONTEXT} import UserExecutionContext\n\n\ndef broken():\n    print 'old'\n\n\nx = UserExecutionContext()\n"
    assert checker.taken(source, "netra_backend.app.agents.generated")
    result = checker.same(source)
    assert result[1] is not None and codes(result) == [("SSOT002", 8)]


def test_a_file_only_symtable_rejects_is_checked_from_a_whole_parse(checker):
    # `ast.parse` takes duplicate arguments, `symtable` does not: the whole parse decides.
    source = f"from {CONTEXT} import UserExecutionContext\n\n\ndef twice(a, a):\n    return a\n\n\nx = UserExecutionContext()\n"
    assert checker.taken(source, "netra_backend.app.agents.generated")
    result = checker.same(source)
    assert result[1] is None and codes(result) == [("SSOT002", 8)]


@pytest.mark.parametrize("separator", ["\f", "\r"])
def test_form_feeds_and_lone_carriage_returns_parse_the_whole_file(checker, separator):
    source = f"from {CONTEXT} import UserExecutionContext\nx = 1{separator}y = 2\n\n\ndef helper():\n    return 1\n"
    assert not checker.taken(source, "netra_backend.app.agents.generated")
    checker.same(source)


def test_noqa_and_positions_after_skipped_definitions(checker):
    source = textwrap.dedent(f'''\
        from {CONTEXT} import UserExecutionContext


        def unrelated():
            """Ünïcode text before."""
            return {{"a": 1}}


        first = UserExecutionContext(run_id=1)  # noqa: SSOT002
        second = UserExecutionContext(run_id=2)
        ''')
    assert checker.taken(source, "netra_backend.app.agents.generated")
    result = checker.same(source)
    assert [(d.code, d.line, d.column) for d in result[0]] == [("SSOT002", 10, 9)]


# --------------------------------------------------------------------------- fixes

SERVICE = textwrap.dedent(f'''\
    from netra_backend.app.websocket_core.factory import create_manager
    from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager
    from {CONTEXT} import UserExecutionContext as UEC


    def describe(value):
        """Describes a value.

    Not code: create_manager(user)
    """
        return repr(value)


    def managers(user):
        return [create_manager(user), create_websocket_manager(user)]


    class Report:
        def __init__(self, rows):
            self.rows = [
    row for row in rows]

        def total(self):
            return len(self.rows)


    def context(run_id):
        return UEC(run_id=run_id).run_id


    def main():
        print(describe(managers("u")), Report([1, 2]).total(), context(7))
    ''')


def test_fixes_are_the_same_and_the_code_runs_the_same(project, checker):
    path = checker.path("netra_backend.app.agents.service")
    assert checker.taken(SERVICE, "netra_backend.app.agents.service")
    fixed = []
    for enabled in (False, True):
        with partial_parsing(enabled):
            fixed.append(fix_text(SERVICE, path, checker.config, unsafe=True, index=checker.index))
    assert fixed[0] == fixed[1]
    assert fixed[1].text != SERVICE and "create_defensive_user_execution_context" in fixed[1].text
    outputs = []
    for text in (SERVICE, fixed[1].text):
        Path(path).write_text(text, encoding="utf-8")
        run = subprocess.run([sys.executable, "-c", "from netra_backend.app.agents.service import main; main()"],
                             cwd=project / "src", capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        outputs.append(run.stdout)
    Path(path).unlink()
    assert outputs[0] == outputs[1]
