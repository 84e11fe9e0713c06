# f-strings holding a legacy path or import statement: only their literal parts are rewritten.
# fix: unsafe
def imports_for(name: str, helper: str) -> list[str]:
    return [
        f"from netra_backend.app.websocket_core.canonical_imports import {name}",  # SSOT004
        f"netra_backend.app.websocket_core.utils.{helper}",  # SSOT004
        f"netra_backend.app.websocket_core.utils.{helper!r:>10}",  # SSOT004
        f"netra_backend.app.websocket_core.canonical_imports",  # SSOT004
        rf"import netra_backend.app.websocket_core.canonical_imports as {name}",  # SSOT004
        f"from {name}.websocket_core.factory import WebSocketFactory",
    ]
