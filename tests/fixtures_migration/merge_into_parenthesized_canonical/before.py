# A plain addition to an existing parenthesized import of the canonical module.
# fix: safe
from netra_backend.app.websocket_core.websocket_manager import (
    WebSocketManager,
    get_websocket_manager,
)
from netra_backend.app.websocket_core.unified_manager import WebSocketConnection, broadcast_event
