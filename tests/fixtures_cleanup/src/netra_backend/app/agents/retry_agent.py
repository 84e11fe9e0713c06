"""The retry agent: run ids came from the context's module until the factory made its own."""

from netra_backend.app.services.user_execution_context import UserExecutionContext, new_run_id


def retry_context(user_id: str, thread_id: str):
    return UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=new_run_id())
