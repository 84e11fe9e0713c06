"""The canonical home. It imports a helper at import time, and itself still uses the old path."""
from app.ws.compat import normalise_id
from app.ws.core import ConnectionRegistry
from app.ws.handlers import HANDLER_NAMES

__all__ = ["ConnectionRegistry", "normalise_id", "HANDLER_NAMES"]
