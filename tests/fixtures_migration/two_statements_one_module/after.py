# Seed 002: two legacy statements whose names go to the same canonical module.
# fix: safe
from netra_backend.app.websocket_core.websocket_manager import WebSocketManagerFactory, WebSocketConnection
from netra_backend.app.websocket_core.unified_manager import broadcast_event
