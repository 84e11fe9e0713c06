# Seed 002: the retired function keeps its local name with `as`.
# fix: unsafe
from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager as make_manager
