"""Session helpers: call create_websocket_manager() once per request.

The prose above is not a reference; the code below is renamed.
"""
# fix: safe
from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager


async def open_session(user_context):
    return await get_websocket_manager(user_context)
