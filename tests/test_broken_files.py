"""Files that do not parse: the checker never raises on them, says which ones had syntax
errors, and never skips one silently (PRODUCT.md, "Rules": checks run on files that do not
parse, too). The marked fixtures are tests/fixtures/broken/ and syntax_errors/.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import textwrap
import warnings
from pathlib import Path
from xml.etree import ElementTree

import projects
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markers import FIXTURES, expected, fixture_projects, python_files
from projects import APP_POLICY

from flake8_ssot.checking.runner import check_bytes
from flake8_ssot.config import load_config
from flake8_ssot.engine import check_source, file_module

BROKEN = FIXTURES / "broken"
FILES = [(project, path) for project in fixture_projects() for path in python_files(project) if path.stat().st_size]


def parses(source: str | bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def test_every_broken_fixture_fails_to_parse_and_still_has_findings():
    broken = python_files(BROKEN)
    for path in broken:
        if path.stat().st_size:
            assert not parses(path.read_bytes()), path
            assert expected(path), f"{path}: a broken fixture should show what is still reported"


# --------------------------------------------------------------------------- truncation

@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_truncating_a_fixture_at_any_character_never_makes_the_check_raise(data):
    project, path = data.draw(st.sampled_from(FILES), label="file")
    source = path.read_text(encoding="utf-8")
    cut = data.draw(st.integers(min_value=0, max_value=len(source)), label="cut")
    config = load_config(str(project / "pyproject.toml"))
    truncated = source[:cut]
    result = check_source(truncated, str(path), config, prefilter=False)
    assert (result.syntax_error is not None) == (not parses(truncated))
    for diagnostic in result.diagnostics:
        assert 1 <= diagnostic.line <= truncated.count("\n") + 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_truncating_a_fixture_at_any_byte_is_reported_never_an_internal_error(data):
    """A cut can split a UTF-8 sequence: the file is then reported as undecodable, never dropped."""
    project, path = data.draw(st.sampled_from(FILES), label="file")
    raw = path.read_bytes()
    cut = data.draw(st.integers(min_value=0, max_value=len(raw)), label="cut")
    config = load_config(str(project / "pyproject.toml"))
    result = check_bytes(raw[:cut], str(path), config)
    try:
        text = raw[:cut].decode("utf-8")
    except UnicodeDecodeError:
        assert result.error is not None and result.error.startswith("cannot decode line "), result.error
        return
    assert result.error is None, result.error
    # Only files that can hold a finding are parsed (#16: ssot check's prefilter is strict).
    module = file_module(str(path), config)[0]
    if config.prefilter.may_match(text, module, strict=True) and not parses(text):
        assert result.syntax_error is not None


def test_truncating_the_non_ascii_fixture_inside_a_character():
    """The byte-level property above, at each byte of the CJK and emoji lines of cli/notifier.py."""
    project = FIXTURES / "cli"
    path = project / "src/netra_backend/app/agents/notifier.py"
    raw = path.read_bytes()
    config = load_config(str(project / "pyproject.toml"))
    splits = [cut for cut in range(len(raw)) if 0x80 <= raw[cut] < 0xC0]  # inside a multi-byte character
    assert splits
    for cut in splits:
        result = check_bytes(raw[:cut], str(path), config)
        assert result.error is not None and result.error.startswith("cannot decode line "), (cut, result.error)


# --------------------------------------------------------------------------- the command line

def ssot(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return projects.ssot("check", "--no-cache", *args, cwd=cwd)


def test_the_summary_counts_the_files_with_syntax_errors():
    result = ssot("--output-format", "concise", cwd=BROKEN)
    assert result.returncode == 1, result.stderr
    broken = sorted(p.relative_to(BROKEN).as_posix() for p in python_files(BROKEN) if not parses(p.read_bytes()))
    assert len(broken) == 9
    assert result.stdout.splitlines()[-1] == (
        "9 files with syntax errors were checked with error recovery (--show-syntax-errors to list them)"
    )
    assert result.stderr == ""
    listed = ssot("--output-format", "concise", "--show-syntax-errors", cwd=BROKEN)
    shown = sorted(line.split(":")[0] for line in listed.stdout.splitlines() if " SSOT000 " in line)
    assert shown == broken
    marked = sum(sum(expected(p).values()) for p in python_files(BROKEN))
    assert f"Found {marked} errors." in result.stdout.splitlines()


def test_no_file_is_skipped_silently(tmp_path):
    """Every .py file of the tree is a test case of the JUnit report, with or without findings."""
    result = ssot("--output-format", "junit", cwd=BROKEN)
    assert result.returncode == 1, result.stderr
    cases = {case.get("file"): case for case in ElementTree.fromstring(result.stdout).iter("testcase")}
    assert set(cases) == {p.relative_to(BROKEN).as_posix() for p in python_files(BROKEN)}
    for path in python_files(BROKEN):
        failure = cases[path.relative_to(BROKEN).as_posix()].find("failure")
        assert (failure is not None) == bool(expected(path)), path


def test_json_lists_the_findings_of_every_broken_file():
    result = ssot("--output-format", "json", cwd=BROKEN)
    found = {Path(item["filename"]).resolve() for item in json.loads(result.stdout)}
    assert found == {p.resolve() for p in python_files(BROKEN) if expected(p)}


def test_a_recovered_all_list_without_commas_gets_no_fix_and_no_crash(tmp_path):
    """Found by fuzzing the fixtures: in a recovered tree two elements of `__all__` can have no
    comma between them, which the SSOT003 fix builder assumed never happens."""
    config = load_config(str(FIXTURES / "cli" / "pyproject.toml"))
    path = FIXTURES / "cli/src/netra_backend/app/websocket_core/__init__.py"
    source = '__all__ = [\n    "WebSocketManager",\n    "create_websocket_manager"",\n]\n'
    result = check_source(source, str(path), config)
    assert result.syntax_error is not None
    assert [(d.line, d.code, d.fix) for d in result.diagnostics] == [(3, "SSOT003", None)]


def test_noqa_on_a_continued_statement_holds_in_a_file_that_does_not_parse(tmp_path):
    """`# noqa` on the last line of a backslash-continued import silences it, as in a file that
    parses; a syntax error further down (here an unterminated docstring) must not undo that."""
    config = load_config(str(FIXTURES / "noqa" / "pyproject.toml"))
    path = FIXTURES / "noqa/src/netra_backend/app/websocket_core/handlers.py"
    source = path.read_text(encoding="utf-8")
    whole = check_source(source, str(path), config)
    for tail in ('"""a docstring cut short\n', "x = (\n", "def broken(:\n"):
        cut = check_source(source + tail, str(path), config)
        assert cut.syntax_error is not None
        assert [(d.line, d.code) for d in cut.diagnostics] == [(d.line, d.code) for d in whole.diagnostics], tail


# --------------------------------------------------------------------------- one broken line

PARSED = [(project, path) for project, path in FILES if parses(path.read_bytes())]
BROKEN_LINES = ['print "migrating"\n', "def broken(:\n", "HANDLERS = (\n", "<<<<<<< HEAD\n", "  stray = 1\n",
                "x = ]\n", "`legacy`\n", "exec 'import os'\n", "@\n", "REGISTRY = [1,\n", "if ready\n", "class\n"]


BROKEN_LINES = [line.rstrip("\n") for line in BROKEN_LINES]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_one_broken_line_changes_no_finding_outside_its_statement(data):
    """A broken line (an unclosed bracket, a conflict marker, Python 2 syntax) inserted before
    any top-level statement, or inside one at the indentation of its second line, leaves every
    finding outside that statement as it was: the broken statement is re-parsed on its own,
    with the statements tree-sitter merged into it."""
    project, path = data.draw(st.sampled_from(PARSED), label="file")
    source = path.read_text(encoding="utf-8")
    if not source.endswith("\n"):
        source += "\n"
    tree = ast.parse(source)
    if not tree.body:
        return
    statement = data.draw(st.sampled_from(tree.body), label="statement")
    first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", []))])
    lines = source.splitlines(keepends=True)
    inside = statement.end_lineno > first and data.draw(st.booleans(), label="inside")
    at = first if inside else first - 1  # 0-based index the broken line is inserted at
    indent = re.match(r"[ \t]*", lines[at]).group(0) if inside else ""
    broken_line = indent + data.draw(st.sampled_from(BROKEN_LINES), label="line") + "\n"
    config = load_config(str(project / "pyproject.toml"))
    before = [(d.line, d.code) for d in check_source(source, str(path), config, prefilter=False).diagnostics]
    result = check_source("".join(lines[:at]) + broken_line + "".join(lines[at:]), str(path), config,
                          prefilter=False)
    statement_lines = range(first, statement.end_lineno + 1) if inside else range(0)
    after = [(line - (line > at + 1), code) for line, code in ((d.line, d.code) for d in result.diagnostics)
             if line != at + 1]
    assert [f for f in after if f[0] not in statement_lines] == [f for f in before if f[0] not in statement_lines]
    if not inside:
        assert result.syntax_error is not None


POLICY = APP_POLICY + '''
[tool.ssot.deprecated-exports]
"app.svc.titles" = ["create_websocket_manager"]
[[tool.ssot.patterns]]
code = "SSOT103"
rule = { kind = "class_definition", has = { pattern = "_instance = None", stopBy = "end" } }
'''


def _findings(tmp_path: Path, source: str) -> list[tuple[int, str]]:
    (tmp_path / "pyproject.toml").write_text(POLICY, encoding="utf-8")
    config = load_config(str(tmp_path / "pyproject.toml"))
    result = check_source(textwrap.dedent(source), str(tmp_path / "src/app/svc/titles.py"), config)
    assert result.syntax_error is not None
    return [(d.line, d.code) for d in result.diagnostics]


def test_a_broken_statement_that_tree_sitter_ends_mid_line(tmp_path):
    """An unclosed `[` on line 1: tree-sitter ends the broken statement in the middle of the
    import on line 6 and starts the next one there; they are re-parsed together, whole lines."""
    assert _findings(tmp_path, '''\
        x = [1,
        """Generates thread titles."""

        from typing import Any

        from app.ctx import UserExecutionContext, create_defensive_user_execution_context


        class ThreadTitleGenerator:
            def __init__(self, llm_client: Any) -> None:
                self.llm_client = llm_client

            async def generate(self, user_id: str, thread_id: str) -> str:
                context = UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=f"title_{thread_id}")
                prompt = f"Summarise: {thread_id[:500]}"
                return await self.llm_client.complete(prompt, user_id=context.user_id)
    ''') == [(14, "SSOT002")]


def test_the_block_tree_sitter_lets_go_of_stays_with_its_broken_statement(tmp_path):
    """After `HANDLERS = ]`, tree-sitter ends the class at its docstring and reads the indented
    rest of its body as top-level statements; they are re-parsed with the class."""
    assert _findings(tmp_path, '''\
        from app.ws.factory import create_websocket_manager
        HANDLERS = ]
        class WebSocketManagerFactory:
            """Hands out one manager for the whole process."""

            _instance = None

            def create(self, user_context):
                return create_websocket_manager(user_context)
    ''') == [(1, "SSOT001"), (3, "SSOT103")]


def test_a_statement_tree_sitter_accepts_but_python_does_not(tmp_path):
    """A bare `class` line: tree-sitter joins it with the next line into `class __all__: ...`
    without an error node; the line Python's parser stopped at marks the statement broken."""
    assert _findings(tmp_path, '''\
        from app.ws.factory import create_websocket_manager
        class
        __all__: list[str] = ["create_websocket_manager"]
    ''') == [(1, "SSOT001"), (3, "SSOT003")]


def test_a_string_with_a_trailing_comma_is_a_tuple_in_the_error_tolerant_reading_too():
    """`"pkg.ws.factory.X",` alone on a line is a one-element tuple, not a docstring-like bare
    string: Python's parse records the reference, and so must the error-tolerant one (the
    language server compares the two: tests/test_incremental.py)."""
    from flake8_ssot.facts import collect_facts
    from flake8_ssot.facts.recovery import recover_facts

    clean = 'if TYPE_CHECKING:\n    context,\n    "netra_backend.app.websocket_core.factory.WebSocketFactory",\n'
    parsed = collect_facts(ast.parse(clean), "/x.py", "x", False, clean)
    recovered = recover_facts("@decorator\n" + clean, "/x.py", "x", False)
    assert [s.value for s in recovered.strings] == [s.value for s in parsed.strings] == [
        "netra_backend.app.websocket_core.factory.WebSocketFactory"]
