"""The context registry's agent: the services module stays for the manager."""

import netra_backend.app.services.user_execution_context as user_context
from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context

MANAGER = user_context.UserContextManager()


def register(user_id: str, thread_id: str):
    return MANAGER.register(create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id))


def fallback(user_id: str):
    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=f"thread_{user_id}", request_id="fallback")
