"""Multi-user isolation of the canonical WebSocket manager."""

from __future__ import annotations

import asyncio

import pytest

from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context
from netra_backend.app.websocket_core.websocket_manager import (
    WebSocketConnection,
    WebSocketManager,
    get_websocket_manager,
)


class RecordingWebSocket:
    def __init__(self) -> None:
        self.received: list[dict] = []

    async def send_json(self, payload: dict) -> None:
        self.received.append(payload)


async def _manager_with_socket(user_id: str) -> tuple[WebSocketManager, RecordingWebSocket]:
    context = create_defensive_user_execution_context(user_id=user_id, websocket_client_id=f"ws_{user_id}")
    manager = get_websocket_manager(context)
    websocket = RecordingWebSocket()
    await manager.add_connection(WebSocketConnection(f"conn_{user_id}", user_id, websocket))
    return manager, websocket


@pytest.mark.asyncio
async def test_events_never_cross_users():
    (alice, alice_ws), (bob, bob_ws) = await asyncio.gather(_manager_with_socket("alice"), _manager_with_socket("bob"))

    await alice.send_to_user({"type": "agent_completed", "secret": "alice-only"})

    assert alice_ws.received and not bob_ws.received
    assert bob.connection_count() == 1
