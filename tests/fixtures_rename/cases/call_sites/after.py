# The retired factory function, called from two coroutines: both calls are renamed.
# fix: safe
from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager


async def open_session(user_context):
    manager = await get_websocket_manager(user_context)
    return manager


async def reopen_session(user_context):
    # the manager is per user: never cache it across sessions
    return await get_websocket_manager(user_context)
