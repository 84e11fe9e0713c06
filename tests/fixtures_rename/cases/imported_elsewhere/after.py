# api/routes.py imports the function from this module: the alias stays for it.
# fix: unsafe
from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager as create_websocket_manager


async def open_session(user_context):
    return await create_websocket_manager(user_context)
