from netra_backend.app.services.user_execution_context import UserExecutionContext

Ctx = UserExecutionContext


def build(uid, tid):
    return Ctx(user_id=uid, thread_id=tid)
