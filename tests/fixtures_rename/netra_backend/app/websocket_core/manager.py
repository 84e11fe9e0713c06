"""Deprecated: the module was renamed websocket_manager."""

from netra_backend.app.websocket_core.websocket_manager import *  # noqa: F403
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager, WebSocketManagerMode, get_websocket_manager
