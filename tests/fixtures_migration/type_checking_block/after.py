# Typing-only imports are rewritten where they are.
# fix: safe
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netra_backend.app.websocket_core.websocket_manager import WebSocketManagerFactory, WebSocketConnection
    from netra_backend.app.websocket_core.unified_manager import broadcast_event
