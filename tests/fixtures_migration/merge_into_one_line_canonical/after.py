# The file already imports from the canonical module: the moved name joins that statement.
# fix: safe
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager, WebSocketConnection
from netra_backend.app.websocket_core.unified_manager import broadcast_event
