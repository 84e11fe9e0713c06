"""User execution contexts."""
from dataclasses import dataclass


@dataclass
class UserExecutionContext:
    """One user's request context.

    Do not instantiate directly: use create_defensive_user_execution_context(), which
    validates the identifiers.
    """

    user_id: str
    thread_id: str


def create_defensive_user_execution_context(user_id: str, thread_id: str = "main") -> UserExecutionContext:
    if not user_id:
        raise ValueError("user_id is required")
    return UserExecutionContext(user_id, thread_id)
