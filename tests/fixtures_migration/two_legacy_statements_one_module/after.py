# Seed 002: two legacy statements whose names now live in websocket_manager end as one statement.
# fix: mixed
from netra_backend.app.websocket_core.websocket_manager import WebSocketManagerFactory, WebSocketConnection, get_websocket_manager
from netra_backend.app.websocket_core.unified_manager import broadcast_event


async def go(ctx):
    return WebSocketManagerFactory, WebSocketConnection, broadcast_event, await get_websocket_manager(ctx)
