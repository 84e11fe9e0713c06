from netra_backend.app.services.user_execution_context import BUILT, \
    UserExecutionContext


def build(uid, tid) -> UserExecutionContext:
    context = UserExecutionContext(user_id=uid, thread_id=tid)
    return context if BUILT else None
