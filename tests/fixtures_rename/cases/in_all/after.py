# The old name is part of this module's public API (__all__): the alias stays.
# fix: unsafe
from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager as create_websocket_manager

__all__ = ["create_websocket_manager", "open_session"]


async def open_session(user_context):
    return await create_websocket_manager(user_context)
