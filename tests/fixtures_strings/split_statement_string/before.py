# One name moves and the other stays: a statement in a string is never split in two.
# fix: none
UNIFIED_IMPORTS = [
    "from netra_backend.app.websocket_core.unified_manager import WebSocketConnection, UnifiedWebSocketManager",  # SSOT004
]
