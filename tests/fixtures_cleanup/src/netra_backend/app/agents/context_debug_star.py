from netra_backend.app.services.user_execution_context import *  # noqa: F403


def debug_line(user_id: str) -> str:
    return f"{(lambda: UserExecutionContext(user_id=user_id, thread_id='debug'))() = }"
