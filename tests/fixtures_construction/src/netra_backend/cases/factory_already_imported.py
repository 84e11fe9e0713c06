from netra_backend.app.services.user_execution_context import (
    UserExecutionContext,
    create_defensive_user_execution_context,
)


def first_context(uid):
    return create_defensive_user_execution_context(user_id=uid)


def second_context(uid, tid):
    return UserExecutionContext(user_id=uid, thread_id=tid)
