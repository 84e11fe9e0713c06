"""Contexts through the services module and by name: the module import served the first call only."""

import uuid

import netra_backend.app.services.user_execution_context as user_context
from netra_backend.app.services.user_execution_context import UserExecutionContext


def websocket_context(user_id: str, thread_id: str):
    # Every websocket run got a fresh run id here.
    return user_context.UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=str(uuid.uuid4()))


def agent_context(user_id: str, thread_id: str):
    return UserExecutionContext(user_id=user_id, thread_id=thread_id)
