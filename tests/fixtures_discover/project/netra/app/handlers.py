"""Request handlers still on the old paths."""
from netra.ws.manager import WebSocketManager
from netra.ws.manager_factory import create_websocket_manager
from netra.ws.compat import get_websocket_manager
from netra.ctx.typed import build_context
from netra.ctx.user_context import create_defensive_user_execution_context
from netra.ws import get_manager


def handle(user_id: str) -> str:
    manager = create_websocket_manager(user_id)
    other = get_websocket_manager(user_id)
    context = create_defensive_user_execution_context(user_id)
    built = build_context(user_id)
    assert get_manager(user_id).user_id == user_id
    assert isinstance(manager, WebSocketManager)
    return manager.send(other.user_id + context.thread_id + built.thread_id)
