import uuid

from netra_backend.app.services.user_execution_context import UserExecutionContext


def build_context(uid: str, tid: str):
    user_context = UserExecutionContext(user_id=uid, thread_id=tid, run_id=f"run_{uuid.uuid4()}")
    return user_context
