"""Canonical WebSocket manager (SSOT).

Every WebSocket manager in the backend is obtained through ``get_websocket_manager``;
this module is the only place that defines ``WebSocketManager``.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netra_backend.app.services.user_execution_context import UserExecutionContext

logger = logging.getLogger(__name__)


class WebSocketManagerMode(enum.Enum):
    UNIFIED = "unified"
    ISOLATED = "isolated"
    EMERGENCY = "emergency"


@dataclass
class WebSocketConnection:
    connection_id: str
    user_id: str
    websocket: Any
    is_closing: bool = False
    pending: list[dict[str, Any]] = field(default_factory=list)


class WebSocketManager:
    """Per-user WebSocket manager: owns the user's connections and event delivery."""

    def __init__(
        self,
        user_context: UserExecutionContext,
        mode: WebSocketManagerMode = WebSocketManagerMode.UNIFIED,
        authorization_token: str | None = None,
    ) -> None:
        self.user_context = user_context
        self.mode = mode
        self._authorization_token = authorization_token
        self._connections: dict[str, WebSocketConnection] = {}
        self._lock = asyncio.Lock()

    async def add_connection(self, connection: WebSocketConnection) -> None:
        async with self._lock:
            self._connections[connection.connection_id] = connection

    async def remove_connection(self, connection_id: str) -> None:
        async with self._lock:
            self._connections.pop(connection_id, None)

    async def send_to_user(self, event: dict[str, Any]) -> int:
        delivered = 0
        for connection in list(self._connections.values()):
            if connection.is_closing:
                connection.pending.append(event)
                continue
            await connection.websocket.send_json(event)
            delivered += 1
        return delivered

    def connection_count(self) -> int:
        return len(self._connections)


def get_websocket_manager(
    user_context: UserExecutionContext,
    mode: WebSocketManagerMode = WebSocketManagerMode.UNIFIED,
    authorization_token: str | None = None,
) -> WebSocketManager:
    """Return the WebSocket manager for one user's execution context."""
    logger.debug("creating websocket manager for user %s", user_context.user_id)
    return WebSocketManager(user_context, mode=mode, authorization_token=authorization_token)


__all__ = [
    "WebSocketConnection",
    "WebSocketManager",
    "WebSocketManagerMode",
    "get_websocket_manager",
]
