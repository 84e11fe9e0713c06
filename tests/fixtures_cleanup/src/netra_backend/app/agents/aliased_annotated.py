"""Annotated with the class, built under its short name with a run id of its own."""

import uuid

from netra_backend.app.services.user_execution_context import (
    UserExecutionContext,
    UserExecutionContext as Ctx,  # the handlers' spelling
)


def annotated_context(user_id: str, thread_id: str) -> UserExecutionContext:
    return UserExecutionContext(user_id=user_id, thread_id=thread_id)


def run_context(user_id: str, thread_id: str):
    return Ctx(user_id=user_id, thread_id=thread_id, run_id=f"run_{uuid.uuid4()}")
