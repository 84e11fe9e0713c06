from netra_backend.app.services.user_execution_context import UserExecutionContext, UserExecutionContext as Ctx


def primary_context(user_id: str, thread_id: str):
    return UserExecutionContext(user_id=user_id, thread_id=thread_id)


def retry_context(user_id: str, thread_id: str):
    return Ctx(user_id=user_id, thread_id=thread_id, request_id="retry")
