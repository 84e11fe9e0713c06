"""Routes that still take the factory function from a caller module."""

from netra_backend.app.callers.imported_elsewhere import create_websocket_manager

ROUTES = {"/ws": create_websocket_manager}
