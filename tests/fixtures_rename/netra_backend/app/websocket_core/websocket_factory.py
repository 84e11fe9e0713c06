"""The websocket factory's canonical home (#1128)."""

__all__ = ["WebSocketFactory", "create_factory"]


class WebSocketFactory:
    def __init__(self, name="default"):
        self.name = name


def create_factory(name="default"):
    return WebSocketFactory(name)
