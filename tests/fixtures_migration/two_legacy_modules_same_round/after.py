# Seed 000: two legacy statements fixed in the same round merge into one canonical statement.
# fix: safe
from netra_backend.app.websocket_core.websocket_manager import WebSocketManagerFactory, WebSocketConnection, WebSocketManagerMode

MODES = (WebSocketManagerFactory, WebSocketConnection, WebSocketManagerMode)
