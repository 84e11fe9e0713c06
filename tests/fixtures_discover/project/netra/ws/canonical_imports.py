"""Canonical factory functions for WebSocket managers."""

from netra.ws.websocket_manager import WebSocketManager, get_websocket_manager


def create_websocket_manager(user_id: str) -> WebSocketManager:
    return get_websocket_manager(user_id)
