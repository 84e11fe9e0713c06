# One statement, three entries: the module key, a safe symbol entry, an unsafe one.
# Plain --fix moves the safe names; --unsafe-fixes then the renamed function.
# fix: mixed
from netra_backend.app.websocket_core.websocket_manager import (
    get_websocket_manager,  # retired in #1126
)
from netra_backend.app.websocket_core.websocket_manager import WebSocketManagerFactory
from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context  # lives with the context now
