"""Thread fixtures shared by the end-to-end suites.

Fixtures:
    thread_context: a defensive user context bound to a fresh thread.
    websocket_manager: the manager for that context.
    two_user_threads: contexts for two users, for isolation checks.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from netra_backend.app.services.user_execution_context import (
    UserExecutionContext,
    create_defensive_user_execution_context,
)
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager
from netra_backend.app.websocket_core.event_validator import missing_events

# TODO(#1066): switch to websocket_manager.get_websocket_manager
from netra_backend.app.websocket_core import create_websocket_manager


@pytest.fixture
def thread_context() -> UserExecutionContext:
    return create_defensive_user_execution_context(
        user_id=f"e2e_user_{uuid.uuid4().hex[:8]}",
        websocket_client_id=f"ws_{uuid.uuid4().hex[:8]}",
        thread_id=f"thread_{uuid.uuid4().hex[:8]}",
    )


@pytest.fixture
async def websocket_manager(thread_context: UserExecutionContext) -> AsyncIterator[WebSocketManager]:
    manager = await create_websocket_manager(thread_context)
    yield manager
    assert manager.connection_count() == 0


@pytest.fixture
def two_user_threads() -> tuple[UserExecutionContext, UserExecutionContext]:
    first = create_defensive_user_execution_context(user_id="e2e_user_a")
    second = create_defensive_user_execution_context(user_id="e2e_user_b")
    assert first.thread_id != second.thread_id
    return first, second


def assert_golden_path_events(sent: list[dict[str, Any]]) -> None:
    assert missing_events(sent) == [], f"missing mission-critical events: {missing_events(sent)}"
