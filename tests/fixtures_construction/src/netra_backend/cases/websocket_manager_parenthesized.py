from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context
from netra_backend.app.websocket_core.canonical_imports import (
    get_websocket_manager,
)
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


def managers(uid):
    context = create_defensive_user_execution_context(user_id=uid)
    shared = get_websocket_manager(context)
    return shared, WebSocketManager(user_context=context)


def is_manager(value) -> bool:
    return isinstance(value, WebSocketManager)
