# A name with its own entry under a module key: the more specific entry decides.
# fix: unsafe
from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager


async def open_manager(user_context):
    return await get_websocket_manager(user_context)
