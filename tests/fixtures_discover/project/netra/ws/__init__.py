"""WebSocket core."""
import warnings


def __getattr__(name: str):
    if name == "get_manager":
        warnings.warn(
            "netra.ws.get_manager is deprecated; use netra.ws.websocket_manager.get_websocket_manager",
            DeprecationWarning,
            stacklevel=2,
        )
        from netra.ws.websocket_manager import get_websocket_manager

        return get_websocket_manager
    raise AttributeError(name)
