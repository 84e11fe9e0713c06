"""The user execution context: one per request, never shared between users."""

from dataclasses import dataclass


@dataclass(frozen=True)
class UserExecutionContext:
    user_id: str
    thread_id: str = "thread"
    run_id: str = "run"


def create_user_execution_context(user_id, thread_id="thread", run_id="run"):
    return UserExecutionContext(user_id, thread_id, run_id)
