# The block already imports the name from its canonical module: it only leaves the old statement.
# fix: safe
from netra_backend.app.websocket_core.websocket_manager import WebSocketConnection
from netra_backend.app.websocket_core.unified_manager import WebSocketConnection, broadcast_event
