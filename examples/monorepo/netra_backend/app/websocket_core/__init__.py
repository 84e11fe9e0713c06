"""WebSocket core: per-user managers, event delivery, message handlers."""

from .websocket_manager import (
    WebSocketConnection,
    WebSocketManager,
    WebSocketManagerMode,
    get_websocket_manager,
)
from .websocket_manager_factory import create_websocket_manager, WebSocketManagerFactory

__all__ = [
    "WebSocketConnection",
    "WebSocketManager",
    "WebSocketManagerFactory",
    "WebSocketManagerMode",
    "create_websocket_manager",
    "get_websocket_manager",
]
