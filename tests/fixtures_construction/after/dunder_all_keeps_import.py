from netra_backend.app.services.user_execution_context import UserExecutionContext, create_defensive_user_execution_context

__all__ = ["UserExecutionContext", "build"]


def build(uid, tid):
    return create_defensive_user_execution_context(user_id=uid, websocket_client_id=tid)
