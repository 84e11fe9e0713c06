
from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context


def build_context(uid: str, tid: str):
    user_context = create_defensive_user_execution_context(user_id=uid, websocket_client_id=tid)
    return user_context
