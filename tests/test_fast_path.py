"""The fast paths find exactly what the slow paths find (#16): over generated files shaped like
the seed project's (policy words in every position, definitions that bind or import what the
rest uses, and the broken shapes of tests/fixtures/broken), the diagnostics are identical.

- the strict prefilter (what `ssot check` uses): a file it rejects has no finding;
- region-only recovery: a file Python cannot parse, lowered in full only in the definitions
  that spell a policy word (facts.recovery `words`), gives the whole-file recovery's findings;
- where a name stands: a class the policy names only as a factory or canonical symbol counts
  only where it is put to use (a call, an alias, a definition, an import from outside its home),
  and the last component of a dotted legacy path only in a dotted name or an import
  (prefilter.put_to_use and in_path_or_import), so a file naming them in annotations,
  `isinstance`, docstrings or unrelated `factory` variables is not parsed.

Examples per property are few (the test-time budget); the benchmark's corpus-wide comparison
is the larger check.

The benchmark checks the same over a whole corpus (run_benchmarks.py --compare-fast-path).
"""

from __future__ import annotations

import ast
import os
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markers import FIXTURES

from flake8_ssot.config import load_config
from flake8_ssot.engine import check_facts, file_module
from flake8_ssot.facts.recovery import recover_facts

BROKEN = FIXTURES / "broken"
CONFIG = load_config(str(BROKEN / "pyproject.toml"))
PATHS = [
    str(BROKEN / "src/netra_backend/app/websocket_core/unified_init.py"),  # lists deprecated exports
    str(BROKEN / "src/netra_backend/app/agents/notifier.py"),
    str(BROKEN / "scripts/tool.py"),
]

# Names: the policy's own words, names that merely share letters with them, and plain ones.
NAMES = st.sampled_from([
    "factory", "create_websocket_manager", "UserExecutionContext", "WebSocketManager",
    "WebSocketManagerFactory", "get_websocket_manager_factory", "websocket_manager_factory",
    "factory_helper", "ContextFactory", "w", "helper", "manager", "os", "json",
])
MODULES = st.sampled_from([
    "netra_backend.app.websocket_core", "netra_backend.app.websocket_core.factory",
    "netra_backend.app.websocket_core.websocket_manager_factory", "netra_backend.app.services.user_execution_context",
    "netra_backend.app.websocket_core.canonical_imports", "netra_backend.app.websocket_core.websocket_manager",
    "os.path", "json", "netra_backend", "netra_backend.app",
])


@st.composite
def statements(draw) -> str:
    """One top-level statement: an import, a binding, a definition (with nested imports,
    `global`, decorators, calls, strings) or a broken line."""
    a, b, module = draw(NAMES), draw(NAMES), draw(MODULES)
    body = draw(st.lists(st.sampled_from([
        f"    return {a}.{b}()", f"    import {module}", f"    from {module} import {a}",
        f"    from {module} import {a} as {b}", f"    x = {a}({b})", f"    global {a}\n    {a} = {b}",
        f"    s = '{module}.{a}'", f"    def inner():\n        import {module} as {b}\n        return {b}",
        f"    class Inner({a}):\n        {b} = {a}", "    pass", f"    print '{a}'",
    ]), min_size=1, max_size=3))
    return draw(st.sampled_from([
        f"import {module}", f"import {module} as {a}", f"from {module} import {a}",
        f"from {module} import {a} as {b}", f"from {module} import *", f"{a} = {b}",
        f"{a} = {b}.{draw(NAMES)}", f"{a}({b})", f"__all__ = ['{a}', '{b}']",
        f"def {a}(p={b}):\n" + "\n".join(body), f"async def {a}():\n" + "\n".join(body),
        f"class {a}({b}):\n" + "\n".join(body), f"@{b}\ndef {a}():\n" + "\n".join(body),
        f"@{b}.register\nclass {a}:\n" + "\n".join(body),
        f"if {a}:\n    from {module} import {b}\nelse:\n    {b} = None",
        f"try:\n    import {module} as {a}\nexcept ImportError, error:\n    {a} = None",
        f"print '{a}'", f"{a} = ({b}, ", f"{a} = {{'k': ({b},}}", f"def {a}(:\n    return {b}",
        f"<<<<<<< HEAD\nfrom {module} import {a}\n=======\nfrom {module} import {b}\n>>>>>>> branch",
        f"x = '''{a}\n{b}", f"class {a}\n    {b} = 1",
        # A legacy attribute chain: its fix is safe only if the file imports the canonical
        # module somewhere (a definition's nested import counts).
        "import netra_backend.app.websocket_core.websocket_manager_factory as manager_factory",
        "manager = manager_factory.create_websocket_manager(None)",
        f"def {a}():\n    import netra_backend.app.websocket_core.websocket_manager\n    return {b}",
    ]))


FILES = st.lists(statements(), min_size=1, max_size=8).map(lambda parts: "\n\n".join(parts) + "\n")


def parses(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


def recovered(source: str, path: str, words) -> str:
    module, is_package = file_module(path, CONFIG)
    facts = recover_facts(source, os.path.abspath(path), module, is_package, syntax_error="line 1: x", words=words)
    return repr(check_facts(facts, CONFIG))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FILES, st.sampled_from(PATHS))
def test_region_only_recovery_finds_what_whole_file_recovery_finds(source, path):
    module, _ = file_module(path, CONFIG)
    words = CONFIG.prefilter.region_words(module)
    assert words is not None  # none of these modules' names holds a policy word
    if parses(source):
        source += "print 'broken'\n"
    assert recovered(source, path, words) == recovered(source, path, None)


@pytest.mark.parametrize("aliasing", [
    "from netra_backend.app.services.user_execution_context import UserExecutionContext as Ctx",
    "from netra_backend.app.services import user_execution_context as uec\nCtx = uec.UserExecutionContext",
    "import netra_backend.app.services.user_execution_context as uec\nCtx = uec.UserExecutionContext",
    "from netra_backend.app.services.user_execution_context import UserExecutionContext as Base\nCtx = Base",
    "from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager as Ctx",
])
def test_region_only_recovery_reads_the_uses_of_a_module_level_alias(aliasing):
    """`Ctx(...)` spells no policy word, but `Ctx` is the factory-only class (or a legacy
    module): the definition using it is read in full, as whole-file recovery reads it."""
    source = (f'"""Agent supervisor wiring."""\n{aliasing}\n\n\n'
              "def make_context(user_id):\n    return Ctx(user_id=user_id, run_id=None)\n\n\n"
              "def broken_handler(:\n    pass\n")
    path = PATHS[1]
    module, _ = file_module(path, CONFIG)
    whole = recovered(source, path, None)
    assert "SSOT00" in whole
    assert recovered(source, path, CONFIG.prefilter.region_words(module)) == whole


def test_region_words_fall_back_to_the_whole_file():
    # A module whose own name holds a policy word: relative imports may reach a configured
    # path without spelling it, so the whole file is lowered.
    assert CONFIG.prefilter.region_words("netra_backend.app.websocket_core.factory.sub") is None
    assert "__all__" in CONFIG.prefilter.region_words("netra_backend.app.websocket_core.unified_init")
    assert "__all__" not in CONFIG.prefilter.region_words("netra_backend.app.agents.notifier")


def test_the_broken_fixtures_find_the_same_with_region_only_recovery():
    for path in sorted(BROKEN.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if parses(source):
            continue
        module, _ = file_module(str(path), CONFIG)
        words = CONFIG.prefilter.region_words(module)
        assert recovered(source, str(path), words) == recovered(source, str(path), None), path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FILES, st.sampled_from(PATHS))
def test_the_strict_prefilter_never_rejects_a_file_with_a_finding(source, path):
    """Policy words in every position (imports, attributes, calls, strings, definitions,
    annotations, prose), with and without their top-level package: a file the strict
    prefilter rejects is one the full check (ast.parse or whole-file recovery) finds nothing in."""
    module, is_package = file_module(path, CONFIG)
    if CONFIG.prefilter.may_match(source, module, strict=True):
        return
    if parses(source):
        from flake8_ssot.engine import check_source

        found = repr(check_source(source, path, CONFIG, prefilter=False).diagnostics)
    else:
        found = recovered(source, path, None)
    assert found == "[]"


# A policy class name, or the last component of a legacy path, in every position a line of
# code can give it: annotations, calls, aliases, targets, imports (parenthesised too),
# decorators, strings, comments, prose, match patterns.
PLACED_NAMES = st.sampled_from(["UserExecutionContext", "WebSocketManager", "factory", "create_websocket_manager"])
OTHER_NAMES = st.sampled_from(["ctx", "Ctx", "manager", "make", "Optional", "x"])
HOMES = st.sampled_from([
    "netra_backend.app.services.user_execution_context", "netra_backend.app.websocket_core.websocket_manager",
    "netra_backend.app.websocket_core", "netra_backend.app.websocket_core.factory",
    "netra_backend.app.websocket_core.websocket_manager_factory", "netra_backend.app.agents", ".", ".factory",
])
POSITIONS = [
    "from {home} import {w}", "from {home} import {w} as {o}", "from {home} import ({o}, {w})",
    "from {home} import (\n    {o},\n    {w},\n)", "from {home} import (\n    {o},\n    {w} as {o}2,\n)",
    "from {home} import {o}, \\\n    {w}", "from {home} import *", "import {home}.{w}", "import {home} as {o}",
    "def f(a: {w}, b: Optional[{w}] = None) -> {w}:\n    return isinstance(a, ({w}, int))",
    "def f(\n    self,\n    ctx: {w},\n    other: {w} = None,\n):\n    return ctx",
    "{o}: {w}", "{o}: {w} = {o}", "{o}: {w} | None = None", "{o} = {w}", "{o} = {tail}.{w}", "{o} = ({w})",
    "{o} = [{w}]", "{o}, {w} = 1, 2", "({o}, {w}) = 1, 2", "for {o}, {w} in []:\n    pass",
    "with {o} as ({o}2, {w}):\n    pass", "{w} = {o}", "{w}: int = 1", "class {w}:\n    pass",
    "class {o}({w}):\n    pass", "def {w}():\n    pass", "@{w}\ndef g():\n    pass", "{w}()", "{o}({w})",
    "{o}({w})()", "{o} = {w}({o})", "{o} = {w}.from_request({o})", "{o}({w}.from_request({o}))",
    "{o} = {tail}.{w}({o})", "{o} = a if b else {w}", "if {o}: {w} = 1", "if {o}:\n    pass\nelse: {w} = 1",
    "{o}(lambda: {w})", "{o} = lambda: {w}", "{o} = ({o}2 := {w})", "# the {w} of {home}",
    '"""Build the {w} by hand."""', '"""\n{w} is made by the factory.\n"""',
    's = "{w}"', 's = "{home}.{w}"', "s = '{tail}.{w}'", 's = f"{{{w}}}"',
    "register(name, {w})", "{o}.register({w}=1)", "{o}.{w}", "{o}.{w}.create_websocket_manager()",
    "{tail}.{w}.create_websocket_manager(None)", "import netra_backend\nnetra_backend.app.websocket_core.{w}.x()",
    'import importlib\nimportlib.import_module("{home}.{w}")', '__import__("{home}.{w}")',
    "match {o}:\n    case {w}():\n        pass\n    case ({o}, {w}):\n        pass", "print({w})",
    "value = type({w})", "x = {o}[{w}]", "{o}[{w}] = 1", "del {w}", "global {w}",
    "try:\n    pass\nexcept ({o}, {w}):\n    pass", "__all__ = ['{w}']",
]


@st.composite
def placed(draw) -> str:
    word, other, home = draw(PLACED_NAMES), draw(OTHER_NAMES), draw(HOMES)
    tail = (home.lstrip(".") or "netra_backend").rpartition(".")[2]
    return draw(st.sampled_from(POSITIONS)).format(w=word, o=other, home=home, tail=tail)


PLACED = st.lists(placed(), min_size=1, max_size=5).map(lambda parts: "\n".join(parts) + "\n")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PLACED, st.sampled_from(PATHS))
def test_the_strict_prefilter_keeps_every_file_where_a_name_is_put_to_use(source, path):
    """Wherever a policy class name or a legacy path's last component stands, a file the
    strict prefilter rejects has no finding in the full check."""
    module, _ = file_module(path, CONFIG)
    if CONFIG.prefilter.may_match(source, module, strict=True):
        return
    from flake8_ssot.engine import check_source

    assert check_source(source, path, CONFIG, prefilter=False).diagnostics == []


@pytest.mark.parametrize(("source", "kept"), [
    # Not put to use: annotations, isinstance, subclassing, docstrings, comments, an import from
    # the home, a string annotation, an unrelated `factory`.
    ("from netra_backend.app.websocket_core.websocket_manager import WebSocketManager\n"
     "def f(m: WebSocketManager) -> Optional[WebSocketManager]:\n"
     '    """Return the WebSocketManager."""\n'
     "    return m if isinstance(m, WebSocketManager) else None  # WebSocketManager\n",
     False),
    ("def register(name, factory):\n    REGISTRY[name] = factory  # the session factory\n", False),
    ("import netra_backend.app.services.user_execution_context as c\nctx: 'UserExecutionContext' = None\n", False),
    ("from netra_backend.app.services.user_execution_context import UserExecutionContext\n"
     "class Scoped(UserExecutionContext):\n    pass\n", False),
    # Put to use: a call, an alias, an import from elsewhere, a dotted legacy path, a
    # parenthesised import of it, a definition.
    ("from netra_backend.app.services.user_execution_context import UserExecutionContext\nUserExecutionContext()\n", True),
    ("from netra_backend.app.services.user_execution_context import UserExecutionContext\nCtx = UserExecutionContext\n", True),
    ("from netra_backend.app.websocket_core import WebSocketManager\n", True),
    ("import netra_backend\nnetra_backend.app.websocket_core.factory.x()\n", True),
    ("from netra_backend.app.websocket_core import (\n    canonical_imports,\n    factory,\n)\n", True),
    ("import netra_backend\nclass WebSocketManager:\n    pass\n", True),
])
def test_where_a_name_stands_decides(source, kept):
    path = str(BROKEN / "src/netra_backend/app/agents/notifier.py")
    module, _ = file_module(path, CONFIG)
    assert CONFIG.prefilter.may_match(source, module, strict=True) is kept
    assert CONFIG.prefilter.may_match(source.encode(), module, strict=True) is kept
    if not kept:
        from flake8_ssot.engine import check_source

        assert check_source(source, path, CONFIG, prefilter=False).diagnostics == []


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet="import *(\t_\u00e9\u00b21x\n", max_size=40))
def test_the_star_import_test_is_the_word_bounded_pattern(text):
    # prefilter._star_import finds `import *` by its literal and tests the word boundary by
    # hand: the same answer as the one pattern it replaced, unicode word characters included.
    import re

    from flake8_ssot.config.prefilter import _star_import

    assert _star_import(text) == (re.search(r"\bimport[ \t(]*\*", text) is not None)
    assert _star_import("x=1\nfrom a import *") and not _star_import("reimport *") and _star_import("\u00b2 import *")


# --------------------------------------------------------------------------- NFKC spellings

NFKC_SOURCES = [
    # the factory-only class imported and built
    "from netra_backend.app.services.user_execution_context import {C}\n\n\n"
    "def build(user_id):\n    return {C}(user_id=user_id, thread_id='t', run_id='r')\n",
    # a legacy module imported, the word spelled in the module path
    "from netra_backend.app.websocket_core.{F} import create_websocket_manager\n",
    # an attribute chain through the package
    "import netra_backend.app.services.user_execution_context as uec\n\n"
    "context = uec.{C}(user_id='u', thread_id='t', run_id='r')\n",
]


@pytest.mark.parametrize("template", NFKC_SOURCES)
@pytest.mark.parametrize("wide", [0, 3, -1])
def test_a_name_spelled_in_compatibility_characters_is_found_as_spelled_plainly(tmp_path, template, wide):
    """Python reads names in NFKC form: `ＵserExecutionContext(...)` builds the class. The
    prefilter's words are literal, so such a file was ruled out unread; it is asked again on the
    normalised text (`Prefilter.may_match_normalised`), by `ssot check` (raw bytes) and by the plugin and the
    server (text) alike: the same findings as the plain spelling."""
    from projects import NETRA_POLICY

    from flake8_ssot.checking.runner import check_bytes
    from flake8_ssot.engine import may_match

    (tmp_path / "pyproject.toml").write_text(NETRA_POLICY, encoding="utf-8")
    config = load_config(str(tmp_path / "pyproject.toml"))
    path = str(tmp_path / "src" / "netra_backend" / "app" / "agents" / "builder.py")

    def widen(word: str) -> str:  # one letter as its fullwidth form (U+FF21.., NFKC-equal)
        letters = list(word)
        letters[wide] = chr(ord(letters[wide]) - ord("A") + 0xFF21) if letters[wide].isupper() else \
            chr(ord(letters[wide]) - ord("a") + 0xFF41)
        return "".join(letters)

    plain = template.format(C="UserExecutionContext", F="factory")
    spelled = template.format(C=widen("UserExecutionContext"), F=widen("factory"))
    assert spelled != plain and not spelled.isascii()
    assert not config.prefilter.may_match(spelled, "netra_backend.app.agents.builder", strict=True)
    expected = [(d.code, d.span.line) for d in check_bytes(plain.encode(), path, config, project=False).diagnostics]
    assert expected, "the plain spelling has a finding"
    found = check_bytes(spelled.encode(), path, config, project=False)
    assert [(d.code, d.span.line) for d in found.diagnostics] == expected
    assert may_match(spelled, "netra_backend.app.agents.builder", config, strict=True)
