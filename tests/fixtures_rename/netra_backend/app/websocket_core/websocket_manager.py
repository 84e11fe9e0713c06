"""The canonical websocket manager (SSOT since #1126)."""

import enum


class WebSocketManagerMode(enum.Enum):
    UNIFIED = "unified"
    ISOLATED = "isolated"


class WebSocketManager:
    def __init__(self, user_context, mode=WebSocketManagerMode.UNIFIED):
        self.user_context = user_context
        self.mode = mode

    def describe(self):
        return f"manager for {self.user_context.user_id} ({self.mode.value})"


async def get_websocket_manager(user_context, mode=WebSocketManagerMode.UNIFIED):
    return WebSocketManager(user_context, mode)
