"""Backward-compatibility shim for pre-SSOT call sites (#1066). Delete after Phase 3.

Re-exports the old names so that imports keep working while callers migrate.
"""

from __future__ import annotations

from typing import Any

from netra_backend.app.services.user_execution_context import UserExecutionContext
from netra_backend.app.websocket_core import WebSocketManager
from netra_backend.app.websocket_core import create_websocket_manager
from netra_backend.app.websocket_core.websocket_manager_factory import (
    WebSocketManagerFactory,
    create_websocket_manager_sync,
    get_websocket_manager_factory,
)


def get_websocket_manager(user_context: UserExecutionContext | None = None, **kwargs: Any) -> WebSocketManager:
    """Old accessor signature: the context used to be optional (a system context was implied)."""
    if user_context is None:
        user_context = UserExecutionContext(user_id="system", thread_id="compat", run_id="compat")
    return create_websocket_manager_sync(user_context)


def get_factory() -> WebSocketManagerFactory:
    return get_websocket_manager_factory()


__all__ = [
    "WebSocketManager",
    "WebSocketManagerFactory",
    "create_websocket_manager",
    "get_factory",
    "get_websocket_manager",
]
