"""The old manager: a class of its own with the canonical name, not a re-export."""


class WebSocketManager:
    kind = "legacy manager"
