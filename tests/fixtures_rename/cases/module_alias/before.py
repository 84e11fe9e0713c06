# `import ... as manager` only kept the old module's name: the module and its alias are renamed.
# fix: safe
import netra_backend.app.websocket_core.manager as manager


async def open_session(user_context):
    ws = await manager.get_websocket_manager(user_context, manager.WebSocketManagerMode.ISOLATED)
    return ws
