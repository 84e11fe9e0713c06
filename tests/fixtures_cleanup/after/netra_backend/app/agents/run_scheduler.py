"""Schedules agent runs; every run used to get a run id made here."""


from netra_backend.app.services.user_execution_context import UserExecutionContext, create_defensive_user_execution_context


def schedule(user_id: str, thread_id: str) -> UserExecutionContext:
    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id)


def reschedule(context: UserExecutionContext) -> UserExecutionContext:
    return create_defensive_user_execution_context(
        user_id=context.user_id,
        websocket_client_id=context.thread_id,
        # a fresh run for the retry
    )


def resume(context: UserExecutionContext) -> UserExecutionContext:
    return create_defensive_user_execution_context(user_id=context.user_id, websocket_client_id=context.thread_id)
