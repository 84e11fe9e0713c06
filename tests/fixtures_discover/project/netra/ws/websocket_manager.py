"""The WebSocket manager: the single source of truth."""


class WebSocketManager:
    def __init__(self, user_id: str) -> None:
        self.user_id = user_id

    def send(self, message: str) -> str:
        return f"{self.user_id}: {message}"


def get_websocket_manager(user_id: str) -> WebSocketManager:
    return WebSocketManager(user_id)
