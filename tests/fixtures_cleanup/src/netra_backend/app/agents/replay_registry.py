"""Replay contexts: once the module has loaded, `contexts` is the live registry, not the module."""

import netra_backend.app.services.user_execution_context as contexts
from netra_backend.app.services.user_execution_context import UserExecutionContext


def replay_context(user_id: str, thread_id: str):
    # Replayed runs register like live ones, so the registry can close them.
    return contexts.register(UserExecutionContext(user_id=user_id, thread_id=thread_id))


contexts = contexts.UserContextManager()
