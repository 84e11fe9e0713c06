# A one-line statement keeps the names that stay; the moved one gets a statement below it.
# fix: safe
from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager, WebSocketConnection, broadcast_event
import logging
