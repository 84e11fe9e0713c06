from netra_backend.app.services.user_execution_context import *  # noqa: F403
from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context


def debug_line(user_id: str) -> str:
    return f"{(lambda: create_defensive_user_execution_context(user_id=user_id, websocket_client_id='debug'))() = }"
