# A renamed symbol is written with its canonical name; an alias the string had stays.
# fix: unsafe
CANONICAL_CHECKS = {
    "factory": "from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager",  # SSOT004
    "aliased": "from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager as make",  # SSOT004
    "mixed": "from netra_backend.app.websocket_core.websocket_manager import WebSocketManagerFactory, get_websocket_manager",  # SSOT004 SSOT004
}
