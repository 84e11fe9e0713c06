"""Schedules agent runs; every run used to get a run id made here."""

import uuid

from netra_backend.app.services.run_ids import new_run_id
from netra_backend.app.services.user_execution_context import UserExecutionContext


def schedule(user_id: str, thread_id: str) -> UserExecutionContext:
    return UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=uuid.uuid4().hex)


def reschedule(context: UserExecutionContext) -> UserExecutionContext:
    return UserExecutionContext(
        user_id=context.user_id,
        thread_id=context.thread_id,
        run_id=new_run_id(),  # a fresh run for the retry
    )


def resume(context: UserExecutionContext) -> UserExecutionContext:
    return UserExecutionContext(user_id=context.user_id, thread_id=context.thread_id, run_id=str(uuid.uuid4()))
