"""Agent execution core: one run per user context, events delivered to that user only."""

from __future__ import annotations

import asyncio
import uuid
from unittest import mock

import pytest

from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine
from netra_backend.app.services.user_execution_context import (
    UserExecutionContext,
    create_defensive_user_execution_context,
)
<<<<<<< HEAD
from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager
=======
from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager
>>>>>>> origin/feature/1066-agent-execution-retries


class FakeWebSocket:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    async def send_json(self, payload: dict) -> None:
        self.sent.append(payload)


@pytest.mark.integration
class TestAgentExecutionCore:
    async def test_execute_emits_golden_path_events(self):
        engine = ExecutionEngine()
        result = await engine.execute("user_exec_1", "ws_exec_1", "triage_agent", {"message": "hello"})
        assert result["agent"] == "triage_agent"

    async def test_concurrent_users_are_isolated(self):
        engine = ExecutionEngine()
        results = await asyncio.gather(*(
            engine.execute(f"user_{index}", f"ws_{index}", "triage_agent", {"message": str(index)})
            for index in range(10)
        ))
        assert [result["echo"] for result in results] == [str(index) for index in range(10)]

    async def test_retry_uses_a_fresh_context(self):
        with mock.patch("netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager") as create:
            create.return_value = mock.AsyncMock()
            context = UserExecutionContext(user_id="retry_user", thread_id="retry_thread", run_id=f"run_{uuid.uuid4()}")
            retry = create_defensive_user_execution_context(user_id=context.user_id)
            assert retry.run_id != context.run_id
