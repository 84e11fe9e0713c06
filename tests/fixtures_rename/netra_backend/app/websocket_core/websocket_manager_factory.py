"""Deprecated (#1126): kept so old callers import; use websocket_manager."""

from netra_backend.app.websocket_core.websocket_manager import WebSocketManager
from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager as create_websocket_manager
