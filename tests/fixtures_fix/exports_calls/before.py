"""Unified websocket package init: __all__ grown by calls, tuples and conditionals."""

import os

__all__ = ("WebSocketManager", "get_websocket_manager_factory")
__all__ += ("WebSocketManagerFactory", "create_websocket_manager_sync")
__all__.append("WebSocketManagerFactory")
__all__.extend(["get_websocket_manager_factory", "create_websocket_manager"])
__all__.insert(0, "get_websocket_manager_factory")  # kept first for old callers

if os.environ.get("NETRA_LEGACY_FACTORY"):
    __all__.append("get_websocket_manager_factory")
else:
    __all__.append("WebSocketManagerFactory"); LEGACY = False
