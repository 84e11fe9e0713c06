# Typing-only imports are rewritten where they are.
# fix: safe
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netra_backend.app.websocket_core.websocket_manager_factory import WebSocketManagerFactory
    from netra_backend.app.websocket_core.unified_manager import WebSocketConnection, broadcast_event
