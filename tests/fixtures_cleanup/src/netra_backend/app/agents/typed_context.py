from netra_backend.app.services.user_execution_context import UserExecutionContext


def typed_context(user_id, thread_id):
    # type: (str, str) -> UserExecutionContext
    return UserExecutionContext(user_id=user_id, thread_id=thread_id)
