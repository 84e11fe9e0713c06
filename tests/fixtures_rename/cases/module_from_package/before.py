# `from package import module` of a renamed module: the name and its attribute reads are renamed.
# fix: safe
from netra_backend.app.websocket_core import manager


def isolated_mode():
    return manager.WebSocketManagerMode.ISOLATED
