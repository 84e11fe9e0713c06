# A parenthesized import: the renamed names keep their comments and lines.
# fix: safe
from netra_backend.app.services.user_execution_context import (
    UserExecutionContext,  # the request's context
    create_user_execution_context,  # never share between users
)


def context_for(user_id: str) -> UserExecutionContext:
    # one context per request
    return create_user_execution_context(user_id, thread_id=f"thread-{user_id}")
