"""Registers every retried context with the user's manager."""

from netra_backend.app.services.user_execution_context import (
    UserContextManager,
    UserExecutionContext,
    # the retry's own run id
    create_defensive_user_execution_context,
)

MANAGER = UserContextManager()


def retry(user_id: str, thread_id: str) -> UserExecutionContext:
    return MANAGER.register(create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id))
