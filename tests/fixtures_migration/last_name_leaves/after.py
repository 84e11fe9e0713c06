# The last name leaves the statement, which goes; the comment line above it stays.
# fix: safe
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager, WebSocketConnection
# connections moved in #1126
