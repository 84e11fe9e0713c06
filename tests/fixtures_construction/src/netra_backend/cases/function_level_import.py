def build(uid, tid):
    from netra_backend.app.services.user_execution_context import UserExecutionContext

    return UserExecutionContext(user_id=uid, thread_id=tid)
