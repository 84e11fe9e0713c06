# Code between the two statements: merging would bind the name later, so a new statement.
# fix: safe
from netra_backend.app.websocket_core.unified_manager import broadcast_event
from netra_backend.app.websocket_core.websocket_manager import WebSocketConnection

MAX_CONNECTIONS = 10_000

from netra_backend.app.websocket_core.websocket_manager import WebSocketManager  # noqa: E402
