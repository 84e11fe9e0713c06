"""The unified WebSocket manager."""

from __future__ import annotations

BUILT: list[tuple[str, str]] = []  # (user id, mode) of every manager built


class WebSocketManager:
    def __init__(self, user_context, mode: str = "unified") -> None:
        self.user_context = user_context
        self.mode = mode
        BUILT.append((user_context.user_id, mode))


def get_websocket_manager(user_context) -> WebSocketManager:
    return create_websocket_manager_cached(user_context)


def create_websocket_manager_cached(user_context) -> WebSocketManager:
    return WebSocketManager(user_context)
