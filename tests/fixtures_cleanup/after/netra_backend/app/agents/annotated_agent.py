from netra_backend.app.services.user_execution_context import UserExecutionContext, create_defensive_user_execution_context


def describe(context: "UserExecutionContext") -> str:
    return f"{context.user_id}/{context.thread_id}"


def two_contexts(user_id: str):
    return (
        create_defensive_user_execution_context(user_id=user_id, websocket_client_id="a"),
        create_defensive_user_execution_context(user_id=user_id, websocket_client_id="b"),
    )
