"""Legacy location of the WebSocket manager."""

import warnings

from netra.ws.websocket_manager import WebSocketManager

warnings.warn(
    "Importing from 'netra.ws.manager' is deprecated. "
    "Use 'from netra.ws.websocket_manager import WebSocketManager' instead.",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = ["WebSocketManager"]
