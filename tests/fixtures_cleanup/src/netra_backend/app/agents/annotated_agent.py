from netra_backend.app.services.user_execution_context import UserExecutionContext


def describe(context: "UserExecutionContext") -> str:
    return f"{context.user_id}/{context.thread_id}"


def two_contexts(user_id: str):
    return (
        UserExecutionContext(user_id=user_id, thread_id="a"),
        UserExecutionContext(user_id=user_id, thread_id="b"),
    )
