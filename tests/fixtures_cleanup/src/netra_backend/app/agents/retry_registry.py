"""Registers every retried context with the user's manager."""

from netra_backend.app.services.user_execution_context import (
    UserContextManager,
    UserExecutionContext,
    new_run_id,  # the retry's own run id
)

MANAGER = UserContextManager()


def retry(user_id: str, thread_id: str) -> UserExecutionContext:
    return MANAGER.register(UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=new_run_id()))
