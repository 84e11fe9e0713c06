from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context


def pipeline_context(user_id: str, thread_id: str):
    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id)


def legacy_context(user_id: str, thread_id: str):
    # Imported here in the old pipeline to dodge a circular import.

    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id, request_id="legacy")
