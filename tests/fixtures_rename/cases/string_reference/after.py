# A registry names the function by string: the alias stays.
# fix: unsafe
from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager as create_websocket_manager

FACTORY_REGISTRY = {"websocket": "create_websocket_manager"}


async def build(kind, user_context):
    return await create_websocket_manager(user_context)
