# The canonical name is already a local helper of this file: the alias stays.
# fix: unsafe
from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager as create_websocket_manager


async def get_websocket_manager(user_context):
    """Wrap the factory with the request's logging."""
    return await create_websocket_manager(user_context)
