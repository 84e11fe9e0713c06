from netra_backend.app.services.user_execution_context import UserExecutionContext

__all__ = ["UserExecutionContext", "build"]


def build(uid, tid):
    return UserExecutionContext(user_id=uid, thread_id=tid)
