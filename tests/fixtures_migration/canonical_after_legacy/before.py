# The canonical import comes later in the same import block: merged there, nothing hoisted.
# fix: safe
from netra_backend.app.websocket_core.unified_manager import WebSocketConnection, broadcast_event
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager
