"""Two imports of the context, one under a short name (a merge of two branches' imports)."""

from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context
# short for handlers


def agent_context(user_id: str, thread_id: str):
    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id)


def handler_context(user_id: str, thread_id: str):
    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id, request_id="handler")
