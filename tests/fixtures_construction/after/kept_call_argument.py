from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context


def current_user():
    return "user_9"


def build(tid):
    return create_defensive_user_execution_context(user_id=current_user(), websocket_client_id=tid)
