"""Issue #680's isolation check: two contexts built under one function-level import."""


def check_user_isolation():
    from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context

    first = create_defensive_user_execution_context(user_id="user_a", websocket_client_id="thread_a")
    second = create_defensive_user_execution_context(user_id="user_b", websocket_client_id="thread_b")
    return first is not second and first.user_id != second.user_id
