from netra_backend.app.services.user_execution_context import UserExecutionContext


def build_context(uid: str, tid: str, run_id: str) -> UserExecutionContext:
    return UserExecutionContext(user_id=uid, thread_id=tid, run_id=run_id)
