"""`[[tool.ssot.patterns]]` user rules: every kind of invalid rule gets one message naming the
rule's code; messages and fixes reuse metavariables; the prefilter stays sound for pattern
rules; pattern rules also run on files Python cannot parse.

The rule features themselves (pattern, rule tables, files/allow, severity) are marked line by
line in tests/fixtures/patterns/ (checked by test_fixtures.py, test_flake8.py, test_agreement.py).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markers import FIXTURES

from flake8_ssot.config import ConfigError, load_config
from flake8_ssot.engine import check_source
from flake8_ssot.fixes import fix_text
from flake8_ssot.config.patterns import compile_rule

PATTERNS = FIXTURES / "patterns"
REGISTRY = PATTERNS / "src/netra_backend/app/agents/agent_registry.py"


def error_of(tmp_path: Path, rules: str) -> str:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.ssot]\n" + textwrap.dedent(rules), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(str(path))
    return str(caught.value).replace(str(path), "FILE")


RULE = '[[tool.ssot.patterns]]\ncode = "SSOT101"\n'
ACCESSOR = 'pattern = "get_websocket_manager_factory($$$ARGS)"\n'
P0 = "FILE: tool.ssot.patterns[0]"

INVALID = [
    ("missing code", "[[tool.ssot.patterns]]\n" + ACCESSOR,
     f"{P0}.code: is required: the rule with pattern 'get_websocket_manager_factory($$$ARGS)' "
     "needs a code between SSOT100 and SSOT899"),
    ("code not a string", "[[tool.ssot.patterns]]\ncode = 101\n" + ACCESSOR,
     f"{P0}.code: must be a string such as 'SSOT101', not an integer"),
    ("bad code format", '[[tool.ssot.patterns]]\ncode = "SSO101"\n' + ACCESSOR,
     f"{P0}.code: 'SSO101' is not a pattern rule code: 'SSOT' and three digits between 100 and 899, e.g. 'SSOT101'"),
    ("lower-case code", '[[tool.ssot.patterns]]\ncode = "ssot101"\n' + ACCESSOR,
     f"{P0}.code: 'ssot101' is not a pattern rule code: 'SSOT' and three digits between 100 and 899, "
     "e.g. 'SSOT101'; did you mean 'SSOT101'?"),
    ("built-in code", '[[tool.ssot.patterns]]\ncode = "SSOT001"\n' + ACCESSOR,
     f"{P0}.code: 'SSOT001' is outside SSOT100-SSOT899"),
    ("code above the range", '[[tool.ssot.patterns]]\ncode = "SSOT900"\n' + ACCESSOR,
     f"{P0}.code: 'SSOT900' is outside SSOT100-SSOT899"),
    ("duplicate code", RULE + ACCESSOR + RULE + 'pattern = "create_websocket_manager($$$ARGS)"\n',
     "FILE: tool.ssot.patterns[1].code: SSOT101 is already the code of patterns[0]; "
     "each pattern rule needs its own code"),
    ("neither pattern nor rule", RULE + 'message = "the factory accessor is retired"\n',
     f"{P0}: needs a 'pattern', or a 'rule' table with a 'pattern' or a 'kind' (pattern rule SSOT101)"),
    ("both pattern and rule", RULE + ACCESSOR + 'rule = { kind = "call" }\n',
     f"{P0}.rule: give 'pattern' or 'rule', not both; a rule table can hold the pattern: "
     "rule = { pattern = ..., ... } (pattern rule SSOT101)"),
    ("pattern that does not parse", RULE + 'pattern = "get_websocket_manager_factory("\n',
     f"{P0}.pattern: invalid ast-grep rule for SSOT101: the pattern 'get_websocket_manager_factory(' "
     "is not valid Python"),
    ("pattern that does not parse, inside has", RULE
     + 'rule = { kind = "function_definition", '
       'has = { pattern = "get_websocket_manager_factory(", stopBy = "end" } }\n',
     f"{P0}.rule: invalid ast-grep rule for SSOT101: has.pattern: the pattern 'get_websocket_manager_factory(' "
     "is not valid Python"),
    ("empty pattern", RULE + 'pattern = "  "\n',
     f"{P0}.pattern: invalid ast-grep rule for SSOT101: the pattern is empty"),
    ("two statements", RULE + 'pattern = "manager = get_websocket_manager_factory(); manager.create()"\n',
     f"{P0}.pattern: invalid ast-grep rule for SSOT101: the pattern "
     "'manager = get_websocket_manager_factory(); manager.create()' is more than one statement: "
     "a pattern matches one node"),
    ("comment in the pattern", RULE + 'pattern = "get_websocket_manager_factory()  # retired"\n',
     f"{P0}.pattern: invalid ast-grep rule for SSOT101: the pattern "
     "'get_websocket_manager_factory()  # retired' holds a comment: a pattern is code only"),
    ("lower-case metavariable", RULE + 'pattern = "get_websocket_manager_factory($ctx)"\n',
     f"{P0}.pattern: invalid ast-grep rule for SSOT101: the pattern 'get_websocket_manager_factory($ctx)' "
     "uses '$ctx': metavariable names are upper case ($A, $$$ARGS)"),
    ("pattern not a string", RULE + "pattern = 3\n",
     f"{P0}.pattern: must be a string, not an integer (pattern rule SSOT101)"),
    ("unknown key", RULE + ACCESSOR + 'mesage = "the factory accessor is retired"\n',
     f"{P0}.mesage: unknown key; did you mean 'message'? (pattern rule SSOT101)"),
    ("rule key beside the code", RULE + 'kind = "call"\n',
     f"{P0}.kind: unknown key; 'kind' belongs in the rule table: rule = {{ kind = ... }} (pattern rule SSOT101)"),
    ("unknown key in the rule table",
     RULE + 'rule = { kind = "call", hass = { pattern = "get_websocket_manager_factory()" } }\n',
     f"{P0}.rule: invalid ast-grep rule for SSOT101: hass: unknown key; did you mean 'has'?"),
    ("rule not a table", RULE + 'rule = "call"\n',
     f"{P0}.rule: must be a table (an ast-grep rule), not a string (pattern rule SSOT101)"),
    ("bad kind", RULE + 'rule = { kind = "functon_definition" }\n',
     f"{P0}.rule: invalid ast-grep rule for SSOT101: kind: 'functon_definition' is not a kind of node in "
     "ast-grep's Python grammar; did you mean 'function_definition'?"),
    ("bad kind without a close match", RULE + 'rule = { kind = "websocket" }\n',
     f"{P0}.rule: invalid ast-grep rule for SSOT101: kind: 'websocket' is not a kind of node in ast-grep's "
     "Python grammar (e.g. 'call', 'attribute', 'function_definition', 'class_definition')"),
    ("bad kind inside has", RULE + 'rule = { kind = "call", has = { kind = "atribute" } }\n',
     f"{P0}.rule: invalid ast-grep rule for SSOT101: has.kind: 'atribute' is not a kind of node in "
     "ast-grep's Python grammar; did you mean 'attribute'?"),
    ("bad stopBy", RULE + 'rule = { kind = "call", inside = { kind = "function_definition", stopBy = "forever" } }\n',
     f"{P0}.rule: invalid ast-grep rule for SSOT101: inside.stopBy: must be 'neighbor', 'end' or a rule "
     "table, not 'forever'"),
    ("all is not an array", RULE + 'rule = { all = { kind = "call" } }\n',
     f"{P0}.rule: invalid ast-grep rule for SSOT101: all: must be a non-empty array of rule tables, not a table"),
    ("only a negative rule", RULE + 'rule = { not = { pattern = "get_websocket_manager()" } }\n',
     f"{P0}.rule: invalid ast-grep rule for SSOT101: the rule would match every node: it needs a 'pattern' "
     "or a 'kind' outside 'not'"),
    ("bad regex", RULE + 'rule = { kind = "identifier", regex = "(get_" }\n',
     f"{P0}.rule: invalid ast-grep rule for SSOT101: regex: regex parse error: (get_ ^ error: unclosed group"),
    ("utility rule", RULE + 'rule = { kind = "call", matches = "accessor" }\n',
     f"{P0}.rule: invalid ast-grep rule for SSOT101: matches: utility rules are not supported "
     "(there is no 'utils' table to refer to)"),
    ("bad glob in files", RULE + ACCESSOR + 'files = ["tests/[unit"]\n',
     f"{P0}.files[0]: invalid glob 'tests/[unit': unbalanced '[' ']' (pattern rule SSOT101)"),
    ("bad glob in allow", RULE + ACCESSOR + 'allow = ["src/netra_backend/app/websocket_core/[compat"]\n',
     f"{P0}.allow[0]: invalid glob 'src/netra_backend/app/websocket_core/[compat': unbalanced '[' ']' "
     "(pattern rule SSOT101)"),
    ("files not an array", RULE + ACCESSOR + 'files = "tests/**"\n',
     f"{P0}.files: must be a list of strings, not a string (pattern rule SSOT101)"),
    ("message not a string", RULE + ACCESSOR + "message = 1126\n",
     f"{P0}.message: must be a string, not an integer (pattern rule SSOT101)"),
    ("fix not a string", RULE + ACCESSOR + "fix = true\n",
     f"{P0}.fix: must be a string (a fix template), not a boolean (pattern rule SSOT101)"),
    ("fix with an unknown metavariable", RULE + ACCESSOR + 'fix = "get_websocket_manager($$$ARG)"\n',
     f"{P0}.fix: SSOT101's fix uses $$$ARG, which the rule does not capture (it captures: $$$ARGS)"),
    ("fix with a metavariable bound only under not", RULE
     + 'rule = { pattern = "get_websocket_manager_factory($CTX)", '
       'not = { pattern = "get_websocket_manager_factory($OTHER.ctx)" } }\n'
     + 'fix = "get_websocket_manager($OTHER)"\n',
     f"{P0}.fix: SSOT101's fix uses $OTHER, which the rule does not capture (it captures: $CTX)"),
    ("message with an unknown metavariable", RULE + ACCESSOR + 'message = "call get_websocket_manager($$$ARG)"\n',
     f"{P0}.message: SSOT101's message uses $$$ARG, which the rule does not capture (it captures: $$$ARGS)"),
    ("message with a single metavariable for several nodes", RULE + ACCESSOR
     + 'message = "call get_websocket_manager($ARGS)"\n',
     f"{P0}.message: SSOT101's message uses $ARGS, but the rule captures $$$ARGS (several nodes): write $$$ARGS"),
    ("fix with a metavariable bound only under a nested not", RULE
     + 'rule = { all = [{ pattern = "get_websocket_manager_factory($CTX)" }, '
       '{ not = { has = { pattern = "$OTHER.ctx", stopBy = "end" } } }] }\n'
     + 'fix = "get_websocket_manager($OTHER)"\n',
     f"{P0}.fix: SSOT101's fix uses $OTHER, which the rule does not capture (it captures: $CTX)"),
    ("bad severity", RULE + ACCESSOR + 'severity = "fatal"\n',
     f"{P0}.severity: must be one of 'error', 'warning', not 'fatal' (pattern rule SSOT101)"),
]


@pytest.mark.parametrize("rules, message", [case[1:] for case in INVALID], ids=[case[0] for case in INVALID])
def test_an_invalid_pattern_rule_gets_one_message(tmp_path, rules, message):
    assert error_of(tmp_path, rules) == message


# --------------------------------------------------------------------------- messages and fixes


def _diagnostics(path: Path):
    config = load_config(str(PATTERNS / "pyproject.toml"))
    return check_source(path.read_text(encoding="utf-8"), str(path), config).diagnostics


def test_messages_interpolate_the_captured_code_on_one_line():
    test_file = PATTERNS / "tests/mission_critical/test_websocket_singleton_vulnerability.py"
    assert [(d.line, d.column, d.code, d.severity, d.message) for d in _diagnostics(test_file)] == [
        (20, 12, "SSOT101", "error",
         "get_websocket_manager_factory() was retired in #1126: call get_websocket_manager()"),
        # the multi-line call, with the line's marker comment inside the arguments: not in the message
        (21, 13, "SSOT101", "error",
         "get_websocket_manager_factory() was retired in #1126: "
         "call get_websocket_manager(user_context=user_context_2,)"),
        (24, 4, "SSOT105", "warning", "a test sleeps 0.2 s: wait for the event instead"),
    ]
    assert [d.message for d in _diagnostics(REGISTRY) if d.code in ("SSOT102", "SSOT104")] == [
        "writes the private connection table of self.manager: use self.manager.add_connection(user_id, connection)",
        "self.manager.broadcast(event) is run to completion inside a coroutine: await it",
        "self.manager.flush(event) is run to completion inside a coroutine: await it",
    ]


def test_fix_templates_rewrite_the_fixture_and_the_result_is_clean():
    config = load_config(str(PATTERNS / "pyproject.toml"))
    before = REGISTRY.read_text(encoding="utf-8")
    outcome = fix_text(before, str(REGISTRY), config, unsafe=True)
    assert outcome.refused is None and outcome.fixed == 4
    assert outcome.diagnostics == ()
    expected = before
    for old, new in [
        ("self.factory = get_websocket_manager_factory()", "self.factory = get_websocket_manager()"),
        ("self.manager._connections[user_id] = connection", "self.manager.add_connection(user_id, connection)"),
        ("delivered = asyncio.run(self.manager.broadcast(event))", "delivered = await self.manager.broadcast(event)"),
        # the marker comment sat inside the call's parentheses: the fix drops it, so it is unsafe
        ("loop.run_until_complete(  # SSOT104\n            self.manager.flush(event))",
         "await self.manager.flush(event)"),
    ]:
        assert expected.count(old) == 1, old
        expected = expected.replace(old, new)
    assert outcome.text == expected


def test_a_fix_is_safe_only_when_the_file_has_the_names_it_needs():
    diagnostics = _diagnostics(REGISTRY)
    safety = {(d.code, d.fix.applicability) for d in diagnostics if d.fix is not None}
    # agent_registry imports get_websocket_manager; the test module does not
    assert ("SSOT101", "safe") in safety
    test_file = PATTERNS / "tests/mission_critical/test_websocket_singleton_vulnerability.py"
    assert {d.fix.applicability for d in _diagnostics(test_file) if d.code == "SSOT101"} == {"unsafe"}
    # a fix that would drop a comment inside the matched code is unsafe, as in ruff
    assert [(d.line, d.fix.applicability) for d in diagnostics if d.code == "SSOT104"] == [(33, "safe"), (40, "unsafe")]
    assert fix_text(REGISTRY.read_text(encoding="utf-8"), str(REGISTRY), load_config(str(PATTERNS / "pyproject.toml"))
                    ).fixed == 3


# --------------------------------------------------------------------------- prefilter soundness


def test_anchors_are_identifiers_of_the_pattern():
    assert compile_rule({"pattern": "get_websocket_manager_factory($$$ARGS)"}, None) == (
        "get_websocket_manager_factory",)
    # digits and letters of numbers are no words: '0xDEADBEEF' holds no whole word 'xDEADBEEF'
    assert compile_rule({"pattern": "set_mode(0xDEADBEEF, 1_000_000, 1e100)"}, None) == ("set_mode",)
    # text inside strings is not an identifier either (escapes, spacing)
    assert compile_rule({"pattern": "patch('netra_backend.app.websocket_core.factory')"}, None) == ("patch",)
    # any: one word from each branch; all: the best of its parts; not: nothing
    assert compile_rule({"any": [{"pattern": "asyncio.run($C)"}, {"pattern": "loop.run_until_complete($C)"}]},
                        None) == ("asyncio", "run_until_complete")
    assert compile_rule({"kind": "call", "not": {"pattern": "get_websocket_manager()"}}, None) == ()
    assert compile_rule({"kind": "class_definition", "has": {"pattern": "_instance = None", "stopBy": "end"}},
                        None) == ("_instance",)
    assert compile_rule({"pattern": "été($A)"}, None) == ()  # non-ASCII names: no anchor, every file runs


ACCESSOR_RULE = '[[tool.ssot.patterns]]\ncode = "SSOT101"\npattern = "get_websocket_manager_factory($$$A)"\n'


def _policy(tmp_path: Path, body: str):
    (tmp_path / "pyproject.toml").write_text("[tool.ssot]\n" + textwrap.dedent(body), encoding="utf-8")
    return load_config(str(tmp_path / "pyproject.toml"))


def test_numbers_in_a_pattern_do_not_hide_its_matches(tmp_path):
    config = _policy(tmp_path, '''
        [[tool.ssot.patterns]]
        code = "SSOT110"
        pattern = "f(0xDEADBEEF)"
        [[tool.ssot.patterns]]
        code = "SSOT111"
        pattern = "timeout(1_000_000)"
    ''')
    source = "f(0xDEADBEEF)\ntimeout(1_000_000)\n"
    result = check_source(source, str(tmp_path / "mod.py"), config)
    assert [(d.line, d.code) for d in result.diagnostics] == [(1, "SSOT110"), (2, "SSOT111")]


WORDS = ["get_websocket_manager_factory", "manager", "_connections", "asyncio", "run", "loop",
         "run_until_complete", "time", "sleep", "_instance", "user_id", "0xFF", "1_000", "'run'", "é"]
PROPERTY_RULES = '''
    [[tool.ssot.patterns]]
    code = "SSOT101"
    pattern = "get_websocket_manager_factory($$$ARGS)"
    [[tool.ssot.patterns]]
    code = "SSOT102"
    pattern = "$M._connections[$U] = $C"
    [[tool.ssot.patterns]]
    code = "SSOT103"
    rule = { kind = "class_definition", has = { pattern = "_instance = None", stopBy = "end" } }
    [[tool.ssot.patterns]]
    code = "SSOT104"
    [tool.ssot.patterns.rule]
    any = [{ pattern = "asyncio.run($C)" }, { pattern = "loop.run_until_complete($C)" }]
    inside = { kind = "function_definition", stopBy = "end" }
    [[tool.ssot.patterns]]
    code = "SSOT105"
    pattern = "time.sleep(0xFF)"
'''
TEMPLATES = ["{A}({B})", "{A}.{B}({C})", "{A}._connections[{B}] = {C}", "class {A}:\n    _instance = None",
             "async def {A}():\n    {B}.{C}({A})", "def {A}():\n    return {B}.{C}({A})", "# {A} {B}",
             "x = '{A}.{B}'", "{A} = {B}", "{A}.{B}({C}"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.builds(lambda t, a, b, c: t.format(A=a, B=b, C=c), st.sampled_from(TEMPLATES),
                                st.sampled_from(WORDS), st.sampled_from(WORDS), st.sampled_from(WORDS)),
                      min_size=1, max_size=8))
def test_prefilter_equals_the_full_run_with_pattern_rules(tmp_path_factory, lines):
    root = tmp_path_factory.mktemp("patterns")
    config = _policy(root, PROPERTY_RULES)
    source = "\n".join(lines) + "\n"
    path = str(root / "src" / "app" / "module.py")
    fast = check_source(source, path, config)
    slow = check_source(source, path, config, prefilter=False)
    assert fast.diagnostics == slow.diagnostics
    assert config.prefilter.may_match(source.encode("utf-8"), "") == config.prefilter.may_match(source, "")


# --------------------------------------------------------------------------- odd sources


def test_lines_are_pythons_in_a_file_with_carriage_return_newlines(tmp_path):
    config = _policy(tmp_path, ACCESSOR_RULE)
    for newline in ("\r", "\r\n", "\n"):
        source = newline.join(["import os", "", "x = 'é'; get_websocket_manager_factory(1)", ""])
        result = check_source(source, str(tmp_path / "mod.py"), config)
        spans = [(d.span.line, d.span.column, d.span.end_line, d.span.end_column) for d in result.diagnostics]
        assert spans == [(3, 9, 3, 41)], repr(newline)


def test_a_lone_surrogate_does_not_stop_the_check(tmp_path):
    """An editor buffer can hold one (JSON allows "\\ud800"): tree-sitter cannot take it."""
    config = _policy(tmp_path, ACCESSOR_RULE)
    source = "x = '\ud800'; get_websocket_manager_factory(1)\n"
    result = check_source(source, str(tmp_path / "mod.py"), config)
    assert [(d.line, d.column) for d in result.diagnostics] == [(1, 9)]


# --------------------------------------------------------------------------- files that do not parse


def test_pattern_rules_run_on_the_error_tolerant_parse(tmp_path):
    config = _policy(tmp_path, '''
        [[tool.ssot.patterns]]
        code = "SSOT101"
        pattern = "get_websocket_manager_factory($$$ARGS)"
        message = "call get_websocket_manager($$$ARGS)"
        fix = "get_websocket_manager($$$ARGS)"
    ''')
    source = textwrap.dedent('''\
        print "migrating"
        manager = get_websocket_manager_factory(user_context)
        REGISTRY = {"factory": get_websocket_manager_factory(
    ''')
    result = check_source(source, str(tmp_path / "scripts/migrate.py"), config)
    assert result.syntax_error is not None
    assert [(d.line, d.code, d.message) for d in result.diagnostics] == [
        (2, "SSOT101", "call get_websocket_manager(user_context)"),
    ]
    # nothing is fixed in a file that does not parse
    assert fix_text(source, str(tmp_path / "scripts/migrate.py"), config, unsafe=True).text == source


def test_metavariable_text_is_right_in_a_file_that_starts_with_blank_lines(tmp_path):
    """ast-grep's root node starts at the first token, not at offset 0: offsets index the source."""
    config = _policy(tmp_path, '''
        [[tool.ssot.patterns]]
        code = "SSOT101"
        pattern = "get_websocket_manager_factory($$$ARGS)"
        message = "call get_websocket_manager($$$ARGS)"
        fix = "get_websocket_manager($$$ARGS)"
    ''')
    for head in ("", "\n", "\n\n   \n", "# a comment\n\n"):
        source = head + "from app import get_websocket_manager\nm = get_websocket_manager_factory(ctx, 'é')\n"
        (diagnostic,) = check_source(source, str(tmp_path / "mod.py"), config).diagnostics
        assert diagnostic.message == "call get_websocket_manager(ctx, 'é')", repr(head)
        assert diagnostic.fix.edits[0].replacement == "get_websocket_manager(ctx, 'é')", repr(head)


def test_incremental_check_equals_the_full_check_when_a_rule_looks_around(tmp_path):
    """`inside`/`follows`/`precedes` can reach other top-level statements than the edited one."""
    from flake8_ssot.server.incremental import IncrementalChecker

    config = _policy(tmp_path, '''
        [[tool.ssot.patterns]]
        code = "SSOT120"
        message = "the manager is fetched in a module that still runs the legacy setup"
        [tool.ssot.patterns.rule]
        pattern = "get_websocket_manager($$$A)"
        inside = { kind = "module", has = { pattern = "legacy_setup()", stopBy = "end" }, stopBy = "end" }
    ''')
    checker, path = IncrementalChecker(), str(tmp_path / "mod.py")
    for body in ("return 1", "return 2", "return get_websocket_manager(1)", "return get_websocket_manager(2)"):
        source = f"legacy_setup()\n\n\ndef handler():\n    {body}\n"
        assert checker.check(source, path, config) == check_source(source, path, config).diagnostics, body


def test_pattern_rules_see_past_an_unclosed_bracket_and_a_merge_conflict(tmp_path):
    """tree-sitter alone reads everything after an unclosed `[` as part of that list; the
    pattern rules match on the same line-group re-parse as the other rules."""
    config = _policy(tmp_path, '''
        [[tool.ssot.patterns]]
        code = "SSOT101"
        pattern = "get_websocket_manager_factory($$$ARGS)"
        [[tool.ssot.patterns]]
        code = "SSOT102"
        pattern = "$MANAGER._connections[$USER] = $CONNECTION"
        [[tool.ssot.patterns]]
        code = "SSOT103"
        rule = { kind = "class_definition", has = { pattern = "_instance = None", stopBy = "end" } }
    ''')
    source = textwrap.dedent('''\
        HANDLERS = [
            "connect",

        class WebSocketManagerFactory:
            _instance = None

            def create(self, user_context):
                manager = get_websocket_manager_factory(user_context)
                manager._connections[user_context.user_id] = self
                return manager

        <<<<<<< HEAD
        LEGACY = get_websocket_manager_factory()
        =======
        LEGACY = None
        >>>>>>> feature/issue-1126
        CURRENT = get_websocket_manager_factory(
    ''')
    result = check_source(source, str(tmp_path / "handlers.py"), config)
    assert result.syntax_error is not None
    assert [(d.line, d.column, d.code) for d in result.diagnostics] == [
        (4, 0, "SSOT103"), (8, 18, "SSOT101"), (9, 8, "SSOT102"), (13, 9, "SSOT101"),
    ]


def test_pattern_codes_work_with_select_ignore_per_file_ignores_and_noqa(tmp_path):
    rules = '''
        [[tool.ssot.patterns]]
        code = "SSOT101"
        pattern = "get_websocket_manager_factory($$$ARGS)"
        [[tool.ssot.patterns]]
        code = "SSOT205"
        pattern = "time.sleep($S)"
    '''
    source = "get_websocket_manager_factory()\ntime.sleep(1)\nget_websocket_manager_factory(1)  # noqa: SSOT101\n"

    def codes(table: str, name: str = "src/app/mod.py") -> list[tuple[int, str]]:
        root = tmp_path / str(abs(hash(table)))
        root.mkdir(exist_ok=True)
        config = _policy(root, table + rules)
        return [(d.line, d.code) for d in check_source(source, str(root / name), config).diagnostics]

    assert codes("") == [(1, "SSOT101"), (2, "SSOT205")]
    assert codes('select = ["SSOT2"]\n') == [(2, "SSOT205")]
    assert codes('ignore = ["SSOT101"]\n') == [(2, "SSOT205")]
    assert codes('per-file-ignores = { "tests/**" = ["SSOT205"] }\n', "tests/test_mod.py") == [(1, "SSOT101")]
