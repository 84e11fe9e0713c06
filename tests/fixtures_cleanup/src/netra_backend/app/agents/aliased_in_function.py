from netra_backend.app.services.user_execution_context import UserExecutionContext


def pipeline_context(user_id: str, thread_id: str):
    return UserExecutionContext(user_id=user_id, thread_id=thread_id)


def legacy_context(user_id: str, thread_id: str):
    # Imported here in the old pipeline to dodge a circular import.
    from netra_backend.app.services.user_execution_context import UserExecutionContext as LegacyContext

    return LegacyContext(user_id=user_id, thread_id=thread_id, request_id="legacy")
