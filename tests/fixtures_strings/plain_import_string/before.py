# `import a.b` in a string, with and without an alias, and two modules in one statement.
# fix: unsafe
SMOKE_IMPORTS = (
    "import netra_backend.app.websocket_core.compat.utils",  # SSOT004
    "import netra_backend.app.websocket_core.factory as ws_factory",  # SSOT004
    "import json, netra_backend.app.websocket_core.compat.utils",  # SSOT004
)
