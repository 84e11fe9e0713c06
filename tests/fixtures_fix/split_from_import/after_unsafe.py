"""WebSocket routes (seed #1126: "handlers.py - 5 import consolidations").

The factory module stays, but two of its names have canonical homes: the manager class
moved under its own name (a safe fix splits it out of the statement), the factory function
was renamed (an unsafe fix, which keeps the local name with `as`).
"""

from netra_backend.app.websocket_core.websocket_manager_factory import (
    WebSocketManagerFactory,
    get_websocket_manager_factory,
)
from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager as create_websocket_manager  # retired
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager  # the class moved in #1126
from netra_backend.app.websocket_core.websocket_manager_factory import FactoryMetrics
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager, get_websocket_manager as create_manager
from netra_backend.app.websocket_core.websocket_manager_factory import FactoryMetrics


async def connect(user_context) -> WebSocketManager:
    metrics = FactoryMetrics()
    manager = await create_websocket_manager(user_context)
    metrics.record(manager)
    return manager if manager else await create_manager(user_context)
