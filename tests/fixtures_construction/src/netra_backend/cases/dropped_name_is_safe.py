from netra_backend.app.services.user_execution_context import UserExecutionContext


def build(uid, tid, run_id):
    return UserExecutionContext(user_id=uid, thread_id=tid, run_id=run_id)
