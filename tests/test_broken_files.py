"""Files that do not parse: the checker never raises on them, says which ones had syntax
errors, and never skips one silently (PRODUCT.md, "Rules": checks run on files that do not
parse, too). The marked fixtures are tests/fixtures/broken/ and syntax_errors/.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from xml.etree import ElementTree

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_ssot.config import load_config
from flake8_ssot.engine import check_source
from flake8_ssot.runner import check_bytes
from markers import FIXTURES, expected, fixture_projects, python_files

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
    if config.prefilter.may_match(text, "") and not parses(text):
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
    env = {**os.environ, "PYTHONUTF8": "1"}
    env.pop("CI_PROJECT_DIR", None)
    return subprocess.run([sys.executable, "-m", "flake8_ssot", "check", "--no-cache", *args], cwd=cwd,
                          capture_output=True, encoding="utf-8", env=env, timeout=120)


def test_the_summary_counts_the_files_with_syntax_errors():
    result = ssot("--output-format", "concise", cwd=BROKEN)
    assert result.returncode == 1, result.stderr
    broken = sorted(p.relative_to(BROKEN).as_posix() for p in python_files(BROKEN) if not parses(p.read_bytes()))
    assert len(broken) == 9
    assert result.stdout.splitlines()[-1] == "9 files had syntax errors (checked with the error-tolerant parser)."
    warned = sorted(line.split(": ")[1] for line in result.stderr.splitlines() if line.startswith("warning: "))
    assert warned == broken
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
