"""Seed #1128's deprecated-module table and mock.patch targets: legacy paths in strings."""

import importlib
from unittest import mock

FACTORY_MODULES = {
    "utils": "netra_backend.app.websocket_core.compat.utils",
    "factory": 'netra_backend.app.websocket_core.factory',
}
DEPRECATED_IMPORTS = [
    ("factory_core", "from netra_backend.app.websocket_core.factory import WebSocketFactory"),
    ("utils", "import netra_backend.app.websocket_core.compat.utils"),
]


def load_helpers():
    return importlib.import_module("netra_backend.app.websocket_core.utils")


@mock.patch("netra_backend.app.websocket_core.websocket_manager.WebSocketManager")
def test_manager_is_patched(manager_class):
    with mock.patch(r"netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager"):
        assert load_helpers() is not None
