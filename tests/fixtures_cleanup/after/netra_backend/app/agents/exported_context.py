from netra_backend.app.services.user_execution_context import UserExecutionContext, create_defensive_user_execution_context

__all__ = ["UserExecutionContext", "build_pair"]


def build_pair(user_id: str, thread_id: str):
    return (create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id),
            create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id, request_id="pair"))
