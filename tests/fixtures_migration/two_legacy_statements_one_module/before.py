# Seed 002: two legacy statements whose names now live in websocket_manager end as one statement.
# fix: mixed
from netra_backend.app.websocket_core.websocket_manager_factory import WebSocketManagerFactory
from netra_backend.app.websocket_core.unified_manager import WebSocketConnection, broadcast_event
from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager


async def go(ctx):
    return WebSocketManagerFactory, WebSocketConnection, broadcast_event, await create_websocket_manager(ctx)
