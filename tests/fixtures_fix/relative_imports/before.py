"""Agent bootstrap inside netra_backend.app: relative imports are rewritten to absolute ones."""

from .websocket_core.compat.utils import format_ws_message
from .websocket_core.compat import utils
from .websocket_core.websocket_manager_factory import WebSocketManager, WebSocketManagerFactory
from .websocket_core.websocket_manager_factory import create_websocket_manager
from .legacy_metrics import MetricsExporter, metrics_enabled
from . import legacy_metrics


def bootstrap(manager: WebSocketManager) -> None:
    if metrics_enabled():
        MetricsExporter(legacy_metrics.DEFAULT_PORT).start()
    manager.broadcast(format_ws_message(utils.hello()))
    WebSocketManagerFactory.register(create_websocket_manager)
