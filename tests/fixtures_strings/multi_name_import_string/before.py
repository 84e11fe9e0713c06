# Several names in one import string: the module is rewritten once, the names stay in order.
# fix: unsafe
DEPRECATED_IMPORTS = [
    "from netra_backend.app.websocket_core.factory import WebSocketFactory, create_websocket_manager",  # SSOT004 SSOT004
    "from netra_backend.app.websocket_core.websocket_manager_factory import WebSocketManagerFactory, IsolatedWebSocketManager",  # SSOT004 SSOT004
]
