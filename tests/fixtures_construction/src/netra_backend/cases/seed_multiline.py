"""Issue #1128's test, as the seed report shows it before the fix."""

import uuid

import pytest

from netra_backend.app.services.user_execution_context import UserExecutionContext


class TestWebSocketSSOTFactoryPatterns:
    test_user_id_1 = "user_1"
    test_thread_id_1 = "thread_1"

    @pytest.mark.asyncio
    async def test_canonical_websocket_manager_import_and_initialization(self):
        user_context = UserExecutionContext(
            user_id=self.test_user_id_1,
            thread_id=self.test_thread_id_1,
            run_id=f"run_{uuid.uuid4()}"
        )
        return user_context
