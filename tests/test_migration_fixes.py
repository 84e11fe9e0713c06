"""Migration commits replayed: `--fix --unsafe-fixes` must write what a person migrating the file writes.

Each directory under tests/fixtures_migration/ is one case in the seeds' code shapes: `before.py`
fixed with unsafe fixes allowed is `after.py`, byte for byte. The header of both says
`# fix: safe` (plain `--fix` already writes after.py), `# fix: unsafe` (plain `--fix` leaves the
file as it was), `# fix: mixed` (plain `--fix` does part of it) or `# fix: none` (nothing is ever rewritten, though something is reported), and
optionally `# checked as: <path>` (else netra_backend/tests/<case>.py).

Then the properties, over generated import blocks in the same shapes: a fixed file parses, fixing
it again changes nothing, no comment is lost, and the names the module binds stay the same.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_ssot.config import load_config
from flake8_ssot.engine import check_source
from flake8_ssot.fixes import fix_text, is_fixable

FIXTURES = Path(__file__).parent / "fixtures_migration"
CONFIG = load_config(str(FIXTURES / "pyproject.toml"))
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "before.py").is_file())
_HEADER = re.compile(r"^# (fix|checked as): (.+)$", re.MULTILINE)


def header(case: str) -> dict[str, str]:
    return dict(_HEADER.findall((FIXTURES / case / "before.py").read_text()))


def checked_as(case: str) -> str:
    return str(FIXTURES / header(case).get("checked as", f"netra_backend/tests/{case}.py"))


def test_there_are_enough_cases_and_each_says_its_kind():
    assert len(CASES) >= 30
    for case in CASES:
        assert header(case).get("fix") in ("safe", "unsafe", "mixed", "none"), case
        after = (FIXTURES / case / "after.py").read_text()
        assert dict(_HEADER.findall(after)) == header(case), case  # after.py carries the same header


@pytest.mark.parametrize("case", CASES)
def test_unsafe_fixes_write_the_human_commit(case):
    before = (FIXTURES / case / "before.py").read_text()
    after = (FIXTURES / case / "after.py").read_text()
    result = fix_text(before, checked_as(case), CONFIG, unsafe=True)
    assert result.refused is None
    assert result.text == after
    if header(case)["fix"] == "none":
        assert after == before
        assert result.diagnostics, "a case that is never rewritten still reports its finding"
    else:
        assert after != before


@pytest.mark.parametrize("case", CASES)
def test_safe_fixes_alone_write_after_or_nothing(case):
    before = (FIXTURES / case / "before.py").read_text()
    kind = header(case)["fix"]
    after = (FIXTURES / case / "after.py").read_text()
    result = fix_text(before, checked_as(case), CONFIG)
    if kind == "mixed":
        assert result.text not in (before, after)
        assert fix_text(result.text, checked_as(case), CONFIG, unsafe=True).text == after
    else:
        assert result.text == (after if kind == "safe" else before)


@pytest.mark.parametrize("case", CASES)
def test_the_human_commit_has_nothing_left_to_fix(case):
    after = (FIXTURES / case / "after.py").read_text()
    result = fix_text(after, checked_as(case), CONFIG, unsafe=True)
    assert result.text == after and result.fixed == 0
    assert not any(is_fixable(d, True) for d in result.diagnostics)


def test_a_star_import_fix_says_why_it_is_unsafe():
    before = (FIXTURES / "star_import" / "before.py").read_text()
    [finding] = fix_text(before, checked_as("star_import"), CONFIG).diagnostics
    assert finding.fix.applicability == "unsafe"
    assert finding.fix.description == (
        "import * from 'netra_backend.app.websocket_core.canonical_imports' "
        "(unsafe: cannot prove the canonical module exports every name without the project index)"
    )


def test_the_most_specific_entry_gives_the_message():
    before = (FIXTURES / "module_key_mixed_entries" / "before.py").read_text()
    found = check_source(before, checked_as("module_key_mixed_entries"), CONFIG).diagnostics
    assert [(d.line, d.message) for d in found] == [
        (4, "legacy import 'netra_backend.app.websocket_core.websocket_manager_factory': "
            "use 'netra_backend.app.websocket_core.websocket_manager'"),
        (6, "legacy import 'netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager': "
            "use 'netra_backend.app.websocket_core.websocket_manager.get_websocket_manager' "
            "(the factory was retired in #1126)"),
        (7, "legacy import 'netra_backend.app.websocket_core.websocket_manager_factory."
            "create_defensive_user_execution_context': use "
            "'netra_backend.app.services.user_execution_context.create_defensive_user_execution_context'"),
    ]


# --------------------------------------------------------------------------- properties

W = "netra_backend.app.websocket_core"
_MODULES = [f"{W}.unified_manager", f"{W}.websocket_manager_factory", f"{W}.websocket_manager",
            f"{W}.factory", f"{W}.compat.utils", "typing"]
_NAMES = ["WebSocketConnection", "WebSocketManagerMode", "broadcast_event", "UnifiedWebSocketManager",
          "create_websocket_manager", "WebSocketManagerFactory", "FactoryMetrics", "WebSocketFactory",
          "format_ws_message", "create_defensive_user_execution_context", "WebSocketManager"]
_COMMENTS = ["", "  # moved in #1126", "  # SSOT", "  # noqa: F401"]

_alias = st.tuples(st.sampled_from(_NAMES), st.sampled_from(["", " as alias_a", " as alias_b"]),
                   st.sampled_from(_COMMENTS))


@st.composite
def _statement(draw) -> str:
    module = draw(st.sampled_from(_MODULES))
    aliases = draw(st.lists(_alias, min_size=1, max_size=4, unique_by=lambda a: a[0] + a[1]))
    if draw(st.booleans()):
        lines = "".join(f"    {name}{alias},{comment}\n" for name, alias, comment in aliases)
        return f"from {module} import (\n{lines})\n"
    comment = draw(st.sampled_from(_COMMENTS))
    return f"from {module} import {', '.join(n + a for n, a, _ in aliases)}{comment}\n"


@st.composite
def _import_block(draw) -> str:
    statements = draw(st.lists(_statement(), min_size=1, max_size=5))
    blocks = []
    for statement in statements:
        shape = draw(st.sampled_from(["plain", "plain", "comment above", "try", "type checking"]))
        if shape == "comment above":
            blocks.append(f"# imported for #1128\n{statement}")
        elif shape == "try":
            body = "".join(f"    {line}\n" for line in statement.splitlines())
            blocks.append(f"try:\n{body}except ImportError:  # removed in #1128\n    pass\n")
        elif shape == "type checking":
            body = "".join(f"    {line}\n" for line in statement.splitlines())
            blocks.append(f"if TYPE_CHECKING:\n{body}")
        else:
            blocks.append(statement)
    return "from typing import TYPE_CHECKING\n" + "".join(blocks) + "\n\nVALUE = 1\n"


def _comment_tokens(text: str) -> list[str]:
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return sorted(t.string for t in tokens if t.type == tokenize.COMMENT)


def _bound_names(text: str) -> set[str]:
    """The names the module's imports bind (what the rest of the code can use)."""
    bound = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
    return bound


def _renamed(names: set[str]) -> set[str]:
    return {"get_websocket_manager" if name == "create_websocket_manager" else name for name in names}


def _targeted_modules(text: str) -> set[str]:
    return {node.module for node in ast.walk(ast.parse(text)) if isinstance(node, ast.ImportFrom)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_import_block())
def test_fixes_keep_the_file_its_comments_and_its_bindings(source):
    path = str(FIXTURES / "netra_backend" / "tests" / "test_generated.py")
    result = fix_text(source, path, CONFIG, unsafe=True)
    assert result.refused is None
    ast.parse(result.text)  # parseable
    assert _comment_tokens(result.text) == _comment_tokens(source)  # no comment dropped
    # The same names are bound, but for the retired function, which the fix may rename.
    assert _renamed(_bound_names(result.text)) == _renamed(_bound_names(source))
    untouched = {m for m in _targeted_modules(source) if not m.startswith(W)}
    assert untouched <= _targeted_modules(result.text)  # other imports are left alone
    again = fix_text(result.text, path, CONFIG, unsafe=True)
    assert again.text == result.text and again.fixed == 0  # idempotent


def test_a_dynamic_import_fix_is_safe_only_when_the_index_finds_the_module_names_in_the_new_module(tmp_path):
    """`importlib.import_module("shop.legacy.pricing").discount()`: the module object changes, so
    what the code reads from it must be there too. A same-name module entry (safe by default)
    stays safe only when every public name of the legacy module is the same object in the
    canonical one; otherwise the fix is unsafe and says why (it made the program fail with
    AttributeError when it was safe)."""
    from flake8_ssot.index import ProjectIndex

    (tmp_path / "pyproject.toml").write_text(
        '[tool.ssot]\nsrc = ["."]\n[tool.ssot.legacy]\n"shop.legacy.pricing" = "shop.pricing"\n'
        '"shop.legacy.tax" = "shop.tax"\n', encoding="utf-8")
    files = {
        "shop/__init__.py": "",
        "shop/legacy/__init__.py": "",
        "shop/legacy/pricing.py": "def discount(price):\n    return price * 0.9\n",
        "shop/pricing.py": "def price_of(item):\n    return 10\n",
        "shop/legacy/tax.py": "from shop.tax import rate  # the compatibility shim\n",
        "shop/tax.py": "def rate():\n    return 0.2\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    config = load_config(str(tmp_path / "pyproject.toml"))
    source = ('import importlib\n\n\ndef checkout(price):\n'
              '    pricing = importlib.import_module("shop.legacy.pricing")\n'
              '    tax = importlib.import_module("shop.legacy.tax")\n'
              '    return pricing.discount(price) * (1 + tax.rate())\n')
    path = str(tmp_path / "shop" / "checkout.py")
    index = ProjectIndex([str(tmp_path)])
    fixes = {d.line: d.fix for d in check_source(source, path, config, index=index).diagnostics if d.fix}
    assert fixes[5].applicability == "unsafe"
    assert "'shop.pricing' does not define 'discount'" in fixes[5].description
    assert fixes[6].applicability == "safe"
    safe = fix_text(source, path, config, index=index).text
    assert '"shop.legacy.pricing"' in safe and '"shop.tax"' in safe
