"""Old factory module."""
import warnings

from netra.ws.canonical_imports import create_websocket_manager

warnings.warn("netra.ws.factory moved to netra.ws.canonical_imports", DeprecationWarning, stacklevel=2)
