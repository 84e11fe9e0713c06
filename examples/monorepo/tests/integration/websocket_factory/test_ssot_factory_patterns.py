"""Integration tests for WebSocket SSOT factory patterns (Issue #1128)."""

import asyncio
import uuid

import pytest

from netra_backend.app.services.user_execution_context import UserExecutionContext
from netra_backend.app.websocket_core.factory import create_websocket_manager
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager
from test_framework.ssot.base_test_case import SSotAsyncTestCase


@pytest.mark.integration
class TestWebSocketSSOTFactoryPatterns(SSotAsyncTestCase):
    """WebSocket managers are created through the SSOT factory path, one per user."""

    async def test_canonical_websocket_manager_import_and_initialization(self):
        user_context = UserExecutionContext(
            user_id=self.test_user_id_1,
            thread_id=self.test_thread_id_1,
            run_id=f"run_{uuid.uuid4()}"
        )

        manager = await create_websocket_manager(user_context)

        assert isinstance(manager, WebSocketManager)
        assert manager.user_context.user_id == self.test_user_id_1

    async def test_factory_creates_isolated_managers_per_user(self):
        user_context_1 = UserExecutionContext(
            user_id=self.test_user_id_1,
            thread_id=self.test_thread_id_1,
            run_id=f"run_{uuid.uuid4()}"
        )
        user_context_2 = UserExecutionContext(
            user_id=self.test_user_id_2,
            thread_id=self.test_thread_id_2,
            run_id=f"run_{uuid.uuid4()}"
        )

        manager_1, manager_2 = await asyncio.gather(
            create_websocket_manager(user_context_1),
            create_websocket_manager(user_context_2),
        )

        assert manager_1 is not manager_2
        assert manager_1.user_context.user_id != manager_2.user_context.user_id
