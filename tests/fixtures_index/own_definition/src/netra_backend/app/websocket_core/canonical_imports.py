"""The canonical import surface (#1128)."""


class WebSocketManagerFactory:
    kind = "canonical factory"


class WebSocketManager:
    kind = "canonical manager"
