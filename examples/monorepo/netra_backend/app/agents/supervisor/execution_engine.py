"""Per-request execution engine: runs one agent for one user and streams its events."""

from __future__ import annotations

from typing import Any

from netra_backend.app.agents.supervisor.agent_instance_factory import get_agent_instance_factory
from netra_backend.app.services.user_execution_context import (
    UserExecutionContext,
    create_defensive_user_execution_context,
)
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager, get_websocket_manager


class ExecutionEngine:
    def __init__(self) -> None:
        self.agent_factory = get_agent_instance_factory()

    async def execute(self, user_id: str, websocket_client_id: str, agent_name: str, payload: dict[str, Any]) -> dict[str, Any]:
        context = create_defensive_user_execution_context(user_id=user_id, websocket_client_id=websocket_client_id)
        manager = get_websocket_manager(context)
        await self._emit(manager, "agent_started", context)
        agent = self.agent_factory.create_agent_instance(agent_name, context)
        await self._emit(manager, "agent_thinking", context)
        result = {"agent": agent["name"], "echo": payload.get("message", "")}
        await self._emit(manager, "agent_completed", context)
        self.agent_factory.release(context)
        return result

    async def _emit(self, manager: WebSocketManager, event_type: str, context: UserExecutionContext) -> None:
        await manager.send_to_user({"type": event_type, "run_id": context.run_id, "user_id": context.user_id})
