# An import inside a function: only that function's uses are renamed.
# fix: safe


async def open_session(user_context):
    from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager

    return await get_websocket_manager(user_context)


def describe(create_websocket_manager):
    return create_websocket_manager.__name__
