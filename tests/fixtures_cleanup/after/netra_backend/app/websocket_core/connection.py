from netra_backend.app.services.user_execution_context import UserExecutionContext, create_defensive_user_execution_context


def open_connection(user_id: str, client_id: str):
    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=client_id, request_id="open")
