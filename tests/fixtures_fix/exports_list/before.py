"""WebSocket manager factory, kept for compatibility (seed #1126, lines 569-585).

Deprecated names leave __all__, their comments stay in their place, and the objects stay.
"""

from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager

__all__ = [
    'create_websocket_manager',  # DEPRECATED: Use get_websocket_manager from SSOT
    'create_websocket_manager_sync',  # DEPRECATED: Use WebSocketManager directly
    'get_websocket_manager_factory',  # DEPRECATED: Returns SSOT function
    'WebSocketManagerFactory',  # COMPATIBILITY: For SSOT violation testing
    'create_defensive_user_execution_context',  # Compatibility utility
    'FactoryMetrics',  # Compatibility data class
    '_factory_instance',  # Legacy compatibility
    '_validate_ssot_user_context',  # Validation utility
    '_factory_lock'  # Legacy compatibility
]

_TESTING_EXPORTS = ["FactoryMetrics"]
__all__ += ["_factory_instance", "WebSocketManagerFactory", "_factory_lock",]
