"""Baselines: fail only on new violations while old ones are migrated, phase by phase.

Unit tests of baseline.py (statement keys, the file format, matching), a property test that
edits which add no violation keep every baselined violation matched, and the command line
run for real on a copy of tests/fixtures/cli/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_ssot.baseline import (
    Baseline,
    BaselineError,
    Current,
    Key,
    Statements,
    collect,
    compare,
    dumps,
    from_current,
    loads,
    merge,
    shrink,
    split,
)
from flake8_ssot.config import load_config
from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.engine import check_source
from flake8_ssot.span import Span
from markers import FIXTURES
from test_cli import CONCISE, check, copy_tree

PROJECT = FIXTURES / "project"
DISPATCHER = "src/netra_backend/app/agents/dispatcher.py"
NOTIFIER = "src/netra_backend/app/agents/notifier.py"
FACTORY = "netra_backend.app.websocket_core.factory"
CONTEXT = "netra_backend.app.services.user_execution_context.UserExecutionContext"


# --------------------------------------------------------------------------- statement keys


def text_at(source: str, line: int, column: int = 0) -> str:
    return Statements(textwrap.dedent(source)).text_at(line, column)


def test_reformatting_a_statement_keeps_its_text():
    plain = text_at("from netra_backend.app.websocket_core.factory import create_websocket_manager, registry\n", 1)
    assert plain == "from netra_backend.app.websocket_core.factory import create_websocket_manager, registry"
    black = text_at("""\
        from netra_backend.app.websocket_core.factory import (  # phase 2 of #1128
            create_websocket_manager,
            registry,
        )
    """, 3, 4)
    assert black == plain
    spaced = "from  netra_backend.app.websocket_core.factory   import create_websocket_manager ,registry\n"
    assert text_at(spaced, 1) == plain


def test_calls_strings_and_indentation_have_one_spelling():
    expected = "context = UserExecutionContext(user_id = user_id, thread_id = 't', run_id = 'r')"
    compact = text_at("""\
        def f(user_id):
            context = UserExecutionContext(user_id=user_id, thread_id="t", run_id="r")
    """, 2, 14)
    spread = text_at("""\
        class Dispatcher:
              def f(self, user_id):
                    context = UserExecutionContext( user_id = user_id,
                        thread_id='t',   # the thread
                        run_id='r', )
    """, 3, 30)
    assert compact == spread == expected


@pytest.mark.parametrize("plain, formatted", [
    ("legacy_module, victim_context = importlib.import_module(FACTORY), UserExecutionContext(**ids)\n",
     "(legacy_module, victim_context) = (\n"
     "    importlib.import_module(FACTORY),\n    UserExecutionContext(**ids),\n)\n"),
    ("context = uec.UserExecutionContext(user_id=user_id, run_id=f\"run_{uuid.uuid4()}\")\n",
     "context = (\n  uec.UserExecutionContext(\n    user_id=user_id,\n    run_id=f'run_{uuid.uuid4()}',\n  )\n)\n"),
    ("return get_websocket_manager_factory()\n", "return (\n    get_websocket_manager_factory()\n)\n"),
    ("with patch(FACTORY) as factory, patch(MANAGER) as manager:\n    pass\n",
     "with (\n    patch(FACTORY) as factory,\n    patch(MANAGER) as manager,\n):\n    pass\n"),
])
def test_parentheses_and_quotes_a_formatter_changes_are_not_part_of_the_key(plain, formatted):
    assert text_at(plain, 1) == text_at(formatted, 1)


@pytest.mark.parametrize("one, other", [
    ("x = foo((a, b))\n", "x = foo(a, b)\n"),  # a tuple argument is not grouping
    ("x = f\"it's {a}\"\n", "x = f'it\\'s {a}'\n"),  # an f-string with quotes inside stays as written
])
def test_parentheses_and_quotes_that_matter_stay(one, other):
    assert text_at(one, 1) != text_at(other, 1)


def test_statements_on_one_line_are_told_apart():
    source = 'titre = "Réponse prête"; import netra_backend.app.websocket_core.factory as usine  # SSOT001\n'
    assert text_at(source, 1, 0) == "titre = 'Réponse prête'"
    assert text_at(source, 1, 33) == "import netra_backend.app.websocket_core.factory as usine"


def test_a_compound_statement_is_keyed_by_its_header_not_its_body():
    source = """\
        with factory.create_websocket_manager(user_id) as manager:  # SSOT004 at column 5
            manager.send(payload)
    """
    assert text_at(source, 1, 5) == "with factory.create_websocket_manager(user_id) as manager:"


def test_inside_brackets_the_key_is_the_head_and_the_element():
    source = """\
        HANDLERS = {
            "agent": "netra_backend.app.websocket_core.factory.create_websocket_manager",  # SSOT004
            "thread": "netra_backend.app.services.thread_service.ThreadService",
        }
        await dispatch(UserExecutionContext(user_id=user_id, thread_id=thread_id), payload)
    """
    assert text_at(source, 2, 13) == (
        "HANDLERS = { ... 'agent': 'netra_backend.app.websocket_core.factory.create_websocket_manager'")
    assert text_at(source, 5, 15) == (
        "await dispatch( ... UserExecutionContext(user_id = user_id, thread_id = thread_id)")


def test_adding_an_export_keeps_the_deprecated_ones_matched():
    config = load_config(str(PROJECT / "pyproject.toml"))
    path = str(PROJECT / "src/netra_backend/app/websocket_core/utils.py")
    before = '__all__ = ["get_websocket_manager", "get_websocket_manager_factory", "get_manager_singleton"]\n'
    after = textwrap.dedent("""\
        __all__ = [
            "get_manager_singleton",  # phase 3
            "get_websocket_manager",
            "WebSocketManager",
            "get_websocket_manager_factory",
        ]
    """)

    def keyed(source: str) -> dict[str, Current]:
        return collect([(path, check_source(source, path, config).diagnostics)], str(PROJECT), lambda _: source)

    baseline = from_current(keyed(before))
    assert baseline.count() == 2
    comparison = compare(baseline, keyed(after))
    assert (comparison.new, comparison.stale, len(comparison.baselined)) == ({}, {}, 2)


def test_a_file_that_does_not_tokenize_falls_back_to_its_lines():
    source = "import os\nmanager = create(\n    from_netra_backend.app.websocket_core.factory   import x\n"
    assert text_at(source, 1) == "import os"
    assert text_at(source, 3, 4) == "from_netra_backend.app.websocket_core.factory import x"


def test_a_very_long_statement_keeps_its_head_and_a_digest():
    names = " + ".join(f"name_{index}" for index in range(80))
    text = text_at(f"total = {names}\n", 1, 0)
    assert text.startswith("total = name_0 + name_1 + ")
    assert len(text) < 200 and " ... sha256:" in text
    assert text != text_at(f"total = {names} + name_80\n", 1, 0)


# --------------------------------------------------------------------------- the file


def sample() -> Baseline:
    return Baseline({
        "src/b.py": Counter({Key("SSOT002", CONTEXT, "context = UserExecutionContext()"): 1}),
        "src/a.py": Counter({
            Key("SSOT001", FACTORY, "import netra_backend.app.websocket_core.factory"): 2,
            Key("SSOT001", FACTORY, "from netra_backend.app.websocket_core import factory"): 1,
        }),
    })


def test_the_file_is_sorted_one_entry_a_line_and_round_trips():
    text = dumps(sample())
    assert text == (
        '{\n'
        '  "version": 1,\n'
        '  "tool": "flake8-ssot",\n'
        '  "files": {\n'
        '    "src/a.py": [\n'
        '      {"code": "SSOT001", "path": "netra_backend.app.websocket_core.factory", "occurrence": 0, '
        '"statement": "from netra_backend.app.websocket_core import factory"},\n'
        '      {"code": "SSOT001", "path": "netra_backend.app.websocket_core.factory", "occurrence": 0, '
        '"statement": "import netra_backend.app.websocket_core.factory"},\n'
        '      {"code": "SSOT001", "path": "netra_backend.app.websocket_core.factory", "occurrence": 1, '
        '"statement": "import netra_backend.app.websocket_core.factory"}\n'
        '    ],\n'
        '    "src/b.py": [\n'
        '      {"code": "SSOT002", "path": "netra_backend.app.services.user_execution_context.UserExecutionContext", '
        '"occurrence": 0, "statement": "context = UserExecutionContext()"}\n'
        '    ]\n'
        '  }\n'
        '}\n'
    )
    assert loads(text, "b.json") == sample()
    assert json.loads(text)["version"] == 1
    assert dumps(Baseline()) == '{\n  "version": 1,\n  "tool": "flake8-ssot",\n  "files": {}\n}\n'


HEADER = '"version": 1, "tool": "flake8-ssot"'
UPGRADE = "(this flake8-ssot reads version 1; upgrade flake8-ssot or write the baseline again with --write-baseline)"


def with_entry(**fields) -> str:
    entry = {"code": "SSOT001", "path": "p", "occurrence": 0, "statement": "s", **fields}
    return json.dumps({"version": 1, "tool": "flake8-ssot", "files": {"a.py": [
        {name: value for name, value in entry.items() if value is not None}]}})


@pytest.mark.parametrize("text, problem", [
    ("{" + HEADER + ', "files": {',
     "is not valid JSON: Expecting property name enclosed in double quotes (line 1, column 49)"),
    ("[]", 'is not a flake8-ssot baseline: expected a JSON object with "version", "tool" and "files"'),
    ('{"tool": "flake8-ssot", "files": {}}', 'is not a flake8-ssot baseline: no "version" field'),
    ('{"version": 2, "tool": "flake8-ssot", "files": {}}', f"unknown baseline version 2 {UPGRADE}"),
    ('{"version": "1", "tool": "flake8-ssot", "files": {}}', f'unknown baseline version "1" {UPGRADE}'),
    ('{"version": 1, "tool": "ruff", "files": {}}',
     'is not a flake8-ssot baseline: "tool" is "ruff", expected "flake8-ssot"'),
    ("{" + HEADER + ', "files": {}, "count": 3}', 'unknown field "count" (expected "version", "tool" and "files")'),
    ("{" + HEADER + ', "files": []}', '"files" must be an object mapping each file to its list of entries'),
    ("{" + HEADER + ', "files": {"a.py": {}}}', 'files["a.py"] must be a list of entries'),
    (with_entry(statement=None), 'files["a.py"][0]: missing field "statement"'),
    (with_entry(line=3), 'files["a.py"][0]: unknown field "line" (expected code, path, occurrence, statement)'),
    (with_entry(occurrence=-1), 'files["a.py"][0].occurrence must be a whole number from 0'),
    (with_entry(code=1), 'files["a.py"][0].code must be a string'),
])
def test_a_bad_baseline_gets_one_clear_message(text, problem):
    with pytest.raises(BaselineError) as caught:
        loads(text, "ssot-baseline.json")
    assert str(caught.value) == f"ssot-baseline.json: {problem}"


# --------------------------------------------------------------------------- matching


def diagnostic(line: int, code: str = "SSOT001", subject: str = FACTORY) -> Diagnostic:
    return Diagnostic(code=code, message="legacy import", span=Span(line, 0, line, 10), subject=subject)


def current(*entries: tuple[int, str]) -> Current:
    """Violations of one file as (line, statement text)."""
    return Current([diagnostic(line) for line, _ in entries], [Key("SSOT001", FACTORY, text) for _, text in entries])


IMPORT = "import netra_backend.app.websocket_core.factory"
FROM = "from netra_backend.app.websocket_core import factory"


def test_a_copied_statement_is_one_new_violation_the_later_one():
    baseline = from_current({"a.py": current((3, IMPORT), (9, FROM))})
    comparison = compare(baseline, {"a.py": current((3, IMPORT), (9, FROM), (20, IMPORT))})
    assert [d.line for d in comparison.new["a.py"]] == [20]
    assert [d.line for d in comparison.baselined] == [3, 9]
    assert comparison.stale == {}


def test_matching_counts_per_key_wherever_the_lines_went():
    baseline = from_current({"a.py": current((3, IMPORT), (9, FROM), (12, IMPORT))})
    comparison = compare(baseline, {"a.py": current((40, FROM), (51, IMPORT), (52, IMPORT))})
    assert comparison.new == {} and comparison.stale == {} and len(comparison.baselined) == 3


def test_only_files_checked_in_this_run_are_judged():
    baseline = from_current({"a.py": current((3, IMPORT)), "b.py": current((4, FROM))})
    comparison = compare(baseline, {"a.py": current()})
    assert comparison.stale == {"a.py": Counter({Key("SSOT001", FACTORY, IMPORT): 1})}
    assert compare(baseline, {"a.py": current()}, gone=["b.py"]).stale_count == 2


def test_rewriting_only_shrinks_unless_new_ones_are_added():
    baseline = from_current({"a.py": current((3, IMPORT), (9, FROM)), "b.py": current((4, FROM))})
    now = {"a.py": current((3, IMPORT), (30, IMPORT))}
    assert shrink(baseline, now).files == {
        "a.py": Counter({Key("SSOT001", FACTORY, IMPORT): 1}),
        "b.py": Counter({Key("SSOT001", FACTORY, FROM): 1}),  # not checked: kept as it was
    }
    assert shrink(baseline, now, add_new=True).files["a.py"] == Counter({Key("SSOT001", FACTORY, IMPORT): 2})
    assert "b.py" not in shrink(baseline, now, gone=["b.py"]).files


def test_entries_of_codes_not_selected_are_neither_stale_nor_dropped():
    construction = Key("SSOT002", CONTEXT, "context = UserExecutionContext()")
    baseline = from_current({"a.py": current((3, IMPORT))})
    baseline.files["a.py"][construction] = 1
    judged, unjudged = split(baseline, lambda name, code: code == "SSOT001")
    assert unjudged.files == {"a.py": Counter({construction: 1})}
    assert compare(judged, {"a.py": current((3, IMPORT))}).stale == {}
    assert merge(shrink(judged, {"a.py": current()}), unjudged).files == {"a.py": Counter({construction: 1})}


def test_a_hand_edited_baseline_is_a_multiset_whatever_the_occurrence_numbers():
    entry = {"code": "SSOT001", "path": FACTORY, "statement": IMPORT}
    text = json.dumps({"version": 1, "tool": "flake8-ssot", "files": {"a.py": [
        {**entry, "occurrence": 4}, {**entry, "occurrence": 7}, {**entry, "occurrence": 7}]}})
    assert loads(text, "b.json").files["a.py"] == Counter({Key("SSOT001", FACTORY, IMPORT): 2})


# --------------------------------------------------------------------------- property: edits that add no violation

PREAMBLE = [
    '"""Dispatch of agent events to the websocket layer."""',
    "",
    "from unittest.mock import patch",
    "",
    "from netra_backend.app.services.user_execution_context import UserExecutionContext",
    "from netra_backend.app.websocket_core.factory import create_websocket_manager",
]
# Function bodies as (indent level, line); most hold a violation, some hold two or none.
BODIES = [
    [(0, "from netra_backend.app.websocket_core import factory"),
     (0, "return factory.create_websocket_manager(user_id)")],
    [(0, 'context = UserExecutionContext(user_id=user_id, thread_id="t", run_id="r")'), (0, "return context")],
    [(0, 'with patch("netra_backend.app.websocket_core.factory.create_websocket_manager"):'),
     (1, "return create_websocket_manager(user_id)")],
    [(0, "import netra_backend.app.websocket_core.factory as usine"), (0, "return usine")],
    [(0, "if user_id:"), (1, 'return UserExecutionContext(user_id=user_id, thread_id="t", run_id="r")'),
     (0, "return None")],
    [(0, "return user_id")],
]


def respace(text: str, spaced: bool) -> str:
    """Spaces inside brackets and around keyword arguments, and the other quotes."""
    if not spaced:
        return text
    return text.replace("(", "( ").replace(")", " )").replace("=", " = ").replace('"', "'")


def render(functions: list[tuple[str, int]], indent: int, spaced: bool, wrapped: bool = False) -> list[str]:
    lines = list(PREAMBLE)
    for name, body in functions:
        lines += ["", "", f"def {name}(user_id):"]
        for level, text in BODIES[body]:
            margin = " " * indent * (level + 1)
            head, equals, value = (part.strip() for part in text.partition("="))
            if wrapped and text.startswith("return "):  # as a formatter wraps a long line
                lines += [margin + "return (", margin + "    " + respace(text[len("return "):], spaced), margin + ")"]
            elif wrapped and equals and head.isidentifier():
                lines += [margin + head + " = (", margin + "    " + respace(value, spaced), margin + ")"]
            else:
                lines.append(margin + respace(text, spaced))
    return lines


def insert(lines: list[str], insertions: list[tuple[int, str]]) -> str:
    lines = list(lines)
    for position, text in insertions:
        lines.insert(position % (len(lines) + 1), text)
    return "\n".join(lines) + "\n"


programs = st.lists(st.integers(0, len(BODIES) - 1), min_size=1, max_size=8)
insertions = st.lists(
    st.tuples(st.integers(0, 200),
              st.sampled_from(["", "   ", "# phase 2 of #1128", "        # TODO(#1126): migrate"])),
    max_size=10,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies=programs, order=st.randoms(use_true_random=False), added=insertions,
       indent=st.sampled_from([2, 4, 8]), spaced=st.booleans(), wrapped=st.booleans())
def test_edits_that_add_no_violation_keep_every_violation_baselined(bodies, order, added, indent, spaced, wrapped):
    config = load_config(str(PROJECT / "pyproject.toml"))
    path = str(PROJECT / DISPATCHER)
    functions = [(f"dispatch_{index}", body) for index, body in enumerate(bodies)]
    before = "\n".join(render(functions, 4, False)) + "\n"
    shuffled = list(functions)
    order.shuffle(shuffled)
    after = insert(render(shuffled, indent, spaced, wrapped), added)

    def keyed(source: str) -> dict[str, Current]:
        diagnostics = check_source(source, path, config).diagnostics
        return collect([(path, diagnostics)], str(PROJECT), lambda _: source)

    baseline = from_current(keyed(before))
    assert baseline.count() == len(check_source(before, path, config).diagnostics) > 0
    comparison = compare(baseline, keyed(after))
    assert comparison.new == {}
    assert comparison.stale == {}
    assert len(comparison.baselined) == baseline.count()


# --------------------------------------------------------------------------- the command line

OPEN_CHANNEL = '''\
def open_channel(user_id: str):
    from netra_backend.app.websocket_core import factory
    return factory.create_websocket_manager(user_id)
'''
DISPATCHER_SOURCE = '''\
"""Dispatch of agent events to the websocket layer."""

from netra_backend.app.services.user_execution_context import UserExecutionContext
from netra_backend.app.websocket_core.factory import create_websocket_manager


def open_channel(user_id: str):
    from netra_backend.app.websocket_core import factory
    return factory.create_websocket_manager(user_id)


def build_context(user_id: str, thread_id: str):
    return UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id="dispatch")


def close_channel(manager) -> None:
    manager.close()
'''


def reported(result) -> Counter:
    """(path, code) of each violation in a concise report."""
    found: Counter = Counter()
    for line in result.stdout.splitlines():
        match = CONCISE.match(line)
        if match:
            found[(match["path"], match["code"])] += 1
    return found


@pytest.fixture
def tree(tmp_path) -> Path:
    root = copy_tree(tmp_path)
    (root / DISPATCHER).write_text(DISPATCHER_SOURCE, encoding="utf-8")
    return root


def edit(root: Path, name: str, change) -> None:
    path = root / name
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def violation_count(root: Path) -> int:
    return len(json.loads(check("--output-format", "json", cwd=root).stdout))


def entries(root: Path, name: str = "ssot-baseline.json") -> list[dict]:
    document = json.loads((root / name).read_text(encoding="utf-8"))
    return [entry for found in document["files"].values() for entry in found]


def test_write_then_check_after_moving_reformatting_and_inserting(tree):
    total = violation_count(tree)
    written = check("--write-baseline", "ssot-baseline.json", cwd=tree)
    assert written.returncode == 0, written.stderr
    files = len({name for name in json.loads((tree / "ssot-baseline.json").read_text())["files"]})
    assert written.stdout == f"Wrote ssot-baseline.json: {total} violations in {files} files.\n"
    assert len(entries(tree)) == total
    first = (tree / "ssot-baseline.json").read_bytes()
    assert check("--write-baseline", "ssot-baseline.json", cwd=tree).returncode == 0
    assert (tree / "ssot-baseline.json").read_bytes() == first  # the same violations, the same bytes

    # Lines inserted above, a function moved, an import reformatted the way black would.
    edit(tree, DISPATCHER, lambda text: text.replace(
        "from netra_backend.app.websocket_core.factory import create_websocket_manager",
        "from netra_backend.app.websocket_core.factory import (  # phase 2\n    create_websocket_manager,\n)",
    ))
    edit(tree, DISPATCHER,
         lambda text: "# Dispatch, see #1128.\n\n\n" + text.replace(OPEN_CHANNEL, "") + "\n\n" + OPEN_CHANNEL)
    edit(tree, NOTIFIER, lambda text: text.replace(
        "contexte = UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=\"r\")",
        "contexte = UserExecutionContext(\n"
        "        user_id=user_id,\n        thread_id=thread_id,\n        run_id='r',\n    )",
    ))
    assert (tree / DISPATCHER).read_text().endswith(OPEN_CHANNEL)
    result = check("--baseline", "ssot-baseline.json", cwd=tree)
    assert result.returncode == 0, result.stdout
    assert f"{total} baselined violations not shown (ssot-baseline.json).\n" in result.stdout
    assert "no longer occur" not in result.stdout
    assert (tree / "ssot-baseline.json").read_bytes() == first


def test_one_new_legacy_import_is_the_one_reported(tree):
    check("--write-baseline", "ssot-baseline.json", cwd=tree)
    edit(tree, DISPATCHER, lambda text: text.replace(
        "def build_context(user_id: str, thread_id: str):\n",
        "def build_context(user_id: str, thread_id: str):\n    from netra_backend.app.websocket_core import factory\n",
    ))
    result = check("--baseline", "ssot-baseline.json", "--output-format", "concise", cwd=tree)
    assert result.returncode == 1
    assert reported(result) == Counter({(DISPATCHER, "SSOT001"): 1})
    # [*]: the project index proves the fix safe (the function reads nothing through the module; issue #15)
    assert f"{DISPATCHER}:13:50: SSOT001 [*] legacy import '{FACTORY}'" in result.stdout
    assert "Found 1 error.\n" in result.stdout

    as_json = check("--baseline", "ssot-baseline.json", "--output-format", "json", cwd=tree)
    assert as_json.returncode == 1
    assert [(item["code"], item["location"]["row"]) for item in json.loads(as_json.stdout)] == [("SSOT001", 13)]


def test_a_fixed_violation_is_stale_until_the_baseline_is_rewritten(tree):
    check("--write-baseline", "ssot-baseline.json", cwd=tree)
    before = len(entries(tree))
    edit(tree, DISPATCHER, lambda text: text.replace(
        "    from netra_backend.app.websocket_core import factory\n"
        "    return factory.create_websocket_manager(user_id)",
        "    from netra_backend.app.websocket_core import canonical_imports\n"
        "    return canonical_imports.create_websocket_manager(user_id)",
    ))
    result = check("--baseline", "ssot-baseline.json", cwd=tree)
    assert result.returncode == 0
    assert result.stdout.endswith(
        f"{before - 1} baselined violations not shown (ssot-baseline.json).\n"
        "1 baselined violation no longer occurs; run --write-baseline ssot-baseline.json to drop it.\n"
    )
    as_json = check("--baseline", "ssot-baseline.json", "--output-format", "json", cwd=tree)
    assert json.loads(as_json.stdout) == []
    assert as_json.stderr.endswith(
        "1 baselined violation no longer occurs; run --write-baseline ssot-baseline.json to drop it.\n")
    rewritten = check("--baseline", "ssot-baseline.json", "--write-baseline", "ssot-baseline.json", cwd=tree)
    assert rewritten.returncode == 0
    files = len(json.loads((tree / "ssot-baseline.json").read_text())["files"])
    assert rewritten.stdout == (
        f"Wrote ssot-baseline.json: {before - 1} violations in {files} files.\n"
        "Dropped 1 entry whose violation no longer occurs.\n"
    )
    assert len(entries(tree)) == before - 1
    assert "no longer occur" not in check("--baseline", "ssot-baseline.json", cwd=tree).stdout


def test_rewriting_never_adds_new_violations_without_add_new(tree):
    check("--write-baseline", "ssot-baseline.json", cwd=tree)
    before = len(entries(tree))
    edit(tree, NOTIFIER, lambda text: text + "\nfrom netra_backend.app.websocket_core.factory import registry\n")
    rewritten = check("--write-baseline", "ssot-baseline.json", cwd=tree)
    assert rewritten.returncode == 0
    assert rewritten.stdout.endswith("1 new violation not added (pass --add-new to add them).\n")
    assert len(entries(tree)) == before
    assert check("--baseline", "ssot-baseline.json", cwd=tree).returncode == 1

    added = check("--write-baseline", "ssot-baseline.json", "--add-new", cwd=tree)
    assert added.stdout.endswith("Added 1 new violation.\n")
    assert len(entries(tree)) == before + 1
    assert check("--baseline", "ssot-baseline.json", cwd=tree).returncode == 0


def test_checking_some_paths_leaves_the_rest_of_the_baseline_alone(tree):
    check("--write-baseline", "ssot-baseline.json", cwd=tree)
    before = (tree / "ssot-baseline.json").read_bytes()
    result = check("--baseline", "ssot-baseline.json", "src/netra_backend/app/agents/emitter_bridge.py", cwd=tree)
    assert result.returncode == 0
    assert "1 baselined violation not shown" in result.stdout and "no longer occur" not in result.stdout
    check("--write-baseline", "ssot-baseline.json", "src/netra_backend/app/agents/emitter_bridge.py", cwd=tree)
    assert (tree / "ssot-baseline.json").read_bytes() == before

    os.remove(tree / DISPATCHER)  # a deleted file under the paths checked: its entries are stale
    result = check("--baseline", "ssot-baseline.json", "src/netra_backend/app/agents", cwd=tree)
    assert "3 baselined violations no longer occur" in result.stdout


def test_a_narrower_selection_leaves_the_other_codes_alone(tree):
    check("--write-baseline", "ssot-baseline.json", cwd=tree)
    before = (tree / "ssot-baseline.json").read_bytes()
    assert any(entry["code"] == "SSOT002" for entry in entries(tree))
    result = check("--baseline", "ssot-baseline.json", "--select", "SSOT001", cwd=tree)
    assert result.returncode == 0 and "no longer occur" not in result.stdout
    assert check("--write-baseline", "ssot-baseline.json", "--select", "SSOT001", cwd=tree).stdout.count("\n") == 1
    assert (tree / "ssot-baseline.json").read_bytes() == before


def test_statistics_split_new_and_baselined(tree):
    check("--write-baseline", "ssot-baseline.json", cwd=tree)
    edit(tree, DISPATCHER, lambda text: text + "\n\nimport netra_backend.app.websocket_core.factory\n")
    result = check("--baseline", "ssot-baseline.json", "--statistics", "--output-format", "json", cwd=tree)
    stats = json.loads(result.stdout)
    assert (stats["new"], stats["baselined"]) == (1, stats["total"] - 1)
    factory = next(row for row in stats["by_subject"] if (row["subject"], row["code"]) == (FACTORY, "SSOT001"))
    assert factory["new"] == 1 and factory["baselined"] == factory["count"] - 1
    text = check("--baseline", "ssot-baseline.json", "--statistics", cwd=tree).stdout
    assert text.startswith(f"Violations by code (baseline: 1 new, {stats['total'] - 1} baselined):\n  new  baselined\n")
    assert f"\n    1  {factory['baselined']:>9}  SSOT001  {FACTORY}\n" in text


MONOREPO = Path(__file__).resolve().parent.parent / "examples" / "monorepo"


def test_a_real_formatter_keeps_every_violation_matched(tmp_path):
    """`ruff format` at several line lengths, indent widths, quote styles and trailing-comma
    modes wraps calls, adds and removes parentheses and commas: nothing becomes new or stale."""
    pytest.importorskip("ruff")  # in the test extra
    root = tmp_path / "monorepo"
    shutil.copytree(MONOREPO, root, ignore=shutil.ignore_patterns(".ssot_cache", "__pycache__"))
    written = check("--write-baseline", "ssot-baseline.json", cwd=root)
    total = len(entries(root))
    assert written.returncode == 0 and total >= 30
    for options in (
        ["--line-length", "40"],
        ["--line-length", "30", "--config", "indent-width=2", "--config", "format.quote-style='single'"],
        ["--line-length", "150", "--config", "format.magic-trailing-comma='ignore'"],
        ["--line-length", "88"],
    ):
        formatted = subprocess.run([sys.executable, "-m", "ruff", "format", "--no-cache", "--quiet", *options, "."],
                                   cwd=root, capture_output=True, encoding="utf-8", timeout=120)
        assert formatted.returncode in (0, 2), formatted.stderr  # 2: a file that does not parse is left alone
        result = check("--baseline", "ssot-baseline.json", cwd=root)
        assert (result.returncode, result.stdout.splitlines()[-1]) == (
            0, f"{total} baselined violations not shown (ssot-baseline.json)."), (options, result.stdout)


@pytest.mark.parametrize("content, message", [
    ('{"version": 1, "tool": "flake8-ssot"',
     "error: ssot-baseline.json: is not valid JSON: Expecting ',' delimiter (line 1, column 37)\n"),
    ('{"version": 9, "tool": "flake8-ssot", "files": {}}\n',
     "error: ssot-baseline.json: unknown baseline version 9 (this flake8-ssot reads version 1; "
     "upgrade flake8-ssot or write the baseline again with --write-baseline)\n"),
])
def test_a_malformed_baseline_is_exit_2(tree, content, message):
    (tree / "ssot-baseline.json").write_text(content, encoding="utf-8")
    for args in (("--baseline", "ssot-baseline.json"), ("--write-baseline", "ssot-baseline.json")):
        result = check(*args, cwd=tree)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", message)


def test_missing_baseline_and_add_new_alone_are_usage_errors(tree):
    result = check("--baseline", "nowhere.json", cwd=tree)
    assert (result.returncode, result.stderr) == (
        2, "error: nowhere.json: no such baseline file (create it with --write-baseline)\n")
    result = check("--add-new", cwd=tree)
    assert (result.returncode, result.stderr) == (2, "error: --add-new only works with --write-baseline\n")


def test_baseline_from_the_configuration_relative_to_pyproject(tree):
    check("--write-baseline", "ci/ssot-baseline.json", cwd=tree)
    assert check(cwd=tree).returncode == 1
    configured = '[tool.ssot]\nbaseline = "ci/ssot-baseline.json"\n'
    edit(tree, "pyproject.toml", lambda text: text.replace("[tool.ssot]\n", configured, 1))
    for cwd in (tree, tree / "src" / "netra_backend"):
        result = check(cwd=cwd)
        assert result.returncode == 0, result.stdout
        assert "baselined violations not shown (" in result.stdout
    edit(tree, DISPATCHER, lambda text: text + "\n\nimport netra_backend.app.websocket_core.factory\n")
    assert reported(check("--output-format", "concise", cwd=tree)) == Counter({(DISPATCHER, "SSOT001"): 1})


# --------------------------------------------------------------------------- a crafted baseline


def test_entries_outside_the_project_never_make_the_run_look_there(tree, tmp_path):
    """A baseline is input: `../outside/x.py` must not make the run read the configuration of a
    directory outside the project (here a broken one, which would be exit 2), nor probe it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "pyproject.toml").write_text("[tool.ssot]\nsrc = [\n", encoding="utf-8")
    (outside / "x.py").write_text("import os\n", encoding="utf-8")
    assert check("--write-baseline", "ssot-baseline.json", cwd=tree).returncode == 0
    document = json.loads((tree / "ssot-baseline.json").read_text(encoding="utf-8"))
    entry = {"code": "SSOT001", "path": FACTORY, "occurrence": 0, "statement": "import os"}
    document["files"]["../outside/x.py"] = [entry]
    document["files"][str(outside / "gone.py")] = [entry]  # absolute, and does not exist
    (tree / "ssot-baseline.json").write_text(json.dumps(document), encoding="utf-8")
    checked = check("--baseline", "ssot-baseline.json", cwd=tree)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "outside" not in checked.stdout + checked.stderr
    assert "no longer occur" not in checked.stdout  # an entry outside is never judged gone
    rewritten = check("--write-baseline", "ssot-baseline.json", cwd=tree)
    assert rewritten.returncode == 0, rewritten.stdout + rewritten.stderr
    assert "outside" not in rewritten.stderr
