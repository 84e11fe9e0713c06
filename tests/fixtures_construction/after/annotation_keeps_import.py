from netra_backend.app.services.user_execution_context import UserExecutionContext, create_defensive_user_execution_context


def build_context(uid: str, tid: str, run_id: str) -> UserExecutionContext:
    return create_defensive_user_execution_context(user_id=uid, websocket_client_id=tid)
