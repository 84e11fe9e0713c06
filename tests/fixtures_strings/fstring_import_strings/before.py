# f-strings holding a legacy path or import statement: only their literal parts are rewritten.
# fix: unsafe
def imports_for(name: str, helper: str) -> list[str]:
    return [
        f"from netra_backend.app.websocket_core.factory import {name}",  # SSOT004
        f"netra_backend.app.websocket_core.compat.utils.{helper}",  # SSOT004
        f"netra_backend.app.websocket_core.compat.utils.{helper!r:>10}",  # SSOT004
        f"netra_backend.app.websocket_core.factory",  # SSOT004
        rf"import netra_backend.app.websocket_core.factory as {name}",  # SSOT004
        f"from {name}.websocket_core.factory import WebSocketFactory",
    ]
