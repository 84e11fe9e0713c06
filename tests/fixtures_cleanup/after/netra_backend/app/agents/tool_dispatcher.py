from netra_backend.app.services.user_execution_context import (
    UserContextManager,  # the registry the dispatcher fills
    create_defensive_user_execution_context,
)

MANAGER = UserContextManager()


def dispatch(user_id: str, thread_id: str):
    first = MANAGER.register(create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id))
    second = MANAGER.register(create_defensive_user_execution_context(user_id=user_id, websocket_client_id=f"{thread_id}-tools"))
    return first, second
