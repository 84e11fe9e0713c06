"""Configuration: every kind of bad input gets one message with file, key path and problem."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from flake8_ssot.config import ConfigError, config_for, find_config_file, load_config, schema


def write(tmp_path, body: str):
    path = tmp_path / "pyproject.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return str(path)


def error_of(tmp_path, body: str) -> str:
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value).replace(path, "FILE")


def test_full_example_from_the_contract_loads(tmp_path):
    config = load_config(write(tmp_path, """
        [tool.ssot]
        src = ["src", "."]
        exclude = ["migrations/**"]
        select = ["SSOT"]
        ignore = []
        per-file-ignores = { "tests/**" = ["SSOT002"] }

        [tool.ssot.legacy]
        "pkg.ws.factory" = "pkg.ws.canonical_imports"
        "pkg.ws.manager_factory.create_manager" = { use = "pkg.ws.manager.get_manager", fix = "unsafe", allow = ["pkg/ws/compat/**"], message = "the factory was retired in #1126" }
        "pkg.ws.legacy_*" = "pkg.ws.manager"

        [tool.ssot.canonical]
        "pkg.ws.manager.WebSocketManager" = {}
        "pkg.ctx.UserContextManager" = { allow = ["pkg/ctx/__init__.py"] }

        [tool.ssot.factories]
        "pkg.ctx.UserExecutionContext" = { use = "pkg.ctx.create_defensive_user_execution_context", allow = ["tests/fixtures/**"] }

        [tool.ssot.deprecated-exports]
        "pkg.ws.manager_factory" = ["WebSocketManagerFactory", "get_websocket_manager_factory"]

        [[tool.ssot.patterns]]
        code = "SSOT101"
        pattern = "get_websocket_manager_factory($$$ARGS)"
        message = "the factory accessor is retired"
        fix = "get_websocket_manager($$$ARGS)"
    """))
    assert config.src == (str(tmp_path / "src"), str(tmp_path))
    entry = config.legacy.lookup("pkg.ws.manager_factory.create_manager").entry
    assert (entry.use, entry.fix, entry.message) == (
        "pkg.ws.manager.get_manager", "unsafe", "the factory was retired in #1126")
    assert entry.allow.matches(str(tmp_path / "pkg/ws/compat/shim.py"))
    assert not entry.allow.matches(str(tmp_path / "pkg/ws/other.py"))
    assert config.legacy.lookup("pkg.ws.factory.create").entry.fix == "unsafe"  # factory != canonical_imports
    assert config.legacy.lookup("pkg.ws.legacy_handlers.X").key == "pkg.ws.legacy_*"
    assert config.deprecated_exports["pkg.ws.manager_factory"].names == {
        "WebSocketManagerFactory", "get_websocket_manager_factory"}
    assert config.patterns[0].code == "SSOT101"
    assert "get_websocket_manager_factory" in config.anchors


def test_most_specific_key_wins(tmp_path):
    config = load_config(write(tmp_path, """
        [tool.ssot.legacy]
        "pkg.ws.legacy_*" = "pkg.ws.manager"
        "pkg.ws.legacy_core" = "pkg.ws.core"
        "pkg.ws.legacy_core.helpers.make" = "pkg.ws.tools.make"
    """))
    assert config.legacy.lookup("pkg.ws.legacy_x.Thing").key == "pkg.ws.legacy_*"
    assert config.legacy.lookup("pkg.ws.legacy_core.Thing").key == "pkg.ws.legacy_core"
    assert config.legacy.lookup("pkg.ws.legacy_core.helpers.make").key == "pkg.ws.legacy_core.helpers.make"
    assert config.legacy.lookup("pkg.ws.legacy_core.helpers.other").key == "pkg.ws.legacy_core"
    assert config.legacy.lookup("pkg.ws.manager") is None
    # a wildcard matches one component only, never across dots
    assert config.legacy.lookup("pkg.ws.other.legacy_x") is None


def test_fix_default_is_safe_only_when_the_name_stays(tmp_path):
    config = load_config(write(tmp_path, """
        [tool.ssot.legacy]
        "pkg.old.Manager" = "pkg.new.Manager"
        "pkg.old.make" = "pkg.new.create"
        "pkg.old.none" = { message = "no replacement" }
    """))
    assert config.legacy.get_exact("pkg.old.Manager").fix == "safe"
    assert config.legacy.get_exact("pkg.old.make").fix == "unsafe"
    assert config.legacy.get_exact("pkg.old.none").fix == "none"


@pytest.mark.parametrize("body, message", [
    ("[tool.ssot]\nlegasy = {}\n",
     "FILE: tool.ssot.legasy: unknown key; did you mean 'legacy'?"),
    ('[tool.ssot.legacy]\n"pkg.x" = { use = "pkg.y", fixx = "safe" }\n',
     "FILE: tool.ssot.legacy.\"pkg.x\".fixx: unknown key; did you mean 'fix'?"),
    ('[tool.ssot.legacy]\n"pkg.x" = { use = "pkg.y", fix = "maybe" }\n',
     "FILE: tool.ssot.legacy.\"pkg.x\".fix: must be one of 'safe', 'unsafe', 'none', not 'maybe'"),
    ('[tool.ssot.legacy]\n"pkg.x" = 3\n',
     "FILE: tool.ssot.legacy.\"pkg.x\": must be a dotted path string or a table, not an integer"),
    ('[tool.ssot]\nsrc = "src"\n',
     "FILE: tool.ssot.src: must be a list of strings, not a string"),
    ('[tool.ssot]\nselect = ["SSOT", 7]\n',
     "FILE: tool.ssot.select[1]: must be a string, not an integer"),
    ('[tool.ssot]\nignore = ["E501"]\n',
     "FILE: tool.ssot.ignore[0]: 'E501' is not a flake8-ssot code or prefix (expected e.g. 'SSOT', 'SSOT001', 'SSOT1')"),
    ('[tool.ssot.legacy]\n"pkg..x" = "pkg.y"\n',
     "FILE: tool.ssot.legacy.\"pkg..x\": 'pkg..x' is not a valid dotted path (e.g. 'pkg.module.Name')"),
    ('[tool.ssot.legacy]\n"pkg.x" = "pkg.y-z"\n',
     "FILE: tool.ssot.legacy.\"pkg.x\".use: 'pkg.y-z' is not a valid dotted path (e.g. 'pkg.module.Name')"),
    ('[tool.ssot.legacy]\n"pkg.x" = "pkg.x"\n',
     "FILE: tool.ssot.legacy.\"pkg.x\".use: the canonical path 'pkg.x' is the same as the legacy path"),
    ('[tool.ssot.legacy]\n"pkg.a" = "pkg.b"\n"pkg.b" = "pkg.a"\n',
     "FILE: tool.ssot.legacy.\"pkg.a\".use: replacements form a cycle: pkg.a -> pkg.b -> pkg.a"),
    ('[tool.ssot.legacy]\n"pkg.x" = { use = "pkg.y", allow = ["src/[oops"] }\n',
     "FILE: tool.ssot.legacy.\"pkg.x\".allow[0]: invalid glob 'src/[oops': unbalanced '[' ']'"),
    ('[tool.ssot.legacy]\n"pkg.x" = { use = "pkg.y", type-checking = "yes" }\n',
     "FILE: tool.ssot.legacy.\"pkg.x\".type-checking: must be a boolean, not a string"),
    ('[tool.ssot.legacy]\n"pkg.x" = { use = "pkg.y", severity = "fatal" }\n',
     "FILE: tool.ssot.legacy.\"pkg.x\".severity: must be one of 'error', 'warning', not 'fatal'"),
    ('[tool.ssot.canonical]\n"pkg.m.Thing" = "pkg.other"\n',
     "FILE: tool.ssot.canonical.\"pkg.m.Thing\": must be a table, not a string"),
    ('[tool.ssot.deprecated-exports]\n"pkg.m" = ["ok", "not a name"]\n',
     "FILE: tool.ssot.deprecated-exports.\"pkg.m\".names[1]: 'not a name' is not a Python name"),
    ('[[tool.ssot.patterns]]\ncode = "SSOT900"\npattern = "f($A)"\n',
     "FILE: tool.ssot.patterns[0].code: 'SSOT900' is outside SSOT100-SSOT899"),
    ('[[tool.ssot.patterns]]\ncode = "SSOT101"\npattern = ""\n',
     "FILE: tool.ssot.patterns[0].pattern: invalid ast-grep rule for SSOT101: the pattern is empty"),
    ('[[tool.ssot.patterns]]\ncode = "SSOT101"\nrule = { kind = "call", nthChild = "x" }\n',
     "FILE: tool.ssot.patterns[0].rule: invalid ast-grep rule for SSOT101: nthChild: Illegal character x encountered"),
    ('[[tool.ssot.patterns]]\ncode = "SSOT101"\nrule = { kind = "call", range = 3 }\n',
     "FILE: tool.ssot.patterns[0].rule: invalid ast-grep rule for SSOT101: range: unexpected type: "
     "'int' object is not an instance of 'Mapping'"),
    ('[[tool.ssot.patterns]]\ncode = "SSOT101"\nrule = { pattern = { context = "f(x)", selector = "nope" } }\n',
     "FILE: tool.ssot.patterns[0].rule: invalid ast-grep rule for SSOT101: pattern.selector: Kind `nope` is invalid."),
    ('[[tool.ssot.patterns]]\ncode = "SSOT101"\nrule = { pattern = { context = "f(x)", strictness = "bogus" } }\n',
     "FILE: tool.ssot.patterns[0].rule: invalid ast-grep rule for SSOT101: pattern.strictness: "
     "data did not match any variant of untagged enum PatternStyle"),
    ('[tool.ssot]\nbaseline = ["ssot-baseline.json"]\n',
     "FILE: tool.ssot.baseline: must be a file path string, not an array"),
    ('[tool.ssot]\nbaseline = " "\n',
     'FILE: tool.ssot.baseline: is an empty path (e.g. "ssot-baseline.json")'),
    ('[tool.ssot]\nbasline = "ssot-baseline.json"\n',
     "FILE: tool.ssot.basline: unknown key; did you mean 'baseline'?"),
    ("[tool.ssot\n",
     None),
])
def test_bad_configuration_gets_one_clear_message(tmp_path, body, message):
    text = error_of(tmp_path, body)
    if message is None:
        assert text.startswith("FILE: is not valid TOML: ")
    else:
        assert text == message


@pytest.mark.parametrize("body, message", [
    ('[tool.ssot.legacy]\n"pkg.old" = "pkg.new"\n[tool.ssot.canonical]\n"pkg.old.thing" = {}\n',
     'FILE: tool.ssot.canonical."pkg.old.thing": replacements form a cycle: '
     "pkg.old.thing -> pkg.new.thing -> pkg.old.thing"),
    # two canonical homes of one name in one package: each import of one is sent to the other
    ('[tool.ssot.canonical]\n"pkg.a.Thing" = {}\n"pkg.b.Thing" = {}\n',
     'FILE: tool.ssot.canonical."pkg.a.Thing": replacements form a cycle: pkg.a.Thing -> pkg.b.Thing -> pkg.a.Thing'),
    ('[tool.ssot.legacy]\n"pkg.legacy_*" = "pkg.mid"\n"pkg.mid" = "pkg.legacy_x"\n',
     'FILE: tool.ssot.legacy."pkg.mid".use: replacements form a cycle: pkg.mid -> pkg.legacy_x -> pkg.mid'),
    # no path comes back, but each turn adds `.x`: an import would be rewritten forever
    ('[tool.ssot.legacy]\n"a" = "b.x"\n"b" = "a"\n',
     'FILE: tool.ssot.legacy.a.use: replacements never end: a -> b.x -> a.x -> b.x.x -> ...'),
])
def test_replacements_that_never_settle_are_refused(tmp_path, body, message):
    assert error_of(tmp_path, body) == message


def test_replacements_that_settle_are_accepted(tmp_path):
    config = load_config(write(tmp_path, """
        [tool.ssot.legacy]
        "pkg.a" = "pkg.b"
        "pkg.b.y" = "pkg.a.z"
        "pkg.old" = "pkg.new"
        [tool.ssot.canonical]
        "pkg.new.thing" = {}
        "other.thing" = {}
    """))
    assert config.legacy.lookup("pkg.a.y").entry.use == "pkg.b"


@pytest.mark.parametrize("body, problem", [
    ("[tool.ssot]\nsrc = " + "[" * 600 + "]" * 600 + "\n", "cannot be read: arrays or tables nested too deeply"),
    ("[tool.ssot]\nx = " + "{a = " * 600 + "1" + "}" * 600 + "\n", "cannot be read: arrays or tables nested too deeply"),
    ("[tool.other]\nx = " + "9" * 5000 + "\n[tool.ssot]\n", "cannot be read: an integer too large (thousands of digits)"),
])
def test_hostile_values_are_a_configuration_error(tmp_path, body, problem):
    assert error_of(tmp_path, body) == f"FILE: {problem}"


def test_a_huge_key_is_cut_in_the_message(tmp_path):
    key = "pkg." + "x" * 100_000 + "-"
    text = error_of(tmp_path, f'[tool.ssot.legacy]\n"{key}" = "pkg.y"\n')
    assert text.startswith('FILE: tool.ssot.legacy."pkg.xxx')
    assert "characters left out" in text and "is not a valid dotted path (e.g. 'pkg.module.Name')" in text
    assert len(text) < 500


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_a_pyproject_that_is_not_a_regular_file_is_reported(tmp_path, monkeypatch, kind):
    if kind == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("needs FIFOs")
        os.mkfifo(tmp_path / "pyproject.toml")
    else:
        (tmp_path / "pyproject.toml").mkdir()
    (tmp_path / "pkg").mkdir()
    found = find_config_file(str(tmp_path / "pkg" / "mod.py"))
    assert found == str(tmp_path / "pyproject.toml")
    with pytest.raises(ConfigError) as caught:
        load_config(found)
    assert str(caught.value) == f"{found}: not a regular file"


@pytest.mark.parametrize("encoding, name", [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-32", "UTF-32")])
def test_a_utf16_pyproject_found_by_walking_up_is_reported(tmp_path, encoding, name):
    path = tmp_path / "pyproject.toml"
    path.write_bytes('[tool.ssot.legacy]\n"a.b" = "a.c"\n'.encode(encoding))
    (tmp_path / "pkg").mkdir()
    assert find_config_file(str(tmp_path / "pkg" / "mod.py")) == str(path)
    with pytest.raises(ConfigError) as caught:
        load_config(str(path))
    assert str(caught.value) == f"{path}: is {name}, not UTF-8 (TOML files are UTF-8); save it as UTF-8"


def test_a_utf16_pyproject_without_ssot_is_not_a_configuration(tmp_path):
    (tmp_path / "pyproject.toml").write_bytes("[tool.black]\nline-length = 100\n".encode("utf-16"))
    assert find_config_file(str(tmp_path / "mod.py")) != str(tmp_path / "pyproject.toml")


def test_discovery_walks_up_to_the_nearest_ssot_table(tmp_path, monkeypatch):
    outer = write(tmp_path, '[tool.ssot.legacy]\n"a.b" = "a.c"\n')
    inner_dir = tmp_path / "sub"
    (inner_dir / "pkg").mkdir(parents=True)
    (inner_dir / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")  # no [tool.ssot]
    monkeypatch.chdir(tmp_path)
    assert find_config_file(str(inner_dir / "pkg" / "mod.py")) == outer
    assert config_for(str(inner_dir / "pkg" / "mod.py")).file == outer


def test_configuration_is_reloaded_when_the_file_changes(tmp_path):
    path = write(tmp_path, '[tool.ssot.legacy]\n"a.b" = "a.c"\n')
    assert load_config(path).legacy.lookup("a.b.x").entry.use == "a.c"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('[tool.ssot.legacy]\n"a.b" = "a.d"\n\n')
    os.utime(path, ns=(1, 2_000_000_000))
    assert load_config(path).legacy.lookup("a.b.x").entry.use == "a.d"


def test_baseline_is_relative_to_the_pyproject(tmp_path, monkeypatch):
    path = write(tmp_path, '[tool.ssot]\nbaseline = "ci/ssot-baseline.json"\n')
    monkeypatch.chdir(tmp_path / "..")
    assert load_config(path).baseline == str(tmp_path / "ci" / "ssot-baseline.json")
    assert load_config(write(tmp_path, "[tool.ssot]\n")).baseline is None


# --------------------------------------------------------------------------- the schema and the docs

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _table_after(text: str, heading: str) -> list[list[str]]:
    """The rows of the first Markdown table after `heading`, cells stripped, header rows dropped."""
    rows = []
    for line in text.split(heading, 1)[1].splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            break
    return rows[2:]


def test_the_documented_top_level_keys_are_the_schema():
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    documented = _table_after(text, "## Top-level keys\n")
    assert documented == [[f"`{key.name}`", key.doc, key.shown_default] for key in schema.TOP]


def test_the_documented_entry_keys_are_the_schema():
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    documented = _table_after(text, "## Entry keys\n")
    sections = ("legacy", "canonical", "factories", "deprecated-exports")
    expected = [
        [f"`{key.name}`", *("yes" if key.name in schema.ENTRY_KEYS_OF[s] else "" for s in sections), key.doc]
        for key in schema.ENTRY
    ]
    assert documented == expected


def test_the_documented_pattern_rule_keys_are_the_schema():
    text = (DOCS / "patterns.md").read_text(encoding="utf-8")
    documented = _table_after(text, "## Keys\n")
    assert documented == [[f"`{key.name}`", key.doc] for key in schema.PATTERN]
