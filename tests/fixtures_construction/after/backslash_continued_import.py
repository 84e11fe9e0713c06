from netra_backend.app.services.user_execution_context import BUILT, \
    UserExecutionContext, create_defensive_user_execution_context


def build(uid, tid) -> UserExecutionContext:
    context = create_defensive_user_execution_context(user_id=uid, websocket_client_id=tid)
    return context if BUILT else None
