# A parameter named like the import is the caller's own function: it is not renamed.
# fix: safe
from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager


async def open_with(user_context, create_websocket_manager=None):
    factory = create_websocket_manager or default_factory
    return await factory(user_context)


async def default_factory(user_context):
    return await get_websocket_manager(user_context)
