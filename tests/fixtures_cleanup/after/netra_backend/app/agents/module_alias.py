"""Contexts through the services module and by name: the module import served the first call only."""


from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context


def websocket_context(user_id: str, thread_id: str):
    # Every websocket run got a fresh run id here.
    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id)


def agent_context(user_id: str, thread_id: str):
    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id)
