"""Startup wiring: the retired accessor, with its replacement already imported (a safe fix)."""

from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager


async def startup(app, user_context):
    app.state.manager = get_websocket_manager_factory(user_context, mode="isolated")
    return await get_websocket_manager_factory(
        user_context,
        mode="shared",  # the supervisor's manager
    ).start()
