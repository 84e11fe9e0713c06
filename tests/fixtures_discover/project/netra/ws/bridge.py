"""Compatibility layer for the agent bridge."""

from netra.ws.websocket_manager import WebSocketManager, get_websocket_manager


class LegacyBridge:
    def __init__(self, manager: WebSocketManager) -> None:
        self.manager = manager
