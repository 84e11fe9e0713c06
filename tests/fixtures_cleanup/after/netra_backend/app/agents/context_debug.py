from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context


def debug_line(user_id: str) -> str:
    # `{expr=}` prints the code itself: rewriting the call inside the lambda changes the text.
    return f"{(lambda: create_defensive_user_execution_context(user_id=user_id, websocket_client_id='debug'))()=}"


def plain_line(user_id: str) -> str:
    return f"{(lambda: create_defensive_user_execution_context(user_id=user_id, websocket_client_id='plain'))()!r}"
