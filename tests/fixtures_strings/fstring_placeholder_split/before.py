# A legacy path that reaches into a placeholder, or one whose placeholder may name a path with
# an entry of its own, is reported but never rewritten.
# fix: none
def targets(name: str) -> list[str]:
    return [
        f"{'netra_backend.app'}.websocket_core.factory.WebSocketFactory",  # SSOT004
        f"netra_backend.app.websocket_core.websocket_manager_factory.{name}",  # SSOT004
        f"from netra_backend.app.websocket_core.websocket_manager_factory import {name}",  # SSOT004
    ]
