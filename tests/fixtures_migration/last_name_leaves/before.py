# The last name leaves the statement, which goes; the comment line above it stays.
# fix: safe
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager
# connections moved in #1126
from netra_backend.app.websocket_core.unified_manager import WebSocketConnection
