# `import ... as manager` only kept the old module's name: the module and its alias are renamed.
# fix: safe
import netra_backend.app.websocket_core.websocket_manager as websocket_manager


async def open_session(user_context):
    ws = await websocket_manager.get_websocket_manager(user_context, websocket_manager.WebSocketManagerMode.ISOLATED)
    return ws
