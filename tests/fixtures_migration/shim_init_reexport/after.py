# checked as: netra_backend/app/websocket_core/__init__.py
# The legacy package's own re-export is the compatibility shim: reported, never rewritten.
# fix: none
from .websocket_manager_factory import create_websocket_manager, WebSocketManagerFactory
from .unified_manager import WebSocketConnection
