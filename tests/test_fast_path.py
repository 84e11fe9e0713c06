"""The fast paths find exactly what the slow paths find (#16): over generated files shaped like
the seed project's (policy words in every position, definitions that bind or import what the
rest uses, and the broken shapes of tests/fixtures/broken), the diagnostics are identical.

- the strict prefilter (what `ssot check` uses): a file it rejects has no finding;
- region-only recovery: a file Python cannot parse, lowered in full only in the definitions
  that spell a policy word (facts.recovery `words`), gives the whole-file recovery's findings.

The benchmark checks the same over a whole corpus (run_benchmarks.py --compare-fast-path).
"""

from __future__ import annotations

import ast
import os
import warnings

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


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FILES, st.sampled_from(PATHS))
def test_region_only_recovery_finds_what_whole_file_recovery_finds(source, path):
    module, _ = file_module(path, CONFIG)
    words = CONFIG.prefilter.region_words(module)
    assert words is not None  # none of these modules' names holds a policy word
    if parses(source):
        source += "print 'broken'\n"
    assert recovered(source, path, words) == recovered(source, path, None)


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


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
