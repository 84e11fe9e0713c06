"""The retry agent: run ids came from the context's module until the factory made its own."""

from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context


def retry_context(user_id: str, thread_id: str):
    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id)
