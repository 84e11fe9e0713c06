# A parenthesized import: the renamed names keep their comments and lines.
# fix: safe
from netra_backend.app.services.context import (
    UserContext,  # the request's context
    create_user_context,  # never share between users
)


def context_for(user_id: str) -> UserContext:
    # one context per request
    return create_user_context(user_id, thread_id=f"thread-{user_id}")
