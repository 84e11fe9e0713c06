from netra_backend.app.services.user_execution_context import UserExecutionContext as Ctx


def build(uid, tid):
    return Ctx(user_id=uid, thread_id=tid)
