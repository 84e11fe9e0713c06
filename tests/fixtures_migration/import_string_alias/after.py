# Seed 000's table of import statements: an alias in the string is kept.
# fix: unsafe
IMPORT_PATTERNS = [
    ("factory_core", "from netra_backend.app.websocket_core.canonical_imports import WebSocketFactory as Factory"),
]
