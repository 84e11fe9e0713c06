"""Issue #1128's test, as the seed report shows it before the fix."""


import pytest

from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context


class TestWebSocketSSOTFactoryPatterns:
    test_user_id_1 = "user_1"
    test_thread_id_1 = "thread_1"

    @pytest.mark.asyncio
    async def test_canonical_websocket_manager_import_and_initialization(self):
        user_context = create_defensive_user_execution_context(
            user_id=self.test_user_id_1,
            websocket_client_id=self.test_thread_id_1
        )
        return user_context
