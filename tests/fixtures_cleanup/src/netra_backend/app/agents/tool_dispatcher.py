from netra_backend.app.services.user_execution_context import (
    UserContextManager,  # the registry the dispatcher fills
    UserExecutionContext,
)

MANAGER = UserContextManager()


def dispatch(user_id: str, thread_id: str):
    first = MANAGER.register(UserExecutionContext(user_id=user_id, thread_id=thread_id))
    second = MANAGER.register(UserExecutionContext(user_id=user_id, thread_id=f"{thread_id}-tools"))
    return first, second
