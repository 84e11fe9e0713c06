"""Two imports of the context, one under a short name (a merge of two branches' imports)."""

from netra_backend.app.services.user_execution_context import UserExecutionContext
from netra_backend.app.services.user_execution_context import UserExecutionContext as Ctx  # short for handlers


def agent_context(user_id: str, thread_id: str):
    return UserExecutionContext(user_id=user_id, thread_id=thread_id)


def handler_context(user_id: str, thread_id: str):
    return Ctx(user_id=user_id, thread_id=thread_id, request_id="handler")
