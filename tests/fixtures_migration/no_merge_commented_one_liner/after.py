# A one-line canonical import with its own comment does not take names it would seem to speak of.
# fix: safe
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager  # the SSOT manager
from netra_backend.app.websocket_core.unified_manager import broadcast_event
from netra_backend.app.websocket_core.websocket_manager import WebSocketConnection
