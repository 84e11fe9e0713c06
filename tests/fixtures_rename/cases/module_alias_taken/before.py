# The new module name is a local variable where the alias is used: the alias stays.
# fix: unsafe
import netra_backend.app.websocket_core.manager as manager


async def open_session(user_context):
    websocket_manager = await manager.get_websocket_manager(user_context)
    return websocket_manager
