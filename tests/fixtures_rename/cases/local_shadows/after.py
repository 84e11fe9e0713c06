# A local variable that shadows the import inside one function stays; the module-level use is renamed.
# fix: safe
from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager

DEFAULT_FACTORY = get_websocket_manager


def pick_factory(overrides):
    create_websocket_manager = overrides.get("factory")
    return create_websocket_manager
