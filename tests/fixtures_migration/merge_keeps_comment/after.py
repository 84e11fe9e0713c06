# A moved name with a comment joins a parenthesized canonical import, comment and all.
# fix: safe
from netra_backend.app.websocket_core.websocket_manager import (
    WebSocketManager,
    get_websocket_manager,
    WebSocketManagerMode,  # enum moved in #1126
)
from netra_backend.app.websocket_core.unified_manager import (
    broadcast_event,
)
