from netra_backend.app.services.user_execution_context import UserExecutionContext


def current_user():
    return "user_9"


def build(tid):
    return UserExecutionContext(user_id=current_user(), thread_id=tid)
