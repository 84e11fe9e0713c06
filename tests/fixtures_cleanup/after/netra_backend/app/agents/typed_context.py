from netra_backend.app.services.user_execution_context import UserExecutionContext, create_defensive_user_execution_context


def typed_context(user_id, thread_id):
    # type: (str, str) -> UserExecutionContext
    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id)
