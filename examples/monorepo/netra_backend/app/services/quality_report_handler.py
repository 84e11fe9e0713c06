"""Quality report handler: sends report progress to the requesting user over WebSocket."""

from __future__ import annotations

from typing import Any

import netra_backend.app.services.user_execution_context as uec
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager, get_websocket_manager


class QualityReportHandler:
    def __init__(self, quality_service: Any) -> None:
        self.quality_service = quality_service

    async def handle(self, user_id: str, thread_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        context = uec.UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=payload["run_id"])
        manager: WebSocketManager = get_websocket_manager(context)
        await manager.send_to_user({"type": "tool_executing", "tool": "quality_report"})
        report = await self.quality_service.build_report(payload.get("period", "7d"), user_id=user_id)
        await manager.send_to_user({"type": "tool_completed", "tool": "quality_report"})
        return report

    async def handle_batch(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        contexts = [uec.create_defensive_user_execution_context(user_id=request["user_id"]) for request in requests]
        return [{"user_id": context.user_id, "run_id": context.run_id} for context in contexts]
