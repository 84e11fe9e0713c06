"""Replay contexts: once the module has loaded, `contexts` is the live registry, not the module."""

import netra_backend.app.services.user_execution_context as contexts
from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context


def replay_context(user_id: str, thread_id: str):
    # Replayed runs register like live ones, so the registry can close them.
    return contexts.register(create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id))


contexts = contexts.UserContextManager()
