from netra_backend.app.services.user_execution_context import UserExecutionContext


def pair(uid_1, uid_2, tid):
    first = UserExecutionContext(user_id=uid_1, thread_id=tid)
    second = UserExecutionContext(user_id=uid_2, thread_id=tid, request_id="second")
    return first, second
