from netra_backend.app.services.user_execution_context import UserExecutionContext, create_defensive_user_execution_context


def ensure_context(value, uid):
    if isinstance(value, UserExecutionContext):
        return value
    return create_defensive_user_execution_context(user_id=uid, websocket_client_id=value)
