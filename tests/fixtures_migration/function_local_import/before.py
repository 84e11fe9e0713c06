# An import inside a function keeps its place and indentation.
# fix: safe
def get_factory():
    from netra_backend.app.websocket_core.websocket_manager_factory import WebSocketManagerFactory

    return WebSocketManagerFactory()
