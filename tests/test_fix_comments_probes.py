"""Two fix-correctness promises: SSOT003 keeps every comment of the `__all__` it edits, and
SSOT001 does not silently change what a `try`/`except ImportError` probe finds.

The probe project is seed-shaped: the retired `websocket_core.factory` module is gone from the
tree (#1128), the old `compat` module is still there as a compatibility shim, and an agent
module probes both at import time. Its output is compared before and after `ssot check --fix`.
"""

from __future__ import annotations

import ast
import io
import json
import textwrap
import tokenize
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projects import NETRA_POLICY, imported_output, policy_project, ssot, write

from flake8_ssot.config import load_config
from flake8_ssot.diagnostic import SAFE, UNSAFE
from flake8_ssot.engine import check_source
from flake8_ssot.fixes import fix_text

WS = "netra_backend.app.websocket_core"
DEPRECATED = ["WebSocketManagerFactory", "get_websocket_manager_factory", "create_websocket_manager"]
# The seed policy, with the old `compat` module (a shim still in the tree) and the factory
# module's deprecated exports.
POLICY = NETRA_POLICY.replace("[tool.ssot.factories]", f'"{WS}.compat" = "{WS}.websocket_manager"\n\n'
                              "[tool.ssot.factories]") + f"""
[tool.ssot.deprecated-exports]
"{WS}.websocket_manager_factory" = {json.dumps(DEPRECATED)}
"""


def _comments(text: str) -> list[str]:
    return sorted(t.string for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type == tokenize.COMMENT)


# --------------------------------------------------------------------------- SSOT003: comments stay

@pytest.fixture(scope="module")
def exports_config(tmp_path_factory):
    root = policy_project(tmp_path_factory.mktemp("exports"), POLICY)
    module = root / "src" / Path(*WS.split(".")) / "websocket_manager_factory.py"
    return load_config(str(root / "pyproject.toml")), str(module)


def _fixed(source: str, exports_config) -> str:
    config, path = exports_config
    result = fix_text(source, path, config, unsafe=True)
    assert result.refused is None and result.syntax_error is None
    return result.text


# (before, after): the removed entry's comment stays on its line, in its place.
COMMENT_CASES = {
    "seed list": (
        "__all__ = [\n"
        "    'create_websocket_manager_sync',  # DEPRECATED: Use WebSocketManager directly\n"
        "    'get_websocket_manager_factory',  # DEPRECATED: Returns SSOT function\n"
        "    'WebSocketManagerFactory',  # COMPATIBILITY: For SSOT violation testing\n"
        "    'FactoryMetrics',  # Compatibility data class\n"
        "]\n",
        "__all__ = [\n"
        "    'create_websocket_manager_sync',  # DEPRECATED: Use WebSocketManager directly\n"
        "    # DEPRECATED: Returns SSOT function\n"
        "    # COMPATIBILITY: For SSOT violation testing\n"
        "    'FactoryMetrics',  # Compatibility data class\n"
        "]\n",
    ),
    "one line with a comment": (
        '__all__ = ["WebSocketManager", "WebSocketManagerFactory"]  # the public surface\n',
        '__all__ = ["WebSocketManager"]  # the public surface\n',
    ),
    "tuple, first of two": (
        '__all__ = (\n    "WebSocketManagerFactory",  # compat\n    "WebSocketManager"\n)\n',
        '__all__ = (\n    # compat\n    "WebSocketManager",\n)\n',
    ),
    "augmented, last with a trailing comma": (
        '__all__ = []\n__all__ += [\n    "WebSocketManager",\n'
        '    "create_websocket_manager",  # deprecated, see #1128\n]\n',
        '__all__ = []\n__all__ += [\n    "WebSocketManager",\n    # deprecated, see #1128\n]\n',
    ),
    "one-line augmented, trailing comma": (
        '__all__ = []\n__all__ += ("WebSocketManager", "WebSocketManagerFactory",)  # test hooks\n',
        '__all__ = []\n__all__ += ("WebSocketManager",)  # test hooks\n',
    ),
    "comments between entries": (
        "__all__ = [\n    'WebSocketManager',\n    # factories, kept for #1126\n    'WebSocketManagerFactory',\n"
        "    'get_websocket_manager_factory',  # DEPRECATED\n    # end of factories\n    'FactoryMetrics',\n]\n",
        "__all__ = [\n    'WebSocketManager',\n    # factories, kept for #1126\n"
        "    # DEPRECATED\n    # end of factories\n    'FactoryMetrics',\n]\n",
    ),
    "the line's last entry": (
        '__all__ = [\n    "WebSocketManager", "WebSocketManagerFactory",  # the manager pair\n'
        '    "FactoryMetrics",\n]\n',
        '__all__ = [\n    "WebSocketManager",  # the manager pair\n    "FactoryMetrics",\n]\n',
    ),
    "append": (
        '__all__ = ["WebSocketManager"]\n__all__.append("WebSocketManagerFactory")  # kept for old callers\n',
        '__all__ = ["WebSocketManager"]\n# kept for old callers\n',
    ),
    "append alone in its block": (
        'import os\n__all__ = []\nif os.environ.get("NETRA_LEGACY_FACTORY"):\n'
        '    __all__.append("get_websocket_manager_factory")  # only for the old deployments\n',
        'import os\n__all__ = []\nif os.environ.get("NETRA_LEGACY_FACTORY"):\n'
        '    pass  # only for the old deployments\n',
    ),
    "tuple left with one entry": (  # fixed one by one: two removals of one round would leave ("C"), a string
        '__all__ = ("WebSocketManagerFactory", "get_websocket_manager_factory", "FactoryMetrics")\n',
        '__all__ = ("FactoryMetrics",)\n',
    ),
    "CRLF": (
        '__all__ = [\r\n    "WebSocketManager",\r\n    "WebSocketManagerFactory",  # compat\r\n]\r\n',
        '__all__ = [\r\n    "WebSocketManager",\r\n    # compat\r\n]\r\n',
    ),
}


@pytest.mark.parametrize("case", sorted(COMMENT_CASES))
def test_removing_a_deprecated_export_keeps_its_comment_in_place(case, exports_config):
    before, after = COMMENT_CASES[case]
    assert _fixed(before, exports_config) == after
    assert _fixed(after, exports_config) == after  # nothing left to fix


def test_a_comment_with_no_line_to_stay_on_means_no_fix(exports_config):
    config, path = exports_config
    source = '__all__ = ["WebSocket"  # joined\n    "ManagerFactory", "FactoryMetrics"]\n'
    result = fix_text(source, path, config, unsafe=True)
    assert result.text == source
    assert [(d.code, d.fix) for d in result.diagnostics] == [("SSOT003", None)]


_ENTRY = st.sampled_from([*DEPRECATED, "WebSocketManager", "FactoryMetrics", "get_websocket_manager"])
_COMMENT = st.sampled_from(["", "  # DEPRECATED: use get_websocket_manager", "  # compat #1126"])


@st.composite
def _exports_module(draw) -> str:
    """`__all__` built by one assignment and then `+=` (one container type throughout, as a
    module must), `.append` and `.extend` for a list; entries with and without comments."""
    opening, closing = draw(st.sampled_from(["[]", "()"]))
    statements: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        entries = draw(st.lists(st.tuples(_ENTRY, _COMMENT, st.booleans()), min_size=1, max_size=5))
        shapes = ["lines", "one line"] + (["append", "extend"] if statements and opening == "[" else [])
        shape = draw(st.sampled_from(shapes))
        if shape == "append":
            statements += [f"__all__.append({name!r}){comment}" for name, comment, _ in entries]
            continue
        head = "__all__.extend(" if shape == "extend" else f"__all__ {'+=' if statements else '='} "
        tail = ")" if shape == "extend" else ""
        if shape == "one line":
            body = ", ".join(repr(name) for name, _, _ in entries)
            comma = "," if opening == "(" and len(entries) == 1 or draw(st.booleans()) else ""
            statements.append(f"{head}{opening}{body}{comma}{closing}{tail}{entries[-1][1]}")
            continue
        lines = []
        for position, (name, comment, above) in enumerate(entries):
            if above:
                lines.append("    # the next entry was added for #1128")
            last = position == len(entries) - 1
            comma = "" if last and not (opening == "(" and len(entries) == 1) and draw(st.booleans()) else ","
            lines.append(f"    {name!r}{comma}{comment}")
        statements.append(f"{head}{opening}\n" + "\n".join(lines) + f"\n{closing}{tail}")
    return "\n".join(statements) + "\n"


def _all_of(source: str) -> list[str]:
    namespace: dict = {}
    exec(compile(source, "<generated>", "exec"), namespace)  # only __all__ statements
    return list(namespace["__all__"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_exports_module())
def test_export_fixes_keep_every_comment_and_every_other_name(exports_config, source):
    fixed = _fixed(source, exports_config)
    ast.parse(fixed)
    assert _comments(fixed) == _comments(source)  # no comment dropped
    assert _all_of(fixed) == [name for name in _all_of(source) if name not in DEPRECATED]
    assert _fixed(fixed, exports_config) == fixed  # idempotent


# --------------------------------------------------------------------------- SSOT001: probes

PROJECT = {
    "pyproject.toml": POLICY,
    "src/netra_backend/__init__.py": "",
    "src/netra_backend/app/__init__.py": "",
    "src/netra_backend/app/websocket_core/__init__.py": "",
    # websocket_core/factory.py was removed in #1128; compat.py stays as a shim.
    "src/netra_backend/app/websocket_core/websocket_manager.py": """\
        class WebSocketManager:
            pass


        def get_websocket_manager():
            return WebSocketManager()
        """,
    "src/netra_backend/app/websocket_core/canonical_imports.py": """\
        from netra_backend.app.websocket_core.websocket_manager import WebSocketManager, get_websocket_manager
        """,
    "src/netra_backend/app/websocket_core/compat.py": """\
        # Compatibility shim: the manager moved to websocket_manager (#1126).
        from netra_backend.app.websocket_core.websocket_manager import WebSocketManager
        """,
    "src/netra_backend/app/websocket_core/websocket_manager_factory.py": """\
        from netra_backend.app.websocket_core.websocket_manager import WebSocketManager, get_websocket_manager

        WebSocketManagerFactory = WebSocketManager
        get_websocket_manager_factory = get_websocket_manager

        __all__ = [
            "WebSocketManager",
            "WebSocketManagerFactory",  # COMPATIBILITY: For SSOT violation testing
            "get_websocket_manager",
        ]
        __all__.append("get_websocket_manager_factory")  # kept for old callers
        """,
    "src/netra_backend/app/agents/__init__.py": "",
    "src/netra_backend/app/agents/supervisor.py": """\
        \"\"\"Which websocket plumbing is deployed: each probe prints what it found.\"\"\"

        try:
            from netra_backend.app.websocket_core.factory import WebSocketManager as FactoryManager
        except ImportError:  # the module was removed in #1128
            FactoryManager = None

        try:
            import netra_backend.app.websocket_core.factory as ws_factory
            HAS_LEGACY_FACTORY = True
        except (ImportError, ModuleNotFoundError):
            ws_factory = None
            HAS_LEGACY_FACTORY = False

        try:
            from netra_backend.app.websocket_core.compat import WebSocketManager
        except ImportError:
            WebSocketManager = None

        try:
            from netra_backend.app.websocket_core.compat import WebSocketManager as CompatManager
        except ImportError:
            raise

        print("factory manager:", FactoryManager)
        print("legacy factory:", HAS_LEGACY_FACTORY, ws_factory)
        print("compat manager:", WebSocketManager.__module__, WebSocketManager is CompatManager)
        """,
}


def _run(root: Path) -> str:
    return imported_output(root, ["netra_backend.app.agents.supervisor"])


@pytest.fixture(scope="module")
def probes(tmp_path_factory):
    """The project, its findings (JSON), its output, then `--fix` and its output again."""
    root = write(tmp_path_factory.mktemp("probes"), PROJECT)
    before = _run(root)
    report = ssot("check", "--output-format", "json", "--no-cache", "src", cwd=root)
    fixed = ssot("check", "--fix", "--no-cache", "src", cwd=root)
    return root, before, json.loads(report.stdout), fixed, _run(root)


def _fixes(findings, filename):
    return {item["location"]["row"]: item["fix"] for item in findings
            if item["filename"].endswith(filename) and item["code"] == "SSOT001"}


def test_a_probe_of_a_module_gone_from_the_tree_gets_an_unsafe_fix_that_says_why(probes):
    _, _, findings, _, _ = probes
    fixes = _fixes(findings, "supervisor.py")
    gone = (f"a try/except ImportError probe, and '{WS}.factory' is not in the tree: the except branch runs "
            "today, and the import may succeed after the fix")
    assert fixes[4]["applicability"] == UNSAFE
    assert fixes[4]["message"] == f"import from the canonical module (unsafe: {gone})"
    assert fixes[9]["applicability"] == UNSAFE and gone in fixes[9]["message"]


def test_a_probe_of_a_shim_still_in_the_tree_and_a_re_raise_keep_their_safe_fix(probes):
    _, _, findings, _, _ = probes
    fixes = _fixes(findings, "supervisor.py")
    assert (fixes[16]["applicability"], fixes[16]["message"]) == (SAFE, "import from the canonical module")
    assert (fixes[21]["applicability"], fixes[21]["message"]) == (SAFE, "import from the canonical module")


def test_fix_keeps_what_the_probes_find_and_the_comments_of_all(probes):
    root, before, _, fixed, after = probes
    assert fixed.returncode == 1, fixed.stderr  # the unsafe probe fixes remain
    assert after == before
    assert "factory manager: None" in after  # the gone module's probe still takes its except branch
    assert f"compat manager: {WS}.websocket_manager True" in after
    supervisor = (root / "src/netra_backend/app/agents/supervisor.py").read_text()
    assert supervisor.count(f"from {WS}.factory import WebSocketManager as FactoryManager") == 1
    assert f"import {WS}.factory as ws_factory" in supervisor
    assert f"from {WS}.compat" not in supervisor
    exports = (root / "src/netra_backend/app/websocket_core/websocket_manager_factory.py").read_text()
    assert "    # COMPATIBILITY: For SSOT violation testing\n" in exports
    assert "\n# kept for old callers\n" in exports
    assert _comments(supervisor) == _comments(textwrap.dedent(PROJECT["src/netra_backend/app/agents/supervisor.py"]))


# What counts as a probe, without the project index (nothing then shows the legacy import
# succeeds today): `compat.utils` moved to `utils` under its own name, a safe fix elsewhere.
FIX_CONFIG = load_config(str(Path(__file__).parent / "fixtures_fix" / "pyproject.toml"))
UTILS = "from netra_backend.app.websocket_core.compat.utils import format_ws_message"
NO_INDEX = "a try/except ImportError probe, and without the project index nothing shows that the legacy import " \
           "succeeds today"
PROBE_SHAPES = {
    "not in a try": (f"{UTILS}\n", SAFE),
    "except ImportError with a fallback": (f"try:\n    {UTILS}\nexcept ImportError:\n    format_ws_message = str\n",
                                           UNSAFE),
    "except (ImportError, ModuleNotFoundError)": (
        f"try:\n    {UTILS}\nexcept (ImportError, ModuleNotFoundError):  # old deployments\n    pass\n", UNSAFE),
    "except Exception": (f"try:\n    {UTILS}\nexcept Exception:\n    format_ws_message = None\n", UNSAFE),
    "bare except": (f"try:\n    {UTILS}\nexcept:\n    format_ws_message = None\n", UNSAFE),
    "nested in an if of the try": (
        f"import os\ntry:\n    if os.environ.get('WS'):\n        {UTILS}\nexcept ImportError:\n    pass\n", UNSAFE),
    "with suppress(ImportError)": (f"from contextlib import suppress\nwith suppress(ImportError):\n    {UTILS}\n",
                                   UNSAFE),
    "in a file that does not parse": (
        f"try:\n    {UTILS}\nexcept ImportError:\n    pass\n\nCRITICAL_MODULES = (\n    pass\n)\n", UNSAFE),
    "except ImportError: raise": (f"try:\n    {UTILS}\nexcept ImportError:\n    raise\n", SAFE),
    "except ValueError": (f"try:\n    {UTILS}\nexcept ValueError:\n    pass\n", SAFE),
    "the try's else branch": (f"try:\n    import os\nexcept ImportError:\n    os = None\nelse:\n    {UTILS}\n", SAFE),
    "a function defined in the try": (
        f"try:\n    def load():\n        {UTILS}\n        return format_ws_message\n"
        "except ImportError:\n    load = None\n",
        SAFE),
}


@pytest.mark.parametrize("shape", sorted(PROBE_SHAPES))
def test_what_counts_as_a_probe(shape):
    source, level = PROBE_SHAPES[shape]
    path = str(Path(__file__).parent / "fixtures_fix" / "netra_backend" / "app" / "probes.py")
    [finding] = [d for d in check_source(source, path, FIX_CONFIG).diagnostics if d.code == "SSOT001"]
    assert finding.fix.applicability == level
    assert (NO_INDEX in finding.fix.description) == (level == UNSAFE)
    assert (fix_text(source, path, FIX_CONFIG).text == source) == (level == UNSAFE)  # --fix leaves a probe alone
