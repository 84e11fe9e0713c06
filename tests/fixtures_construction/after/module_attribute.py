from netra_backend.app.services import user_execution_context


def build(uid, tid):
    return user_execution_context.create_defensive_user_execution_context(user_id=uid, websocket_client_id=tid, request_id="req-1")
