# Seed 002: two legacy statements whose names go to the same canonical module.
# fix: safe
from netra_backend.app.websocket_core.websocket_manager_factory import WebSocketManagerFactory
from netra_backend.app.websocket_core.unified_manager import WebSocketConnection, broadcast_event
