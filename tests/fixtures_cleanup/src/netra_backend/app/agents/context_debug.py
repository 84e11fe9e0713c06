from netra_backend.app.services.user_execution_context import UserExecutionContext


def debug_line(user_id: str) -> str:
    # `{expr=}` prints the code itself: rewriting the call inside the lambda changes the text.
    return f"{(lambda: UserExecutionContext(user_id=user_id, thread_id='debug'))()=}"


def plain_line(user_id: str) -> str:
    return f"{(lambda: UserExecutionContext(user_id=user_id, thread_id='plain'))()!r}"
