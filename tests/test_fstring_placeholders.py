"""The code inside f-string placeholders is checked like any other code.

A factory-only class constructed in a placeholder (SSOT002) and a legacy chain used there
(SSOT004) are reported where they are written, after `!r`, in a nested format spec, in
`{expr=}`, in a nested f-string, on a later line of a triple-quoted f-string, after `{{`.

- the seed-shaped fixture (tests/fixtures/project/.../session_diagnostics.py, whose markers
  tests/test_fixtures.py checks and whose flake8 findings tests/test_agreement.py compares)
  gives the same findings, at spans that spell what they report, through every path: the
  whole parse, a partial parse, the error-tolerant parse of a broken copy, the editor's
  checker (full and after an edit), the flake8 plugin;
- wrapping any call or chain reported in the fixture project in `f"{...}"` reports the same
  finding, three columns on;
- `--fix` rewrites inside placeholders, and the fixed project runs as before;
- a fix is offered only where the source at the reported position spells the callee or the
  chain: a position off by one (as older Pythons gave inside f-strings) reports without a fix.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markers import FIXTURES, python_files
from projects import ssot, write

from flake8_ssot import facts as facts_module
from flake8_ssot import flake8_plugin
from flake8_ssot.config import load_config
from flake8_ssot.engine import check_source, file_module, interest, partial_words
from flake8_ssot.facts import partial
from flake8_ssot.flake8_plugin import SsotChecker
from flake8_ssot.server.incremental import IncrementalChecker

PROJECT = FIXTURES / "project"
FIXTURE = PROJECT / "src/netra_backend/app/services/session_diagnostics.py"
CONFIG = load_config(str(PROJECT / "pyproject.toml"))
FACTORY_CLASS = "UserExecutionContext"
LEGACY_CHAIN = "netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager"
# (line, code) of each finding in the fixture's placeholders; the markers say the same.
EXPECTED = {(25, "SSOT002"), (29, "SSOT002"), (33, "SSOT004"), (37, "SSOT002"), (43, "SSOT004"),
            (47, "SSOT002"), (51, "SSOT004"), (55, "SSOT004"), (59, "SSOT002")}
SHOWN = {33, 59}  # `{expr=}`: the code is also the text the f-string shows


def found(diagnostics) -> set[tuple[int, int, str]]:
    return {(d.line, d.column, d.code) for d in diagnostics}


def text_at(source: str, d) -> str:
    """The source text a diagnostic's span covers."""
    lines, (line, column, end_line, end_column) = source.split("\n"), d.span
    if line == end_line:
        return lines[line - 1][column:end_column]
    return "\n".join([lines[line - 1][column:], *lines[line:end_line - 1], lines[end_line - 1][:end_column]])


@contextmanager
def partial_parsing():
    saved = partial.ENABLED, partial.MIN_SIZE, partial.MIN_SKIPPED_SHARE
    partial.ENABLED, partial.MIN_SIZE, partial.MIN_SKIPPED_SHARE = True, 0, 0
    try:
        yield
    finally:
        partial.ENABLED, partial.MIN_SIZE, partial.MIN_SKIPPED_SHARE = saved


@pytest.fixture(scope="module")
def source() -> str:
    return FIXTURE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def whole(source):
    return check_source(source, str(FIXTURE), CONFIG).diagnostics


def test_each_finding_spans_what_it_reports(source, whole):
    assert {(d.line, d.code) for d in whole} == EXPECTED
    for d in whole:
        text = " ".join(text_at(source, d).split())
        if d.code == "SSOT002":
            assert text.startswith(FACTORY_CLASS + "(") and text.endswith(")"), (d, text)
            assert d.fix is not None and FACTORY_CLASS in d.message
        elif not text[:1].isidentifier() or text[:2] in ('f"', "f'"):  # a string: its whole text names the path
            assert isinstance(ast.parse(text, mode="eval").body, (ast.Constant, ast.JoinedStr)), (d, text)
            assert "netra_backend.app.websocket_core.factory" in text
        else:
            assert text == LEGACY_CHAIN, (d, text)
            assert d.fix is not None


def test_a_fix_in_a_self_documenting_placeholder_is_unsafe(source, whole):
    """`{expr=}` shows the expression's text, which the fix changes; `f"x={x!r}"` (the same
    tree) shows only its literal text."""
    for d in whole:
        if d.line in SHOWN:
            assert d.fix.applicability == "unsafe" and "`{...=}` placeholder" in d.fix.description, d
        else:
            assert d.fix is None or "{...=}" not in d.fix.description, d


def test_a_partial_parse_keeps_what_only_a_placeholder_mentions(source, whole):
    """Quiet definitions around it are skipped; a definition and a module-level statement
    whose only mention of a policy word sits in a placeholder are read."""
    quiet = "".join(f"\n\ndef quiet_{n}(value):\n    return f'{{value!r:>{n}}}'\n" for n in range(40))
    banner = f'\nBANNER = f"{{{LEGACY_CHAIN}!r}}"  # the only mention: a placeholder\n'
    padded = source + quiet + banner
    expected = found(check_source(padded, str(FIXTURE), CONFIG).diagnostics)
    assert found(whole) < expected and any(line > source.count("\n") for line, _, _ in expected)
    name, is_package = file_module(str(FIXTURE), CONFIG)
    with partial_parsing():
        read = partial.partial_facts(padded, str(FIXTURE), name, is_package, None, interest(CONFIG), None,
                                     partial_words(CONFIG))
        assert read is not None and len(read.skipped) == 40
        assert found(check_source(padded, str(FIXTURE), CONFIG, prefilter=False).diagnostics) == expected


def test_the_error_tolerant_parse_reads_placeholders_where_they_are(source, whole):
    broken = source + "\n\ndef half_typed(user_id:\n    return\n"
    result = check_source(broken, str(FIXTURE), CONFIG)
    assert result.syntax_error
    assert found(result.diagnostics) == found(whole)
    for d in result.diagnostics:
        assert text_at(broken, d) == text_at(source, next(w for w in whole if w.line == d.line))


def test_the_editor_and_the_flake8_plugin_report_the_same(source, whole):
    checker = IncrementalChecker()
    assert found(checker.check(source, str(FIXTURE), CONFIG)) == found(whole)
    edited = source.replace("run_id='probe')!r}", "run_id='probe-2')!r} ")
    assert edited != source
    assert found(checker.check(edited, str(FIXTURE), CONFIG)) == found(check_source(edited, str(FIXTURE), CONFIG).diagnostics)
    SsotChecker.config_file = str(PROJECT / "pyproject.toml")
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(flake8_plugin, "_project_index", lambda config: None)
            plugin = SsotChecker(ast.parse(source), str(FIXTURE), source.splitlines(keepends=True))
            reported = {(line, column, message.split(" ", 1)[0]) for line, column, message, _ in plugin.run()}
    finally:
        SsotChecker.config_file = None
    assert reported == {(line, column, code) for line, column, code in found(whole)}


def test_wrapping_a_reported_call_or_chain_in_a_placeholder_reports_it_there():
    wrapped_any = 0
    for path in python_files(PROJECT):
        text = path.read_text(encoding="utf-8")
        try:
            ast.parse(text)
        except SyntaxError:
            continue
        for d in check_source(text, str(path), CONFIG).diagnostics:
            spelled = text_at(text, d)
            if d.code not in ("SSOT002", "SSOT004") or d.line != d.span.end_line or not spelled[:1].isidentifier():
                continue
            quote = next((q for q in "\"'" if q not in text.split("\n")[d.line - 1]), None)
            if quote is None or "\\" in spelled:
                continue
            lines = text.split("\n")
            row = lines[d.line - 1]
            lines[d.line - 1] = f"{row[:d.column]}f{quote}{{{spelled}}}{quote}{row[d.span.end_column:]}"
            changed = "\n".join(lines)
            try:
                ast.parse(changed)
            except SyntaxError:
                continue  # an assignment or `del` target
            after = check_source(changed, str(path), CONFIG).diagnostics
            assert any((a.line, a.column, a.span.end_column, a.code, a.message)
                       == (d.line, d.column + 3, d.span.end_column + 3, d.code, d.message) for a in after), (path, d)
            wrapped_any += 1
    assert wrapped_any >= 10


# --------------------------------------------------------------------------- fixes

POLICY = """\
[tool.ssot]
src = ["."]

[tool.ssot.legacy]
"app.ws.factory.create_websocket_manager" = "app.ws.manager.get_websocket_manager"

[tool.ssot.factories]
"app.models.context.UserExecutionContext" = { use = "app.models.context.make_context" }
"""

FILES = {
    "pyproject.toml": POLICY,
    "app/__init__.py": "",
    "app/models/__init__.py": "",
    "app/models/context.py": """\
        from dataclasses import dataclass


        @dataclass
        class UserExecutionContext:
            user_id: str
            thread_id: str = "main"


        def make_context(user_id, thread_id="main"):
            return UserExecutionContext(user_id=user_id, thread_id=thread_id)
        """,
    "app/ws/__init__.py": "",
    "app/ws/factory.py": """\
        def create_websocket_manager(user_id):
            return f"manager<{user_id}>"
        """,
    "app/ws/manager.py": """\
        def get_websocket_manager(user_id):
            return f"manager<{user_id}>"
        """,
    "app/report.py": """\
        import app.ws.factory
        import app.ws.manager
        from app.models.context import UserExecutionContext

        WIDTH = 12


        def lines(user_id):
            yield f"context {UserExecutionContext(user_id=user_id)!r} for {user_id}"
            yield f"{user_id:>{len(UserExecutionContext(user_id, 'side').thread_id) + WIDTH}}|"
            yield f"{{literal}} {UserExecutionContext(user_id=user_id).user_id}"
            yield f"{'/'.join(f'{app.ws.factory.create_websocket_manager(u)}' for u in (user_id, 'ops'))}"
            yield f\"\"\"report
          manager: {app.ws.factory.create_websocket_manager(
              user_id)}\"\"\"


        def main():
            print("\\n".join(lines("u-42")))
        """,
}


def run(root: Path) -> str:
    done = subprocess.run([sys.executable, "-c", "import app.report; app.report.main()"], cwd=root,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_fixes_inside_placeholders_keep_the_program_running_the_same(tmp_path):
    root = write(tmp_path, {name: textwrap.dedent(text) for name, text in FILES.items()})
    report = root / "app/report.py"
    before = run(root)
    listed = ssot("check", "--no-cache", "--output-format", "concise", ".", cwd=root)
    assert [line.split(": ")[1].split(" ")[0] for line in listed.stdout.splitlines() if "app/report.py" in line] \
        == ["SSOT002", "SSOT002", "SSOT002", "SSOT004", "SSOT004"], listed.stdout
    fixed = ssot("check", "--no-cache", "--fix", "--unsafe-fixes", ".", cwd=root)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    text = report.read_text(encoding="utf-8")
    assert "UserExecutionContext(" not in text and "app.ws.factory.create_websocket_manager" not in text
    assert "make_context(user_id=user_id)!r" in text and "app.ws.manager.get_websocket_manager(\n" in text
    assert run(root) == before
    again = ssot("check", "--no-cache", "--fix", "--unsafe-fixes", ".", cwd=root)
    assert again.returncode == 0 and report.read_text(encoding="utf-8") == text


def test_no_fix_where_the_position_does_not_spell_the_callee(source, whole, monkeypatch):
    """As if Python placed the placeholders' code one column off: still reported, never fixed."""
    visit = facts_module._Collector._placeholder

    def shifted(self, part, before=None):
        for node in ast.walk(part):
            if isinstance(node, ast.expr):
                node.col_offset += 1
                node.end_col_offset += 1
        visit(self, part, before)

    monkeypatch.setattr(facts_module._Collector, "_placeholder", shifted)
    off = check_source(source, str(FIXTURE), CONFIG).diagnostics
    assert {(d.line, d.code) for d in off} == EXPECTED
    by_line = {d.line: d for d in whole}
    for d in off:
        if by_line[d.line].fix is not None and text_at(source, by_line[d.line])[:1].isidentifier():
            assert d.fix is None, d


def test_a_noqa_after_a_triple_quoted_f_string_covers_its_lines(source):
    """As in flake8: a `# noqa` on the line that closes a string token covers every line of it."""
    closing = '{netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager(user_context)}"""'
    assert closing + "  # SSOT004" in source
    silenced = source.replace(closing + "  # SSOT004", closing + "  # noqa: SSOT004")
    assert {(d.line, d.code) for d in check_source(silenced, str(FIXTURE), CONFIG).diagnostics} == EXPECTED - {(43, "SSOT004")}


# --------------------------------------------------------------------------- generated placeholders

CODE = {
    "SSOT002": "UserExecutionContext(user_id=user_id, thread_id=width, run_id=user_id)",
    "SSOT004": LEGACY_CHAIN + "(user_context)",
}
HEADER = (
    "import netra_backend.app.websocket_core.websocket_manager_factory\n"
    "from netra_backend.app.services.user_execution_context import UserExecutionContext\n\n\n"
    "def render(user_id, user_context, width):\n"
)


@st.composite
def placeholder_lines(draw) -> tuple[str, str, str]:
    """One `return` of an f-string holding the code of `code` in one of the shapes Python
    places from a second parse before 3.12; (code, the line, the text the finding must span)."""
    code = draw(st.sampled_from(sorted(CODE)))
    expression = CODE[code]
    wrapped = draw(st.sampled_from(["{E}", "{E!r}", "{E=}", "{E = }", "{E:>{width}}", "{width:>{len(str(E))}}",
                                    "{ E }", "{(E)}", "{[E][0]}"]))
    body = wrapped.replace("E", expression)
    before = draw(st.sampled_from(["", "ctx ", "{{literal}} ", "é ✅ ", "{user_id!r}: ", "\\t"]))
    triple = draw(st.booleans())
    if draw(st.booleans()):  # nested in another f-string (no backslash in a placeholder before 3.12)
        inner, before = ("", before) if "\\" in before else (before, "")
        body = "{" + ("f'''" if triple else "f'") + inner + body + ("'''" if triple else "'") + "}"
    if triple:
        lines = draw(st.sampled_from(["", "\n", "\n  detail\n    "]))
        line = f'    return f"""{lines}{before}{body}"""\n'
    else:
        line = f'    return f"{before}{body}"\n'
    return code, line, expression if code == "SSOT002" else LEGACY_CHAIN


@settings(max_examples=30, deadline=None)
@given(placeholder_lines())
def test_a_generated_placeholder_is_reported_where_its_code_is_written(case):
    code, line, expression = case
    source = HEADER + line
    path = str(PROJECT / "src/netra_backend/app/services/generated_report.py")
    ast.parse(source)
    for text in (source, source + "\ndef broken(:\n    pass\n"):  # the whole parse, error recovery
        reported = [d for d in check_source(text, path, CONFIG).diagnostics]
        assert [d.code for d in reported] == [code], (text, reported)
        assert " ".join(text_at(text, reported[0]).split()) == expression, text


def test_a_call_through_a_re_export_or_a_star_import_in_a_self_documenting_placeholder_is_unsafe(tmp_path):
    """The calls SSOT002 finds by parsing the file again (a class renamed through a re-export,
    a bare name a star import binds) carry the same `{expr=}` verdict as the facts walk's."""
    write(tmp_path, {
        "pyproject.toml": (
            '[tool.ssot]\nsrc = ["src"]\n\n[tool.ssot.factories]\n'
            '"app.models.context.UserExecutionContext" = { use = "app.models.context.create_user_execution_context" }\n'),
        "src/app/__init__.py": "",
        "src/app/models/__init__.py": "",
        "src/app/models/context.py": (
            "class UserExecutionContext:\n    pass\n\n\n"
            "def create_user_execution_context():\n    return UserExecutionContext()\n"),
        "src/app/context.py": "from app.models.context import UserExecutionContext as ExecutionContext\n",
        "src/app/report.py": (
            "from app.context import ExecutionContext\n\n\n"
            'def describe():\n    return f"{ExecutionContext()=}", f"{ExecutionContext()!r}"\n'),
        "src/app/star.py": (
            "from app.models.context import *\n\n\n"
            'def describe():\n    return f"{UserExecutionContext() = }", f"{UserExecutionContext()!s}"\n'),
    })
    for n in range(64):  # a run of 64 files computes the names the class is renamed to
        write(tmp_path, {f"src/app/handler_{n}.py": "from app.context import ExecutionContext\n\n\n"
                                                     f"def handle_{n}(context: ExecutionContext):\n    return context\n"})
    result = ssot("check", ".", "--no-cache", "--output-format", "json", "--exit-zero", cwd=tmp_path)
    found = sorted((Path(d["filename"]).name, d["location"]["column"], d["fix"]["applicability"])
                   for d in json.loads(result.stdout) if d["code"] == "SSOT002")
    assert found == [("report.py", 15, "unsafe"), ("report.py", 41, "safe"),
                     ("star.py", 15, "unsafe"), ("star.py", 47, "safe")]
