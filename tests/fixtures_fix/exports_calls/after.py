"""Unified websocket package init: __all__ grown by calls, tuples and conditionals."""

import os

__all__ = ("WebSocketManager",)
__all__ += ("create_websocket_manager_sync",)
__all__.extend(["create_websocket_manager"])
# kept first for old callers

if os.environ.get("NETRA_LEGACY_FACTORY"):
    pass
else:
    LEGACY = False
