"""WebSocket manager factory: compatibility layer after the SSOT consolidation (#1126).

New code calls ``get_websocket_manager`` from ``websocket_manager``. The classes stay
importable for internal compatibility; the deprecated ones must leave ``__all__``.
"""

from __future__ import annotations

import logging
import threading
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

from netra_backend.app.services.user_execution_context import (
    InvalidContextError,
    UserExecutionContext,
    create_defensive_user_execution_context,
)
from netra_backend.app.websocket_core.websocket_manager import (
    WebSocketManager,
    WebSocketManagerMode,
    get_websocket_manager,
)

logger = logging.getLogger(__name__)


class FactoryInitializationError(RuntimeError):
    """The factory could not build a manager for the given context."""


@dataclass
class FactoryMetrics:
    managers_created: int = 0
    managers_active: int = 0
    last_created_at: float | None = None


@dataclass
class ManagerMetrics:
    user_id: str
    connections: int = 0
    events_sent: int = 0
    errors: list[str] = field(default_factory=list)


class ConnectionLifecycleManager:
    def __init__(self, manager: WebSocketManager) -> None:
        self.manager = manager

    async def shutdown(self) -> None:
        logger.info("closing %d connections", self.manager.connection_count())


class WebSocketManagerFactory:
    """Deprecated: delegates to the canonical accessor; kept for SSOT violation testing."""

    def __init__(self) -> None:
        self.metrics = FactoryMetrics()

    async def create_manager(self, user_context: UserExecutionContext) -> WebSocketManager:
        _validate_ssot_user_context(user_context)
        manager = get_websocket_manager(user_context, mode=WebSocketManagerMode.ISOLATED)
        self.metrics.managers_created += 1
        self.metrics.managers_active += 1
        self.metrics.last_created_at = time.time()
        return manager


_factory_instance: WebSocketManagerFactory | None = None
_factory_lock = threading.Lock()


def get_websocket_manager_factory() -> WebSocketManagerFactory:
    """Deprecated: returns the process-wide factory (the singleton behind #1066)."""
    global _factory_instance
    with _factory_lock:
        if _factory_instance is None:
            _factory_instance = WebSocketManagerFactory()
        return _factory_instance


async def create_websocket_manager(user_context: UserExecutionContext) -> WebSocketManager:
    """Deprecated: use get_websocket_manager."""
    warnings.warn("create_websocket_manager is deprecated; use get_websocket_manager", DeprecationWarning, stacklevel=2)
    global _factory_instance
    if _factory_instance is None:
        _factory_instance = WebSocketManagerFactory()
    return await _factory_instance.create_manager(user_context)


def create_websocket_manager_sync(user_context: UserExecutionContext) -> WebSocketManager:
    """Deprecated: use get_websocket_manager."""
    return get_websocket_manager(user_context)


def validate_websocket_component_health() -> dict[str, Any]:
    return {
        "factory_initialized": _factory_instance is not None,
        "managers_active": _factory_instance.metrics.managers_active if _factory_instance else 0,
    }


def _validate_ssot_user_context(user_context: Any) -> None:
    if not isinstance(user_context, UserExecutionContext):
        raise FactoryInitializationError(f"expected UserExecutionContext, got {type(user_context).__name__}")


def _validate_ssot_user_context_staging_safe(user_context: Any) -> bool:
    try:
        _validate_ssot_user_context(user_context)
    except (FactoryInitializationError, InvalidContextError) as exc:
        logger.warning("staging-safe validation failed: %s", exc)
        return False
    return True


__all__ = [
    'create_websocket_manager',  # DEPRECATED: Use get_websocket_manager from SSOT
    'create_websocket_manager_sync',  # DEPRECATED: Use WebSocketManager directly
    'get_websocket_manager_factory',  # DEPRECATED: Returns SSOT function
    'WebSocketManagerFactory',  # COMPATIBILITY: For SSOT violation testing
    'create_defensive_user_execution_context',  # Compatibility utility
    'ConnectionLifecycleManager',  # Compatibility class
    'FactoryInitializationError',  # Compatibility exception
    'FactoryMetrics',  # Compatibility data class
    'ManagerMetrics',  # Compatibility data class
    'validate_websocket_component_health',  # Compatibility validation
    '_factory_instance',  # Legacy compatibility
    '_factory_lock',  # Legacy compatibility
    '_validate_ssot_user_context',  # Validation utility
    '_validate_ssot_user_context_staging_safe'  # Validation utility
]
