"""Agent instance factory (Issue #1116): one agent instance per user execution context."""

from __future__ import annotations

from typing import Any

from netra_backend.app.services.user_execution_context import UserExecutionContext


class AgentInstanceFactory:
    def __init__(self) -> None:
        self._agents: dict[tuple[str, str, str], dict[str, Any]] = {}

    def create_agent_instance(self, agent_name: str, user_context: UserExecutionContext) -> dict[str, Any]:
        key = (user_context.user_id, user_context.run_id, agent_name)
        return self._agents.setdefault(key, {"name": agent_name, "user_id": user_context.user_id})

    def release(self, user_context: UserExecutionContext) -> int:
        stale = [key for key in self._agents if key[0] == user_context.user_id and key[1] == user_context.run_id]
        for key in stale:
            del self._agents[key]
        return len(stale)


def get_agent_instance_factory() -> AgentInstanceFactory:
    return AgentInstanceFactory()
