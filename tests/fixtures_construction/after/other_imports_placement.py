"""A handler that builds its context through a re-export, next to other imports."""

from __future__ import annotations

import json

from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context  # the old path
from netra_backend.app.websocket_core.canonical_imports import get_websocket_manager


def handle(raw: str):
    data = json.loads(raw)
    context = create_defensive_user_execution_context(user_id=data["user"], websocket_client_id=data["thread"])
    return get_websocket_manager(context)
