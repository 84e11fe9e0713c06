"""The one place WebSocket managers are made (issue #1128)."""

from netra_backend.app.websocket_core.websocket_manager import WebSocketManager, get_websocket_manager


def create_websocket_manager(user_context, *, connection_mode: str = "unified") -> WebSocketManager:
    return WebSocketManager(user_context, connection_mode)


__all__ = ["create_websocket_manager", "get_websocket_manager"]
