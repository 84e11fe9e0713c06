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

from flake8_ssot.config import ConfigError, load_config
from flake8_ssot.engine import check_source
from flake8_ssot.fixes import fix_text
from flake8_ssot.rules.patterns import compile_rule
from markers import FIXTURES

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
    ("unknown key in the rule table", RULE + 'rule = { kind = "call", hass = { pattern = "get_websocket_manager_factory()" } }\n',
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
     + 'rule = { pattern = "get_websocket_manager_factory($CTX)", not = { pattern = "get_websocket_manager_factory($OTHER.ctx)" } }\n'
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
