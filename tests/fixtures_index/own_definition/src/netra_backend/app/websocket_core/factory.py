"""Deprecated: kept for the callers that still import from here."""
from netra_backend.app.websocket_core.canonical_imports import WebSocketManagerFactory  # re-export

__all__ = ["WebSocketManagerFactory"]
