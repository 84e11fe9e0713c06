# The file already imports from the canonical module: the moved name joins that statement.
# fix: safe
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager
from netra_backend.app.websocket_core.unified_manager import WebSocketConnection, broadcast_event
