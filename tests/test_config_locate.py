"""config.locate: the line and column of the key a configuration error names, in the TOML text
(what the language server marks in pyproject.toml)."""

from __future__ import annotations

import pytest

from flake8_ssot.config import ConfigError, config_from_document, parse_toml
from flake8_ssot.config.locate import key_components, locate_key, toml_error_span

PYPROJECT = """\
[project]
name = "netra-backend"

[tool.ssot]
src = [
    "src",
    "packages/shared",  # the shared models
    3,
]
baseline = "ssot-baseline.json"

[tool.ssot.legacy]
"netra_backend.app.websocket_core.factory" = "netra_backend.app.websocket_core.canonical_imports"
"netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager" = { use = "netra_backend.app.websocket_core.websocket_manager.get_websocket_manager", message = "retired in #1126, see {a, b}", fix = "sometimes" }

[tool.ssot.factories]
"netra_backend.app.services.user_execution_context.UserExecutionContext" = { use = "netra_backend.app.services.user_execution_context.create_defensive_user_execution_context", severity = "warning" }

[[tool.ssot.patterns]]
code = "SSOT101"
pattern = "get_websocket_manager_factory($$$ARGS)"
message = "the factory accessor is retired"

[[tool.ssot.patterns]]
code = "SSOT9"
pattern = "UnifiedWebSocketManager()"
"""
LINES = PYPROJECT.splitlines()


def where(key_path: str) -> tuple[int, str]:
    """(1-based line, the text from the located column to the end of the line)."""
    span = locate_key(PYPROJECT, key_path)
    assert span.line == span.end_line
    return span.line, LINES[span.line - 1][span.column:span.end_column]


def test_key_components_unquote_and_keep_indexes():
    assert key_components('tool.ssot.legacy."pkg.x".fix') == ["tool", "ssot", "legacy", "pkg.x", "fix"]
    assert key_components("tool.ssot.patterns[1].code") == ["tool", "ssot", "patterns", "[1]", "code"]
    assert key_components("tool.ssot.'a b'") == ["tool", "ssot", "a b"]


@pytest.mark.parametrize(("key_path", "expected"), [
    ("tool.ssot.baseline", (10, 'baseline = "ssot-baseline.json"')),
    # an element of an array written over several lines: its own line and column
    ("tool.ssot.src[0]", (6, '"src",')),
    ("tool.ssot.src[1]", (7, '"packages/shared",  # the shared models')),
    ("tool.ssot.src[2]", (8, "3,")),
    # a key of an inline table, past a string holding braces and a comma
    ('tool.ssot.legacy."netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager".fix',
     (14, 'fix = "sometimes" }')),
    ('tool.ssot.factories."netra_backend.app.services.user_execution_context.UserExecutionContext".severity',
     (17, 'severity = "warning" }')),
    # arrays of tables count their headers
    ("tool.ssot.patterns[1].code", (25, 'code = "SSOT9"')),
    ("tool.ssot.patterns[0].pattern", (21, 'pattern = "get_websocket_manager_factory($$$ARGS)"')),
    # a key that is not written (a missing field, an unknown entry): the deepest table that is
    ("tool.ssot.patterns[1].message", (24, "[[tool.ssot.patterns]]")),
    ("tool.ssot.legacy.bogus", (12, "[tool.ssot.legacy]")),
    ("tool.ssot.src[7]", (5, "src = [")),
    ("tool", (4, "[tool.ssot]")),
])
def test_locate_key(key_path, expected):
    assert where(key_path) == expected


def test_the_located_key_is_the_one_the_configuration_error_names():
    """The real ConfigError of this text (its first problem) lands on the offending line."""
    with pytest.raises(ConfigError) as raised:
        config_from_document(parse_toml(PYPROJECT.encode(), "/p/pyproject.toml"), "/p/pyproject.toml")
    line, text = where(raised.value.key_path)
    assert (raised.value.key_path, line, text) == ("tool.ssot.src[2]", 8, "3,")


def test_dotted_keys_and_quoted_headers():
    text = '[tool]\nssot.legacy."a.b" = "c.d"\n\n[ "tool" . ssot ]\nselect = ["SSOT001"]\n'
    assert locate_key(text, 'tool.ssot.legacy."a.b"').line == 2
    assert locate_key(text, "tool.ssot.select[0]") == locate_key(text, "tool.ssot.select[0]")._replace(line=5)
    assert text.splitlines()[4][locate_key(text, "tool.ssot.select[0]").column:] == '"SSOT001"]'


def test_unbalanced_text_does_not_fail():
    """The editor's unsaved buffer need not parse: the locator still answers."""
    text = '[tool.ssot]\nsrc = ["src", \'x\', """\n'
    assert locate_key(text, "tool.ssot.src[1]").line == 2
    assert locate_key(text, "tool.ssot.src[5]").line == 2
    assert locate_key("", "tool.ssot.src").line == 1


def test_toml_error_span_uses_the_parsers_position():
    text = "[tool.ssot]\nsrc = [\n[tool.ssot.factories\n"
    with pytest.raises(ConfigError) as raised:
        parse_toml(text.encode(), "pyproject.toml")
    span = toml_error_span(text, raised.value.problem)
    assert span.line in (2, 3)
    assert toml_error_span(text, "is not valid UTF-8").line == 1
    assert toml_error_span(text, "bad (at line 99, column 1)").line == 4  # past the end: the last line
