"""Two imports of the context, each call making its own run id."""


from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context


def agent_context(user_id: str, thread_id: str):
    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id)


def handler_context(user_id: str, thread_id: str):
    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id, request_id="handler")
