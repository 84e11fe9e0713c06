"""Annotated with the class, built under its short name with a run id of its own."""


from netra_backend.app.services.user_execution_context import (
    UserExecutionContext,
    # the handlers' spelling
    create_defensive_user_execution_context,
)


def annotated_context(user_id: str, thread_id: str) -> UserExecutionContext:
    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id)


def run_context(user_id: str, thread_id: str):
    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id)
