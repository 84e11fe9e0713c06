# Seed 000's table of import statements a test checks, one statement per string.
# fix: unsafe
IMPORT_PATTERNS = [
    ("factory_core", "from netra_backend.app.websocket_core.canonical_imports import create_websocket_manager"),  # SSOT004
    ("factory_class", "from netra_backend.app.websocket_core.canonical_imports import WebSocketFactory as Factory"),  # SSOT004
    ("canonical", "from netra_backend.app.websocket_core.canonical_imports import create_websocket_manager"),
]


def test_import_patterns_resolve():
    for label, statement in IMPORT_PATTERNS:
        namespace: dict = {}
        exec(statement, namespace)  # the test runs each statement
        assert len(namespace) > 1, label
