from netra_backend.app.services.user_execution_context import UserExecutionContext


def open_connection(user_id: str, client_id: str):
    return UserExecutionContext(user_id=user_id, thread_id=client_id, request_id="open")
