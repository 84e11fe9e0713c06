"""The SSOT import registry: every deprecated path maps to a canonical one that imports."""

import importlib

import pytest

IMPORT_PATTERNS = [
    ("manager_core", "from netra_backend.app.websocket_core.websocket_manager import WebSocketManager"),
    ("factory_core", "from netra_backend.app.websocket_core.factory import WebSocketFactory"),
    ("context_core", "from netra_backend.app.services.user_execution_context import UserExecutionContext"),
]

DEPRECATED_PATHS = [
    {
        'module': 'netra_backend.app.websocket_core.factory',
        'replacement': 'netra_backend.app.websocket_core.websocket_manager.get_websocket_manager',
        'issue': '#1128',
    },
    {
        'module': 'netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager',
        'replacement': 'netra_backend.app.websocket_core.websocket_manager.get_websocket_manager',
        'issue': '#1126',
    },
]


@pytest.mark.parametrize("name, statement", IMPORT_PATTERNS)
def test_import_pattern_executes(name, statement):
    namespace: dict = {}
    exec(statement, namespace)  # noqa: S102 - the registry's statements are trusted literals
    assert len(namespace) > 1, name


@pytest.mark.parametrize("entry", DEPRECATED_PATHS, ids=lambda entry: entry["issue"])
def test_replacement_is_importable(entry):
    module_name, _, attribute = entry["replacement"].rpartition(".")
    module = importlib.import_module(module_name)
    assert callable(getattr(module, attribute))
