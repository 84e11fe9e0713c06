"""The context registry's agent: the services module stays for the manager."""

import netra_backend.app.services.user_execution_context as user_context
from netra_backend.app.services.user_execution_context import UserExecutionContext

MANAGER = user_context.UserContextManager()


def register(user_id: str, thread_id: str):
    return MANAGER.register(user_context.UserExecutionContext(user_id=user_id, thread_id=thread_id))


def fallback(user_id: str):
    return UserExecutionContext(user_id=user_id, thread_id=f"thread_{user_id}", request_id="fallback")
