from netra_backend.app.services import user_execution_context


def build(uid, tid):
    return user_execution_context.UserExecutionContext(user_id=uid, thread_id=tid, request_id="req-1")
