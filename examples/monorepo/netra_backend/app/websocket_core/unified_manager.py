"""Unified WebSocket manager from before the SSOT consolidation.

Still imported by two integration suites; the canonical class lives in websocket_manager.
"""

from __future__ import annotations

import asyncio
from typing import Any


class WebSocketManager:
    """Process-wide manager: one instance serves every user (the #1066 isolation bug)."""

    def __init__(self) -> None:
        self._connections: dict[str, list[Any]] = {}
        self._lock = asyncio.Lock()

    async def connect(self, user_id: str, websocket: Any) -> None:
        async with self._lock:
            self._connections.setdefault(user_id, []).append(websocket)

    async def broadcast(self, event: dict[str, Any]) -> None:
        for sockets in self._connections.values():
            for websocket in sockets:
                await websocket.send_json(event)


UnifiedWebSocketManager = WebSocketManager
