# The module looks its handlers up in globals(): renaming would break the lookup.
# fix: unsafe
from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager


def resolve(name):
    return globals()[name]


async def open_session(user_context):
    return await resolve("create_websocket_manager")(user_context)
