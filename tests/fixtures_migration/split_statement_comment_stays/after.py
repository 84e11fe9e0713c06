# The trailing comment of a one-line statement stays with the statement.
# fix: safe
from netra_backend.app.websocket_core.unified_manager import broadcast_event  # fan-out helpers
from netra_backend.app.websocket_core.websocket_manager import WebSocketConnection
