"""Canonical import surface that replaced the retired websocket factory module (#1128).

Callers that used to import ``create_websocket_manager`` from the factory module import it
from here; it delegates to the canonical manager.
"""

from __future__ import annotations

from netra_backend.app.services.user_execution_context import (
    UserExecutionContext,
    create_defensive_user_execution_context,
)
from netra_backend.app.websocket_core.websocket_manager import (
    WebSocketManager,
    WebSocketManagerMode,
    get_websocket_manager,
)


async def create_websocket_manager(
    user_context: UserExecutionContext | None = None,
    *,
    user_id: str | None = None,
    websocket_client_id: str | None = None,
) -> WebSocketManager:
    """Create a manager for ``user_context``, building a defensive context when only ids are known."""
    if user_context is None:
        if user_id is None:
            raise ValueError("create_websocket_manager needs a user_context or a user_id")
        user_context = create_defensive_user_execution_context(
            user_id=user_id,
            websocket_client_id=websocket_client_id,
        )
    return get_websocket_manager(user_context, mode=WebSocketManagerMode.UNIFIED)


__all__ = ["create_websocket_manager", "get_websocket_manager", "WebSocketManager"]
