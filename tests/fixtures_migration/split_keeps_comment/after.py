# Seed 002's handlers.py: one name leaves a parenthesized import and keeps its comment.
# fix: safe
from netra_backend.app.websocket_core.unified_manager import (
    UnifiedWebSocketManager,
    broadcast_event,
)
from netra_backend.app.websocket_core.websocket_manager import WebSocketConnection  # moved in #1126
