from netra_backend.app.services.user_execution_context import UserExecutionContext


def build(uid, tid):
    return UserExecutionContext(uid, tid, request_id="req-7")
