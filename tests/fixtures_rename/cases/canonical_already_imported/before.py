# The canonical function is imported already: the legacy import goes, the uses take its name.
# fix: safe
from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager
from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager


async def open_both(first, second):
    return await get_websocket_manager(first), await create_websocket_manager(second)
