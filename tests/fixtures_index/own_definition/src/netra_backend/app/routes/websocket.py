from netra_backend.app.websocket_core.factory import WebSocketManagerFactory
from netra_backend.app.websocket_core.unified_manager import WebSocketManager


def describe():
    return f"{WebSocketManagerFactory.kind} / {WebSocketManager.kind}"
