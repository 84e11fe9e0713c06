"""WebSocket message handlers (the pre-#1126 state: five imports to consolidate)."""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable

from netra_backend.app.services.user_execution_context import (
    UserExecutionContext,
    create_defensive_user_execution_context,
)
from netra_backend.app.websocket_core import WebSocketManager
from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager
from netra_backend.app.websocket_core.websocket_manager_factory import get_websocket_manager_factory
from netra_backend.app.websocket_core.websocket_manager_factory import WebSocketManagerFactory

try:
    from netra_backend.app.websocket_core.factory import WebSocketFactory
except ImportError:  # the module was removed in #1128
    WebSocketFactory = None

logger = logging.getLogger(__name__)

Handler = Callable[[WebSocketManager, UserExecutionContext, dict[str, Any]], Awaitable[None]]


class MessageRouter:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def register(self, message_type: str, handler: Handler) -> None:
        self._handlers[message_type] = handler

    async def route(self, manager: WebSocketManager, user_context: UserExecutionContext, raw: str) -> bool:
        message = json.loads(raw)
        handler = self._handlers.get(message.get("type", ""))
        if handler is None:
            logger.warning("unhandled message type %r for user %s", message.get("type"), user_context.user_id)
            return False
        await handler(manager, user_context, message)
        return True


async def handle_user_message(manager: WebSocketManager, user_context: UserExecutionContext, message: dict[str, Any]) -> None:
    await manager.send_to_user({"type": "agent_started", "run_id": user_context.run_id})


async def open_session(user_id: str, websocket_client_id: str) -> WebSocketManager:
    user_context = create_defensive_user_execution_context(user_id=user_id, websocket_client_id=websocket_client_id)
    factory: WebSocketManagerFactory = get_websocket_manager_factory()
    if factory.metrics.managers_active > 10_000:
        logger.error("manager count suspiciously high: %d", factory.metrics.managers_active)
    return await create_websocket_manager(user_context)


def default_router() -> MessageRouter:
    router = MessageRouter()
    router.register("user_message", handle_user_message)
    return router
