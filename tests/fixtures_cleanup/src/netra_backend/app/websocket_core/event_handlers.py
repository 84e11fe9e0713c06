from netra_backend.app.services.user_execution_context import UserExecutionContext


def on_connect(user_id: str, client_id: str):
    return UserExecutionContext(user_id=user_id, thread_id=client_id)


def on_reconnect(user_id: str, client_id: str):
    return UserExecutionContext(user_id=user_id, thread_id=client_id, request_id="reconnect")
