"""Legacy paths reached through an imported package rather than an import statement."""

import netra_backend
import netra_backend.app.websocket_core.utils
from netra_backend.app import websocket_core
from netra_backend.app.websocket_core import compat


def render(message: dict) -> str:
    # Reachable from the same name, and the canonical module is imported above: safe.
    return netra_backend.app.websocket_core.utils.format_ws_message(message)


async def build(user_context):
    # Reachable from the same name, but a rename: unsafe.
    return await websocket_core.websocket_manager.get_websocket_manager(user_context)


def connected(socket) -> bool:
    # `compat` cannot reach the canonical module: no automatic fix.
    return compat.utils.is_websocket_connected(socket)
