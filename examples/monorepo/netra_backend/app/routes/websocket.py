"""The /ws endpoint: authenticates, builds the user's context and manager, routes messages."""

from __future__ import annotations

import uuid
from typing import Any

from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context
from netra_backend.app.websocket_core.websocket_manager import (
    WebSocketConnection,
    WebSocketManagerMode,
    get_websocket_manager,
)


async def websocket_endpoint(websocket: Any, user_id: str, authorization_token: str) -> None:
    connection_id = f"ws_{uuid.uuid4().hex[:12]}"
    context = create_defensive_user_execution_context(user_id=user_id, websocket_client_id=connection_id)
    manager = get_websocket_manager(context, mode=WebSocketManagerMode.ISOLATED, authorization_token=authorization_token)
    await manager.add_connection(WebSocketConnection(connection_id, user_id, websocket))
    try:
        async for raw in websocket.iter_text():
            await manager.send_to_user({"type": "ack", "size": len(raw)})
    finally:
        await manager.remove_connection(connection_id)
