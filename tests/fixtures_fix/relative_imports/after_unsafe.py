"""Agent bootstrap inside netra_backend.app: relative imports are rewritten to absolute ones."""

from netra_backend.app.websocket_core.utils import format_ws_message
from netra_backend.app.websocket_core import utils
from .websocket_core.websocket_manager_factory import WebSocketManagerFactory
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager, get_websocket_manager
from netra_backend.app.core import MetricsExporter, metrics_enabled
from . import core


def bootstrap(manager: WebSocketManager) -> None:
    if metrics_enabled():
        MetricsExporter(core.DEFAULT_PORT).start()
    manager.broadcast(format_ws_message(utils.hello()))
    WebSocketManagerFactory.register(get_websocket_manager)
