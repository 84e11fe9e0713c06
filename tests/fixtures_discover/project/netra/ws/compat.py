"""Backward compatibility layer: the old names of the WebSocket manager."""

from netra.ws.websocket_manager import WebSocketManager as WebSocketManagerCanonical, get_websocket_manager

WebSocketManager = WebSocketManagerCanonical

__all__ = ["WebSocketManager", "WebSocketManagerCanonical", "get_websocket_manager"]
