"""SSOT004 in strings and f-strings: import statements, fragments, patch targets, importlib.

Each directory under tests/fixtures_strings/ is one case in the seeds' shapes: `before.py` fixed
with unsafe fixes allowed is `after.py`, byte for byte; the header says what plain `--fix` does
(`# fix: safe`, `unsafe`, `mixed` or `none`). A trailing `# SSOT004` (or `# SSOT001`) marks the
line where a reported string ends, in both files. Then a project checked with its index, whose
own code prints the same before and after `--fix`, and properties over generated string tables.
"""

from __future__ import annotations

import ast
import io
import re
import subprocess
import sys
import tokenize
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_ssot.config import load_config
from flake8_ssot.engine import check_source
from flake8_ssot.fixes import fix_text
from flake8_ssot.index import ProjectIndex

FIXTURES = Path(__file__).parent / "fixtures_strings"
CONFIG = load_config(str(FIXTURES / "pyproject.toml"))
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "before.py").is_file())
_KIND = re.compile(r"^# fix: (\w+)$", re.MULTILINE)
_MARKER = re.compile(r"#\s*((?:SSOT\d{3}\s*)+)$")


def kind(case: str) -> str:
    return _KIND.search((FIXTURES / case / "before.py").read_text()).group(1)


def checked_as(case: str) -> str:
    return str(FIXTURES / "netra_backend" / "tests" / f"{case}.py")


def marked(text: str) -> Counter:
    found: Counter = Counter()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        match = _MARKER.match(token.string) if token.type == tokenize.COMMENT else None
        if match:
            found.update((token.start[0], code) for code in match.group(1).split())
    return found


def reported(text: str, case: str) -> Counter:
    return Counter((d.span.end_line, d.code) for d in check_source(text, checked_as(case), CONFIG).diagnostics)


def test_there_are_enough_cases_and_each_says_its_kind():
    assert len(CASES) >= 12
    assert {kind(case) for case in CASES} == {"safe", "unsafe", "mixed", "none"}


@pytest.mark.parametrize("case", CASES)
def test_unsafe_fixes_write_after_and_plain_fix_does_what_the_header_says(case):
    before = (FIXTURES / case / "before.py").read_text()
    after = (FIXTURES / case / "after.py").read_text()
    unsafe = fix_text(before, checked_as(case), CONFIG, unsafe=True)
    assert unsafe.refused is None
    assert unsafe.text == after
    safe = fix_text(before, checked_as(case), CONFIG).text
    expected = {"safe": after, "unsafe": before, "none": before}.get(kind(case))
    if expected is None:  # mixed: part of it, and the unsafe fixes then finish the job
        assert safe not in (before, after)
        assert fix_text(safe, checked_as(case), CONFIG, unsafe=True).text == after
    else:
        assert safe == expected
    assert (after == before) == (kind(case) == "none")


@pytest.mark.parametrize("case", CASES)
def test_diagnostics_are_on_the_marked_lines_before_and_after(case):
    before = (FIXTURES / case / "before.py").read_text()
    after = (FIXTURES / case / "after.py").read_text()
    assert reported(before, case) == marked(before)
    # after.py keeps before's markers: what is left is what the fix did not rewrite.
    kept = [number for number, (old, new) in enumerate(zip(before.splitlines(), after.splitlines()), 1)
            if old == new]
    left = Counter((d.span.end_line, d.code) for d in check_source(before, checked_as(case), CONFIG).diagnostics
                   if all(number in kept for number in range(d.span.line, d.span.end_line + 1)))
    assert reported(after, case) == left


def _fixes(case: str):
    text = (FIXTURES / case / "before.py").read_text()
    return {d.span.line: d.fix for d in check_source(text, checked_as(case), CONFIG).diagnostics}


def test_a_string_that_is_not_an_import_target_gets_an_unsafe_fix_that_says_why():
    fix = _fixes("import_strings_in_list")[4]
    assert fix.applicability == "unsafe"
    assert fix.description == ("use 'netra_backend.app.websocket_core.canonical_imports.create_websocket_manager' "
                               "(unsafe: a string not provably used as an import)")
    assert _fixes("fstring_import_strings")[5].description.endswith("(unsafe: an f-string, not provably used as an import)")


def test_patch_targets_are_safe_when_the_entry_is_and_say_why_when_not():
    fixes = _fixes("patch_targets_keep_attributes")
    assert [fixes[line].applicability for line in (4, 5, 6)] == ["safe", "safe", "unsafe"]
    assert fixes[6].description.endswith(
        "(unsafe: nothing proves 'netra_backend.app.websocket_core.utils.Formatter' exists)")
    assert _fixes("mock_patch_decorators")[7].applicability == "unsafe"  # the entry renames the function


def test_a_fix_edits_only_the_literal_characters_of_the_legacy_part():
    text = (FIXTURES / "fstring_import_strings" / "before.py").read_text()
    for diagnostic in check_source(text, checked_as("fstring_import_strings"), CONFIG).diagnostics:
        for edit in diagnostic.fix.edits:
            line = text.splitlines()[edit.span.line - 1]
            assert line[edit.span.column:edit.span.end_column] in (
                "netra_backend.app.websocket_core.factory", "netra_backend.app.websocket_core.compat.utils")


# --------------------------------------------------------------------------- a project with an index

PROJECT = {
    "pyproject.toml": """\
[tool.ssot]
src = ["."]

[tool.ssot.legacy]
"shop.legacy.pricing" = "shop.pricing"
""",
    "shop/__init__.py": "",
    "shop/legacy/__init__.py": "",
    "shop/pricing.py": "def compute():\n    return 1\n",
    # The shim re-exports the canonical function; `discount` is its own, not moved yet.
    "shop/legacy/pricing.py": "from shop.pricing import compute\n\n\ndef discount():\n    return 0\n",
    "check.py": """\
import importlib
import sys
from unittest import mock

with mock.patch("shop.legacy.pricing.compute", return_value=42) as fake:
    module = importlib.import_module("shop.legacy.pricing")
    print(module.compute(), fake.call_count)
with mock.patch("shop.legacy.pricing.discount", return_value=5):
    print(sys.modules["shop.legacy.pricing"].discount())
""",
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("shop")
    for name, text in PROJECT.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _run(root: Path) -> str:
    run = subprocess.run([sys.executable, "check.py"], cwd=root, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_with_the_index_a_patch_target_is_safe_only_where_the_new_path_names_the_same_object(shop):
    config = load_config(str(shop / "pyproject.toml"))
    source = (shop / "check.py").read_text()
    before = _run(shop)
    result = fix_text(source, str(shop / "check.py"), config, index=ProjectIndex([str(shop)]))
    left = [d for d in result.diagnostics if d.code == "SSOT004"]
    assert [(d.line, d.fix.applicability) for d in left] == [(8, "unsafe"), (9, "unsafe")]
    assert left[0].fix.description.endswith("(unsafe: 'shop.pricing' does not define or export 'discount')")
    assert left[1].fix.description.endswith("(unsafe: a string not provably used as an import)")
    assert 'mock.patch("shop.pricing.compute", return_value=42)' in result.text
    (shop / "check.py").write_text(result.text)
    try:
        assert _run(shop) == before == "42 1\n5\n"
    finally:
        (shop / "check.py").write_text(source)


# --------------------------------------------------------------------------- properties

_STATEMENTS = st.sampled_from([
    "from netra_backend.app.websocket_core.factory import create_websocket_manager",
    "from netra_backend.app.websocket_core.factory import WebSocketFactory as Factory, create_websocket_manager",
    "from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager",
    "from netra_backend.app.websocket_core.compat.utils",
    "import netra_backend.app.websocket_core.compat.utils as utils",
    "netra_backend.app.websocket_core.factory.WebSocketFactory",
    "netra_backend.app.websocket_core.websocket_manager_factory:create_websocket_manager",
    "from netra_backend.app.websocket_core.unified_manager import WebSocketConnection, Other",
    "the netra_backend.app.websocket_core.factory module is retired",
])
_SHAPES = st.sampled_from(['"{}"', "'{}'", 'f"{}"', 'f"{} {{name}}"', 'f"{}.{{name}}"', 'r"{}"', 'f"{{prefix}}{}"'])
_WRAPPERS = st.sampled_from(["    {},  # entry\n", "    mock.patch({}),\n", "    ({}, 1),  # keep\n"])


@st.composite
def string_tables(draw) -> str:
    rows = draw(st.lists(st.tuples(_STATEMENTS, _SHAPES, _WRAPPERS), min_size=1, max_size=5))
    body = "".join(wrapper.format(shape.format(statement)) for statement, shape, wrapper in rows)
    return f"# the table\nfrom unittest import mock\n\nname = prefix = 'x'\nTABLE = [\n{body}]  # end\n"


def _comments(text: str) -> list[str]:
    return [t.string for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type == tokenize.COMMENT]


def _code_outside_strings(text: str) -> list[str]:
    kinds = {tokenize.STRING, tokenize.COMMENT, getattr(tokenize, "FSTRING_MIDDLE", -1)}
    return [t.string for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type not in kinds]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(string_tables())
def test_string_fixes_parse_are_idempotent_keep_comments_and_touch_only_strings(source):
    path = checked_as("generated")
    fixed = fix_text(source, path, CONFIG, unsafe=True)
    assert fixed.refused is None
    ast.parse(fixed.text)
    assert fix_text(fixed.text, path, CONFIG, unsafe=True).text == fixed.text
    assert _comments(fixed.text) == _comments(source)
    if sys.version_info < (3, 12):  # 3.12 tokenizes f-strings' parts; their placeholders are code
        assert _code_outside_strings(fixed.text) == _code_outside_strings(source)
    placeholders = re.findall(r"\{\w+\}", source)
    assert re.findall(r"\{\w+\}", fixed.text) == placeholders
