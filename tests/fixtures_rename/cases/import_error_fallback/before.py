# A fallback binds the old name a second time: the alias stays.
# fix: unsafe
try:
    from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager
except ImportError:  # the factory module was removed in #1126
    create_websocket_manager = None


def factory_available():
    return create_websocket_manager is not None
