from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context
from netra_backend.app.websocket_core.canonical_imports import create_websocket_manager


def open_manager(uid):
    context = create_defensive_user_execution_context(user_id=uid)
    return create_websocket_manager(user_context=context, connection_mode="isolated")
