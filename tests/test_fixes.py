"""`--fix`: before/after pairs byte for byte, and the promises that no fix ever loses data.

Each directory under tests/fixtures_fix/ is one case, checked as the module
`netra_backend.app.<case>` under the shared tests/fixtures_fix/pyproject.toml: `before.py`
fixed with safe fixes is `after.py`; with `--unsafe-fixes` it is `after_unsafe.py` (or
`after.py` when the case has no unsafe fix).
"""

from __future__ import annotations

import ast
import codecs
import difflib
import os
import shutil
import stat
import warnings
from collections import Counter
from pathlib import Path

import pytest

from flake8_ssot.checking.fixing import FixMode, fix_path
from flake8_ssot.config import load_config
from flake8_ssot.diagnostic import SAFE, UNSAFE
from flake8_ssot.fixes import (
    SourceError,
    count_fixable,
    fix_bytes,
    fix_text,
    is_fixable,
    unified_diff,
    write_atomic,
)
from flake8_ssot.span import split_lines

FIXTURES = Path(__file__).parent / "fixtures_fix"
CONFIG = load_config(str(FIXTURES / "pyproject.toml"))
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "before.py").is_file())


def checked_as(case: str) -> str:
    return str(FIXTURES / "netra_backend" / "app" / f"{case}.py")


def expected(case: str, unsafe: bool) -> bytes:
    folder = FIXTURES / case
    if unsafe and (folder / "after_unsafe.py").is_file():
        return (folder / "after_unsafe.py").read_bytes()
    return (folder / "after.py").read_bytes()


# --------------------------------------------------------------------------- before/after pairs

@pytest.mark.parametrize("unsafe", [False, True], ids=["fix", "unsafe-fixes"])
@pytest.mark.parametrize("case", CASES)
def test_fixing_before_gives_after_byte_for_byte(case, unsafe):
    before = (FIXTURES / case / "before.py").read_bytes()
    outcome = fix_bytes(before, checked_as(case), CONFIG, unsafe=unsafe)
    assert outcome.error is None
    assert outcome.after == expected(case, unsafe)


@pytest.mark.parametrize("unsafe", [False, True], ids=["fix", "unsafe-fixes"])
@pytest.mark.parametrize("case", CASES)
def test_a_fixed_file_has_nothing_left_to_fix(case, unsafe):
    after = expected(case, unsafe)
    outcome = fix_bytes(after, checked_as(case), CONFIG, unsafe=unsafe)
    assert outcome.after == after and outcome.fixed == 0
    assert not any(is_fixable(d, unsafe) for d in outcome.diagnostics)


def test_every_case_changes_something():
    for case in CASES:
        before = (FIXTURES / case / "before.py").read_bytes()
        assert expected(case, unsafe=True) != before, case


def test_module_renamed_is_unsafe_by_default():
    source = (FIXTURES / "module_renamed" / "before.py").read_text()
    result = fix_text(source, checked_as("module_renamed"), CONFIG)
    assert result.text == source and result.fixed == 0
    assert count_fixable(result.diagnostics) == (0, 6)
    assert [(d.line, d.code, d.fix.applicability) for d in result.diagnostics] == [
        (11, "SSOT001", UNSAFE), (12, "SSOT001", UNSAFE), (16, "SSOT001", UNSAFE),
        (17, "SSOT001", UNSAFE), (18, "SSOT001", UNSAFE), (27, "SSOT004", UNSAFE),
    ]
    unsafe = fix_text(source, checked_as("module_renamed"), CONFIG, unsafe=True)
    assert unsafe.fixed == 6 and unsafe.diagnostics == ()


def test_split_counts_and_what_remains():
    source = (FIXTURES / "split_from_import" / "before.py").read_text()
    result = fix_text(source, checked_as("split_from_import"), CONFIG)
    assert result.fixed == 2
    retired = (
        "legacy import 'netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager': "
        "use 'netra_backend.app.websocket_core.websocket_manager.get_websocket_manager' "
        "(the factory was retired in #1126)"
    )
    assert [(d.line, d.message, d.fix.applicability) for d in result.diagnostics] == [
        (10, retired, UNSAFE), (16, retired, UNSAFE), (17, retired, UNSAFE),
    ]


def test_fixes_describe_what_they_do():
    source = (FIXTURES / "strings_and_dynamic" / "before.py").read_text()
    result = fix_text(source, checked_as("strings_and_dynamic"), CONFIG)
    first = result.diagnostics[0]
    # A string in a table may be data a test compares: its fix is unsafe and says why.
    assert first.fix.description == ("use 'netra_backend.app.websocket_core.utils' "
                                     "(unsafe: a string not provably used as an import)")


def test_statements_without_a_fixable_target_are_left_alone():
    source = (FIXTURES / "guarded_imports" / "before.py").read_text()
    result = fix_text(source, checked_as("guarded_imports"), CONFIG, unsafe=True)
    left = [(d.line, d.code, d.fix) for d in result.diagnostics if d.code == "SSOT001"]
    assert left == [(13, "SSOT001", None)]  # the entry with fix = "none"
    noqa = "from netra_backend.app.websocket_core.compat.utils import format_ws_message  # noqa: SSOT001"
    assert noqa in result.text.splitlines()
    assert "from netra_backend.app.legacy_tracing import Tracer" in result.text


# --------------------------------------------------------------------------- encodings and line endings

def _crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def _cr(text: str) -> str:
    return text.replace("\n", "\r")


LAYOUTS = {
    "crlf": (lambda text: _crlf(text).encode("utf-8")),
    "cr": (lambda text: _cr(text).encode("utf-8")),
    "bom": (lambda text: codecs.BOM_UTF8 + text.encode("utf-8")),
    "bom-crlf": (lambda text: codecs.BOM_UTF8 + _crlf(text).encode("utf-8")),
    "latin-1": (lambda text: ("# -*- coding: latin-1 -*-\n# Résumé des sockets\n" + text).encode("latin-1")),
    "latin-1-crlf": (lambda text: _crlf("# -*- coding: latin-1 -*-\n# Résumé\n" + text).encode("latin-1")),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("case", ["split_from_import", "exports_list", "relative_imports", "guarded_imports"])
def test_encoding_bom_and_line_endings_survive(case, layout):
    encode = LAYOUTS[layout]
    before = (FIXTURES / case / "before.py").read_text()
    after = expected(case, unsafe=True).decode("utf-8")
    outcome = fix_bytes(encode(before), checked_as(case), CONFIG, unsafe=True)
    assert outcome.error is None
    assert outcome.after == encode(after)


def test_mixed_line_endings_keep_each_untouched_line_as_it_was():
    before = (
        "import os\r\n"
        "from netra_backend.app.websocket_core.websocket_manager_factory import FactoryMetrics, WebSocketManager\n"
        "print(os.sep)\r\n"
        "print(os.sep)\r\n"
    )
    outcome = fix_bytes(before.encode(), checked_as("mixed"), CONFIG)
    assert outcome.after.decode() == (
        "import os\r\n"
        "from netra_backend.app.websocket_core.websocket_manager_factory import FactoryMetrics\r\n"
        "from netra_backend.app.websocket_core.websocket_manager import WebSocketManager\n"
        "print(os.sep)\r\n"
        "print(os.sep)\r\n"
    )


def test_a_fix_the_file_encoding_cannot_hold_is_refused():
    config = _pattern_config("print($A)", "imprimé($A)")
    data = b"# -*- coding: ascii -*-\nprint(1)\n"
    outcome = fix_bytes(data, "/tmp/module.py", config, unsafe=True)
    assert outcome.after == data
    assert outcome.error == "the fixed file would need 'é', which ascii cannot encode; nothing was changed"


def test_an_undecodable_file_is_reported_and_not_touched():
    data = b"x = '\xff'\n"
    outcome = fix_bytes(data, checked_as("binary"), CONFIG)
    assert outcome.after == data
    assert outcome.error == "cannot decode line 1 as utf-8: invalid start byte"


# --------------------------------------------------------------------------- refusing to break files

def _pattern_config(pattern: str, fix: str, tmp: Path | None = None):
    import tempfile

    root = Path(tmp or tempfile.mkdtemp(prefix="ssot-fix-"))
    (root / "pyproject.toml").write_text(
        "[tool.ssot]\n[[tool.ssot.patterns]]\n"
        f"code = \"SSOT190\"\npattern = '{pattern}'\nmessage = \"broken template\"\nfix = '{fix}'\n",
        encoding="utf-8",
    )
    return load_config(str(root / "pyproject.toml"))


def test_a_fix_producing_invalid_syntax_is_refused_and_the_file_left_byte_identical(tmp_path):
    config = _pattern_config("legacy_call($$$ARGS)", "canonical_call($$$ARGS", tmp_path)
    target = tmp_path / "service.py"
    original = (
        "from netra_backend.app.websocket_core import legacy_call, canonical_call\r\n"
        "\r\n"
        "result = legacy_call(1, 2)\r\n"
    ).encode()
    target.write_bytes(original)
    before_stat = target.stat()
    outcome = fix_path(str(target), config, mode=FixMode(unsafe=True), cwd=str(tmp_path))
    assert outcome.fix_error == (
        "the fix for SSOT190 on line 3 would make the file invalid Python "
        "(line 3: '(' was never closed); nothing was changed"
    )
    assert outcome.fixed == 0 and not outcome.written
    assert [d.code for d in outcome.diagnostics] == ["SSOT190"]
    assert target.read_bytes() == original
    assert target.stat().st_mtime_ns == before_stat.st_mtime_ns
    assert sorted(os.listdir(tmp_path)) == ["pyproject.toml", "service.py"]


def test_one_broken_fix_refuses_the_others_too(tmp_path):
    config = _pattern_config("legacy_call($$$ARGS)", "canonical_call($$$ARGS", tmp_path)
    source = "value = ok_call(1)\nresult = legacy_call(1, 2)\n"
    result = fix_text(source, str(tmp_path / "service.py"), config, unsafe=True)
    assert result.text == source and result.refused.startswith("the fix for SSOT190 on line 2 ")


def test_a_file_that_does_not_parse_is_not_fixed(tmp_path):
    config = _pattern_config("legacy_call($$$ARGS)", "canonical_call($$$ARGS)", tmp_path)
    target = tmp_path / "broken.py"
    original = b"result = legacy_call(1, 2)\n<<<<<<< HEAD\n"
    target.write_bytes(original)
    outcome = fix_path(str(target), config, mode=FixMode(unsafe=True), cwd=str(tmp_path))
    assert outcome.syntax_error == "line 2, column 1: invalid syntax"
    assert outcome.fixed == 0 and target.read_bytes() == original


# --------------------------------------------------------------------------- writing

def _copy_case(case: str, root: Path) -> Path:
    shutil.copy(FIXTURES / "pyproject.toml", root / "pyproject.toml")
    target = root / "netra_backend" / "app" / f"{case}.py"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / case / "before.py", target)
    return target


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o755])
def test_fix_path_writes_atomically_and_keeps_the_mode(tmp_path, mode):
    target = _copy_case("split_from_import", tmp_path)
    os.chmod(target, mode)
    config = load_config(str(tmp_path / "pyproject.toml"))
    outcome = fix_path(str(target), config, mode=FixMode(), cwd=str(tmp_path))
    assert outcome.written and outcome.fix_error is None
    assert target.read_bytes() == expected("split_from_import", unsafe=False)
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert sorted(os.listdir(target.parent)) == ["split_from_import.py"]


def test_fix_path_without_write_changes_nothing(tmp_path):
    target = _copy_case("exports_list", tmp_path)
    config = load_config(str(tmp_path / "pyproject.toml"))
    outcome = fix_path(str(target), config, mode=FixMode(write=False), cwd=str(tmp_path))
    assert outcome.diff and outcome.fixed == 5
    assert target.read_bytes() == (FIXTURES / "exports_list" / "before.py").read_bytes()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_symbolic_link_stays_a_link(tmp_path):
    link = _copy_case("exports_list", tmp_path)
    stored = tmp_path / "stored.py"
    shutil.move(link, stored)
    link.symlink_to(stored)
    config = load_config(str(tmp_path / "pyproject.toml"))
    assert fix_path(str(link), config, mode=FixMode(), cwd=str(tmp_path)).fixed == 5
    assert link.is_symlink()
    assert stored.read_bytes() == expected("exports_list", unsafe=False)


def test_a_file_changed_while_fixing_is_not_overwritten(tmp_path):
    target = tmp_path / "module.py"
    target.write_bytes(b"x = 2\n")
    with pytest.raises(SourceError, match="changed on disk while it was being fixed; not written"):
        write_atomic(str(target), b"x = 3\n", expected=b"x = 1\n")
    assert target.read_bytes() == b"x = 2\n"
    assert os.listdir(tmp_path) == ["module.py"]


def test_write_atomic_failure_leaves_no_temporary_file(tmp_path):
    missing = tmp_path / "gone.py"
    with pytest.raises(SourceError, match="^cannot write: "):
        write_atomic(str(missing), b"x = 1\n")
    assert os.listdir(tmp_path) == []


# --------------------------------------------------------------------------- diff

def test_unified_diff_text():
    before = (FIXTURES / "exports_calls" / "before.py").read_text()
    after = expected("exports_calls", unsafe=False).decode()
    assert unified_diff(before, after, "netra_backend/app/exports_calls.py") == (
        "--- netra_backend/app/exports_calls.py\n"
        "+++ netra_backend/app/exports_calls.py\n"
        "@@ -2,13 +2,12 @@\n"
        " \n"
        " import os\n"
        " \n"
        '-__all__ = ("WebSocketManager", "get_websocket_manager_factory")\n'
        '-__all__ += ("WebSocketManagerFactory", "create_websocket_manager_sync")\n'
        '-__all__.append("WebSocketManagerFactory")\n'
        '-__all__.extend(["get_websocket_manager_factory", "create_websocket_manager"])\n'
        '-__all__.insert(0, "get_websocket_manager_factory")  # kept first for old callers\n'
        '+__all__ = ("WebSocketManager",)\n'
        '+__all__ += ("create_websocket_manager_sync",)\n'
        '+__all__.extend(["create_websocket_manager"])\n'
        '+# kept first for old callers\n'
        " \n"
        ' if os.environ.get("NETRA_LEGACY_FACTORY"):\n'
        '-    __all__.append("get_websocket_manager_factory")\n'
        "+    pass\n"
        " else:\n"
        '-    __all__.append("WebSocketManagerFactory"); LEGACY = False\n'
        "+    LEGACY = False\n"
    )


def test_unified_diff_marks_a_missing_final_newline():
    diff = unified_diff("a = 1\nb = 2", "a = 1\nb = 3", "m.py")
    assert diff.endswith("-b = 2\n\\ No newline at end of file\n+b = 3\n\\ No newline at end of file\n")


# --------------------------------------------------------------------------- the fixture projects

PROJECT = Path(__file__).parent / "fixtures" / "project"


def quiet_parse(source: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # generated programs have invalid escapes and the like
        return ast.parse(source)


def violation_lines(source: str, diagnostics) -> set[int]:
    """Lines of the simple statements holding a diagnostic (or the diagnostic's own lines)."""
    tree = quiet_parse(source)
    simple = [n for n in ast.walk(tree) if isinstance(n, ast.stmt) and not hasattr(n, "body")]
    lines: set[int] = set()
    for diagnostic in diagnostics:
        holders = [n for n in simple if n.lineno <= diagnostic.line <= n.end_lineno]
        if holders:
            for holder in holders:
                lines.update(range(holder.lineno, holder.end_lineno + 1))
        else:
            lines.update(range(diagnostic.span.line, diagnostic.span.end_line + 1))
    return lines


def assert_fix_invariants(source: str, path: str, config) -> None:
    """The promises of --fix --unsafe-fixes on one file."""
    result = fix_text(source, path, config, unsafe=True)
    assert result.refused is None, result.refused
    if result.syntax_error:
        assert result.text == source
        return
    quiet_parse(result.text)  # the fixed file parses
    again = fix_text(result.text, path, config, unsafe=True)
    assert again.text == result.text and again.fixed == 0  # fixing twice is fixing once
    assert not any(is_fixable(d, unsafe=True) for d in result.diagnostics)
    first = _first_diagnostics(source, path, config)
    touched = violation_lines(source, first)
    # A fix that renames a symbol edits its uses too (issue #23): the lines its edits name.
    touched.update(line for d in first if d.fix for edit in d.fix.edits
                   for line in range(edit.span.line, edit.span.end_line + 1))
    old, new = split_lines(source), split_lines(result.text)  # Python's line breaks, as ast counts
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    # The alignment is one of several: a fix that moves a name into an import above an untouched
    # line can make the matcher pair the lines around it and report it replaced. A line whose
    # text the new file still holds, beyond the lines matched as equal, was not changed.
    spare = Counter(new)
    for tag, _, _, j1, j2 in opcodes:
        if tag == "equal":
            spare.subtract(new[j1:j2])
    for tag, i1, i2, _, _ in opcodes:
        if tag in ("replace", "delete"):
            changed = set()
            for number in range(i1, i2):
                if number + 1 not in touched and spare[old[number]] > 0:
                    spare[old[number]] -= 1
                else:
                    changed.add(number + 1)
            assert changed <= touched, f"lines {sorted(changed - touched)} changed without a violation"


def _first_diagnostics(source, path, config):
    from flake8_ssot.engine import check_source

    return check_source(source, path, config).diagnostics


@pytest.mark.parametrize(
    "path", sorted(PROJECT.rglob("*.py")), ids=lambda p: str(p.relative_to(PROJECT))
)
def test_fix_invariants_on_the_fixture_project(path):
    config = load_config(str(PROJECT / "pyproject.toml"))
    assert_fix_invariants(path.read_text(encoding="utf-8"), str(path), config)


@pytest.mark.parametrize("case", CASES)
def test_fix_invariants_on_the_fix_cases(case):
    assert_fix_invariants((FIXTURES / case / "before.py").read_text(), checked_as(case), CONFIG)


def test_diagnostics_carry_their_applicability():
    source = (FIXTURES / "relative_imports" / "before.py").read_text()
    from flake8_ssot.engine import check_source

    found = check_source(source, checked_as("relative_imports"), CONFIG).diagnostics
    assert [(d.line, d.fix.applicability) for d in found] == [
        (3, SAFE), (4, SAFE), (5, SAFE), (6, UNSAFE), (7, SAFE), (8, UNSAFE),
    ]


# --------------------------------------------------------------------------- properties

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from python_programs import FROM_NODE  # noqa: E402

MODULES = [
    "netra_backend.app.websocket_core.factory", "netra_backend.app.websocket_core.compat.utils",
    "netra_backend.app.websocket_core.websocket_manager_factory", "netra_backend.app.websocket_core",
    "netra_backend.app.legacy_metrics", "netra_backend.app.legacy_tracing",
    "netra_backend.app.websocket_core.unified_manager", "os.path",
]
RELATIVE = [".websocket_core.factory", ".websocket_core.compat.utils", ".legacy_metrics", ".websocket_core", "."]
NAMES = ["create_websocket_manager", "WebSocketManager", "WebSocketManagerFactory", "format_ws_message",
         "factory", "utils", "get_websocket_manager_factory", "helper"]
TEMPLATES = [
    "from {M} import {N}",
    "from {M} import {N} as alias_{I}",
    "from {M} import {N}, {O}",
    "from {M} import {N}, {O} as alias_{I}, helper",
    "from {M} import (\n    {N},  # first\n    {O},\n)",
    "from {M} import (\n    helper, {N},\n    {O}  # last\n)",
    "from {M} import {N}, \\\n    {O}",
    "from {R} import {N}, {O}",
    "import {M}",
    "import {M} as module_{I}",
    "import os, {M}",
    "if flag:\n    from {M} import {N}, {O}",
    "if flag: from {M} import {N}, {O}",
    "x = 1; from {M} import {N}, {O}; y = 2",
    "try:\n    from {M} import {N}\nexcept ImportError:\n    {N} = None",
    "def load_{I}():\n    from {M} import {O}\n    return {O}",
    "value = importlib.import_module('{M}')",
    "target = '{M}.{N}'",
    "patch = mock.patch(\"{M}.{N}\")",
    "chain = netra_backend.app.websocket_core.compat.utils.{N}",
    "__all__ = ['{N}', '{O}']",
    "__all__ = (\n    '{N}',  # one\n    '{O}'\n)",
    "__all__ += ('{N}', '{O}')",
    "__all__.append('{N}')",
    "if flag:\n    __all__.append('{N}')",
    "manager = get_websocket_manager_factory({N}, mode='{O}')",
]

statement = st.builds(
    lambda template, module, relative, name, other, index: template.format(
        M=module, R=relative, N=name, O=other, I=index
    ),
    st.sampled_from(TEMPLATES), st.sampled_from(MODULES), st.sampled_from(RELATIVE),
    st.sampled_from(NAMES), st.sampled_from(NAMES), st.integers(0, 3),
)
programs = st.lists(statement, min_size=1, max_size=10).map(lambda lines: "\n".join(lines) + "\n")
GENERATED_AS = checked_as("exports_list")  # deprecated exports apply to this module


@settings(max_examples=120, deadline=None)
@given(program=programs)
def test_fix_invariants_on_generated_programs(program):
    assert_fix_invariants(program, GENERATED_AS, CONFIG)


@settings(max_examples=60, deadline=None)
@given(program=programs, layout=st.sampled_from(sorted(LAYOUTS)), unsafe=st.booleans())
def test_line_endings_bom_and_cookies_round_trip_on_generated_programs(program, layout, unsafe):
    encode = LAYOUTS[layout]
    fixed = fix_text(program, GENERATED_AS, CONFIG, unsafe=unsafe).text
    outcome = fix_bytes(encode(program), GENERATED_AS, CONFIG, unsafe=unsafe)
    assert outcome.error is None
    assert outcome.after == encode(fixed)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(program=FROM_NODE)
def test_fix_invariants_on_arbitrary_programs_with_a_legacy_import(program):
    legacy = "from netra_backend.app.websocket_core.websocket_manager_factory import FactoryMetrics, WebSocketManager\n"
    source = program + "\n" + legacy  # after the program: `from __future__` imports must stay first
    try:
        quiet_parse(source)
    except (SyntaxError, ValueError):
        assume(False)
    assert_fix_invariants(source, GENERATED_AS, CONFIG)


def test_form_feeds_and_lone_carriage_returns_do_not_shift_lines():
    source = (
        "\x0cimport os\x0c\n"
        "value = (1,\r 2)\n"
        "from netra_backend.app.websocket_core.websocket_manager_factory import FactoryMetrics, WebSocketManager\n"
    )
    result = fix_text(source, GENERATED_AS, CONFIG)
    assert result.text == (
        "\x0cimport os\x0c\n"
        "value = (1,\r 2)\n"
        "from netra_backend.app.websocket_core.websocket_manager_factory import FactoryMetrics\n"
        "from netra_backend.app.websocket_core.websocket_manager import WebSocketManager\n"
    )
    assert_fix_invariants(source, GENERATED_AS, CONFIG)
