from netra_backend.app.services.user_execution_context import UserExecutionContext, create_defensive_user_execution_context


def engine_contexts(user_id: str, thread_id: str):
    primary = create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id)
    shadow = UserExecutionContext(user_id=user_id, thread_id=thread_id, request_id="shadow")
    audit = UserExecutionContext(user_id=user_id, thread_id=thread_id, request_id="audit")
    return primary, shadow, audit
