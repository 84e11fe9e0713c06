import uuid

from netra_backend.app.services.user_execution_context import UserExecutionContext


def safe_context(user_id: str, thread_id: str):
    return UserExecutionContext(user_id=user_id, thread_id=thread_id)


def fresh_run(user_id: str, thread_id: str):
    return UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=f"run_{uuid.uuid4()}")
