"""Triage agent: routes a user's message to the agent that handles it."""

import uuid

from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context


def triage_request_id() -> str:
    return f"triage_{uuid.uuid4().hex[:8]}"


def triage_context(user_id: str, thread_id: str):
    # One UserExecutionContext per triage run: its run id comes from here.
    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id,
                                request_id="triage")


def replay_context(user_id: str, thread_id: str):

    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id)
