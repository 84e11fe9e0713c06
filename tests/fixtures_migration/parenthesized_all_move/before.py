# Every name goes to one module: only the module path changes, the layout stays.
# fix: safe
from netra_backend.app.websocket_core.websocket_manager_factory import (  # the SSOT path since #1126
    WebSocketManagerFactory,
    # metrics kept for the dashboards
    FactoryMetrics,
    ManagerMetrics,  # per-user counters
)
