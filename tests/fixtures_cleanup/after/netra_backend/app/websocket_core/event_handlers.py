from netra_backend.app.services.user_execution_context import UserExecutionContext, create_defensive_user_execution_context


def on_connect(user_id: str, client_id: str):
    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=client_id)


def on_reconnect(user_id: str, client_id: str):
    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=client_id, request_id="reconnect")
