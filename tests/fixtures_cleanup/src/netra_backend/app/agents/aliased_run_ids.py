"""Two imports of the context, each call making its own run id."""

import uuid

from netra_backend.app.services.user_execution_context import UserExecutionContext
from netra_backend.app.services.user_execution_context import UserExecutionContext as Ctx


def agent_context(user_id: str, thread_id: str):
    return UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=str(uuid.uuid4()))


def handler_context(user_id: str, thread_id: str):
    return Ctx(user_id=user_id, thread_id=thread_id, run_id=uuid.uuid4().hex, request_id="handler")
