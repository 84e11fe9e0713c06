# An entry-point style `module:attribute` reference keeps its attribute.
# fix: unsafe
HANDLER = "netra_backend.app.websocket_core.factory:WebSocketFactory"
