from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context


def pair(uid_1, uid_2, tid):
    first = create_defensive_user_execution_context(user_id=uid_1, websocket_client_id=tid)
    second = create_defensive_user_execution_context(user_id=uid_2, websocket_client_id=tid, request_id="second")
    return first, second
