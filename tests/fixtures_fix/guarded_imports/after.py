"""Imports under guards: try/except ImportError, TYPE_CHECKING, one-line blocks, noqa."""

from typing import TYPE_CHECKING

try:
    from netra_backend.app.websocket_core.websocket_manager_factory import FactoryMetrics, WebSocketManager
except ImportError:  # older deployments
    WebSocketManager = None

if TYPE_CHECKING:
    from netra_backend.app.legacy_tracing import Tracer  # tolerated while annotations migrate
    from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager

if WebSocketManager is None: from netra_backend.app.websocket_core.websocket_manager_factory import ManagerMetrics; from netra_backend.app.websocket_core.websocket_manager import WebSocketManager

from netra_backend.app.websocket_core.compat.utils import format_ws_message  # noqa: SSOT001
from netra_backend.app.core import MetricsExporter; from netra_backend.app.websocket_core.utils import is_websocket_connected


def trace(tracer: "Tracer", manager: "UnifiedWebSocketManager") -> None:
    tracer.record(format_ws_message(manager), FactoryMetrics(), MetricsExporter, is_websocket_connected)
