# Old callers take the context class from the websocket modules: their imports must keep working.
from netra_backend.app.websocket_core.connection import UserExecutionContext as ConnectionContext
from netra_backend.app.websocket_core.event_handlers import UserExecutionContext

# ... and the data helper's run ids.
from netra_backend.app.agents.data_helper_agent import new_run_id


def is_context(value) -> bool:
    return isinstance(value, (UserExecutionContext, ConnectionContext))


def chat_run_id() -> str:
    return new_run_id()
