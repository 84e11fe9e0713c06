"""Issue #680's isolation check: two contexts built under one function-level import."""


def check_user_isolation():
    from netra_backend.app.services.user_execution_context import UserExecutionContext

    first = UserExecutionContext(user_id="user_a", thread_id="thread_a", run_id="run_a")
    second = UserExecutionContext(user_id="user_b", thread_id="thread_b", run_id="run_b")
    return first is not second and first.user_id != second.user_id
