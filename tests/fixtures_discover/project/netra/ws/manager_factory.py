"""WebSocket manager factory (being retired, see #1066)."""

import warnings

from netra.ws.canonical_imports import create_websocket_manager as _create
from netra.ws.websocket_manager import WebSocketManager

__all__ = [
    "create_websocket_manager",
    "WebSocketManagerFactory",  # DEPRECATED: Use get_websocket_manager from SSOT
    "connect",
]


class WebSocketManagerFactory:
    def build(self, user_id: str) -> WebSocketManager:
        return _create(user_id)


def create_websocket_manager(user_id: str) -> WebSocketManager:
    warnings.warn(
        "create_websocket_manager is deprecated; use netra.ws.canonical_imports.create_websocket_manager",
        DeprecationWarning,
        stacklevel=2,
    )
    return _create(user_id)


def connect(user_id: str, loop=None) -> WebSocketManager:
    if loop is not None:
        warnings.warn("The 'loop' argument is deprecated and ignored", DeprecationWarning, stacklevel=2)
    return _create(user_id)
