# Old callers take the context class from the websocket modules: their imports must keep working.
from netra_backend.app.websocket_core.connection import UserExecutionContext as ConnectionContext
from netra_backend.app.websocket_core.event_handlers import UserExecutionContext


def is_context(value) -> bool:
    return isinstance(value, (UserExecutionContext, ConnectionContext))
