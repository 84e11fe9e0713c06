# Names that only the module key covers move with the module.
# fix: safe
from netra_backend.app.websocket_core.websocket_manager_factory import WebSocketManagerFactory, FactoryMetrics
