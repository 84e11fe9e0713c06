"""SSOT001 on the legacy import in the *except* branch of a try/except ImportError probe.

```python
try:
    from netra_backend.app.websocket_core.websocket_manager import WebSocketManager
except ImportError:  # old deployments
    from netra_backend.app.websocket_core.websocket_manager_factory import WebSocketManager
```

The fallback runs only when the canonical import failed: rewriting it to the canonical path
makes the handler repeat that import, and the program raises where it fell back. The fix is
safe only where the project index finds what the try imports in the tree (the handler is then
dead code), and where the handler only re-imports the try's names it is the migration commit's:
the try/except goes, the canonical import stays.

The project is seed-shaped: `websocket_manager_factory` is the old module, still in the tree as
a shim; `shared.isolated_environment` is the canonical home of the environment accessor, not
yet in this tree (the deployment falls back to the legacy one). Its output is compared before
and after `ssot check --fix`.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from projects import imported_output, ssot, write

from flake8_ssot.config import load_config
from flake8_ssot.diagnostic import SAFE, UNSAFE
from flake8_ssot.engine import check_source
from flake8_ssot.fixes import fix_text

WS = "netra_backend.app.websocket_core"
POLICY = f"""\
[tool.ssot]
src = ["src"]

[tool.ssot.legacy]
"{WS}.websocket_manager_factory" = "{WS}.websocket_manager"
"{WS}.websocket_manager_factory.create_websocket_manager" = "{WS}.websocket_manager.get_websocket_manager"
"netra_backend.app.core.isolated_environment" = "shared.isolated_environment"
"""
REMOVE = "remove the ImportError fallback, keeping the canonical import"

PROJECT = {
    "pyproject.toml": POLICY,
    "src/netra_backend/__init__.py": "",
    "src/netra_backend/app/__init__.py": "",
    "src/netra_backend/app/core/__init__.py": "",
    "src/netra_backend/app/core/isolated_environment.py": """\
        def get_env():
            return {"ENVIRONMENT": "staging"}
        """,
    "src/netra_backend/app/websocket_core/__init__.py": "",
    "src/netra_backend/app/websocket_core/websocket_manager.py": """\
        class WebSocketManager:
            pass


        def get_websocket_manager():
            return WebSocketManager()
        """,
    "src/netra_backend/app/websocket_core/websocket_manager_factory.py": """\
        # Compatibility shim (#1126): everything moved to websocket_manager.
        from netra_backend.app.websocket_core.websocket_manager import WebSocketManager, get_websocket_manager

        create_websocket_manager = get_websocket_manager
        """,
    "src/netra_backend/app/agents/__init__.py": "",
    # The exact shape: the handler only re-imports the try's names from the legacy path.
    "src/netra_backend/app/agents/supervisor.py": """\
        \"\"\"Supervisor agent: uses whichever websocket manager the deployment has.\"\"\"
        import logging

        try:
            from netra_backend.app.websocket_core.websocket_manager import WebSocketManager
        except ImportError:  # old deployments
            from netra_backend.app.websocket_core.websocket_manager_factory import WebSocketManager

        logger = logging.getLogger(__name__)
        print("supervisor:", WebSocketManager.__module__)
        """,
    # Several names, parenthesized, a renamed one, comments in the handler; inside a class.
    "src/netra_backend/app/agents/tool_dispatcher.py": """\
        class ToolDispatcher:
            try:
                from netra_backend.app.websocket_core.websocket_manager import (
                    WebSocketManager,  # the SSOT manager
                    get_websocket_manager,
                )
            except (ImportError, ModuleNotFoundError):
                # Fallback for deployments before the SSOT consolidation (#1126)
                from netra_backend.app.websocket_core.websocket_manager_factory import (
                    WebSocketManager,
                    create_websocket_manager as get_websocket_manager,
                )


        print("dispatcher:", ToolDispatcher.WebSocketManager.__module__, ToolDispatcher.get_websocket_manager.__name__)
        """,
    # The handler does more than re-import: the fallback is rewritten in place (dead code).
    "src/netra_backend/app/agents/execution_engine.py": """\
        import logging

        logger = logging.getLogger(__name__)

        try:
            from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager
        except ImportError as exc:
            logger.warning("canonical websocket manager unavailable: %s", exc)
            from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager as get_websocket_manager

        print("engine:", get_websocket_manager.__module__)
        """,
    # The canonical home is not in the tree: the fallback is what runs today.
    "src/netra_backend/app/agents/config_loader.py": """\
        try:
            from shared.isolated_environment import get_env
        except ImportError:  # shared/ is not deployed with the backend yet
            from netra_backend.app.core.isolated_environment import get_env

        print("config:", get_env.__module__, get_env()["ENVIRONMENT"])
        """,
    # The try imports the package of the canonical module: where it fails, so would the rewrite.
    "src/netra_backend/app/agents/env_probe.py": """\
        try:
            import shared  # the shared package, where it is deployed
        except ImportError:  # shared/ is not deployed with the backend yet
            shared = None
            from netra_backend.app.core.isolated_environment import get_env
        else:
            from shared.isolated_environment import get_env

        print("env probe:", get_env.__module__)
        """,
    # A try that imports something else: the fallback import is an ordinary one.
    "src/netra_backend/app/agents/serializer.py": """\
        try:
            import orjson as json_backend
        except ImportError:
            import json as json_backend
            from netra_backend.app.websocket_core.websocket_manager_factory import WebSocketManager

        print("serializer:", json_backend.__name__ in ("json", "orjson"))
        """,
}
AGENTS = ["supervisor", "tool_dispatcher", "execution_engine", "config_loader", "env_probe", "serializer"]


def _run(root: Path) -> str:
    return imported_output(root, [f"netra_backend.app.agents.{name}" for name in AGENTS])


@pytest.fixture(scope="module")
def fallbacks(tmp_path_factory):
    """The project, its output, its findings (JSON), then `--fix`, the files and the output again."""
    root = write(tmp_path_factory.mktemp("fallbacks"), PROJECT)
    before = _run(root)
    report = ssot("check", "--output-format", "json", "--no-cache", "src", cwd=root)
    fixed = ssot("check", "--fix", "--no-cache", "src", cwd=root)
    return root, before, json.loads(report.stdout), fixed, _run(root)


def _agent(root: Path, name: str) -> str:
    return (root / "src/netra_backend/app/agents" / f"{name}.py").read_text()


def _fixes(findings, name):
    return {item["location"]["row"]: {key: item["fix"][key] for key in ("applicability", "message")}
            for item in findings if item["filename"].endswith(f"agents/{name}.py") and item["code"] == "SSOT001"}


def test_fix_keeps_what_the_program_does(fallbacks):
    _, before, _, fixed, after = fallbacks
    assert fixed.returncode == 1, fixed.stderr  # the unsafe fallback of config_loader remains
    assert after == before
    assert "config: netra_backend.app.core.isolated_environment staging" in after


def test_a_fallback_that_only_re_imports_the_try_names_goes_with_its_try(fallbacks):
    root, _, findings, _, _ = fallbacks
    assert _fixes(findings, "supervisor") == {7: {"applicability": SAFE, "message": REMOVE}}
    assert _agent(root, "supervisor") == textwrap.dedent("""\
        \"\"\"Supervisor agent: uses whichever websocket manager the deployment has.\"\"\"
        import logging

        from netra_backend.app.websocket_core.websocket_manager import WebSocketManager
        # old deployments

        logger = logging.getLogger(__name__)
        print("supervisor:", WebSocketManager.__module__)
        """)


def test_several_names_a_renamed_one_and_comments(fallbacks):
    root, _, findings, _, _ = fallbacks
    fixes = _fixes(findings, "tool_dispatcher")
    assert set(fixes) == {9, 11} and all(fix == {"applicability": SAFE, "message": REMOVE} for fix in fixes.values())
    assert _agent(root, "tool_dispatcher") == textwrap.dedent("""\
        class ToolDispatcher:
            from netra_backend.app.websocket_core.websocket_manager import (
                WebSocketManager,  # the SSOT manager
                get_websocket_manager,
            )
            # Fallback for deployments before the SSOT consolidation (#1126)


        print("dispatcher:", ToolDispatcher.WebSocketManager.__module__, ToolDispatcher.get_websocket_manager.__name__)
        """)


def test_a_fallback_that_does_more_is_rewritten_in_place_where_the_try_always_succeeds(fallbacks):
    root, _, findings, _, _ = fallbacks
    assert _fixes(findings, "execution_engine")[9]["applicability"] == SAFE
    engine = _agent(root, "execution_engine")
    assert f"from {WS}.websocket_manager import get_websocket_manager\n" in engine
    assert "logger.warning(" in engine and "websocket_manager_factory" not in engine


def test_a_fallback_for_a_canonical_home_not_in_the_tree_is_unsafe_and_says_why(fallbacks):
    root, _, findings, _, _ = fallbacks
    fix = _fixes(findings, "config_loader")[4]
    assert fix["applicability"] == UNSAFE
    assert fix["message"] == (
        f"{REMOVE} (unsafe: the except branch of a try/except ImportError probe, and 'shared.isolated_environment' "
        "is not in the tree: the fallback runs when the try's import of it fails, and the fix would make it "
        "repeat that import)")
    assert _agent(root, "config_loader") == textwrap.dedent(PROJECT["src/netra_backend/app/agents/config_loader.py"])


def test_a_fallback_after_a_try_importing_the_canonical_package_is_unsafe(fallbacks):
    """`import shared` failed, so `from shared.isolated_environment import ...` would fail too."""
    root, _, findings, _, _ = fallbacks
    fix = _fixes(findings, "env_probe")[5]
    assert fix["applicability"] == UNSAFE
    assert "'shared.isolated_environment' is not in the tree: the fallback runs when" in fix["message"]
    assert _agent(root, "env_probe") == textwrap.dedent(PROJECT["src/netra_backend/app/agents/env_probe.py"])


def test_a_fallback_after_another_import_keeps_its_usual_verdict(fallbacks):
    root, _, findings, _, _ = fallbacks
    assert _fixes(findings, "serializer") == {5: {"applicability": SAFE, "message": "import from the canonical module"}}
    assert f"    from {WS}.websocket_manager import WebSocketManager\n" in _agent(root, "serializer")


def test_unsafe_fixes_give_what_the_migration_commit_writes(fallbacks, tmp_path):
    root = write(tmp_path, {"pyproject.toml": POLICY, "src/netra_backend/app/agents/config_loader.py":
                            PROJECT["src/netra_backend/app/agents/config_loader.py"]})
    ssot("check", "--fix", "--unsafe-fixes", "--no-cache", "src", cwd=root)
    assert _agent(root, "config_loader") == textwrap.dedent("""\
        from shared.isolated_environment import get_env
        # shared/ is not deployed with the backend yet

        print("config:", get_env.__module__, get_env()["ENVIRONMENT"])
        """)


# Without the project index (the flake8 plugin, an editor without the tree) nothing shows that
# the try's import succeeds: the fix is unsafe whatever its shape.
NO_INDEX = ("the except branch of a try/except ImportError probe, and without the project index nothing shows "
            f"that the try's import of '{WS}.websocket_manager' succeeds")
NO_INDEX_SHAPES = {
    "only re-imports": (PROJECT["src/netra_backend/app/agents/supervisor.py"], REMOVE),
    "does more": (PROJECT["src/netra_backend/app/agents/execution_engine.py"], "import from the canonical module"),
    "importlib": (f"""\
        import importlib

        try:
            import {WS}.websocket_manager as ws
        except ImportError:
            ws = importlib.import_module("{WS}.websocket_manager_factory")
        """, f"import '{WS}.websocket_manager'"),
}


@pytest.mark.parametrize("shape", sorted(NO_INDEX_SHAPES))
def test_without_the_index_a_fallback_fix_is_unsafe(shape, tmp_path):
    source, title = NO_INDEX_SHAPES[shape]
    source = textwrap.dedent(source)
    root = write(tmp_path, {"pyproject.toml": POLICY})
    config = load_config(str(root / "pyproject.toml"))
    path = str(root / "src/netra_backend/app/agents/probe.py")
    [finding] = [d for d in check_source(source, path, config).diagnostics if d.code == "SSOT001"]
    assert finding.fix.applicability == UNSAFE
    assert finding.fix.description.startswith(f"{title} (unsafe: {NO_INDEX}")
    assert fix_text(source, path, config).text == source
