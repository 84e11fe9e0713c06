from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


def open_manager(uid):
    context = create_defensive_user_execution_context(user_id=uid)
    return WebSocketManager(context, mode="isolated")
