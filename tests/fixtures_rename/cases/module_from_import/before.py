# A renamed module whose names the canonical module defines: safe, as the index proves it.
# fix: safe
from netra_backend.app.websocket_core.manager import WebSocketManager, WebSocketManagerMode


def isolated(user_context):
    return WebSocketManager(user_context, WebSocketManagerMode.ISOLATED)
