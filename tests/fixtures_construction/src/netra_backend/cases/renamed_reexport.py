from netra_backend.app.services.context_alias import Context
from netra_backend.app.services.user_execution_context import UserExecutionContext


def build(uid: str, tid: str) -> UserExecutionContext:
    return Context(user_id=uid, thread_id=tid)
