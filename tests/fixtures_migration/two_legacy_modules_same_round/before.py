# Seed 000: two legacy statements fixed in the same round merge into one canonical statement.
# fix: safe
from netra_backend.app.websocket_core.websocket_manager_factory import WebSocketManagerFactory
from netra_backend.app.websocket_core.unified_manager import WebSocketConnection, WebSocketManagerMode

MODES = (WebSocketManagerFactory, WebSocketConnection, WebSocketManagerMode)
