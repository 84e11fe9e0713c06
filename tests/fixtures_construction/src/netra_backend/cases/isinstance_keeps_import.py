from netra_backend.app.services.user_execution_context import UserExecutionContext


def ensure_context(value, uid):
    if isinstance(value, UserExecutionContext):
        return value
    return UserExecutionContext(user_id=uid, thread_id=value)
