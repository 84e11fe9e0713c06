from netra_backend.app.services.user_execution_context import UserExecutionContext

__all__ = ["UserExecutionContext", "build_pair"]


def build_pair(user_id: str, thread_id: str):
    return (UserExecutionContext(user_id=user_id, thread_id=thread_id),
            UserExecutionContext(user_id=user_id, thread_id=thread_id, request_id="pair"))
