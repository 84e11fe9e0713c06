"""Triage agent: routes a user's message to the agent that handles it."""

import uuid

from netra_backend.app.services.user_execution_context import UserExecutionContext


def triage_request_id() -> str:
    return f"triage_{uuid.uuid4().hex[:8]}"


def triage_context(user_id: str, thread_id: str):
    # One UserExecutionContext per triage run: its run id comes from here.
    return UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=f"run_{uuid.uuid4()}",
                                request_id="triage")


def replay_context(user_id: str, thread_id: str):
    from time import time_ns

    return UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=f"replay_{time_ns()}")
