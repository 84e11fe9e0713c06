from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context


def build(uid, tid):
    return create_defensive_user_execution_context(user_id=uid, websocket_client_id=tid)
